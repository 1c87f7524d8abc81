// @ts-check
// The worker. It owns the wasm module, the burn device and the one Explorer (the data, the
// network in memory and, while one runs, a training run), so the page stays responsive while the
// GPU (or the CPU backend) works. The page talks to it through www/worker/client.js; the
// messages are typed in protocol.js.
//
// This file dispatches the page's messages: control messages (open, start, pause, resume, stop)
// are handled in order, each after any earlier start has set up its run; demo requests (`call`)
// run the METHODS below, each alone on the Explorer. Demo requests are refused while a run is
// active (the demos use the network in memory, which is the one being trained).
//
//   open.js      the device, the data, the Explorer and its first network, once per worker
//   device.js    backend choice, adapter facts, the wasm build, device-loss watch
//   data.js      the four data files: download with progress, gunzip
//   run-loop.js  training runs: the loop, pause / stop, probes, keeping the trained network
//   runs.js      a run's record and the pure decisions about it
//   networks.js  the network in memory and those kept in this browser (the Rust session
//                says which is which, persistence.js stores them in IndexedDB)
//   context.js   the shared session, posting to the page, the Explorer call queue

import { buffersOf, describeError, exclusive, explorer, post, postEvent, serialQueue, session } from './context.js';
import { gunzip } from './data.js';
import { keepKernels, kernelRequest } from './kernels.js';
import { watchDeviceLoss } from './device.js';
import { forget, insertBlock, loadSaved, loadShipped, loadUploaded, postSaved, restoreOriginal } from './networks.js';
import { GALLERY_SIZE, ensureOpen, opened, openingStarted } from './open.js';
import { keepBackendMeasure, renameSaved } from './persistence.js';
import { predictionsEvent } from './predictions.js';
import { pauseRun, resumeRun, startRun, stopCurrent } from './run-loop.js';

/**
 * @typedef {import('./protocol.js').PageMessage} PageMessage
 * @typedef {import('./protocol.js').CallMessage} CallMessage
 * @typedef {import('./protocol.js').OpenMessage} OpenMessage
 * @typedef {import('./protocol.js').Methods} Methods
 * @typedef {import('./protocol.js').MethodName} MethodName
 */

const BUSY = 'Training is running. Stop it (or let it finish) first: the demos use the network in memory, which is the one being trained.';

watchDeviceLoss();

/**
 * Demo requests from the page. Each runs alone on the Explorer (see `exclusive`); each answers
 * what protocol.js's `Methods` says it does (`tsc` checks).
 * @satisfies {{[M in MethodName]: (args: Methods[M]['args']) => Methods[M]['result'] | Promise<Methods[M]['result']>}}
 */
const METHODS = {
  /** @param {Methods['featureMaps']['args']} a */
  featureMaps: ({ stage, block, mode, image, channels }) => explorer().featureMaps(stage, block, mode, image, channels),
  /** The user's own picture: the class probabilities, and it is the featureMaps of image null. @param {Methods['classify']['args']} a */
  classify: ({ picture }) => explorer().classify(picture),
  /** @param {Methods['identityChecks']['args']} a */
  identityChecks: ({ images }) => explorer().identityChecks(images),
  /** @param {Methods['setTestLimit']['args']} a */
  setTestLimit: ({ limit }) => explorer().setTestLimit(limit ?? null),
  /**
   * Compiles the GPU kernels of a run with `request` before Start (WebGPU only: on the CPU there
   * is nothing to compile). `timed`: on any backend, and says how long it took
   * (www/app/backend-measure.js); null when nothing ran: on WebGPU a run always chooses its kernels
   * (a `kernels` event), except one whose batch does not fit the GPU, which Rust skips.
   * @param {Methods['warmUp']['args']} a
   */
  async warmUp({ request, timed = false }) {
    const backend = session.backend;
    if (backend?.info.backend !== 'wgpu' && !timed) return null;
    const full = { ...request, max_buffer_bytes: backend?.maxBufferBytes ?? null, kernels: await kernelRequest() };
    const t0 = performance.now();
    const events = await explorer().warmUp(full);
    const seconds = (performance.now() - t0) / 1000;
    await keepKernels(events ?? []); // the run's first step then finds them timed
    for (const event of events ?? []) post(event);
    const ran = backend?.info.backend !== 'wgpu' || (events ?? []).some((e) => e.type === 'kernels');
    return timed && ran ? { seconds } : null;
  },
  /** Kept under this worker's adapter, as device.js looks it up. @param {Methods['keepBackendMeasure']['args']} a */
  async keepBackendMeasure({ measure }) {
    await keepBackendMeasure({ ...measure, adapter: session.adapterName });
    return null;
  },
  async evaluate() {
    post(await predictionsEvent());
    return null;
  },
  /** @param {Methods['insert']['args']} a */
  insert: ({ insertion, stage }) => insertBlock(insertion, stage),
  async restore() {
    await restoreOriginal();
    return null;
  },
  /** @param {Methods['loadWeights']['args']} a */
  loadWeights: ({ bytes, name }) => loadUploaded(bytes, name),
  /** @param {Methods['saveWeights']['args']} a */
  saveWeights: ({ format }) => explorer().saveWeights(format),
  /** The lab: test accuracy of the network in memory, then with each block removed in turn. */
  async lesions() {
    const { accuracy } = await explorer().evaluate();
    return { accuracy, blocks: await explorer().lesions() };
  },
  /**
   * files: [{name, bytes}] in the order train images, train labels[, test images, test labels].
   * @param {Methods['useData']['args']} a
   */
  async useData({ files }) {
    const bytes = await Promise.all(files.map((f) => gunzip(f.bytes)));
    const sizes = explorer().useData(
      files.map((f) => f.name),
      bytes[0],
      bytes[1],
      bytes[2],
      bytes[3],
    );
    post(sizes);
    postEvent(explorer().gallery(GALLERY_SIZE));
    return sizes;
  },
  /** For the soak benchmark: wasm memory only grows, so a leak shows as growth here. */
  async memory() {
    return { wasmBytes: session.wasm?.exports.memory.buffer.byteLength ?? 0 };
  },
  /** For the tests: a CPU thread panics while this one waits for it, as a batch that traps would. */
  async simulateFault() {
    session.wasm?.module.simulateFault();
    return null;
  },
  /** Puts a network kept in this browser in memory (and opens with it from now on). @param {Methods['loadSaved']['args']} a */
  async loadSaved({ id }) {
    await loadSaved(id);
    return null;
  },
  async loadShipped() {
    await loadShipped();
    await postSaved();
    return null;
  },
  /** @param {Methods['renameSaved']['args']} a */
  async renameSaved({ id, name }) {
    await renameSaved(id, name);
    await postSaved();
    return null;
  },
  /** Forgets a kept network at once; if it was in memory, the shipped one replaces it now. @param {Methods['deleteSaved']['args']} a */
  async deleteSaved({ id }) {
    await forget(id);
    return null;
  },
};

