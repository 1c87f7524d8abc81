// @ts-check
// The device: which backend trains (the rule is www/core/backend.js's; the facts are gathered
// here), which wasm build is loaded for it, and a watch on the WebGPU device for loss.

import { adapterName, decideBackend, isSoftwareAdapter } from '../core/backend.js';
import { describeError, notice, post, session } from './context.js';
import { getBackendMeasure } from './persistence.js';

/**
 * What the worker uses of WebGPU (TypeScript's DOM library has no WebGPU types).
 * @typedef {{vendor?: string, architecture?: string, device?: string, description?: string,
 *   isFallbackAdapter?: boolean}} GpuAdapterInfo
 * @typedef {{info?: GpuAdapterInfo, isFallbackAdapter?: boolean,
 *   limits: {maxBufferSize: number, maxStorageBufferBindingSize: number}}} GpuAdapter
 * @typedef {{lost: Promise<{reason?: string, message?: string}>}} GpuDevice
 * @typedef {{requestAdapter(): Promise<GpuAdapter | null>}} Gpu
 * @typedef {import('../core/backend.js').AdapterFacts} AdapterFacts
 * @typedef {import('./protocol.js').BackendChoice} BackendChoice
 * @typedef {import('./protocol.js').BackendEvent} BackendEvent
 * @typedef {import('./context.js').Wasm} Wasm
 * @typedef {import('./context.js').WasmModule} WasmModule
 */

// The wasm builds, at the repository root (this file is www/worker/device.js). Held in variables
// so that `tsc` does not try to follow them into the generated JavaScript.
const PKG = new URL('../../pkg/resnet_explorer.js', import.meta.url).href;
const PKG_THREADS = new URL('../../pkg-threads/resnet_explorer.js', import.meta.url).href;

/** How long the CPU pool's Web Workers may take to start before the worker gives up on them. */
const THREAD_START_MS = 30_000;

/**
 * Bounds a promise that could hang (adapter requests on odd drivers).
 * @template T @param {Promise<T>} promise @param {number} ms @param {string} what @returns {Promise<T>}
 */
export function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms)),
  ]);
}

/**
 * Watches every WebGPU device created in this worker (burn creates one) for loss: a driver
 * reset, a GPU process crash, a laptop switching GPUs. burn's reads then fail; this tells the
 * page why, so it can offer to resume from the last checkpoint in a fresh worker.
 */
export function watchDeviceLoss() {
  const GPUAdapter = /** @type {any} */ (globalThis).GPUAdapter;
  if (typeof GPUAdapter === 'undefined') return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  /** @this {unknown} @param {unknown[]} args */
  GPUAdapter.prototype.requestDevice = async function (...args) {
    /** @type {GpuDevice} */
    const device = await requestDevice.apply(this, args);
    device.lost.then((info) => {
      const current = session.current;
      session.deviceLost = info;
      if (current) current.stopped = true;
      current?.wake?.();
      post({ type: 'device_lost', reason: info.reason ?? 'unknown', message: info.message ?? '', run: current?.id });
    });
    return device;
  };
}

/**
 * Asks for a WebGPU adapter (unless the CPU was asked for) and tells the page what it is.
 * @param {BackendChoice} choice
 * @returns {Promise<{adapter: GpuAdapter | null, facts: AdapterFacts | null, noAdapterReason: string | null}>}
 */
async function findAdapter(choice) {
  /** @type {GpuAdapter | null} */
  let adapter = null;
  /** @type {string | null} */
  let noAdapterReason = null;
  const gpu = /** @type {{gpu?: Gpu}} */ (navigator).gpu;
  if (choice === 'cpu') {
    // No adapter is requested: the CPU was asked for.
  } else if (!('gpu' in navigator) || !gpu) {
    noAdapterReason = 'This browser has no WebGPU (navigator.gpu is missing).';
  } else {
    try {
      adapter = await withTimeout(gpu.requestAdapter(), 15000, 'Requesting a WebGPU adapter');
    } catch (e) {
      noAdapterReason = `Requesting a WebGPU adapter failed: ${describeError(e)}`;
    }
  }
  if (!adapter) return { adapter, facts: null, noAdapterReason };
  const info = adapter.info ?? {};
  const facts = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    fallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
  };
  post({ type: 'adapter', ...facts, software: isSoftwareAdapter(facts) });
  session.adapterName = adapterName(facts) || 'an unnamed WebGPU adapter';
  return { adapter, facts, noAdapterReason };
}

/**
 * Picks the backend once per worker (see www/core/backend.js for the rule), then initialises it.
 * @param {BackendChoice} choice @returns {Promise<BackendEvent>}
 */
export async function chooseBackend(choice) {
  if (session.backend) return session.backend.info;
  const { adapter, facts, noAdapterReason } = await findAdapter(choice);
  const measured = await keptMeasure(choice, facts);
  if (measured) post({ type: 'backend_measure', measure: measured });
  const { wantGpu, reason } = decideBackend(choice, facts, noAdapterReason, measured);
  session.wasm ??= await loadWasm(wantGpu);
  // burn requests the adapter's own limits; a batch needing a bigger buffer is refused by Rust
  // before anything is allocated.
  const maxBufferBytes = adapter ? Math.min(adapter.limits.maxBufferSize, adapter.limits.maxStorageBufferBindingSize) : null;
  const info = await session.wasm.module.initDevice(wantGpu, reason, Boolean(facts && isSoftwareAdapter(facts)));
  session.backend = { choice, info, maxBufferBytes: info.backend === 'wgpu' ? maxBufferBytes : null };
  return info;
}

/**
 * "Auto" on a hardware adapter: WebGPU's time against the CPU's, if the page measured them on an
 * earlier visit (www/app/backend-measure.js); an unreadable store only means no measurement.
 * @param {BackendChoice} choice @param {AdapterFacts | null} facts
 */
async function keptMeasure(choice, facts) {
  if (choice !== 'auto' || !facts || isSoftwareAdapter(facts)) return null;
  return getBackendMeasure(session.adapterName).catch(() => null);
}

/**
 * The wasm build for this worker. On the CPU, where the page is cross-origin isolated (so
 * SharedArrayBuffer exists) and more than one thread is wanted: the threaded CPU-only build
 * pkg-threads/, whose rayon pool runs on Web Workers. Otherwise, or if that build fails to
 * load, the single-threaded build pkg/, which also has WebGPU.
 * @param {boolean} wantGpu @returns {Promise<Wasm>}
 */
async function loadWasm(wantGpu) {
  if (!wantGpu && session.threadsWanted > 1 && self.crossOriginIsolated) {
    try {
      /** @type {WasmModule} */
      const module = await import(PKG_THREADS);
      const exports = await module.default();
      if (session.faultChannel) module.setFaultChannel(session.faultChannel); // before the pool threads start
      // Bounded: a pool whose workers cannot start (a policy that blocks them, say) would
      // otherwise stall the page for good.
      post({ type: 'threads_starting', threads: session.threadsWanted, timeoutMs: THREAD_START_MS });
      await withTimeout(module.initThreadPool(session.threadsWanted), THREAD_START_MS, 'Starting the CPU threads');
      return { module, exports, url: PKG_THREADS };
    } catch (e) {
      notice(`The multi-threaded CPU build could not be started (${describeError(e)}); training runs on one thread.`);
    }
  }
  /** @type {WasmModule} */
  const module = await import(PKG);
  const exports = await module.default();
  if (session.faultChannel) module.setFaultChannel(session.faultChannel);
  return { module, exports, url: PKG };
}
