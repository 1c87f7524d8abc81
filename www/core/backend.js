// @ts-check
// Which backend trains: pure decisions, no DOM and no WebGPU calls, so they are unit-tested
// (tests/unit/backend.test.mjs). The worker gathers the facts and applies the decision.

/**
 * @typedef {'auto' | 'wgpu' | 'cpu'} BackendChoice
 *   auto: the faster path (WebGPU on a hardware adapter, else the CPU); wgpu: WebGPU whenever
 *   there is an adapter, software or not; cpu: burn's CPU backend.
 * @typedef {{vendor?: string, architecture?: string, device?: string, description?: string,
 *   fallback?: boolean}} AdapterFacts  what GPUAdapter.info and isFallbackAdapter say
 * @typedef {{wantGpu: boolean, reason: string | null}} BackendDecision
 *   reason: why the CPU trains (for the banner); null when WebGPU does
 * @typedef {{adapter: string, model: string, gpuSeconds: number, cpuSeconds: number, cpuStopped?: boolean}} BackendMeasure
 *   the same short training run (the warm-up's few batches and test pass of `model`) timed on
 *   WebGPU on `adapter` and on the CPU, in this browser; `cpuStopped`: the CPU was stopped after
 *   `cpuSeconds`, already slower than WebGPU (a big network would keep it busy for minutes)
 */

/** How much faster the CPU must be for "Auto" to leave a hardware GPU for it (timings are noisy). */
export const CPU_MARGIN = 1.05;

/** Whether the measured CPU is faster than WebGPU by more than the margin. @param {BackendMeasure} m */
export const cpuMeasuredFaster = (m) => !m.cpuStopped && m.cpuSeconds * CPU_MARGIN < m.gpuSeconds;

/** Both measured times, as the backend line and the banner say them. @param {BackendMeasure} m */
export const measureSentence = (m) =>
  `Measured in this browser: a short training run of ${m.model} took ${m.gpuSeconds.toFixed(2)} s on WebGPU and ` +
  (m.cpuStopped ? `more than ${m.cpuSeconds.toFixed(2)} s on the CPU (stopped there)` : `${m.cpuSeconds.toFixed(2)} s on the CPU`);

/** What the Backend setting takes (the settings schema checks links against it). @type {readonly BackendChoice[]} */
export const BACKEND_CHOICES = ['auto', 'wgpu', 'cpu'];

/** A choice as a link or the form gives it (checked against the schema there); else 'auto'. @param {unknown} value @returns {BackendChoice} */
export const backendChoiceOf = (value) => BACKEND_CHOICES.find((c) => c === value) ?? 'auto';

// Software renderers behind WebGPU: Chromium's SwiftShader, Mesa's llvmpipe/lavapipe/softpipe,
// Windows' WARP ("Microsoft Basic Render Driver"). They run shaders on the CPU, far slower than
// burn's CPU backend in wasm (measured here: 15 against 470 examples/sec on the fast preset).
const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|basic render|\bwarp\b/i;

/** The adapter's name as the banner shows it. */
export function adapterName(/** @type {AdapterFacts} */ a) {
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ');
}

/** Whether the adapter renders in software (the browser flags it, or its name says so). */
export function isSoftwareAdapter(/** @type {AdapterFacts} */ a) {
  return Boolean(a.fallback) || SOFTWARE.test(adapterName(a));
}

/**
 * Decides between WebGPU and the CPU.
 * @param {BackendChoice} choice
 * @param {AdapterFacts | null} adapter  null: the browser returned no adapter
 * @param {string | null} [noAdapterReason]  why there is none (no navigator.gpu, a failed request)
 * @param {BackendMeasure | null} [measured]  this adapter against the CPU, kept from an earlier measurement
 * @returns {BackendDecision}
 */
export function decideBackend(choice, adapter, noAdapterReason = null, measured = null) {
  if (choice === 'cpu') return { wantGpu: false, reason: 'The CPU backend was selected in the settings.' };
  if (!adapter) {
    return { wantGpu: false, reason: noAdapterReason ?? 'No WebGPU adapter was returned (WebGPU may be disabled or blocklisted for this GPU).' };
  }
  if (choice === 'auto' && isSoftwareAdapter(adapter)) {
    const name = adapterName(adapter) || 'a fallback adapter';
    return {
      wantGpu: false,
      reason:
        `This browser's WebGPU runs on a software renderer (${name}), which trains about 30 times slower ` +
        'than the CPU backend, so "Auto" chose the CPU. Choose "WebGPU" under Backend to train on it anyway.',
    };
  }
  if (choice === 'auto' && measured && cpuMeasuredFaster(measured)) {
    return { wantGpu: false, reason: `${measureSentence(measured)}, so "Auto" chose the CPU. Choose "WebGPU" under Backend to train on it anyway.` };
  }
  return { wantGpu: true, reason: null };
}

/**
 * Whether the page should time WebGPU against the CPU now: "Auto" chose a hardware adapter, its
 * kernels are compiled (the warm-up is done), nothing was measured yet and nothing trains.
 * @param {{backendChoice: BackendChoice, backend: {backend: string} | null, adapter: {software: boolean} | null,
 *   warmUp: {state: string} | null, backendMeasure: BackendMeasure | null, active: boolean}} s
 */
export const shouldMeasureBackend = (s) =>
  s.backendChoice === 'auto' && s.backend?.backend === 'wgpu' && Boolean(s.adapter) && !s.adapter?.software && s.warmUp?.state === 'done' && !s.backendMeasure && !s.active;

/**
 * The backend line for the CPU: how many threads train. One thread means the single-threaded
 * build (no cross-origin isolation, no SharedArrayBuffer, or the threaded build is missing);
 * `notIsolated` says why the page is not isolated, when that is the cause.
 * @param {number | undefined} threads @param {string | null} [notIsolated]
 */
export function cpuBackendLine(threads, notIsolated = null) {
  const n = threads && threads > 1 ? `${threads} threads (Web Workers)` : notIsolated ? `one thread, because ${notIsolated}` : 'one thread';
  return `Backend: CPU \u2014 burn\u2019s CPU backend compiled to WebAssembly, on ${n}`;
}
