// The worker. It owns the wasm module, the burn device and the one Explorer (the data, the
// network in memory and, while one runs, a training run), so the page stays responsive while the
// GPU (or the CPU backend) works.
//
// Page -> worker:
//   {type:'open', backend:'auto'|'wgpu'|'cpu', testLimit, network}   once per worker: device, data,
//                                                     gallery and the first network (saved in this
//                                                     browser, else the shipped pretrained weights;
//                                                     none with network: false, as the lab's workers)
//   {type:'start', run, request, backend, fresh, label, resume, keep, probe}   a training run
//                                                     (fresh: a new network; else keep training the
//                                                     network in memory; resume: the saved
//                                                     checkpoint's run goes on where it stopped;
//                                                     keep: false: neither the checkpoints nor the
//                                                     trained network are saved in this browser;
//                                                     probe: true: a {type:'lab_probe', epoch,
//                                                     gradients, magnitudes} (or {.., error}) event
//                                                     before the first batch and at every report)
//   {type:'pause'}, {type:'resume'}, {type:'stop'}
//   {type:'call', id, method, args}                   a demo request (see METHODS), answered by
//                                                     {type:'reply', id, ok, result | error, busy}
// Worker -> page: the events produced by Rust, unchanged ({type:'backend'|'model'|'data_ready'|
//   'step'|'train'|'predictions'|'finished'|'gallery'|'insertion'|'error', ...}); those of a
//   training run carry `run` (its id). JS-only events in the same style: {type:'adapter', ...},
//   {type:'data_progress', file, loaded, total}, {type:'state', state, run},
//   {type:'network', source:'shipped'|'saved'|'uploaded'|'trained'|'none', note, name, savedAt},
//   {type:'saved_list', entries, current}, {type:'notice', message}, {type:'opened', ok},
//   {type:'history', epochs, events, request, label, done}, {type:'device_lost', reason, message},
//   {type:'lab_probe', ...} (see `probe`).
//
// wasm-bindgen refuses overlapping calls on one Explorer ("recursive use of an object"), so
// every call goes through `exclusive` (a promise queue). A training run queues one `step` at a
// time and yields in between, so pause / stop stay prompt. Demo requests are refused while a
// run is active (the demos use the network in memory, which is the one being trained).

import { decideBackend, isSoftwareAdapter } from './core/backend.js';
import { deleteSaved, getCurrent, getSaved, listSaved, putSaved, renameSaved, setCurrent } from './idb.js';

const DATA_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];
const DATA_URL = new URL('./data/', import.meta.url);
const SHIPPED_WEIGHTS = new URL('./weights/fast.rnxw', import.meta.url);
const GALLERY_SIZE = 24;
const BUSY = 'Training is running. Stop it (or let it finish) first: the demos use the network in memory, which is the one being trained.';

let wasm = null; // {module, exports} of the loaded wasm build (see loadWasm)
let threadsWanted = Math.max(1, navigator.hardwareConcurrency || 1); // the open message may ask for fewer
let backend = null; // {choice, info} once initDevice has run (once per worker)
let dataBytes = null; // Promise of the four files' bytes
let opening = null; // Promise of open(): device, data, Explorer, first network
let explorer = null;
let current = null; // the active run: {id, stopped, paused, wake, done, active, replaced}
let control = Promise.resolve(); // open / start / pause / resume / stop, in order
let queue = Promise.resolve(); // every Explorer call, one at a time
let deviceLost = null; // GPUDeviceLostInfo once the WebGPU device is gone
let firstNetwork = true; // open() loads the saved or shipped network (not for the lab's workers)
// Which network kept in this browser (www/idb.js) is in memory: its id, or null (the shipped
// one, an upload, a block inserted since). `beforeInsert`: what was in memory before the first
// inserted block, which "Restore the original network" brings back (undefined: nothing inserted).
let memoryEntry = null;
let beforeInsert;
let networkSource = null; // the latest 'network' event: where the network in memory came from
let sourceBeforeInsert = null; // ... and the one before the first inserted block

