// In front of a class nothing lies or hangs (issue 24): a run that diverges from the defaults is
// never labelled pretrained (its kept weights say what they are, or the network before it stays);
// keep training after a plain block says why it cannot learn; the seed's ResNet-18 at 96 px and
// batch 256 trains on the threaded CPU module or is refused up front; a thread that traps reaches the page within seconds, Stop
// does not hang, and a fresh worker brings the kept network back. CPU backend, threaded module.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { MINUTE, openPage, requirePkg, requireThreadedPkg, startSite, withPage } from './browser.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/** What the page says about the network in memory. */
const shown = (page) =>
  page.evaluate(() => ({
    source: document.getElementById('weights-source').dataset.source,
    text: document.getElementById('weights-source').textContent,
    shippedCurrent: document.querySelector('#saved-networks li[data-id="shipped"]')?.dataset.current === 'true',
    predictions: document.getElementById('pred-summary').textContent,
    error: document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent,
    state: window.resnetExplorer.state,
  }));

const demosDone = () => window.resnetExplorer?.demosReady && document.getElementById('pred-summary').dataset.state === 'done';

test('a run that diverges from the defaults is never labelled pretrained: its kept weights say what they are', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('divergence', [], async (page, log, errors) => {
    await openPage(page, site.url, { backend: 'cpu', test: '500' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    const before = await shown(page);
    assert.equal(before.source, 'shipped');
    assert.match(before.text, /^Pretrained weights: /);
    assert.ok(before.shippedCurrent);

    await page.fill('#lr', '10');
    await page.fill('#train-limit', '640');
    await page.click('#start');
    await page.waitForFunction(() => window.resnetExplorer.state === 'failed', null, { timeout: 3 * MINUTE });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    const afterwards = await shown(page);
    log(JSON.stringify(afterwards));
    assert.match(afterwards.error, /diverged/);
    const kept = /the weights from epoch (\d\.\d) \(before the divergence\) are kept/.exec(afterwards.error);
    if (kept && kept[1] !== '0.0') {
      // Weights trained for part of an epoch are in memory: labelled as this run's, never as the
      // pretrained ones; the shipped entry is not marked as in memory; a download says the same.
      assert.match(afterwards.text, /^Trained here: .*lr 10.*\(the run diverged; these are the weights from before\)$/);
      assert.ok(!afterwards.shippedCurrent, 'the shipped entry is not the one in memory');
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: MINUTE }), page.click('#download-weights')]);
      const header = readFileSync(await download.path()).subarray(0, 4096).toString('latin1');
      assert.ok(header.includes(afterwards.text.replace(/^Trained here: /, '')), 'the file describes the weights it holds');
    } else {
      // Nothing was learnt before the divergence: the pretrained network stays, and says so.
      assert.match(afterwards.error, /the network in memory before it is kept unchanged/);
      assert.equal(afterwards.text, before.text);
      assert.equal(afterwards.predictions, before.predictions);
      assert.ok(afterwards.shippedCurrent);
    }
    assert.deepEqual(errors.filter((e) => !/training diverged/.test(e)), []);
  });
});

test('keep training after a plain block is refused with the reason, and the label names the block', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('plain-block', [], async (page, log, errors) => {
    await openPage(page, site.url, { backend: 'cpu', test: '500', train: '640' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    await page.click('#insert-plain');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.state === 'done', null, { timeout: 2 * MINUTE });
    await page.click('#keep-training');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden, null, { timeout: 2 * MINUTE });
    const refused = await shown(page);
    log(JSON.stringify(refused));
    assert.match(refused.error, /cannot learn with its inserted plain block/);
    assert.match(refused.error, /insert a residual \(identity\) block/);
    assert.doesNotMatch(refused.error, /lower learning rate/);
    assert.notEqual(refused.state, 'running');
    assert.match(refused.text, /^Pretrained weights: .*; then 1 inserted block \(plain at stage \d\)$/);
    assert.ok(!refused.shippedCurrent, 'the shipped entry is not what is in memory any more');
    assert.deepEqual(errors.filter((e) => !/cannot learn with its inserted plain block/.test(e)), []);
  });
});

