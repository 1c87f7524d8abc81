// Browser benchmarks, run by hand (not by the test command):
//
//   node bench/browser.mjs speed   examples/sec of the page's worker on WebGPU and on the CPU
//                                  fallback, same settings, and the ratio
//   node bench/browser.mjs soak    a long CPU run with the page's JS heap, the worker's JS heap and
//                                  its wasm memory sampled every 15 s
//   node bench/browser.mjs startup time from opening the page to Start being usable, and from
//                                  Start to the first trained batch (CPU backend, tiny preset)
//   node bench/browser.mjs demos [ROOT ...]
//                                  time from opening the page (defaults: fast preset, all 10,000
//                                  test images) to every demo done, "Auto" and "WebGPU" by hand,
//                                  5 rounds; with several site roots (e.g. a worktree of an older
//                                  commit with its own pkg/), the roots alternate in each round
//
// Headless Chromium here has no GPU: WebGPU runs on SwiftShader, a software GPU, so its absolute
// figures say little about a real GPU. Needs pkg/ (scripts/setup.sh) and node_modules.

import { chromium } from 'playwright-core';

import { startServer } from '../scripts/serve.mjs';

const ARGS = ['--enable-unsafe-webgpu', '--enable-precise-memory-info', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const MiB = (bytes) => (bytes == null ? '   n/a' : (bytes / 2 ** 20).toFixed(1).padStart(6));

/**
 * The worker's used JS heap, over the DevTools protocol (workers have no performance.memory).
 * Playwright's sessions cannot address a worker target, so this one talks to it through
 * Target.sendMessageToTarget.
 */
async function workerHeapProbe(browser) {
  const cdp = await browser.newBrowserCDPSession();
  let sessionId = null;
  let nextId = 0;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    if (e.sessionId === sessionId && pending.has(m.id)) pending.get(m.id)(m.result);
  });
  return async () => {
    if (!sessionId) {
      const { targetInfos } = await cdp.send('Target.getTargets');
      const target = targetInfos.find((t) => t.type === 'worker' && t.url.endsWith('/www/worker/worker.js'));
      if (!target) return null;
      ({ sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false }));
    }
    const id = ++nextId;
    const result = new Promise((resolve) => pending.set(id, resolve));
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) });
    return (await result)?.usedSize ?? null;
  };
}

async function withPage(fn, root = undefined) {
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', ...(root ? { root } : {}) });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    return await fn(page, url, browser);
  } finally {
    await browser.close();
    server.closeAllConnections?.();
    server.close();
  }
}

const snapshot = (page) =>
  page.evaluate(() => ({
    state: window.resnetExplorer.state,
    backend: document.getElementById('backend').dataset.backend,
    speed: document.getElementById('stat-speed').textContent,
    status: document.getElementById('status').textContent,
    error: document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent,
  }));

/** Opens the page with `settings`, trains, and returns the finished run's examples/sec (Rust's figure). */
async function train(page, url, settings, onTick = async () => {}) {
  await page.goto(new URL('index.html#' + new URLSearchParams(settings), url).href);
  await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: 60_000 });
  await page.click('#start');
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = await snapshot(page);
    if (s.error || s.state === 'failed') throw new Error(s.error ?? s.status);
    await onTick(s);
    if (s.state === 'finished' || s.state === 'stopped') {
      const log = await page.textContent('#log');
      return { backend: s.backend, examplesPerSec: Number(/([\d.]+) examples\/sec on/.exec(log)?.[1] ?? s.speed.replace(/,/g, '')) };
    }
  }
}

async function speed() {
  // The tiny preset (SwiftShader is slow); 320 images in batches of 32, so the first batch's
  // kernel compilation is a small share (Rust's figure counts training time only).
  const settings = { preset: 'tiny', epochs: '1', batch: '32', lr: '0.1', train: '320', test: '100' };
  const rows = [];
  for (const backend of ['auto', 'cpu']) {
    rows.push(await withPage((page, url) => train(page, url, { ...settings, backend })));
  }
  console.log(`tiny preset, batch ${settings.batch}, ${settings.train} images, headless Chromium ${process.platform}`);
  console.log('backend                      examples/sec');
  for (const r of rows) console.log(`${(r.backend === 'wgpu' ? 'WebGPU (SwiftShader)' : 'CPU (burn flex, wasm)').padEnd(28)} ${r.examplesPerSec.toFixed(1).padStart(12)}`);
  const [gpu, cpu] = rows;
  console.log(`WebGPU / CPU ratio: ${(gpu.examplesPerSec / cpu.examplesPerSec).toFixed(3)}`);
}

