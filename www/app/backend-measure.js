// @ts-check
// "Auto" on a hardware GPU, by measurement (small integrated GPUs can train slower than the CPU):
// once the page's warm-up has compiled the GPU kernels, the same short training run (the
// warm-up's few batches and test pass of the form's network) is timed on WebGPU and, in a
// throwaway worker, on the CPU. The worker keeps both times for its adapter, and decides by them
// whenever it opens (this visit's next workers, and later visits, measure nothing); where the CPU
// is faster, a fresh worker opens on it now. Both times are in the backend line. The CPU is
// stopped as soon as it has lost, so it is never busy for long.

import { CPU_MARGIN, adapterName, cpuMeasuredFaster, shouldMeasureBackend } from '../core/backend.js';
import { isActive } from '../core/page-state.js';
import { startRequest } from '../core/start-request.js';

/**
 * @typedef {import('../core/store.js').Store<import('../core/page-state.js').PageState>} PageStore
 * @typedef {import('./connection.js').Connection} Connection
 * @typedef {import('../core/backend.js').BackendMeasure} BackendMeasure
 */

/** Seconds the CPU may take beyond WebGPU's time (with the margin) before it is stopped. */
const CPU_SLACK_S = 1;

/**
 * Measures once per page, when the store says it is time (shouldMeasureBackend).
 * @param {{store: PageStore, connection: Connection, cpuWorker: () => Connection}} deps
 *   cpuWorker: a fresh connection on the CPU that loads no network (ended after the measurement)
 * @returns {Promise<BackendMeasure | null>}  resolves when a measurement ends (for the tests)
 */
export function measureBackend({ store, connection, cpuWorker }) {
  let tried = false;
  /** @type {(m: BackendMeasure | null) => void} */
  let done = () => {};
  const finished = new Promise((resolve) => (done = resolve));
  const check = async (/** @type {import('../core/page-state.js').PageState} */ s) => {
    if (tried || !shouldMeasureBackend({ ...s, active: isActive(s) }) || !s.settings || !s.selectedConfig) return;
    tried = true; // one try a page: a failure (Start pressed meanwhile, say) leaves "Auto" as it chose
    const measure = await timeBoth(store, connection, cpuWorker).catch(() => null);
    if (measure) {
      store.set({ backendMeasure: measure });
      if (cpuMeasuredFaster(measure) && !isActive(store.get())) connection.reopen('the CPU measured faster');
    }
    done(measure);
  };
  store.subscribe(['warmUp', 'backend', 'runState'], check);
  return finished;
}

/**
 * Times the warm-up run on the page's worker (WebGPU) and on a CPU worker, and has the page's
 * worker keep both for its adapter.
 * @param {PageStore} store @param {Connection} connection @param {() => Connection} cpuWorker
 * @returns {Promise<BackendMeasure>}
 */
async function timeBoth(store, connection, cpuWorker) {
  const s = store.get();
  const request = startRequest(/** @type {any} */ (s.selectedConfig), /** @type {any} */ (s.settings));
  const gpu = await connection.call('warmUp', { request, timed: true }); // compiled already: steady
  if (!gpu) throw new Error('the warm-up was not timed');
  const cpu = await timeCpu(cpuWorker(), request, gpu.seconds * CPU_MARGIN + CPU_SLACK_S);
  const model = `${s.models.get(s.preset)?.title ?? s.preset} at batch ${request.train.batch_size}`;
  /** @type {BackendMeasure} */
  const measure = { adapter: s.adapter ? adapterName(s.adapter) : '', model, gpuSeconds: gpu.seconds, ...cpu };
  await connection.call('keepBackendMeasure', { measure });
  return measure;
}

/**
 * The warm-up run's time on a CPU worker, once that worker is open; stopped after `limitS` (it
 * has lost by then), so a big network never keeps the CPU busy for long. The worker is ended.
 * @param {Connection} cpu @param {import('../generated/rust.js').StartRequest} request @param {number} limitS
 * @returns {Promise<{cpuSeconds: number, cpuStopped?: boolean}>}
 */
async function timeCpu(cpu, request, limitS) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  try {
    await cpu.call('memory'); // answered once the worker is open (module, data): not timed
    const stopped = new Promise((resolve) => (timer = setTimeout(() => resolve(null), limitS * 1000)));
    const timed = await Promise.race([cpu.call('warmUp', { request, timed: true }), stopped]);
    return timed ? { cpuSeconds: timed.seconds } : { cpuSeconds: limitS, cpuStopped: true };
  } finally {
    clearTimeout(timer);
    cpu.close('the CPU was measured');
  }
}
