// End-to-end test of the page in headless Chromium (playwright-core, no browser download).
//
//   npm run test:e2e          (needs pkg/ from wasm-pack and `npm install`)
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium); E2E_SITE_ROOT serves another
// folder than the repository (e.g. one with a different pkg/ build). Screenshots go to
// tests/e2e/artifacts/. WebGPU in headless Chromium runs on SwiftShader (a software GPU), so
// the runs are tiny and the timeouts generous.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { ROOT, startServer } from '../../scripts/serve.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The folder to serve (holding index.html, www/, pkg/, node_modules/); default: the repository.
const SITE = process.env.E2E_SITE_ROOT ? path.resolve(process.env.E2E_SITE_ROOT) : ROOT;
const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
const BASE_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];
// 160 images / batch 16 = 10 batches, a report every 2 batches, 32 test images.
const TINY = { preset: 'tiny', epochs: '1', batch: '16', lr: '0.1', train: '160', test: '32' };
const TINY_POINTS = 5 * 2 + 1; // 5 reports x (loss, acc) + 1 test accuracy
const MINUTE = 60_000;

let server;
let baseUrl;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}; set CHROMIUM_PATH`);
  assert.ok(
    existsSync(path.join(SITE, 'node_modules/chart.js/dist/chart.js')),
    'node_modules/chart.js is missing: run `npm install`',
  );
  ({ server, url: baseUrl } = await startServer({ port: 0, host: '127.0.0.1', root: SITE }));
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  if (!server) return;
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
});

const hashOf = (settings) => '#' + new URLSearchParams(settings).toString();

function requirePkg() {
  assert.ok(
    existsSync(path.join(SITE, 'pkg/resnet_explorer.js')) && existsSync(path.join(SITE, 'pkg/resnet_explorer_bg.wasm')),
    'pkg/ is missing: build it with `wasm-pack build --release --target web --out-dir pkg --no-typescript -- --features wgpu`',
  );
}

/** Opens a fresh browser, runs `fn(page, log)`, and always closes the browser. */
async function withPage(label, extraArgs, fn) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...extraArgs] });
  const errors = [];
  const log = (line) => console.log(`[${label}] ${line}`);
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const onConsole = (where) => (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        const line = `${where} console.${msg.type()}: ${msg.text()}`;
        if (msg.type() === 'error') errors.push(line);
        log(line);
      }
    };
    page.on('console', onConsole('page'));
    page.on('pageerror', (e) => {
      errors.push(`page error: ${e.message}`);
      log(`page error: ${e.stack ?? e.message}`);
    });
    page.on('worker', (w) => {
      log(`worker started: ${w.url()}`);
      w.on?.('console', onConsole('worker'));
    });
    page.on('requestfailed', (r) => log(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log(`HTTP ${r.status()} for ${r.url()}`);
    });
    await fn(page, log, errors);
  } finally {
    await browser.close();
  }
}

async function openPage(page, settings) {
  await page.goto(new URL('index.html' + hashOf(settings), baseUrl).href);
  // The Start button is enabled once the main-thread wasm (presets, shapes) has loaded.
  await page.waitForFunction(
    () => !document.getElementById('start').disabled || !document.getElementById('error-box').hidden,
    null,
    { timeout: MINUTE },
  );
  const error = await page.evaluate(() => (document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent));
  assert.equal(error, null, `the page failed to load: ${error}`);
}

const pageState = (page) =>
  page.evaluate(() => ({
    state: window.resnetExplorer.state,
    points: Number(document.getElementById('chart').dataset.points),
    batch: Number(document.getElementById('train-progress').value),
    status: document.getElementById('status').textContent,
    error: document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent,
  }));

/** Waits until `done(state)` holds; fails at once when the run fails. */
async function waitForRun(page, what, done, timeout) {
  const started = Date.now();
  for (;;) {
    const s = await pageState(page);
    if (s.error || s.state === 'failed') assert.fail(`the run failed while waiting for ${what}: ${s.error ?? s.status}`);
    if (done(s)) return s;
    if (Date.now() - started > timeout) assert.fail(`timed out after ${timeout / 1000} s waiting for ${what}; last state ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Clicks a button and measures how long the page takes to show the result. */
