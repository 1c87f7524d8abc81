// @ts-check
// What the worker's modules share: the session (the wasm module, the device, the one Explorer and
// the active run), posting to the page, and the queue every Explorer call goes through.
//
// wasm-bindgen refuses overlapping calls on one Explorer ("recursive use of an object"), so every
// call goes through `exclusive` (a promise queue).

/**
 * @typedef {import('./protocol.js').WorkerMessage} WorkerMessage
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./protocol.js').BackendEvent} BackendEvent
 * @typedef {import('./protocol.js').BackendChoice} BackendChoice
 * @typedef {import('./protocol.js').StartRequest} StartRequest
 * @typedef {import('./protocol.js').Origin} Origin
 * @typedef {import('./runs.js').Run} Run
 */

/**
 * What the worker uses of the Explorer (src/web/explorer.rs, demos.rs, lab.rs). The wasm package
 * is built without typings, so they are written here.
 * @typedef {object} Explorer
 * @property {(n: number) => import('./protocol.js').GalleryEvent} gallery  images as `Uint8Array`s
 * @property {(limit: number | null) => void} setTestLimit
 * @property {(images: Uint8Array, labels: Uint8Array) => import('./protocol.js').DataReadyEvent | null} setTrainingData
 * @property {(bytes: Uint8Array, origin: Origin) => WorkerEvent[]} loadWeights  a `model` event first
 * @property {(format?: 'rnxw' | 'safetensors') => Promise<Uint8Array>} saveWeights  its header describes the weights
 * @property {() => string} description  what saveWeights's header would say
 * @property {() => import('./protocol.js').ModelEvent} modelEvent  of the network in memory
 * @property {(id: number, name: string) => void} kept  the network is kept in this browser as entry `id`
 * @property {(id: number) => boolean} forgotten  entry `id` was deleted; true if it held the network in memory
 * @property {() => number | undefined} keptEntry  the entry holding the network in memory, if any
 * @property {() => boolean} isTraining
 * @property {() => boolean} hasModel  a network in memory or being trained
 * @property {(request: StartRequest, fresh: boolean, run: number) => WorkerEvent[]} startTraining
 * @property {(request: StartRequest) => Promise<WorkerEvent[]>} warmUp
 * @property {() => Promise<WorkerEvent[]>} step  the `model` event of the network in memory last when the run ended
 * @property {() => WorkerEvent[]} stopTraining  the `model` event of the network in memory afterwards
 * @property {() => Promise<import('./protocol.js').PredictionsEvent>} evaluate
 * @property {() => string | undefined} predictionsKey  of a weights file as loaded (see predictions.js)
 * @property {() => Uint8Array | undefined} computedPredictions
 * @property {(file: Uint8Array) => void} savedAs  the network in memory was just saved as `file`
 * @property {(predictions: Uint8Array) => import('./protocol.js').PredictionsEvent} usePredictions
 * @property {(images: number) => Promise<import('../generated/rust.js').BlockCheck[]>} identityChecks
 * @property {(stage: number, block: number, mode: string, image: number | null, channels: number) => Promise<import('./protocol.js').FeatureMapsEvent>} featureMaps
 * @property {(picture: Uint8Array) => Promise<import('./protocol.js').PictureEvent>} classify  the user's 28x28 picture
 * @property {(insertion: import('./protocol.js').Insertion, stage: number) => Promise<WorkerEvent[]>} insert
 * @property {() => WorkerEvent[]} restore
 * @property {() => Promise<import('../generated/rust.js').Probe>} labProbe
 * @property {() => Promise<import('../generated/rust.js').Lesion[]>} lesions
 * @property {(names: string[], ...bytes: (Uint8Array | undefined)[]) => import('./protocol.js').DataReadyEvent} useData
 *
 * @typedef {object} WasmModule  the package's exports
 * @property {() => Promise<{memory: WebAssembly.Memory}>} default  instantiates the module
 * @property {(n: number) => Promise<void>} initThreadPool  pkg-threads/ only (not to be called on pkg/'s)
 * @property {(name: string) => void} setFaultChannel  where every thread reports a panic or running out of memory
 * @property {() => void} simulateFault  for the tests: a CPU thread panics while this one waits
 * @property {(wantGpu: boolean, reason: string | null, software: boolean) => Promise<BackendEvent>} initDevice
 * @property {{create(testImages: Uint8Array, testLabels: Uint8Array): Explorer}} Explorer
 *
 * @typedef {{module: WasmModule, exports: {memory: WebAssembly.Memory}, url: string}} Wasm  url: the build's, naming the deployment
 * @typedef {{choice: BackendChoice, info: BackendEvent, maxBufferBytes: number | null}} Backend
 *   the backend chosen once per worker; maxBufferBytes: the GPU's per-buffer limit (WebGPU only)
 */

