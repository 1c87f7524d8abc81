// Which backend the page trains on, and how soon the demos are ready, in headless Chromium
// whose WebGPU is SwiftShader: a software renderer, about 30 times slower than the page's CPU
// backend. "Auto" must pick the CPU there and say why; WebGPU chosen by hand must still train;
// the demos (predictions, identity checks, insertion) must be ready within 10 s of page open on
// both, because they run on the CPU whenever the WebGPU adapter is a software one.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { MINUTE, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];
// The page's defaults (fast preset, all 10,000 test images): what a new user opens.
const DEMOS_READY_S = 10;

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

/**
 * Opens the page and waits until every demo shows its result: predictions on the whole test
 * set, the identity checks table (with its exact zeros) and the identity demo of the selected
 * block. Returns the seconds from opening the page.
 */
async function openAndTimeDemos(page, settings) {
  const t0 = Date.now();
  await openPage(page, site.url, settings);
  await page.waitForFunction(
    () =>
      !document.getElementById('error-box').hidden ||
      (window.resnetExplorer?.demosReady &&
        document.getElementById('pred-summary').dataset.state === 'done' &&
        document.querySelectorAll('#identity-checks tbody td.exact-zero').length > 0 &&
        document.getElementById('identity-result').dataset.state === 'done'),
    null,
    { polling: 50, timeout: 5 * MINUTE },
  );
  const seconds = (Date.now() - t0) / 1000;
  const error = await page.evaluate(() => (document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent));
  assert.equal(error, null, `the page failed: ${error}`);
  return seconds;
}

test('on a software WebGPU adapter "Auto" trains on the CPU, says why, and the demos are ready in 10 s', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await withPage('auto-software', WEBGPU_ARGS, async (page, log, errors) => {
    const seconds = await openAndTimeDemos(page, { backend: 'auto' });
    const summary = await page.textContent('#pred-summary');
    log(`demos ready after ${seconds.toFixed(1)} s: ${summary}`);
    assert.match(summary, /on 10,000 test images/);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');
    assert.equal(await page.isVisible('#cpu-banner'), true);
    const reason = await page.textContent('#cpu-reason');
    log(`banner: ${reason}`);
    assert.match(reason, /software renderer \(google swiftshader\)/);
    assert.match(reason, /"Auto" chose the CPU/);
    assert.ok(seconds <= DEMOS_READY_S, `the demos took ${seconds.toFixed(1)} s (at most ${DEMOS_READY_S})`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('WebGPU chosen by hand on a software adapter: demos ready in 10 s (on the CPU), insertion and Keep training on WebGPU', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('wgpu-by-hand', WEBGPU_ARGS, async (page, log, errors) => {
    const seconds = await openAndTimeDemos(page, { backend: 'wgpu', epochs: '1', batch: '16', lr: '0.01', train: '32' });
    log(`demos ready after ${seconds.toFixed(1)} s: ${await page.textContent('#pred-summary')}`);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'wgpu');
    const backend = await page.textContent('#backend');
    log(backend);
    assert.match(backend, /WebGPU .*swiftshader.*demos compute on the CPU/);
    assert.equal(await page.isVisible('#cpu-banner'), false);
    assert.ok(seconds <= DEMOS_READY_S, `the demos took ${seconds.toFixed(1)} s (at most ${DEMOS_READY_S})`);

    // Training evaluates on the test images the demos use; 10,000 would take minutes on
    // SwiftShader, so the rest runs on 64.
    await page.fill('#test-limit', '64');
    await page.waitForFunction(() => /on 64 test images/.test(document.getElementById('pred-summary').textContent) && window.resnetExplorer.demosReady, null, { timeout: 2 * MINUTE });

    // Insert an identity block (computed on the CPU): not one prediction changes.
    await page.click('#insert-identity');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.state === 'done', null, { timeout: 2 * MINUTE });
    assert.equal(await page.getAttribute('#changed', 'data-value'), '0');

    // Keep training: the bigger network goes to WebGPU and trains there (2 batches of 16).
    await page.click('#keep-training');
    await page.waitForFunction(() => ['finished', 'failed'].includes(window.resnetExplorer.state), null, { timeout: 10 * MINUTE });
    const status = await page.textContent('#status');
    log(`keep training: ${status}`);
    assert.equal(await page.evaluate(() => window.resnetExplorer.state), 'finished', status);
    assert.match(await page.textContent('#log'), /examples\/sec on WebGPU/);
    // Back in the demos, the trained network is moved to the CPU and evaluated there.
    await page.waitForFunction(() => document.getElementById('pred-summary').dataset.state === 'done' && window.resnetExplorer.demosReady, null, { timeout: 2 * MINUTE });
    assert.deepEqual(errors, [], 'no console errors');
  });
});