async function soak() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  // The tiny preset on all 60,000 training images, as many epochs as fit in the time.
  const settings = { preset: 'tiny', epochs: '50', batch: '64', lr: '0.1', train: '60000', test: '2000', backend: 'cpu' };
  await withPage(async (page, url, browser) => {
    const workerHeap = await workerHeapProbe(browser);
    const t0 = Date.now();
    let next = 0;
    console.log('seconds  state      page_heap_MiB  worker_heap_MiB  wasm_MiB  examples/sec');
    const sample = async (s) => {
      const seconds = (Date.now() - t0) / 1000;
      if (seconds < next) return;
      next += 15;
      const pageHeap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
      const worker = await page.evaluate(() => window.resnetExplorer.memory()).catch(() => ({}));
      const heap = await workerHeap().catch(() => null);
      console.log(`${seconds.toFixed(0).padStart(7)}  ${s.state.padEnd(9)}  ${MiB(pageHeap).padStart(13)}  ${MiB(heap).padStart(15)}  ${MiB(worker.wasmBytes).padStart(8)}  ${s.speed.padStart(12)}`);
      if (seconds > minutes * 60 && s.state === 'running') await page.click('#stop');
    };
    await train(page, url, settings, sample);
  });
}

async function startup() {
  const settings = { preset: 'tiny', epochs: '1', batch: '16', lr: '0.1', train: '160', test: '32', backend: 'cpu' };
  console.log('run  page usable (s)  Start -> first batch (s)');
  for (let i = 1; i <= 3; i++) {
    await withPage(async (page, url) => {
      const t0 = Date.now();
      await page.goto(new URL('index.html#' + new URLSearchParams(settings), url).href);
      await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: 60_000 });
      const usable = (Date.now() - t0) / 1000;
      const t1 = Date.now();
      await page.click('#start');
      await page.waitForFunction(() => Number(document.getElementById('train-progress').value) >= 1, null, { timeout: 120_000 });
      console.log(`${String(i).padStart(3)}  ${usable.toFixed(2).padStart(15)}  ${((Date.now() - t1) / 1000).toFixed(2).padStart(24)}`);
    });
  }
}

/** Seconds from opening the page to the predictions, the identity demo and its checks done. */
async function demosReady(page, url, backend) {
  const t0 = Date.now();
  await page.goto(new URL(`index.html#backend=${backend}`, url).href);
  await page.waitForFunction(
    () =>
      window.resnetExplorer?.demosReady &&
      document.getElementById('pred-summary').dataset.state === 'done' &&
      document.querySelectorAll('#identity-checks tbody td.exact-zero').length > 0 &&
      document.getElementById('identity-result').dataset.state === 'done',
    null,
    { polling: 50, timeout: 300_000 },
  );
  return (Date.now() - t0) / 1000;
}

async function demos(roots) {
  const sites = roots.length ? roots : [undefined];
  console.log('round  backend  ' + sites.map((r, i) => `site ${i + 1} (s)`).join('  '));
  for (let round = 1; round <= 5; round++) {
    for (const backend of ['auto', 'wgpu']) {
      const times = [];
      for (const root of sites) times.push(await withPage((page, url) => demosReady(page, url, backend), root));
      console.log(`${String(round).padStart(5)}  ${backend.padEnd(7)}  ${times.map((t) => t.toFixed(2).padStart(10)).join('  ')}`);
    }
  }
  sites.forEach((root, i) => console.log(`site ${i + 1}: ${root ?? 'this repository'}`));
}

const mode = process.argv[2];
if (mode === 'speed') await speed();
else if (mode === 'soak') await soak();
else if (mode === 'startup') await startup();
else if (mode === 'demos') await demos(process.argv.slice(3));
else {
  console.error('usage: node bench/browser.mjs speed|soak|startup|demos [ROOT ...]');
  process.exit(2);
}