/** Tells the page where the network in memory came from (and remembers it for Restore). */
function postNetwork(fields) {
  networkSource = { type: 'network', ...fields };
  post(networkSource);
}

const post = (msg, transfer) => self.postMessage(msg, transfer ?? []);
const postRun = (run, event) => post({ ...event, run: run.id });
const setState = (run, state) => post({ type: 'state', state, run: run.id });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs `fn` (an Explorer call) after every earlier one has settled. */
function exclusive(fn) {
  const result = queue.then(() => fn());
  queue = result.then(
    () => {},
    () => {},
  );
  return result;
}

function describeError(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    return `The WebAssembly module crashed (${e.message}). Reload the page to start again; the browser console has details.`;
  }
  return e?.message ?? String(e);
}

/** Bounds a promise that could hang (adapter requests on odd drivers). */
function withTimeout(promise, ms, what) {
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
function watchDeviceLoss() {
  if (typeof GPUAdapter === 'undefined') return;
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    device.lost.then((info) => {
      deviceLost = info;
      if (current) current.stopped = true;
      current?.wake?.();
      post({ type: 'device_lost', reason: info.reason ?? 'unknown', message: info.message ?? '', run: current?.id });
    });
    return device;
  };
}
watchDeviceLoss();

/** Picks the backend once per worker (see www/core/backend.js for the rule), then initialises it. */
async function chooseBackend(choice) {
  if (backend) return backend.info;
  let adapter = null;
  let facts = null;
  let noAdapterReason = null;
  if (choice === 'cpu') {
    // No adapter is requested: the CPU was asked for.
  } else if (!('gpu' in navigator) || !navigator.gpu) {
    noAdapterReason = 'This browser has no WebGPU (navigator.gpu is missing).';
  } else {
    try {
      adapter = await withTimeout(navigator.gpu.requestAdapter(), 15000, 'Requesting a WebGPU adapter');
    } catch (e) {
      noAdapterReason = `Requesting a WebGPU adapter failed: ${describeError(e)}`;
    }
    if (adapter) {
      const info = adapter.info ?? {};
      facts = {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: info.device ?? '',
        description: info.description ?? '',
        fallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
      };
      post({ type: 'adapter', ...facts, software: isSoftwareAdapter(facts) });
    }
  }
  const { wantGpu, reason } = decideBackend(choice, facts, noAdapterReason);
  wasm ??= await loadWasm(wantGpu);
  // burn requests the adapter's own limits; a batch needing a bigger buffer is refused by Rust
  // before anything is allocated.
  const maxBufferBytes = adapter ? Math.min(adapter.limits.maxBufferSize, adapter.limits.maxStorageBufferBindingSize) : null;
  const info = await wasm.module.initDevice(wantGpu, reason, Boolean(facts && isSoftwareAdapter(facts)));
  backend = { choice, info, maxBufferBytes: info.backend === 'wgpu' ? maxBufferBytes : null };
  return info;
}

/**
 * The wasm build for this worker. On the CPU, where the page is cross-origin isolated (so
 * SharedArrayBuffer exists) and more than one thread is wanted: the threaded CPU-only build
 * pkg-threads/, whose rayon pool runs on Web Workers. Otherwise, or if that build fails to
 * load, the single-threaded build pkg/, which also has WebGPU.
 */
async function loadWasm(wantGpu) {
  if (!wantGpu && threadsWanted > 1 && self.crossOriginIsolated) {
    try {
      const module = await import('../pkg-threads/resnet_explorer.js');
      const exports = await module.default();
      await module.initThreadPool(threadsWanted);
      return { module, exports };
    } catch (e) {
      post({ type: 'notice', message: `The multi-threaded CPU build could not be started (${describeError(e)}); training runs on one thread.` });
    }
  }
  const module = await import('../pkg/resnet_explorer.js');
  return { module, exports: await module.default() };
}

