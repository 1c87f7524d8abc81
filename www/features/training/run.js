// @ts-check
// A training run's bookkeeping and the sentences about it: pure, unit-tested in
// tests/unit/training.test.mjs.

import { pct } from '../../core/format.js';
import { startRequest } from '../../core/start-request.js';
import { LiveSpeed } from '../../core/speed.js';

/**
 * @typedef {object} Run
 * @property {Record<string, any>} settings  the form's values it started with (a resumed run: its own)
 * @property {boolean} fresh       a new network (else the network in memory trained further)
 * @property {boolean} resumed     the unfinished run saved in this browser, resumed
 * @property {string} phase        what the loading state is doing
 * @property {number} batch        batches done
 * @property {number} total        batches in the run
 * @property {import('../../worker/protocol.js').EpochEvent | null} lastEpoch  the latest epoch's `train` event
 * @property {number} totalEpochs  a resumed run: the whole run's, counted from its first epoch
 * @property {number} epochOffset  epochs done before this run resumed
 * @property {import('../../worker/protocol.js').StartRequest | null} request  what the worker trains
 * @property {number | null} trainImages
 * @property {number | null} testImages
 * @property {LiveSpeed} speed     examples/sec between batch events (Rust's figure comes 5 times an epoch)
 */

/**
 * @param {Record<string, any>} settings
 * @param {{fresh?: boolean, resumed?: boolean, request?: import('../../worker/protocol.js').StartRequest | null}} [options]
 * @returns {Run}
 */
export function newRun(settings, { fresh = true, resumed = false, request = null } = {}) {
  return {
    settings,
    fresh,
    resumed,
    phase: 'Starting',
    batch: 0,
    total: 0,
    lastEpoch: null,
    totalEpochs: settings.epochs,
    epochOffset: 0,
    request,
    trainImages: null,
    testImages: null,
    speed: new LiveSpeed(),
  };
}

/** What the worker needs to train `config` with `settings` (Rust's StartRequest). */
export function trainingRequest(/** @type {Record<string, any>} */ settings, /** @type {import('../../core/models.js').ModelConfig} */ config) {
  return startRequest(config, /** @type {Parameters<typeof startRequest>[1]} */ (settings));
}


/**
 * The status line.
 * @param {{runState: string, run: Run | null, wasm: boolean, opened: boolean, workerStarted: boolean,
 *   warmUp: string | null, pauseRequested: boolean, stopping: boolean, onGpu: boolean}} s
 */
export function statusText(s) {
  const r = s.run;
  const where = r && r.total ? `batch ${r.batch} of ${r.total}` : '';
  switch (s.runState) {
    case 'idle':
      if (!s.wasm) return 'Loading the WebAssembly module\u2026';
      if (s.workerStarted && !s.opened) return 'Ready to train. Loading the data and the pretrained network for the demos\u2026';
      if (s.warmUp === 'running') return 'Ready. Compiling the GPU kernels in the background, so the first batch starts sooner\u2026';
      return 'Ready. Choose a set-up and press Start, or explore the network below.';
    case 'loading':
      return `${r?.phase ?? 'Starting'}\u2026`;
    case 'running':
      if (s.stopping) return 'Stopping after the current batch\u2026';
      if (s.pauseRequested) return 'Pausing after the current batch\u2026';
      if (!r || !r.total) return 'Training\u2026';
      if (r.batch === 0 && s.onGpu) return 'Training: the first batch compiles the GPU kernels and can take a while\u2026';
      return `Training: epoch ${epochOf(r)} of ${r.totalEpochs}, ${where}.`;
    case 'paused':
      if (s.stopping) return 'Stopping\u2026';
      return `Paused${where ? ' after ' + where : ''}. Press Resume to continue.`;
    case 'stopped':
      return `Stopped${where ? ' after ' + where : ''}.`;
    case 'finished': {
      const e = r?.lastEpoch;
      return e ? `Finished: test accuracy ${pct(e.test_acc)} after ${e.epoch} epoch${e.epoch === 1 ? '' : 's'}.` : 'Finished.';
    }
    case 'failed':
      return 'Stopped by an error (see above).';
    default:
      return s.runState;
  }
}

/** The epoch a run is in, counted from the first epoch of the run it resumed. */
export function epochOf(/** @type {Run} */ r) {
  const perEpoch = r.total / r.settings.epochs;
  return Math.min(r.settings.epochs, Math.floor(r.batch / perEpoch) + 1) + r.epochOffset;
}

/**
 * A resumed run goes on from its checkpoint: its own settings, epochs counted on from there.
 * @returns {Partial<Run>}  the changes to the run
 */
export function resumeFrom(/** @type {Run} */ r, /** @type {{epochs: number, done: number, request: any}} */ history) {
  return {
    settings: { ...r.settings, epochs: history.epochs - history.done, batch: history.request.train.batch_size },
    epochOffset: history.done,
    totalEpochs: history.epochs,
    request: history.request,
  };
}

/** "Downloading Fashion-MNIST" until the four files are in, then decoding. */
export function dataProgress(/** @type {Map<string, {loaded: number, total: number}>} */ files) {
  let loaded = 0;
  let total = 0;
  let known = true;
  for (const f of files.values()) {
    loaded += f.loaded;
    total += f.total;
    if (!f.total) known = false;
  }
  return { loaded, total, known: known && total > 0, complete: files.size === 4 && known && loaded >= total };
}
