// @ts-check
// The messages between the page and the worker (www/worker/worker.js), as JSDoc types: the page
// (through www/worker/client.js) and the worker import them, `tsc` checks both sides. Types only:
// this module exports nothing at run time.
//
// Page -> worker: one `open` per worker, then training runs (`start`, `pause`, `resume`, `stop`,
// handled in order) and demo requests (`call`, each answered by one `reply`).
// Worker -> page: the events produced by Rust (src/session/protocol.rs's `WorkerEvent`, forwarded
// unchanged) and the worker's own events in the same style. Those of a training run carry `run`,
// the id its `start` gave.

// ---------------------------------------------------------------------------------------------
// Page -> worker

/**
 * @typedef {import('../core/backend.js').BackendChoice} BackendChoice
 * @typedef {import('../generated/rust.js').StartRequest} StartRequest
 *   Rust's `StartRequest`: a model configuration (a ResNet's or a zoo network's), the training
 *   settings, how many training / test images (null: all). `max_buffer_bytes` is the worker's
 *   to set (the GPU's per-buffer limit).
 * @typedef {import('../generated/rust.js').TrainConfig} TrainSettings  Rust's `TrainConfig`
 * @typedef {import('../generated/rust.js').ModelConfig} ModelConfig
 *
 * @typedef {{type: 'open', backend: BackendChoice, testLimit?: number | null, network?: boolean,
 *   threads?: number, faultChannel?: string, kernels?: import('../generated/rust.js').Kernels}} OpenMessage
 *   Once per worker: the device, the data, the gallery and the first network (the one kept as
 *   current in this browser, else the shipped pretrained weights; none with `network: false`, as
 *   the lab's workers). `threads`: the most threads the CPU backend may use (default: all cores).
 *   `kernels`: on WebGPU, the kernels the runs' convolutions and BatchNorms use (default auto).
 *   `faultChannel`: a BroadcastChannel name on which any of the worker's threads (the CPU pool's
 *   too) says why it traps (src/web/fault.rs), since a trapped pool thread stalls the worker.
 * @typedef {{type: 'start', run?: number, request: StartRequest | null, backend: BackendChoice,
 *   fresh?: boolean, label?: string, resume?: boolean, keep?: boolean, probe?: boolean}} StartMessage
 *   A training run; a running one is stopped first (and, being replaced, not kept). `request`
 *   is null only with `resume` (the checkpoint's own).
 *   fresh (default true): a new network, else keep training the one in memory; resume: the
 *   checkpoint kept as current in this browser goes on where it stopped; keep (default true):
 *   false keeps neither checkpoints nor the trained network in this browser (the lab's races);
 *   probe: a `lab_probe` event before the first batch and at every report.
 * @typedef {{type: 'pause'}} PauseMessage
 * @typedef {{type: 'resume'}} ResumeMessage
 * @typedef {{type: 'stop'}} StopMessage
 * @typedef {{type: 'call', id: number, method: MethodName, args?: object}} CallMessage
 *   A demo request, answered by a `reply` with the same id. Refused (`busy`) while a run is
 *   active, except `memory`.
 * @typedef {OpenMessage | StartMessage | PauseMessage | ResumeMessage | StopMessage | CallMessage} PageMessage
 */