/** Downloads one file, reporting progress. Returns its raw (still gzipped) bytes. */
async function download(name) {
  const url = new URL(name, DATA_URL);
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`Could not download ${url.pathname}: ${describeError(e)}`);
  }
  if (!response.ok) throw new Error(`Could not download ${url.pathname}: HTTP ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length')) || 0;
  // A server that compresses on the fly would make fetch gunzip the bytes; Rust accepts both.
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    post({ type: 'data_progress', file: name, loaded: bytes.length, total: bytes.length });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  let lastPost = 0;
  post({ type: 'data_progress', file: name, loaded: 0, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    const now = performance.now();
    if (now - lastPost > 100) {
      lastPost = now;
      post({ type: 'data_progress', file: name, loaded, total });
    }
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  post({ type: 'data_progress', file: name, loaded, total: total || loaded });
  return bytes;
}

/**
 * Inflates a `.gz` file with the browser's own DecompressionStream: native code, where the same
 * inflate compiled to wasm runs for seconds in baseline code. Rust still validates the result
 * (and accepts gzip too: anything that does not inflate is handed over as it is, so Rust can say
 * what is wrong with it).
 */
async function gunzip(bytes) {
  if (typeof DecompressionStream === 'undefined' || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return bytes;
  }
}

function loadData() {
  if (!dataBytes) {
    dataBytes = Promise.all(DATA_FILES.map(download));
    dataBytes.catch(() => (dataBytes = null)); // a failed download is retried by the next attempt
  }
  return dataBytes;
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${url.pathname}`);
  return new Uint8Array(await response.arrayBuffer());
}

const epochsDone = (events) => events.filter((e) => e.kind === 'epoch').length;

/** Tells the page which networks this browser keeps and which of them is in memory. */
async function postSaved() {
  try {
    post({ type: 'saved_list', entries: await listSaved(), current: memoryEntry });
  } catch (e) {
    post({ type: 'notice', message: `The networks kept in this browser could not be read (${describeError(e)}).` });
  }
}

/**
 * Puts a kept network in memory and makes it the one the page opens with. Like every Explorer
 * call, inside `exclusive` (METHODS already are).
 */
async function loadEntry(entry) {
  explorer.loadWeights(entry.bytes).forEach((e) => post(e));
  [memoryEntry, beforeInsert] = [entry.id, undefined];
  await setCurrent(entry.id);
  postNetwork({ source: 'saved', id: entry.id, name: entry.name, note: entry.note, savedAt: entry.savedAt });
  const history = entry.history;
  if (history?.events?.length) post({ type: 'history', ...history, done: epochsDone(history.events) });
}

/** Puts the shipped pretrained network in memory and makes it the one the page opens with (inside `exclusive`). */
async function loadShipped() {
  const bytes = await fetchBytes(SHIPPED_WEIGHTS);
  const events = explorer.loadWeights(bytes);
  events.forEach((e) => post(e));
  [memoryEntry, beforeInsert] = [null, undefined];
  await setCurrent(null).catch(() => {}); // without IndexedDB the shipped network is all there is
  postNetwork({ source: 'shipped', note: events[0]?.note ?? '' });
}

/** Opens with the network kept as current in this browser, else the shipped pretrained one. */
async function loadFirstNetwork() {
  let entry = null;
  try {
    const id = await getCurrent();
    entry = id == null ? null : await getSaved(id);
  } catch (e) {
    post({ type: 'notice', message: `The networks kept in this browser could not be read (${describeError(e)}).` });
  }
  if (entry) {
    try {
      await exclusive(() => loadEntry(entry));
      return postSaved();
    } catch (e) {
      post({
        type: 'notice',
        message: `The network "${entry.name}" kept in this browser could not be loaded (${describeError(e)}); the shipped pretrained weights are used instead.`,
      });
    }
  }
  try {
    await exclusive(loadShipped);
  } catch (e) {
    post({
      type: 'notice',
      message: `The pretrained weights www/weights/fast.rnxw could not be loaded (${describeError(e)}). Train a network (or upload weights) to use the demos.`,
    });
    postNetwork({ source: 'none', note: '' });
  }
  await postSaved();
}

