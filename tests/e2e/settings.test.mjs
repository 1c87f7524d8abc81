// Number fields and shared links: a refused value always says which field, what was wrong and
// the range it takes; letters are refused with a message; a bad value in a link is reported
// (the field shows the default), never silently replaced. No training runs here.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { MINUTE, hashOf, requirePkg, startSite, withPage } from './browser.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

async function open(page, hash) {
  await page.goto(new URL('index.html' + hash, site.url).href);
  await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: MINUTE });
}

test("a link's bad values are reported with the range and the default used", { timeout: 3 * MINUTE }, async () => {
  requirePkg();
  await withPage('bad-link', [], async (page, log, errors) => {
    // With the lesson open from the same link: the report is in sight, not under its panel.
    const link = { preset: 'fast', epochs: 'zero', batch: '64', lr: '50', backend: 'quantum', kernels: 'fastest', image: '99', stage: '9', 'lab-depth': '7', 'lab-lr': '0', present: '2', lesson: 'classes' };
    await open(page, hashOf(link));
    await page.waitForFunction(() => /stage=9/.test(document.getElementById('link-problems').textContent), null, { timeout: MINUTE });
    const text = await page.textContent('#link-problems');
    log(text);
    assert.equal(await page.isVisible('#link-problems'), true);
    const box = await page.evaluate(() => {
      const r = document.getElementById('link-problems').getBoundingClientRect();
      const p = document.getElementById('lesson').getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, under: r.right > p.left && r.bottom > p.top, height: innerHeight };
    });
    assert.ok(box.top >= 0 && box.bottom <= box.height && !box.under, `the report is in sight: ${JSON.stringify(box)}`);
    // Every bad value is named, the lab's, the presenter's and a stage the network does not have too.
    for (const key of ['stage=9', 'lab-depth=7', 'lab-lr=0', 'present=2']) assert.ok(text.includes(`The link's ${key} `), key);
    assert.match(text, /The link's epochs=zero was not used: epochs takes a whole number from 1 to 100; 2 is used instead\./);
    assert.match(text, /The link's lr=50 was not used: learning rate takes a number from 0\.0001 to 10; 0\.1 is used instead\./);
    assert.match(text, /The link's backend=quantum is not auto, wgpu or cpu; auto is used instead\./);
    assert.match(text, /The link's kernels=fastest is not auto, ours or burn; auto is used instead\./);
    assert.match(text, /The link's image=99 was not used: test image takes a whole number from 0 to 23/);
    assert.equal(await page.inputValue('#epochs'), '2');
    assert.equal(await page.inputValue('#lr'), '0.1');
    assert.equal(await page.inputValue('#batch'), '64', 'a valid value from the link is used');
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('refused fields name themselves and their range, letters included', { timeout: 3 * MINUTE }, async () => {
  requirePkg();
  await withPage('bad-fields', [], async (page, log, errors) => {
    await open(page, hashOf({ preset: 'fast', epochs: '1', batch: '64', lr: '0.05' }));
    assert.equal(await page.isVisible('#link-problems'), false, 'a valid link reports nothing');
    assert.equal(await page.isVisible('#settings-problems'), false);

    await page.fill('#batch', '5000');
    await page.waitForFunction(() => /Batch size must be a whole number from 1 to 4,096 \(it is 5000\)\./.test(document.getElementById('settings-problems').textContent));
    assert.equal(await page.getAttribute('#batch', 'aria-invalid'), 'true');

    // A number field's value is empty while it holds something that is not a number ("1e").
    await page.fill('#lr', '');
    await page.focus('#lr');
    await page.keyboard.type('1e');
    await page.waitForFunction(() => /Learning rate: what was typed is not a number; enter a number from 0\.0001 to 10\./.test(document.getElementById('settings-problems').textContent));
    log(await page.textContent('#settings-problems'));

    // Start refuses, and its message carries the same reasons.
    await page.click('#start');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden);
    const message = await page.textContent('#error-message');
    assert.match(message, /^Some settings are not valid\. Batch size must be a whole number from 1 to 4,096 \(it is 5000\)\. Learning rate: what was typed/);

    // Fixed fields clear the message.
    await page.fill('#batch', '64');
    await page.fill('#lr', '0.05');
    await page.waitForFunction(() => document.getElementById('settings-problems').hidden);
    assert.equal(await page.getAttribute('#lr', 'aria-invalid'), 'false');
    assert.deepEqual(errors.filter((e) => !e.includes('Some settings are not valid')), [], 'no other console errors');
  });
});
