// The core journey in Firefox ESR (Debian's firefox-esr, headless, puppeteer-core over WebDriver
// BiDi; see firefox.mjs), on the static site as a teacher hosts it (python3's http.server under
// /resnet/, no headers: plain-host.mjs): the first visit reloads once under the service worker
// and is then cross-origin isolated, its demos are exact, the CPU trains on a pool of Web
// Workers, and the lesson moves by keyboard.
//
//   node --test tests/e2e/firefox.test.mjs     (needs pkg/, pkg-threads/, pkg-catalogue/)
//
// The backend is "auto", as a visitor gets it: Firefox ESR has no WebGPU (navigator.gpu is
// missing), so the page must choose the CPU and say why. Screenshots go to
// tests/e2e/artifacts/firefox-*.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, hashOf } from './browser.mjs';
import { withFirefox } from './firefox.mjs';
import { buildInto, siteFolder, startPlainHost } from './plain-host.mjs';

// 256 images in batches of 32 (8 batches), evaluated on 64 test images.
const SHORT_RUN = { backend: 'auto', epochs: '1', batch: '32', lr: '0.05', train: '256', test: '64' };
const STEPS = ['classes', 'block', 'identity', 'nested', 'race', 'gradients', 'summary'];

let folder;
let host;
before(async () => {
  folder = siteFolder();
  await buildInto(folder.site, 'firefox');
  host = await startPlainHost(folder.dir);
});
after(async () => {
  await host?.stop();
  folder?.remove();
});

/** Waits until `fn(arg)` is true in the page, polling every 250 ms. */
const until = (page, fn, arg, timeout = MINUTE) => page.waitForFunction(fn, { timeout, polling: 250 }, arg);
const text = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());
const data = (page, selector, key) => page.$eval(selector, (e, k) => e.dataset[k], key);
const pageError = (page) => page.evaluate(() => (document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent));

async function waitForDemos(page, timeout = 3 * MINUTE) {
  await until(page, () => window.resnetExplorer?.demosReady || !document.getElementById('error-box').hidden, null, timeout);
  assert.equal(await pageError(page), null, 'the page shows an error');
}