/** Device, data, the Explorer and its first network. Runs once per worker (again if it failed). */
async function open(choice, testLimit) {
  if (backend && backend.choice !== choice) {
    throw new Error(`This worker already runs on ${backend.info.backend}; the page must start a new worker to switch backends.`);
  }
  post(await chooseBackend(choice));
  const files = await loadData();
  if (!explorer) {
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(files.map(gunzip));
    explorer = wasm.module.Explorer.create(trainImages, trainLabels, testImages, testLabels);
    post(explorer.gallery(GALLERY_SIZE));
    explorer.setTestLimit(testLimit ?? null);
    if (firstNetwork) await loadFirstNetwork();
  }
  post({ type: 'opened', ok: true });
}

function ensureOpen(choice, testLimit) {
  if (!opening) {
    opening = open(choice, testLimit);
    opening.catch(() => (opening = null)); // the next start (or reload) tries again
  }
  return opening;
}

/** Waits while the run is paused; returns when resumed or stopped. */
async function waitWhilePaused(run) {
  while (run.paused && !run.stopped) {
    setState(run, 'paused');
    await new Promise((resolve) => (run.wake = resolve));
    run.wake = null;
    if (!run.stopped && !run.paused) setState(run, 'running');
  }
}

function end(run, state) {
  run.active = false;
  setState(run, state);
}

function runNote(run) {
  const r = run.request;
  const e = run.lastEpoch;
  const parts = [
    run.label || 'network',
    run.fresh ? 'trained in this browser' : 'trained further in this browser',
    `${e ? e.epoch : 0} of ${run.totalEpochs} epochs`,
    `batch ${r.train.batch_size}, lr ${r.train.lr}`,
    `${run.trainImages ?? '?'} training images`,
  ];
  let note = parts.join(', ');
  if (e) note += `: test acc ${e.test_acc.toFixed(4)} on ${run.testImages ?? '?'} test images`;
  if (run.final === 'stopped') note += ' (stopped early)';
  return note;
}

/**
 * The lab's probe of the network being trained (between two steps) or just trained: ||dL/dW||
 * of every conv and ||F(x)||/||x|| of every block on a fixed batch of test images. A network
 * the probe cannot measure (not a ResNet) says so once; the run goes on without probes.
 */
async function probe(run, epoch) {
  try {
    const result = await exclusive(() => explorer.labProbe());
    postRun(run, { type: 'lab_probe', epoch, ...result });
  } catch (e) {
    run.probe = false;
    postRun(run, { type: 'lab_probe', epoch, error: describeError(e) });
  }
}

/**
 * After a run finished or was stopped (or, with `checkpoint`, at an epoch end during the run):
 * keep a copy of its network and its chart history in this browser.
 */
async function keepTrainedNetwork(run, checkpoint = false) {
  if (!run.keep) return; // the lab's races leave the networks kept in this browser alone
  const note = checkpoint ? `${runNote(run)} (checkpoint: the run was still going)` : runNote(run);
  // Each run is its own entry (its checkpoints update it); the shipped network and earlier
  // runs' entries are never overwritten.
  run.entryName ??= `${run.label || 'network'}, ${new Date().toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`;
  try {
    const bytes = await exclusive(() => explorer.saveWeights(note));
    // The whole run's settings and chart (a resumed run's too), so it can be resumed later.
    const history = { epochs: run.totalEpochs, events: run.history, request: run.request, label: run.label };
    const entry = { name: run.entryName, note, savedAt: new Date().toISOString(), bytes, history };
    run.entryId = await putSaved(run.entryId == null ? entry : { id: run.entryId, ...entry });
    memoryEntry = run.entryId;
    await setCurrent(run.entryId);
  } catch (e) {
    post({ type: 'notice', message: `The trained network could not be kept in this browser (${describeError(e)}).` });
  }
  if (!checkpoint) postNetwork({ source: 'trained', note, run: run.id, id: run.entryId, name: run.entryName });
  await postSaved();
}

