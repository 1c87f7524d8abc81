// @ts-check
// The kernels a run's convolutions and BatchNorms use on WebGPU: what the Rust side needs to
// choose them (the setting, the adapter, the timings kept from an earlier visit), and keeping
// what it measured, so that a later visit on this adapter measures nothing.

import { describeError, notice, session } from './context.js';
import { getKernelTable, keepKernelTable } from './persistence.js';

/**
 * @typedef {import('../generated/rust.js').KernelRequest} KernelRequest
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 */

/** The start request's `kernels`: null off WebGPU. @returns {Promise<KernelRequest | null>} */
export async function kernelRequest() {
  if (session.backend?.info.backend !== 'wgpu') return null;
  const adapter = session.adapterName;
  // Without the kept timings the choice measures again: slower, never wrong.
  const kept = await getKernelTable(adapter).catch(() => null);
  return { setting: session.kernels, adapter, kept };
}

/** Keeps the timings a step's `kernels` event carries (auto on a hardware adapter). @param {WorkerEvent[]} events */
export async function keepKernels(events) {
  for (const event of events) {
    if (event.type !== 'kernels' || !event.table) continue;
    try {
      await keepKernelTable(event.table);
    } catch (e) {
      notice(`The kernel timings could not be kept in this browser (${describeError(e)}); the next visit measures them again.`);
    }
  }
}