/**
 * The requests a `call` may name, with their arguments and results.
 * @typedef {{
 *   featureMaps: {args: {stage: number, block: number, mode: string, image: number | null, channels: number}, result: FeatureMapsEvent},
 *   classify: {args: {picture: Uint8Array}, result: PictureEvent},
 *   identityChecks: {args: {images: number}, result: import('../generated/rust.js').BlockCheck[]},
 *   setTestLimit: {args: {limit?: number | null}, result: void},
 *   warmUp: {args: {request: StartRequest, timed?: boolean}, result: {seconds: number} | null},
 *   keepBackendMeasure: {args: {measure: import('../core/backend.js').BackendMeasure}, result: null},
 *   evaluate: {args: {}, result: null},
 *   insert: {args: {insertion: Insertion, stage: number}, result: InsertionEvent},
 *   restore: {args: {}, result: null},
 *   loadWeights: {args: {bytes: Uint8Array, name?: string}, result: void},
 *   saveWeights: {args: {format?: 'rnxw' | 'safetensors'}, result: Uint8Array},
 *   lesions: {args: {}, result: {accuracy: number, blocks: import('../generated/rust.js').Lesion[]}},
 *   useData: {args: {files: {name: string, bytes: Uint8Array}[]}, result: DataReadyEvent},
 *   memory: {args: {}, result: {wasmBytes: number}},
 *   simulateFault: {args: {}, result: null},
 *   loadSaved: {args: {id: number}, result: null},
 *   loadShipped: {args: {}, result: null},
 *   renameSaved: {args: {id: number, name: string}, result: null},
 *   deleteSaved: {args: {id: number}, result: null},
 * }} Methods
 *   evaluate posts its `predictions` event; insert answers its check and, like restore,
 *   loadWeights, loadSaved, loadShipped and deleteSaved, posts `model` (and `network`,
 *   `saved_list`) events; useData posts
 *   `data_ready` and `gallery`; saveWeights answers the weights file and featureMaps its typed
 *   arrays (their buffers transferred). featureMaps of image null: the picture `classify` was
 *   last given (the user's own).
 * @typedef {keyof Methods} MethodName
 */

// ---------------------------------------------------------------------------------------------
// Worker -> page: Rust's events (src/session/protocol.rs)

/**
 * Generated from Rust (tests/contract.rs writes www/generated/rust.d.ts): one union, each event
 * picked from it by its `type`. Two events carry a field the worker adds.
 * @typedef {import('../generated/rust.js').WorkerEvent} RustEvent
 * @typedef {import('../generated/rust.js').Origin} Origin  where the network in memory came from
 * @typedef {import('../generated/rust.js').Insertion} Insertion
 * @typedef {import('../generated/rust.js').Inserted} InsertedBlock
 * @typedef {import('../generated/rust.js').LayerShape} LayerShape
 * @typedef {Extract<RustEvent, {type: 'backend'}>} BackendEvent  the backend the worker ended up with
 * @typedef {Extract<RustEvent, {type: 'model'}>} ModelEvent  the network in memory, for the diagram
 *   and the table; `note` says what the weights are (a downloaded file's header says the same)
 * @typedef {Extract<RustEvent, {type: 'data_ready'}>} DataReadyEvent
 * @typedef {Extract<RustEvent, {type: 'step'}>} StepEvent  one batch done (over all epochs)
 * @typedef {Extract<RustEvent, {type: 'train'}>} TrainEvent
 * @typedef {Extract<TrainEvent, {kind: 'report'}>} ReportEvent  running averages, 5 times an epoch
 * @typedef {Extract<TrainEvent, {kind: 'epoch'}>} EpochEvent  an epoch's end, with test accuracy
 * @typedef {Extract<RustEvent, {type: 'predictions'}> & {kept?: boolean}} PredictionsEvent
 *   kept: computed on an earlier visit for the same weights file and test images (worker/predictions.js)
 * @typedef {Extract<RustEvent, {type: 'finished'}>} FinishedEvent
 * @typedef {Extract<RustEvent, {type: 'gallery'}>} GalleryEvent  images: side x side grey bytes
 *   each, every one with its own buffer (transferred to the page, not copied)
 * @typedef {Extract<RustEvent, {type: 'feature_maps'}>} FeatureMapsEvent  input/output: `channels`
 *   maps of side x side floats one after another (buffers transferred)
 * @typedef {Extract<RustEvent, {type: 'insertion'}>} InsertionEvent
 * @typedef {Extract<RustEvent, {type: 'picture'}>} PictureEvent  the class probabilities of the
 *   network in memory for the user's picture
 * @typedef {Extract<RustEvent, {type: 'diverged'}>} DivergedEvent  the loss exploded; the weights
 *   of `kept_epoch` are kept (an `error` follows)
 * @typedef {Extract<RustEvent, {type: 'error'}> & {fatal?: boolean}} ErrorEvent
 *   fatal: the wasm module crashed; the page must start a new worker
 * @typedef {Exclude<RustEvent, {type: 'predictions' | 'error'}> | PredictionsEvent | ErrorEvent} SessionEvent
 *   every event Rust produces, as the page receives it
 */