async function execute(run, msg) {
  setState(run, 'loading');
  let started = false;
  try {
    await ensureOpen(msg.backend, msg.request?.test_limit ?? null);
    if (run.stopped) return end(run, 'stopped');
    let request = { ...msg.request, max_buffer_bytes: backend?.maxBufferBytes ?? null };
    if (msg.resume) {
      // Go on from the checkpoint saved in this browser: its weights, the remaining epochs,
      // epochs numbered on from where it stopped.
      const id = await getCurrent();
      const entry = id == null ? null : await getSaved(id);
      const saved = entry?.history;
      const done = saved?.events ? epochsDone(saved.events) : 0;
      if (!saved?.request || done >= saved.epochs) throw new Error('There is no unfinished run saved in this browser to resume.');
      (await exclusive(() => explorer.loadWeights(entry.bytes))).forEach((e) => post(e));
      Object.assign(run, { request: saved.request, label: saved.label, totalEpochs: saved.epochs, epochOffset: done, history: [...saved.events] });
      Object.assign(run, { entryId: entry.id, entryName: entry.name });
      request = { ...saved.request, max_buffer_bytes: request.max_buffer_bytes };
      request.train = { ...saved.request.train, epochs: saved.epochs - done };
      postRun(run, { type: 'history', ...saved, done });
    }
    const events = await exclusive(() => explorer.startTraining(request, Boolean(msg.fresh)));
    started = true;
    // The network in memory now changes with every step: it is this run's entry (once saved).
    memoryEntry = run.entryId ?? null;
    if (run.fresh) beforeInsert = undefined; // a new network: nothing inserted to restore
    for (const event of events) {
      if (event.type === 'data_ready') [run.trainImages, run.testImages] = [event.train, event.test];
      postRun(run, event);
    }
    if (run.probe) await probe(run, run.epochOffset);
    await tick();

    setState(run, run.paused ? 'paused' : 'running');
    for (;;) {
      await waitWhilePaused(run);
      if (run.stopped) {
        await exclusive(() => explorer.stopTraining());
        run.final = 'stopped';
        if (!run.replaced) await keepTrainedNetwork(run);
        return end(run, 'stopped');
      }
      const events = (await exclusive(() => explorer.step())).map((e) => shiftEpoch(run, e));
      // A failed read on WebGPU may be a lost device whose notice is a moment behind.
      if (backend?.info.backend === 'wgpu' && events.some((e) => e.type === 'error')) await new Promise((r) => setTimeout(r, 100));
      if (deviceLost) return end(run, 'failed'); // the page was told; the step's error says less
      let failed = false;
      let finished = false;
      for (const event of events) {
        postRun(run, event);
        if (event.type === 'error') failed = true;
        if (event.type === 'finished') finished = true;
        if (event.type === 'train') run.history.push(event);
        if (event.type === 'train' && event.kind === 'epoch') run.lastEpoch = event;
      }
      const report = events.findLast((e) => e.type === 'train' && e.kind === 'report');
      if (run.probe && report && !failed && !run.stopped) await probe(run, report.epoch);
      // A checkpoint at every epoch end, so a reload mid-run loses at most an epoch.
      if (!failed && !finished && events.some((e) => e.type === 'train' && e.kind === 'epoch')) await keepTrainedNetwork(run, true);
      if (failed) {
        await exclusive(() => explorer.stopTraining());
        return end(run, 'failed');
      }
      if (finished) {
        run.final = 'finished';
        await keepTrainedNetwork(run);
        return end(run, 'finished');
      }
      await tick(); // lets pause / stop / start messages in
    }
  } catch (e) {
    if (deviceLost) return end(run, 'failed');
    postRun(run, { type: 'error', message: describeError(e), fatal: e instanceof WebAssembly.RuntimeError });
    if (started && explorer) await exclusive(() => explorer.stopTraining()).catch(() => {});
    end(run, 'failed');
  }
}

