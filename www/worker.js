// The training worker. It owns the wasm module, the burn device and the training Session, so the
// page stays responsive while the GPU (or the CPU backend) trains.
//
// Page -> worker: {type:'start', run, request, backend:'auto'|'cpu'}, {type:'pause'},
//                 {type:'resume'}, {type:'stop'}
// Worker -> page: the events produced by Rust, unchanged ({type:'backend'|'model'|'data_ready'|
//                 'step'|'train'|'finished'|'error', ...}), plus JS-only events in the same style:
//                 {type:'adapter', ...}, {type:'data_progress', file, loaded, total},
//                 {type:'state', state, run}.
// Every run starts with {type:'state', state:'loading', run}; anything the page receives before
// that message belongs to an older run.

import init, { initDevice, Session } from '../pkg/resnet_explorer.js';

const DATA_FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
];
const DATA_URL = new URL('./data/', import.meta.url);

let wasmReady = null; // Promise of the wasm module's init()
let backend = null; // {choice, info} once initDevice has run (once per worker)
let dataBytes = null; // Promise of the four files' bytes, kept for later runs
let current = null; // the active run: {id, stopped, paused, wake, done}
let starts = Promise.resolve(); // start requests run one after the other

const post = (msg) => self.postMessage(msg);
const setState = (run, state) => post({ type: 'state', state, run: run.id });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

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

/** Picks the backend once per worker: WebGPU when the browser offers an adapter, else the CPU. */
async function chooseBackend(choice) {
  if (backend) return backend.info;
  let wantGpu = false;
  let reason = null;
  if (choice === 'cpu') {
    reason = 'The CPU backend was selected in the settings.';
  } else if (!('gpu' in navigator) || !navigator.gpu) {
    reason = 'This browser has no WebGPU (navigator.gpu is missing).';
  } else {
    try {
      const adapter = await withTimeout(navigator.gpu.requestAdapter(), 15000, 'Requesting a WebGPU adapter');
      if (!adapter) {
        reason = 'No WebGPU adapter was returned (WebGPU may be disabled or blocklisted for this GPU).';
      } else {
        wantGpu = true;
        const info = adapter.info ?? {};
        post({
          type: 'adapter',
          vendor: info.vendor ?? '',
          architecture: info.architecture ?? '',
          device: info.device ?? '',
          description: info.description ?? '',
          fallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
        });
      }
    } catch (e) {
      reason = `Requesting a WebGPU adapter failed: ${describeError(e)}`;
    }
  }
  const info = await initDevice(wantGpu, reason);
  backend = { choice, info };
  return info;
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

function loadData() {
  if (!dataBytes) {
    dataBytes = Promise.all(DATA_FILES.map(download));
    dataBytes.catch(() => (dataBytes = null)); // a failed download is retried by the next run
  } else {
    // Already downloaded (or downloading): report the files as complete once they are.
    dataBytes.then((files) =>
      files.forEach((bytes, i) => post({ type: 'data_progress', file: DATA_FILES[i], loaded: bytes.length, total: bytes.length, cached: true })),
    ).catch(() => {});
  }
  return dataBytes;
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

async function execute(run, msg) {
  setState(run, 'loading');
  let session = null;
  try {
    if (!wasmReady) {
      wasmReady = init();
      wasmReady.catch(() => (wasmReady = null)); // let a later run try again
    }
    await wasmReady;
    if (backend && backend.choice !== msg.backend) {
      throw new Error(`This worker already runs on ${backend.info.backend}; the page must start a new worker to switch backends.`);
    }
    post(await chooseBackend(msg.backend));
    const [trainImages, trainLabels, testImages, testLabels] = await loadData();
    if (run.stopped) return setState(run, 'stopped');

    session = Session.create(msg.request, trainImages, trainLabels, testImages, testLabels);
    for (const event of session.describe()) post(event);
    await tick();

    setState(run, run.paused ? 'paused' : 'running');
    while (!session.isFinished()) {
      await waitWhilePaused(run);
      if (run.stopped) return setState(run, 'stopped');
      const events = await session.step();
      let failed = false;
      for (const event of events) {
        post(event);
        if (event.type === 'error') failed = true;
      }
      if (failed) return setState(run, 'failed');
      await tick(); // lets pause / stop / start messages in
    }
    setState(run, 'finished');
  } catch (e) {
    post({ type: 'error', message: describeError(e), fatal: e instanceof WebAssembly.RuntimeError });
    setState(run, 'failed');
  } finally {
    try {
      session?.free();
    } catch (e) {
      console.warn('freeing the session failed', e);
    }
  }
}

function stopCurrent() {
  if (!current) return Promise.resolve();
  current.stopped = true;
  current.wake?.();
  return current.done;
}

/** Control messages are handled in order, after any earlier start has set up its run. */
function enqueue(action) {
  starts = starts.then(action).catch((e) => post({ type: 'error', message: describeError(e) }));
}

self.onmessage = ({ data: msg }) => {
  switch (msg?.type) {
    case 'start':
      // Stop the old loop (it exits between batches and frees its session), then start anew.
      // The queue waits for the old run to stop, not for the new one to finish.
      enqueue(async () => {
        await stopCurrent();
        const run = { id: msg.run ?? 0, stopped: false, paused: false, wake: null, done: null };
        current = run;
        run.done = execute(run, msg).finally(() => {
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
    default:
      post({ type: 'error', message: `The worker got an unknown message: ${JSON.stringify(msg)}` });
  }
};

self.addEventListener('unhandledrejection', (e) => {
  post({ type: 'error', message: `Unexpected error in the worker: ${describeError(e.reason)}` });
});