async function clickAndTime(page, selector, predicate) {
  const t0 = Date.now();
  await page.click(selector, { timeout: 5000 });
  await page.waitForFunction(predicate, null, { timeout: 5000 });
  return Date.now() - t0;
}

test('trains a tiny ResNet on WebGPU and stays responsive', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('webgpu', WEBGPU_ARGS, async (page, log, errors) => {
    await openPage(page, TINY);
    await page.click('#start');

    // Backend: WebGPU, no CPU banner.
    await page.waitForFunction(() => document.getElementById('backend').dataset.backend !== '', null, { timeout: 2 * MINUTE });
    const backendText = await page.textContent('#backend');
    log(backendText);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'wgpu', `expected WebGPU, page says: ${backendText}`);
    assert.match(backendText, /WebGPU/);
    assert.equal(await page.isVisible('#cpu-banner'), false, 'the CPU banner must be hidden on WebGPU');

    // The first batch compiles the kernels (slow on SwiftShader). Meanwhile the page answers.
    await waitForRun(page, 'training to start', (s) => s.state === 'running', 5 * MINUTE);
    const t0 = Date.now();
    await page.evaluate(() => 1 + 1);
    const roundTrip = Date.now() - t0;
    const pauseMs = await clickAndTime(page, '#pause', () => document.getElementById('pause').textContent === 'Resume');
    log(`evaluate round trip ${roundTrip} ms; pause button reacted in ${pauseMs} ms`);
    assert.ok(pauseMs < 2000, `the page took ${pauseMs} ms to react to a click during training`);

    // The worker pauses between batches; no batch runs while paused.
    const paused = await waitForRun(page, 'the pause', (s) => s.state === 'paused', 5 * MINUTE);
    await new Promise((r) => setTimeout(r, 2000));
    const still = await pageState(page);
    assert.equal(still.state, 'paused');
    assert.equal(still.batch, paused.batch, 'a batch ran while paused');
    const resumeMs = await clickAndTime(page, '#pause', () => document.getElementById('pause').textContent === 'Pause');
    assert.ok(resumeMs < 2000, `the page took ${resumeMs} ms to react to Resume`);
    log(`paused at batch ${paused.batch}; resume button reacted in ${resumeMs} ms`);

    const t1 = Date.now();
    const two = await waitForRun(page, '2 chart points', (s) => s.points >= 2, 10 * MINUTE);
    log(`chart has ${two.points} points after ${((Date.now() - t1) / 1000).toFixed(1)} s more`);
    const done = await waitForRun(page, 'the run to finish', (s) => s.state === 'finished', 10 * MINUTE);
    assert.equal(done.points, TINY_POINTS);
    assert.equal(done.batch, 10);
    log(`finished: ${done.status} (${await page.textContent('#stat-speed')} examples/sec)`);
    assert.match(await page.textContent('#log'), /examples\/sec on WebGPU/);
    assert.ok((await page.locator('#shapes-table tbody tr').count()) >= 7, 'the shape table is filled in');

    await page.screenshot({ path: path.join(ARTIFACTS, 'webgpu.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('falls back to the CPU without WebGPU and says why', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('cpu', [], async (page, log, errors) => {
    await openPage(page, TINY);
    await page.click('#start');

    await page.waitForSelector('#cpu-banner', { state: 'visible', timeout: 2 * MINUTE });
    const reason = (await page.textContent('#cpu-reason')).trim();
    log(`CPU banner reason: ${reason}`);
    assert.ok(reason.length > 10, 'the banner gives a reason');
    assert.match(reason, /WebGPU/);
    assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');

    const two = await waitForRun(page, '2 chart points', (s) => s.points >= 2, 10 * MINUTE);
    log(`chart has ${two.points} points`);
    const done = await waitForRun(page, 'the run to finish', (s) => s.state === 'finished', 10 * MINUTE);
    assert.equal(done.points, TINY_POINTS);
    log(`finished: ${done.status} (${await page.textContent('#stat-speed')} examples/sec)`);
    assert.match(await page.textContent('#log'), /examples\/sec on the CPU/);

    await page.screenshot({ path: path.join(ARTIFACTS, 'cpu-fallback.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('the URL hash restores the controls, and the controls update the hash', { timeout: 2 * MINUTE }, async () => {
  await withPage('hash', [], async (page) => {
    const settings = { preset: 'd2l96', epochs: '3', batch: '64', lr: '0.02', train: '1000', test: '500', backend: 'cpu' };
    await page.goto(new URL('index.html' + hashOf(settings), baseUrl).href);
    const read = () =>
      page.evaluate(() => ({
        preset: document.getElementById('preset').value,
        epochs: document.getElementById('epochs').value,
        batch: document.getElementById('batch').value,
        lr: document.getElementById('lr').value,
        train: document.getElementById('train-limit').value,
        test: document.getElementById('test-limit').value,
        backend: document.getElementById('backend-choice').value,
      }));
    assert.deepEqual(await read(), settings);

    // Editing a control rewrites the hash.
    await page.fill('#epochs', '5');
    await page.waitForFunction(() => location.hash.includes('epochs=5'), null, { timeout: 2000 });
    // Choosing a preset loads its training defaults.
    await page.selectOption('#preset', 'tiny');
    await page.waitForFunction(() => location.hash.includes('preset=tiny'), null, { timeout: 2000 });
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /epochs=1&batch=32&lr=0\.1/);

    // A link with missing or invalid values gets the defaults.
    await page.goto(new URL('index.html#preset=fast&epochs=-4&lr=abc', baseUrl).href);
    await page.reload();
    const defaults = await read();
    assert.deepEqual(defaults, { preset: 'fast', epochs: '2', batch: '128', lr: '0.1', train: '60000', test: '10000', backend: 'auto' });
  });
});

test('Restart replaces a running run and Stop stops it (CPU)', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('restart', [], async (page, log, errors) => {
    // 400 batches: long enough to interrupt.
    await openPage(page, { ...TINY, train: '6400', backend: 'cpu' });
    await page.click('#start');
    const first = await waitForRun(page, 'a few batches', (s) => s.state === 'running' && s.batch >= 5, 3 * MINUTE);
    assert.equal(await page.textContent('#start'), 'Restart');
    assert.equal(await page.isDisabled('#epochs'), true, 'settings are locked during a run');

    await page.click('#start');
    // The new run starts from batch 0 with an empty chart (the old one stops first, and its
    // late messages are ignored).
    const reset = await pageState(page);
    assert.equal(reset.state, 'loading');
    assert.equal(reset.batch, 0);
    assert.equal(reset.points, 0);
    const restarted = await waitForRun(page, 'the restarted run', (s) => s.state === 'running', MINUTE);
    log(`restarted at batch ${restarted.batch} (old run was at ${first.batch})`);
    await waitForRun(page, 'the restarted run to train', (s) => s.batch >= 3, 3 * MINUTE);

    await page.click('#stop');
    const stopped = await waitForRun(page, 'the stop', (s) => s.state === 'stopped', MINUTE);
    await new Promise((r) => setTimeout(r, 1500));
    const later = await pageState(page);
    assert.equal(later.state, 'stopped');
    assert.equal(later.batch, stopped.batch, 'no batch ran after Stop');
    assert.ok(later.batch < 400, 'stopped before the end');
    assert.equal(await page.isDisabled('#epochs'), false, 'settings are unlocked after Stop');
    log(`stopped at batch ${later.batch}: ${later.status}`);
    assert.deepEqual(errors, [], 'no console errors');
  });
});