/** A resumed run counts its epochs on from the checkpoint's. */
function shiftEpoch(run, event) {
  if (!run.epochOffset || !('epoch' in event || 'kept_epoch' in event)) return event;
  const shifted = { ...event };
  if ('epoch' in event) shifted.epoch += run.epochOffset;
  if ('kept_epoch' in event) shifted.kept_epoch += run.epochOffset;
  return shifted;
}

function stopCurrent() {
  if (!current) return Promise.resolve();
  current.stopped = true;
  current.wake?.();
  return current.done;
}

/** Control messages are handled in order, after any earlier start has set up its run. */
function enqueue(action) {
  control = control.then(action).catch((e) => post({ type: 'error', message: describeError(e) }));
}

/** Demo requests from the page. Each runs alone on the Explorer (see `exclusive`). */
const METHODS = {
  featureMaps: ({ stage, block, mode, image, channels }) => explorer.featureMaps(stage, block, mode, image, channels),
  identityChecks: ({ images }) => explorer.identityChecks(images),
  setTestLimit: ({ limit }) => explorer.setTestLimit(limit ?? null),
  /** Compiles the GPU kernels of a run with `request` before Start (WebGPU only: on the CPU there is nothing to compile). */
  warmUp: ({ request }) => (backend?.info.backend === 'wgpu' ? explorer.warmUp({ ...request, max_buffer_bytes: backend.maxBufferBytes }) : null),
  async evaluate() {
    const event = await explorer.evaluate();
    post(event);
    return null;
  },
  async insert({ insertion, stage }) {
    const events = await explorer.insert(insertion, stage);
    if (beforeInsert === undefined) [beforeInsert, sourceBeforeInsert] = [memoryEntry, networkSource];
    memoryEntry = null; // the network in memory is no longer the kept one
    events.forEach((e) => post(e));
    await postSaved();
    return events[0];
  },
  async restore() {
    explorer.restore().forEach((e) => post(e));
    // The original network is in memory again, and the page opens with it again.
    [memoryEntry, beforeInsert] = [beforeInsert ?? null, undefined];
    if (sourceBeforeInsert) {
      const { type, run, ...source } = sourceBeforeInsert; // not a run's event any more
      postNetwork(source);
    }
    await setCurrent(memoryEntry).catch(() => {});
    await postSaved();
    return null;
  },
  loadWeights({ bytes, name }) {
    const events = explorer.loadWeights(bytes);
    events.forEach((e) => post(e));
    [memoryEntry, beforeInsert] = [null, undefined];
    postNetwork({ source: 'uploaded', note: events[0]?.note ?? '', name });
    return postSaved();
  },
  saveWeights: ({ note }) => explorer.saveWeights(note),
  /** The lab: test accuracy of the network in memory, then with each block removed in turn. */
  async lesions() {
    const { accuracy } = await explorer.evaluate();
    return { accuracy, blocks: await explorer.lesions() };
  },
  async useData({ files }) {
    // files: [{name, bytes}] in the order train images, train labels[, test images, test labels].
    const bytes = await Promise.all(files.map((f) => gunzip(f.bytes)));
    const sizes = explorer.useData(files.map((f) => f.name), bytes[0], bytes[1], bytes[2], bytes[3]);
    post(sizes);
    post(explorer.gallery(GALLERY_SIZE));
    return sizes;
  },
  async memory() {
    // For the soak benchmark: wasm memory only grows, so a leak shows as growth here.
    return { wasmBytes: wasm?.exports.memory.buffer.byteLength ?? 0 };
  },
  /** Puts a network kept in this browser in memory (and opens with it from now on). */
  async loadSaved({ id }) {
    const entry = await getSaved(id);
    if (!entry) throw new Error('that network is no longer kept in this browser');
    await loadEntry(entry);
    await postSaved();
    return null;
  },
  async loadShipped() {
    await loadShipped();
    await postSaved();
    return null;
  },
  async renameSaved({ id, name }) {
    await renameSaved(id, name);
    await postSaved();
    return null;
  },
  /** Forgets a kept network at once; if it was in memory, the shipped one replaces it now. */
  async deleteSaved({ id }) {
    await deleteSaved(id);
    if (memoryEntry === id) await loadShipped();
    if (beforeInsert === id) beforeInsert = null;
    await postSaved();
    return null;
  },
};