export const session = {
  /** @type {Wasm | null} the loaded wasm build (see device.js's loadWasm) */
  wasm: null,
  /** @type {string | null} the BroadcastChannel faults are posted on (the `open` message's) */
  faultChannel: null,
  /** The CPU backend's threads; the `open` message may ask for fewer. */
  threadsWanted: Math.max(1, globalThis.navigator?.hardwareConcurrency || 1),
  /** @type {Backend | null} once chooseBackend has run (once per worker) */
  backend: null,
  /** @type {Explorer | null} */
  explorer: null,
  /** @type {Promise<void> | null} the training set's arrival (open.js's `trainingData`) */
  trainingData: null,
  /** @type {Run | null} the active run */
  current: null,
  /** @type {{reason?: string, message?: string} | null} GPUDeviceLostInfo once the WebGPU device is gone */
  deviceLost: null,
  /** open() loads the saved or shipped network (not for the lab's workers) */
  firstNetwork: true,
  /** @type {import('../generated/rust.js').Kernels} the kernels setting (the `open` message's) */
  kernels: 'auto',
  /** The WebGPU adapter as the browser names it (keys the kernels measured on it). */
  adapterName: '',
};

/** The Explorer; only called once the worker has opened. */
export function explorer() {
  if (!session.explorer) throw new Error('The data and the network are not loaded yet.');
  return session.explorer;
}

/** @typedef {{postMessage(msg: WorkerMessage, transfer: Transferable[]): void}} MessageTarget */

/** Sends a message to the page. @param {WorkerMessage} msg @param {Transferable[]} [transfer] */
export const post = (msg, transfer) => /** @type {MessageTarget} */ (/** @type {unknown} */ (self)).postMessage(msg, transfer ?? []);

/**
 * The buffers to transfer (not copy) when posting `value`: a bytes result's, the gallery's images'
 * and the feature maps'. The Explorer copies each typed array out of wasm memory into its own
 * `ArrayBuffer`, so none of them is the module's memory (a `SharedArrayBuffer` is never listed).
 * @param {unknown} value @returns {ArrayBuffer[]}
 */
export function buffersOf(value) {
  const event = /** @type {{type?: string, images?: Uint8Array[], input?: Float32Array, output?: Float32Array}} */ (value);
  const arrays = value instanceof Uint8Array ? [value]
    : event?.type === 'gallery' ? event.images ?? []
    : event?.type === 'feature_maps' ? [event.input, event.output]
    : [];
  const buffers = arrays.map((a) => a?.buffer).filter(/** @returns {b is ArrayBuffer} */ (b) => b instanceof ArrayBuffer);
  return [...new Set(buffers)];
}

/** Posts an event from the Explorer, its typed arrays transferred. @param {WorkerMessage} event */
export const postEvent = (event) => post(event, buffersOf(event));

/** Sends one of a run's events, tagged with the run's id. @param {Run} run @param {WorkerEvent} event */
export const postRun = (run, event) => post({ ...event, run: run.id });

/** Tells the page the run's state, once per change. @param {Run} run @param {import('./protocol.js').RunState} state */
export const setState = (run, state) => {
  if (run.state === state) return;
  run.state = state;
  post({ type: 'state', state, run: run.id });
};

/** A notice for the page (something failed, nothing stops). @param {string} message */
export const notice = (message) => post({ type: 'notice', message });

/** Lets other messages in. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A queue: `run(fn)` calls `fn` after every earlier call has settled (failed ones too) and
 * resolves to its result.
 */
export function serialQueue() {
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();
  /** @template T @param {() => T | Promise<T>} fn @returns {Promise<T>} */
  return (fn) => {
    const result = queue.then(() => fn());
    queue = result.then(
      () => {},
      () => {},
    );
    return result;
  };
}

/** Runs an Explorer call after every earlier one has settled. */
export const exclusive = serialQueue();

/** What the page shows for an exception. @param {unknown} e */
export function describeError(e) {
  if (e instanceof WebAssembly.RuntimeError) {
    return `The WebAssembly module crashed (${e.message}). Reload the page to start again; the browser console has details.`;
  }
  return /** @type {{message?: string} | null | undefined} */ (e)?.message ?? String(e);
}