// ---------------------------------------------------------------------------------------------
// Worker -> page: the worker's own events

/**
 * @typedef {'loading' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed'} RunState
 * @typedef {'shipped' | 'saved' | 'uploaded' | 'trained' | 'none'} NetworkSource
 *
 * @typedef {{type: 'adapter', vendor: string, architecture: string, device: string,
 *   description: string, fallback: boolean, software: boolean}} AdapterEvent
 *   the WebGPU adapter found (before the backend is chosen)
 * @typedef {{type: 'data_progress', file: string, loaded: number, total: number}} DataProgressEvent
 *   download progress of one data file; total 0: unknown
 * @typedef {{type: 'state', state: RunState, run: number}} StateEvent
 * @typedef {{type: 'network', source: NetworkSource, note: string, name?: string, id?: number | null,
 *   savedAt?: string, run?: number}} NetworkEvent
 *   where the network in memory came from (`id`: its entry in this browser, if any)
 * @typedef {{id: number, name: string, note: string, savedAt: string, epochs: number | null,
 *   done: number | null, trained?: number | null}} SavedSummary  one network kept in this browser, without its
 *   weights; `done`: whole epochs, `trained`: epochs trained, the last one partly
 * @typedef {{type: 'saved_list', entries: SavedSummary[], current: number | null}} SavedListEvent
 *   the networks kept in this browser, oldest first, and which of them is in memory
 * @typedef {{type: 'notice', message: string}} NoticeEvent  something went wrong, nothing stops
 * @typedef {{type: 'opened', ok: boolean}} OpenedEvent  the answer to `open`
 * @typedef {{type: 'backend_measure', measure: import('../core/backend.js').BackendMeasure}} BackendMeasureEvent
 *   WebGPU timed against the CPU on this adapter, kept from an earlier measurement: "Auto" chose by it
 * @typedef {{type: 'threads_starting', threads: number, timeoutMs: number}} ThreadsStartingEvent
 *   the threaded CPU module is starting its pool; the worker gives up after `timeoutMs` (and
 *   says so in a notice), so silence well past it means its own thread is blocked
 * @typedef {{epochs: number, events: TrainEvent[], request: StartRequest | null, label: string}} RunHistory
 *   a run's settings and chart, as kept in this browser
 * @typedef {RunHistory & {type: 'history', done: number, run?: number}} HistoryEvent
 *   the chart of the network just loaded (or of the run being resumed); done: epochs done
 * @typedef {{type: 'device_lost', reason: string, message: string, run?: number}} DeviceLostEvent
 * @typedef {import('../generated/rust.js').GradientNorm} GradientNorm
 * @typedef {{type: 'lab_probe', epoch: number, error?: string} & Partial<import('../generated/rust.js').Probe>} LabProbeEvent
 *   ||dL/dW|| of every conv and ||F(x)||/||x|| of every block, or why they cannot be measured
 * @typedef {{type: 'reply', id: number, ok: boolean, result?: unknown, error?: string, busy?: boolean}} ReplyMessage
 *   the answer to a `call`; busy: refused because a run is active
 *
 * @typedef {AdapterEvent | DataProgressEvent | StateEvent | NetworkEvent | SavedListEvent
 *   | NoticeEvent | OpenedEvent | ThreadsStartingEvent | BackendMeasureEvent | HistoryEvent | DeviceLostEvent | LabProbeEvent} WorkerOwnEvent
 * @typedef {(SessionEvent | WorkerOwnEvent) & {run?: number}} WorkerEvent  every event but `reply`
 * @typedef {WorkerEvent['type']} EventType
 * @typedef {WorkerEvent | ReplyMessage} WorkerMessage
 */

/**
 * The event of type T, as `Connection.on` hands it over.
 * @template {EventType} T
 * @typedef {Extract<WorkerEvent, {type: T}>} EventOf
 */

export {};
