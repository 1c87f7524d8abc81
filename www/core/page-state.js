// @ts-check
// The page's state: one Store holds it all (www/core/store.js); features read it and subscribe
// to the keys they draw, and change it only through `store.set`. Pure, unit-tested in
// tests/unit/page-state.test.mjs.

/**
 * @typedef {'idle' | 'loading' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed'} RunState
 * @typedef {import('../worker/protocol.js').BackendEvent} BackendInfo
 * @typedef {import('../worker/protocol.js').ModelEvent & {run?: number}} ModelEvent
 * @typedef {{source: 'shipped' | 'saved' | 'uploaded' | 'trained' | 'none', note?: string, name?: string | null,
 *   savedAt?: string, id?: number | null, run?: number}} NetworkSource  the `model` event's origin and note
 *
 * @typedef {object} PageState
 * @property {import('./catalogue-module.js').CatalogueModule | null} wasm  the catalogue module on the main thread (shapes, catalogue), once loaded
 * @property {Map<string, import('../core/models.js').ModelEntry>} models  the catalogue, from Rust
 * @property {Record<string, any> | null} settings  the training form's values when all are valid, else null
 * @property {string} settingsProblems  what is wrong with the form's values ('' when nothing)
 * @property {string[]} linkProblems  what the opening link had wrong (reported, never silently replaced)
 * @property {string} preset          the model chosen in the form
 * @property {import('./models.js').ModelConfig | null} selectedConfig  the configuration the form describes (null when the input size is invalid)
 * @property {import('./backend.js').BackendChoice} backendChoice
 * @property {import('../generated/rust.js').Kernels} kernelChoice  the link's `kernels` (read when the page opens)
 * @property {string | null} block    the selected residual block ('b2.0'), the identity demo's
 * @property {'branch' | 'conv2'} mode  the identity demo's zeroing
 * @property {number} image           the identity demo's test image
 * @property {number} stage           the insertion stage
 * @property {number} workerId        bumped whenever a new worker is started (its facts below reset)
 * @property {boolean} opened         the worker has its device, data and first network
 * @property {BackendInfo | null} backend  what the worker trains on
 * @property {import('../worker/protocol.js').AdapterEvent | null} adapter  the WebGPU adapter's facts
 * @property {import('../generated/rust.js').KernelReport | null} kernels  how the latest run's kernels were chosen (WebGPU)
 * @property {{state: 'running' | 'done', seconds?: number} | null} warmUp  GPU kernels compiled ahead
 * @property {import('./backend.js').BackendMeasure | null} backendMeasure  WebGPU timed against the CPU ("Auto" on a hardware adapter)
 * @property {number | null} testImages  test images the worker's data holds
 * @property {RunState} runState
 * @property {number} runId           the latest run started in this page (0 before the first)
 * @property {boolean} pauseRequested
 * @property {boolean} stopping
 * @property {ModelEvent | null} memory  the network in the worker's memory (its `model` event)
 * @property {any} memoryNet          describeNetwork() of it
 * @property {boolean} training       the network in memory is the one being trained
 * @property {'memory' | 'preview'} showing  the diagram shows the network in memory or the form's model
 * @property {any} run                the current (or last) run's bookkeeping (www/features/training/run.js)
 * @property {NetworkSource | null} source  where the network in memory came from
 * @property {{entries: import('../worker/protocol.js').SavedSummary[], current: number | null} | null} saved  the networks kept in this browser
 * @property {{done: number, epochs: number} | null} resumable  an unfinished run saved in this browser
 * @property {import('../worker/protocol.js').GalleryEvent | null} gallery  the first test images and class names
 * @property {import('../worker/protocol.js').PredictionsEvent | null} predictions  the latest `predictions` event
 * @property {string} predictionsFrom which network they are of
 * @property {import('../generated/rust.js').BlockCheck[] | null} checks  the identity checks of every block
 * @property {any} finishedRun        the latest run that finished: {request, lastEpoch, fresh, resumed, trainImages, testImages, backend}
 * @property {boolean} ownData        the user's IDX files replaced Fashion-MNIST
 * @property {{isolated: boolean, reason: string | null} | null} isolation  cross-origin isolation
 *   (the threaded CPU module needs it) and, without it, why (www/app/service-worker.js)
 * @property {{reload: () => void} | null} update  a new deployment of the site is ready: reload() switches to it
 * @property {string | null} offline  the static site's offline copy: 'keeping', 'kept', 'failed: why', 'unavailable'
 * @property {{n: number, evaluate: boolean}} demoRequest  replaced when the network in memory (or the test
 *   data) changed: the demos recompute (and, with `evaluate`, the predictions on the test images)
 * @property {{pixels: Uint8Array, result: import('../worker/protocol.js').PictureEvent, memory: ModelEvent | null} | null} picture
 *   the user's own picture as the network gets it, and its class probabilities from the network
 *   `memory` (features/picture)
 * @property {Record<string, unknown> | null} lab  the lab's race, its settings and lesions: the lab
 *   owns this key as a store of its own (Store.slice; features/lab/controller.js's LabState)
 */

export const ACTIVE = new Set(['loading', 'running', 'paused']);

/** @returns {PageState} */
export function initialState() {
  return {
    wasm: null,
    models: new Map(),
    settings: null,
    settingsProblems: '',
    linkProblems: [],
    preset: 'fast',
    selectedConfig: null,
    backendChoice: 'auto',
    kernelChoice: 'auto',
    block: null,
    mode: 'branch',
    image: 0,
    stage: 0,
    workerId: 0,
    opened: false,
    backend: null,
    adapter: null,
    kernels: null,
    backendMeasure: null,
    warmUp: null,
    testImages: null,
    runState: 'idle',
    runId: 0,
    pauseRequested: false,
    stopping: false,
    memory: null,
    memoryNet: null,
    training: false,
    showing: 'memory',
    run: null,
    source: null,
    saved: null,
    resumable: null,
    gallery: null,
    predictions: null,
    predictionsFrom: '',
    checks: null,
    finishedRun: null,
    ownData: false,
    isolation: null,
    update: null,
    offline: null,
    demoRequest: { n: 0, evaluate: false },
    picture: null,
    lab: null,
  };
}

/** A run is loading, running or paused. */
export const isActive = (/** @type {PageState} */ s) => ACTIVE.has(s.runState);

/** The demos can ask the worker: it is open, holds a network, and nothing is training. */
export const demoReady = (/** @type {PageState} */ s) => Boolean(s.opened && s.memory && !ACTIVE.has(s.runState));

/** The selected block of the network in memory, or null. */
export const selectedBlock = (/** @type {PageState} */ s) => s.memoryNet?.blocks?.find((/** @type {any} */ b) => b.label === s.block) ?? null;

/** The state a fresh worker starts from: nothing known about it yet. */
export const freshWorker = (/** @type {PageState} */ s) => ({
  workerId: s.workerId + 1,
  opened: false,
  backend: null,
  adapter: null,
  kernels: null,
  backendMeasure: null,
  warmUp: null,
  testImages: null,
  memory: null,
  memoryNet: null,
  checks: null,
  predictions: null,
});
