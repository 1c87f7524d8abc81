// The reference workload in the page, measured from outside (run by hand, not by the tests):
//
//   node bench/page-speed.mjs [--backend wgpu|cpu|auto] [--preset fast] [--batch 64]
//                             [--images 60000] [--seconds 30] [--gpu] [--runs 1]
//                             [--root DIR] [--no-isolation] [--kernels auto|ours|burn]
//
// Opens the page in headless Chromium, waits until it is idle (on WebGPU the page compiles the
// training kernels in the background with a throwaway run of 3 steps, timed here),
// presses Start and times the page's own batch counter (#train-progress, watched by a
// MutationObserver the page's code does not know about): the first step (Start to the first
// batch: model build, any kernel compilation left, first uploads) and
// the steady examples/sec over at least `--seconds` of batches after 2 warm-up batches; then
// stops the run. On WebGPU it also counts, per steady step, the calls the worker makes into
// WebGPU (compute dispatches, queue submits, buffer reads, buffers created, writes) and the
// pipelines compiled in the first step, by wrapping the WebGPU prototypes in the worker.
//
// Without --gpu, WebGPU is SwiftShader (no GPU here). With --gpu, Chromium gets the flags a
// real GPU needs on Linux (Vulkan) and the run refuses a software adapter; see bench/gpu.sh.

import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { startServer } from '../scripts/serve.mjs';

const { values: opt } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wgpu' },
    // On WebGPU, the convolution and BatchNorm kernels (the link's `kernels`): the backend line says what ran.
    kernels: { type: 'string', default: 'auto' },
    preset: { type: 'string', default: 'fast' },
    batch: { type: 'string', default: '64' },
    images: { type: 'string', default: '60000' },
    seconds: { type: 'string', default: '30' },
    lr: { type: 'string', default: '0.05' },
    runs: { type: 'string', default: '1' },
    gpu: { type: 'boolean', default: false },
    root: { type: 'string' }, // serve another checkout (a before/after comparison)
    // Serve without cross-origin isolation: the CPU then trains on the single-threaded build.
    'no-isolation': { type: 'boolean', default: false },
  },
});

const BASE = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
// WebGPU on a real GPU in headless Chromium on Linux: Vulkan, no blocklist, no SwiftShader.
export const REAL_GPU_ARGS = ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist', '--enable-features=Vulkan,VulkanFromANGLE', '--use-vulkan=native', '--use-angle=vulkan', '--disable-vulkan-surface', '--disable-software-rasterizer'];
const SWIFTSHADER_ARGS = ['--enable-unsafe-webgpu'];

// Counts the worker's WebGPU calls. Installed in front of worker.js (its own code unchanged).
const GPU_COUNTER_PRELUDE = `
self.__gpu = { dispatches: 0, submits: 0, reads: 0, buffers: 0, writes: 0, pipelines: 0, pipelineMs: 0, shaders: 0, readWaitMs: 0 };
if (typeof GPUDevice !== 'undefined') {
  const wrap = (proto, name, before, after) => {
    const f = proto[name];
    proto[name] = function (...args) {
      const t = performance.now();
      before?.(args);
      const r = f.apply(this, args);
      after?.(r, t);
      return r;
    };
  };
  const c = self.__gpu;
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', () => c.dispatches++);
  wrap(GPUQueue.prototype, 'submit', () => c.submits++);
  wrap(GPUQueue.prototype, 'writeBuffer', () => c.writes++);
  wrap(GPUDevice.prototype, 'createBuffer', () => c.buffers++);
  wrap(GPUDevice.prototype, 'createShaderModule', () => c.shaders++);
  wrap(GPUDevice.prototype, 'createComputePipeline', () => c.pipelines++, (_, t) => (c.pipelineMs += performance.now() - t));
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', () => c.pipelines++, (p, t) => p.then(() => (c.pipelineMs += performance.now() - t)));
  wrap(GPUBuffer.prototype, 'mapAsync', () => c.reads++, (p, t) => p.then(() => (c.readWaitMs += performance.now() - t), () => {}));
}
`;