test("the seed's ResNet-18 at 96 px and batch 256 trains on the threaded CPU module, or is refused up front", { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  requireThreadedPkg();
  await withPage('d2l96-256', [], async (page, log, errors) => {
    await openPage(page, site.url, { preset: 'd2l96', batch: '256', epochs: '1', train: '2560', test: '64', backend: 'cpu' });
    await page.click('#start');
    // The first batch, or a refusal that names the largest batch that fits: never a silent hang.
    await page.waitForFunction(
      () => Number(document.getElementById('train-progress').value) >= 1 || !document.getElementById('error-box').hidden,
      null,
      { timeout: 10 * MINUTE },
    );
    const s = await shown(page);
    const backend = await page.textContent('#backend');
    log(`${backend}; ${JSON.stringify(s)}; wasm memory ${(await page.evaluate(() => window.resnetExplorer.memory())).wasmBytes}`);
    assert.match(backend, /on \d+ threads \(Web Workers\)$/);
    if (s.error) assert.match(s.error, /the largest batch that fits is \d+/);
    else assert.equal(s.state, 'running');
    // Stop during the next batch (tens of seconds here): the worker stops after it, or, busy
    // past Stop's grace and not answering, is ended; either way within seconds, not minutes.
    const t0 = Date.now();
    await page.click('#stop');
    await page.waitForFunction(() => !['running', 'paused', 'loading'].includes(window.resnetExplorer.state), null, { timeout: MINUTE });
    const stopped = await shown(page);
    log(`stopped after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${stopped.state}; ${stopped.error ?? 'no message'}`);
    assert.ok(Date.now() - t0 < 30_000, 'Stop took over 30 s');
    if (stopped.error) assert.match(stopped.error, /did not answer, so it was ended/);
    // Either way the page has a network in memory again, and its demos.
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    assert.deepEqual(errors.filter((e) => !/did not answer, so it was ended/.test(e)), []);
  });
});

test('a CPU thread that traps mid-run reaches the page within seconds; Stop does not hang; the kept network comes back', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  requireThreadedPkg();
  await withPage('fault', [], async (page, log, errors) => {
    await openPage(page, site.url, { backend: 'cpu', test: '500', train: '6400', epochs: '1' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    await page.click('#start');
    await page.waitForFunction(() => window.resnetExplorer.state === 'running' && Number(document.getElementById('train-progress').value) >= 1, null, { timeout: 3 * MINUTE });
    const t0 = Date.now();
    await page.evaluate(() => void window.resnetExplorer.simulateFault().catch(() => {}));
    // Stop while the worker is stuck; the fault may have reached the page first (then Stop is
    // disabled, the run over), so press it only while it can be pressed.
    const pressed = await page.evaluate(() => {
      const stop = /** @type {HTMLButtonElement} */ (document.getElementById('stop'));
      const enabled = !stop.disabled;
      if (enabled) stop.click();
      return enabled;
    });
    log(pressed ? 'Stop pressed while the worker was stuck' : 'the fault reached the page before Stop could be pressed');
    await page.waitForFunction(() => !document.getElementById('error-box').hidden && window.resnetExplorer.state !== 'running', null, { timeout: MINUTE });
    const seconds = (Date.now() - t0) / 1000;
    const s = await shown(page);
    log(`the fault reached the page after ${seconds.toFixed(2)} s: ${JSON.stringify(s)}`);
    assert.match(s.error, /simulated fault/);
    assert.match(s.error, /A new worker was started with the last network kept in this browser/);
    assert.ok(seconds < 5, `${seconds} s`);
    // The fresh worker opens with the network kept in this browser (no epoch ended: the shipped one).
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    assert.equal((await shown(page)).source, 'shipped');
    await page.fill('#train-limit', '64');
    await page.click('#start');
    await page.waitForFunction(() => window.resnetExplorer.state === 'finished', null, { timeout: 3 * MINUTE });
    assert.ok(errors.every((e) => /simulated fault|RuntimeError|unreachable|panicked/.test(e)), errors.join('\n'));
  });
});