test('Firefox ESR: exact demos, threaded CPU training, the lesson by keyboard', { timeout: 20 * MINUTE }, async () => {
  await withFirefox('firefox', async (page, log, errors) => {
    const t0 = Date.now();
    const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    await page.goto(host.url + hashOf(SHORT_RUN), { waitUntil: 'domcontentloaded' });
    await waitForDemos(page);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation')[0].type), 'reload', 'the first visit reloads once');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true, 'isolated by the service worker, on a host that sends no headers');
    const hasWebGpu = await page.evaluate(() => 'gpu' in navigator);
    log(`demos ready after ${since()}: ${await text(page, '#weights-source')}`);

    // Identity: zeroing an identity block's residual branch gives max |out - in| = 0 exactly.
    await page.click('[data-block="b2.1"]');
    await page.click('#zero-branch');
    const identityDone = (mode) =>
      until(page, (m) => {
        const r = document.getElementById('identity-result');
        return ['done', 'error'].includes(r.dataset.state) && r.dataset.block === 'b2.1' && r.dataset.mode === m;
      }, mode, 2 * MINUTE);
    await identityDone('branch');
    assert.equal(await data(page, '#identity-result', 'state'), 'done', await text(page, '#identity-message'));
    log(`b2.1 branch zeroed: max |out - in| = ${await text(page, '#identity-diff')}; ${since()}`);
    assert.equal(await data(page, '#identity-diff', 'value'), '0', 'the zeroed branch is exactly the identity');
    await page.click('#zero-conv2');
    await identityDone('conv2');
    assert.ok(Number(await data(page, '#identity-diff', 'value')) > 0, 'zeroing conv2 alone is not the identity');
    await until(page, () => document.querySelectorAll('#identity-checks tbody tr[data-block]').length === 8);
    const checks = await page.$$eval('#identity-checks tbody tr[data-block]', (rows) => rows.map((r) => [r.dataset.block, r.cells[2].dataset.value]));
    for (const [block, zeroBranch] of checks) {
      if (!['b3.0', 'b4.0', 'b5.0'].includes(block)) assert.equal(zeroBranch, '0', `${block}: zeroing the branch gives the identity`);
    }

    // Nested function classes: an inserted identity block changes no prediction.
    await waitForDemos(page);
    await page.select('#insert-stage', '1');
    await page.click('#insert-identity');
    await until(page, () => !['idle', 'loading'].includes(document.getElementById('insertion-result').dataset.state), null, 2 * MINUTE);
    const inserted = await page.evaluate(() => ({
      state: document.getElementById('insertion-result').dataset.state,
      before: document.getElementById('acc-before').dataset.value,
      after: document.getElementById('acc-after').dataset.value,
      changed: document.getElementById('changed').dataset.value,
      message: document.getElementById('nested-message').textContent,
    }));
    log(`identity block inserted: accuracy ${inserted.before} -> ${inserted.after}, ${inserted.changed} changed; ${since()}`);
    assert.equal(inserted.state, 'done', inserted.message);
    assert.equal(inserted.changed, '0', 'an inserted identity block changes no prediction');
    assert.equal(inserted.after, inserted.before);
    await until(page, () => document.querySelectorAll('#diagram .block-node').length === 9);
    await waitForDemos(page);
    await page.click('#restore');
    await until(page, () => document.querySelectorAll('#diagram .block-node').length === 8 && document.getElementById('insertion-result').dataset.state === 'idle');
    await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-demos.png'), fullPage: true });

    // Training: the CPU (no WebGPU here), on several threads since the page is isolated.
    await waitForDemos(page);
    await page.click('#start');
    await until(page, () => ['finished', 'failed'].includes(window.resnetExplorer.state) || !document.getElementById('error-box').hidden, null, 10 * MINUTE);
    const run = await page.evaluate(() => ({
      state: window.resnetExplorer.state,
      status: document.getElementById('status').textContent,
      points: Number(document.getElementById('chart').dataset.points),
      backend: document.getElementById('backend').dataset.backend,
      line: document.getElementById('backend').textContent,
      bannerShown: !document.getElementById('cpu-banner').hidden,
      reason: document.getElementById('cpu-reason').textContent,
      log: document.getElementById('log').textContent,
    }));
    log(`${run.line}\nwhy the CPU: ${run.reason}\nfinished after ${since()}: ${run.status}`);
    assert.equal(await pageError(page), null, 'the page shows an error');
    assert.equal(run.state, 'finished', run.status);
    assert.ok(run.points > 0, 'the chart has points');
    assert.match(run.log, /loss \d+\.\d+, train acc/, 'an epoch line with a finite loss');
    assert.doesNotMatch(run.log, /NaN/);
    assert.match(run.log, /examples\/sec on the CPU/);
    assert.equal(run.backend, 'cpu');
    const threads = /on (\d+) threads \(Web Workers\)/.exec(run.line);
    assert.ok(threads && Number(threads[1]) > 1, `the CPU trains on several threads when isolated; the page says: ${run.line}`);
    assert.ok(run.bannerShown, 'the CPU banner says why the CPU trains');
    if (!hasWebGpu) assert.match(run.reason, /no WebGPU \(navigator\.gpu is missing\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-trained.png'), fullPage: true });

    // The lesson: opened with Enter, moved with the arrow keys, left with Escape.
    await waitForDemos(page);
    const waitStep = (id) => until(page, (id) => !document.getElementById('lesson').hidden && document.getElementById('lesson').dataset.step === id, id, 10_000);
    await page.focus('#lesson-open');
    await page.keyboard.press('Enter');
    await waitStep('classes');
    for (const [i, id] of STEPS.entries()) {
      if (i > 0) {
        await page.evaluate(() => document.activeElement?.blur());
        await page.keyboard.press('ArrowRight');
        await waitStep(id);
      }
      assert.match(await page.evaluate(() => location.hash), new RegExp(`lesson=${id}`));
      assert.ok(await page.evaluate(() => document.querySelector('.lesson-target')?.id), `step ${id} points at a view`);
      if (id === 'identity') {
        await waitForDemos(page);
        await page.click('#lesson-actions [data-run="zeroBranch"]');
        await until(page, () => document.getElementById('identity-result').dataset.state === 'done' && document.getElementById('identity-result').dataset.mode === 'branch');
        assert.equal(await data(page, '#identity-diff', 'value'), '0', 'the lesson: the zeroed branch is exactly the identity');
      }
      if (id === 'nested') {
        await waitForDemos(page);
        await page.click('#lesson-actions [data-run="insertIdentity"]');
        await until(page, () => document.getElementById('insertion-result').dataset.state === 'done');
        assert.equal(await data(page, '#changed', 'value'), '0', 'the lesson: an inserted identity block changes no prediction');
      }
      if (id === 'race') {
        await until(page, () => document.getElementById('lab-recorded').dataset.state === 'drawn');
        assert.equal(await data(page, '#lab-recorded', 'series'), '4', 'plain and ResNet at two depths');
      }
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'firefox-lesson.png') });
    await page.keyboard.press('ArrowRight');
    assert.equal(await data(page, '#lesson', 'step'), 'summary', 'the last step stays the last');
    await page.keyboard.press('ArrowLeft');
    await waitStep('gradients');
    await page.keyboard.press('Escape');
    await until(page, () => document.getElementById('lesson').hidden, null, 10_000);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /lesson=/);
    log(`lesson done after ${since()}`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});