async function measure(browser, url) {
  const context = await browser.newContext();
  await context.route('**/www/worker/worker.js', async (route) => {
    const response = await route.fetch({ maxRetries: 2 });
    await route.fulfill({ response, body: `${GPU_COUNTER_PRELUDE}\n${await response.text()}` });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  const settings = { preset: opt.preset, epochs: '1', batch: opt.batch, lr: opt.lr, train: opt.images, test: opt.batch, backend: opt.backend, kernels: opt.kernels };
  await page.goto(new URL('index.html#' + new URLSearchParams(settings), url).href);
  await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: 120_000 });
  // Let the page finish opening (data, pretrained network, demos) and, on WebGPU, compiling
  // the kernels in the background (a throwaway run of 3 steps), timed here.
  const warmUp = await page.evaluate(async () => {
    const x = window.resnetExplorer;
    const settled = () => x.demosReady && document.getElementById('pred-summary').dataset.state === 'done' && (x.backend !== 'wgpu' || x.warmUp === 'done');
    while (!settled()) await new Promise((r) => setTimeout(r, 20));
    return x.warmUpSeconds;
  });
  const worker = () => page.workers().find((w) => w.url().endsWith('/www/worker/worker.js'));
  const counts = async () => (await worker()?.evaluate(() => ({ ...self.__gpu })).catch(() => null)) ?? null;
  const before = await counts();
  await page.evaluate(() => {
    const bar = document.getElementById('train-progress');
    window.__batches = [];
    new MutationObserver(() => window.__batches.push([performance.now(), Number(bar.value)])).observe(bar, { attributes: true, attributeFilter: ['value'] });
    window.__start = performance.now();
  });
  await page.click('#start');
  const seconds = Number(opt.seconds);
  let warm = null;
  let last = null;
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const s = await page.evaluate(() => ({ start: window.__start, batches: window.__batches, state: window.resnetExplorer.state, error: document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent }));
    if (s.error) throw new Error(s.error);
    const seen = s.batches.filter(([, b]) => b > 0);
    const w = seen.find(([, b]) => b >= 2);
    if (w && !warm) warm = { at: w, counts: await counts() };
    last = seen.at(-1);
    const done = s.state === 'finished' || s.state === 'stopped' || s.state === 'failed';
    if (done || (warm && last && (last[0] - warm.at[0]) / 1000 >= seconds && last[1] - warm.at[1] >= 3)) {
      const after = await counts();
      if (!done) await page.click('#stop');
      const first = seen.find(([, b]) => b >= 1);
      const info = await page.evaluate(() => ({ backend: document.getElementById('backend').textContent, examples: document.getElementById('stat-speed').textContent }));
      await context.close();
      const steps = last[1] - (warm?.at[1] ?? 0);
      const per = (k) => (warm?.counts && after ? (after[k] - warm.counts[k]) / steps : null);
      return {
        backend: info.backend,
        pageFigure: info.examples,
        firstStepS: first ? (first[0] - s.start) / 1000 : null,
        warmUpS: warmUp,
        steadyExPerSec: warm && steps > 0 ? (steps * Number(opt.batch) * 1000) / (last[0] - warm.at[0]) : null,
        steadySteps: steps,
        steadySeconds: warm ? (last[0] - warm.at[0]) / 1000 : null,
        perStep: after ? { dispatches: per('dispatches'), submits: per('submits'), reads: per('reads'), buffers: per('buffers'), writes: per('writes'), readWaitMs: per('readWaitMs') } : null,
        firstStep: before && warm?.counts ? { pipelines: diff(warm.counts, before, 'pipelines'), pipelineMs: diff(warm.counts, before, 'pipelineMs'), shaders: diff(warm.counts, before, 'shaders') } : null,
        atOpen: before,
      };
    }
  }
}

const diff = (a, b, k) => a[k] - b[k];
const fmt = (v, d = 1) => (v == null ? '-' : Number(v).toFixed(d));

const isolated = !opt['no-isolation'];
const { server, url } = await startServer({ port: 0, host: '127.0.0.1', isolated, ...(opt.root ? { root: opt.root } : {}) });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [...BASE, ...(opt.gpu ? REAL_GPU_ARGS : SWIFTSHADER_ARGS)],
});
try {
  console.log(`page: ${opt.preset} preset, batch ${opt.batch}, backend choice ${opt.backend}, kernels ${opt.kernels}, ${opt.gpu ? 'real-GPU flags' : 'no GPU (WebGPU = SwiftShader)'}, root ${opt.root ?? 'this checkout'}, ${isolated ? 'cross-origin isolated' : 'not isolated'}`);
  for (let i = 0; i < Number(opt.runs); i++) {
    const r = await measure(browser, url);
    if (opt.gpu && /software|swiftshader/i.test(r.backend)) throw new Error(`--gpu, but the page trained on ${r.backend}`);
    console.log(`${r.backend}`);
    console.log(`  steady ${fmt(r.steadyExPerSec)} ex/s over ${r.steadySteps} steps (${fmt(r.steadySeconds)} s); first step ${fmt(r.firstStepS, 2)} s after Start; the page's own figure ${r.pageFigure}`);
    if (r.warmUpS != null) console.log(`  kernels compiled at open, in the background (a throwaway run of 3 steps): ${fmt(r.warmUpS, 2)} s`);
    if (r.perStep && r.perStep.dispatches > 0) console.log(`  per steady step: ${fmt(r.perStep.dispatches)} dispatches, ${fmt(r.perStep.submits)} submits, ${fmt(r.perStep.reads)} buffer reads (${fmt(r.perStep.readWaitMs, 0)} ms waiting), ${fmt(r.perStep.buffers)} buffers created, ${fmt(r.perStep.writes)} writes`);
    if (r.firstStep) console.log(`  first step: ${r.firstStep.pipelines} pipelines compiled (${fmt(r.firstStep.pipelineMs, 0)} ms in createComputePipeline), ${r.firstStep.shaders} shader modules; at page open before Start: ${r.atOpen?.pipelines ?? '-'} pipelines`);
    console.log(JSON.stringify(r));
  }
} finally {
  await browser.close();
  server.closeAllConnections?.();
  server.close();
}