/** Requests that do not touch the network, answered during a run too. */
const WHILE_TRAINING = new Set(['memory', 'simulateFault']);

/** Control messages, in order. */
const control = serialQueue();

/** Handles a control message after the earlier ones; a failure is posted as an error. @param {() => unknown} action */
function enqueue(action) {
  control(action).catch((e) => post({ type: 'error', message: describeError(e) }));
}

/** Answers a demo request. @param {CallMessage} msg */
async function handleCall({ id, method, args }) {
  /** @param {{ok: boolean, result?: unknown, error?: string, busy?: boolean}} fields @param {Transferable[]} [transfer] */
  const reply = (fields, transfer) => post({ type: 'reply', id, ...fields }, transfer);
  const active = () => Boolean(session.current?.active);
  let refused = false;
  try {
    if (!Object.hasOwn(METHODS, method)) throw new Error(`unknown request ${method}`);
    if (!openingStarted()) await control(() => {}); // an 'open' sent just before this request
    if (!openingStarted()) throw new Error('The data and the network are not loaded yet.');
    await opened();
    const refuse = () => (refused = active() && !WHILE_TRAINING.has(method));
    if (refuse()) return reply({ ok: false, busy: true, error: BUSY });
    const run = /** @type {(args: object) => unknown} */ (METHODS[method]);
    // A run may have started while the request waited its turn: refused then too. A request
    // that ran fails with its own error, whatever started since.
    const result = await exclusive(() => (refuse() ? null : run(args ?? {})));
    if (refused) return reply({ ok: false, busy: true, error: BUSY });
    reply({ ok: true, result }, buffersOf(result)); // a weights file's or the feature maps' buffers
  } catch (e) {
    reply({ ok: false, busy: refused, error: refused ? BUSY : describeError(e) });
  }
}

/** @param {OpenMessage} msg */
function open(msg) {
  if (msg.network === false) session.firstNetwork = false;
  if (msg.faultChannel) session.faultChannel = msg.faultChannel;
  if (msg.kernels) session.kernels = msg.kernels;
  if (Number.isInteger(msg.threads) && /** @type {number} */ (msg.threads) > 0) session.threadsWanted = /** @type {number} */ (msg.threads);
  enqueue(async () => {
    try {
      await ensureOpen(msg.backend, msg.testLimit);
    } catch (e) {
      post({ type: 'error', message: describeError(e), fatal: e instanceof WebAssembly.RuntimeError });
      post({ type: 'opened', ok: false });
    }
  });
}

self.onmessage = (/** @type {MessageEvent<PageMessage>} */ { data: msg }) => {
  switch (msg?.type) {
    case 'open':
      return open(msg);
    case 'start':
      // Stop the old loop (it exits between batches), then start anew. The queue waits for the
      // old run to stop, not for the new one to finish.
      return enqueue(() => startRun(msg));
    case 'pause':
      return enqueue(pauseRun);
    case 'resume':
      return enqueue(resumeRun);
    case 'stop':
      return enqueue(() => {
        stopCurrent();
      });
    case 'call':
      handleCall(msg);
      return;
    default:
      post({ type: 'error', message: `The worker got an unknown message: ${JSON.stringify(msg)}` });
  }
};

// Something the Content-Security-Policy blocks here (the thread pool's workers, say) would
// otherwise fail silently: the page says what.
self.addEventListener('securitypolicyviolation', (e) => {
  const message = `The page's Content-Security-Policy blocked ${e.blockedURI || 'a resource'} (${e.effectiveDirective}) in the worker.`;
  console.error(`securitypolicyviolation: ${message}`);
  post({ type: 'notice', message });
});

self.addEventListener('unhandledrejection', (e) => {
  post({ type: 'error', message: `Unexpected error in the worker: ${describeError(e.reason)}` });
});