/** Requests that do not touch the network, answered during a run too. */
const WHILE_TRAINING = new Set(['memory']);

async function handleCall({ id, method, args }) {
  const reply = (fields, transfer) => post({ type: 'reply', id, ...fields }, transfer);
  try {
    if (!(method in METHODS)) throw new Error(`unknown request ${method}`);
    if (!opening) await control; // an 'open' sent just before this request
    if (!opening) throw new Error('The data and the network are not loaded yet.');
    await opening;
    if (current?.active && !WHILE_TRAINING.has(method)) return reply({ ok: false, busy: true, error: BUSY });
    const result = await exclusive(() => METHODS[method](args ?? {}));
    const transfer = result instanceof Uint8Array ? [result.buffer] : [];
    reply({ ok: true, result }, transfer);
  } catch (e) {
    reply({ ok: false, busy: Boolean(current?.active), error: current?.active ? BUSY : describeError(e) });
  }
}

self.onmessage = ({ data: msg }) => {
  switch (msg?.type) {
    case 'open':
      if (msg.network === false) firstNetwork = false;
      if (Number.isInteger(msg.threads) && msg.threads > 0) threadsWanted = msg.threads;
      enqueue(async () => {
        try {
          await ensureOpen(msg.backend, msg.testLimit);
        } catch (e) {
          post({ type: 'error', message: describeError(e), fatal: e instanceof WebAssembly.RuntimeError });
          post({ type: 'opened', ok: false });
        }
      });
      break;
    case 'start':
      // Stop the old loop (it exits between batches), then start anew. The queue waits for the
      // old run to stop, not for the new one to finish.
      enqueue(async () => {
        if (current) current.replaced = true;
        await stopCurrent();
        const run = {
          id: msg.run ?? 0,
          request: msg.request,
          fresh: msg.fresh !== false,
          label: msg.label ?? '',
          stopped: false,
          paused: false,
          wake: null,
          done: null,
          active: true,
          replaced: false,
          keep: msg.keep !== false,
          probe: Boolean(msg.probe),
          totalEpochs: msg.request?.train?.epochs ?? 1,
          epochOffset: 0,
          history: [],
        };
        current = run;
        run.done = execute(run, msg).finally(() => {
          run.active = false;
          if (current === run) current = null;
        });
      });
      break;
    case 'pause':
      enqueue(() => {
        if (current) current.paused = true;
      });
      break;
    case 'resume':
      enqueue(() => {
        if (!current) return;
        current.paused = false;
        current.wake?.();
      });
      break;
    case 'stop':
      enqueue(() => {
        stopCurrent();
      });
      break;
    case 'call':
      handleCall(msg);
      break;
    default:
      post({ type: 'error', message: `The worker got an unknown message: ${JSON.stringify(msg)}` });
  }
};

self.addEventListener('unhandledrejection', (e) => {
  post({ type: 'error', message: `Unexpected error in the worker: ${describeError(e.reason)}` });
});
