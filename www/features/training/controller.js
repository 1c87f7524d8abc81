// @ts-check
// Training runs: Start, Keep training, Resume, Pause and Stop; the run's events from the worker
// (state, progress, metrics, divergence, a lost device); the GPU kernels compiled ahead of Start.

import { ACTIVE, isActive } from '../../core/page-state.js';
import { runLabel, zooName } from '../../core/models.js';
import { createTrainingChart } from './chart.js';
import { dataProgress, newRun, resumeFrom, statusText, trainingRequest } from './run.js';
import { trainingView } from './view.js';

/** @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore */

/**
 * @typedef {{store: PageStore, connection: import('../../app/connection.js').Connection,
 *   settings: {writeHash(): void}}} TrainingDeps
 * @typedef {TrainingDeps & {view: ReturnType<typeof trainingView>, chart: ReturnType<typeof createTrainingChart>}} TrainingContext
 */

/** @param {TrainingDeps} deps */
export function initTraining({ store, connection, settings }) {
  const view = trainingView();
  const chart = createTrainingChart(/** @type {HTMLElement} */ (document.getElementById('chart')));
  /** @type {TrainingContext} */
  const ctx = { store, connection, settings, view, chart };
  /** @type {Map<string, {loaded: number, total: number}>} */
  let files = new Map();
  const render = () => renderState(ctx);
  const warmUp = () => warmUpGpu(ctx);

  routeRunEvents({ store, connection, view, chart, render, warmUpGpu: warmUp, files: () => files });
  store.subscribe(['workerId'], () => (files = new Map()));
  store.subscribe(['runState', 'run', 'wasm', 'opened', 'warmUp', 'pauseRequested', 'stopping', 'backend', 'resumable', 'workerId'], render);
  store.subscribe(['backend', 'adapter', 'isolation', 'kernels', 'backendMeasure'], (s) => s.backend && view.showBackend(s.backend, s.adapter, s.isolation?.reason ?? null, s.kernels, s.backendMeasure));
  store.subscribe(['settings'], (s) => {
    if (s.settings && chart.points === 0 && !isActive(s)) chart.reset(s.settings.epochs); // x axis 0..epochs
  });
  const form = /** @type {HTMLFormElement} */ (document.getElementById('settings'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    start(ctx, true);
  });
  view.ui.pause.addEventListener('click', () => togglePause(ctx));
  view.ui.stop.addEventListener('click', () => stop(ctx));
  view.ui.resumeRun.addEventListener('click', () => resumeSaved(ctx));
  document.getElementById('keep-training')?.addEventListener('click', () => start(ctx, false));
  render();
  return { chart, showError: view.showError, warmUpGpu: warmUp };
}

const currentRun = (/** @type {PageStore} */ store) => /** @type {import('./run.js').Run | null} */ (store.get().run);

/** The buttons, the status line and the resume offer for the store's run state. @param {TrainingContext} ctx */
function renderState({ store, view }) {
  const s = store.get();
  const active = isActive(s);
  const text = statusText({
    runState: s.runState,
    run: currentRun(store),
    wasm: Boolean(s.wasm),
    opened: s.opened,
    workerStarted: s.workerId > 0,
    warmUp: s.warmUp?.state ?? null,
    pauseRequested: s.pauseRequested,
    stopping: s.stopping,
    onGpu: s.backend?.backend === 'wgpu',
  });
  view.showState(s.runState, { active, ready: Boolean(s.wasm), pauseRequested: s.pauseRequested, text });
  view.showResumable(s.resumable, active || !s.wasm);
}

/**
 * Starts a run: a new network from the form (`fresh`) or the network in memory trained further.
 * The set-up is the store's (the form writes it there as it is edited).
 * @param {TrainingContext} ctx
 */
function start(ctx, fresh = true) {
  const { store, connection, settings, view } = ctx;
  const s = store.get();
  const values = s.settings;
  const config = fresh ? s.selectedConfig : s.memory?.config;
  if (!values || !config) {
    /** @type {HTMLElement | null} */ (document.querySelector('#settings [aria-invalid="true"]'))?.focus();
    view.showError(values ? 'There is no network in memory to keep training.' : `Some settings are not valid. ${s.settingsProblems}`);
    return;
  }
  settings.writeHash();
  const request = trainingRequest(values, config);
  const label = runLabel(s.models, { fresh, config, preset: values.preset, memory: s.memory });
  const runId = s.runId + 1;
  const caption = fresh
    ? `Run ${runId}: a new ${zooName(s.models, config) ?? values.preset} network, trained from scratch.`
    : `Run ${runId}: keep training the network in memory (${label}); the chart starts again at epoch 0.`;
  begin(ctx, runId, newRun(values, { fresh, request }), caption, fresh);
  // Keep training needs the worker that holds the network, whatever the backend setting says now.
  const backend = fresh || !connection.client ? s.backendChoice : connection.client.backend;
  connection.ensure(backend).post({ type: 'start', run: runId, request, backend, fresh, label });
}

/** Goes on with the saved unfinished run: its weights, settings and chart, the remaining epochs. @param {TrainingContext} ctx */
function resumeSaved(ctx) {
  const s = ctx.store.get();
  const values = s.settings;
  if (!values || !s.resumable) return;
  const runId = s.runId + 1;
  begin(ctx, runId, newRun(values, { fresh: false, resumed: true }), `Run ${runId}: the run saved in this browser, resumed from its checkpoint after epoch ${s.resumable.done}.`, false);
  ctx.connection.ensure(s.backendChoice).post({ type: 'start', run: runId, request: null, backend: s.backendChoice, fresh: false, resume: true });
}

/**
 * @param {TrainingContext} ctx @param {number} runId @param {import('./run.js').Run} r
 * @param {string} caption @param {boolean} fresh
 */
function begin({ store, view, chart }, runId, r, caption, fresh) {
  view.reset(caption, fresh);
  chart.reset(r.settings.epochs);
  // This run's checkpoints replace the saved unfinished one.
  store.set({ runId, run: r, pauseRequested: false, stopping: false, resumable: null, runState: 'loading' });
}

/** @param {TrainingContext} ctx */
function togglePause({ store, connection }) {
  if (!connection.client || !isActive(store.get())) return;
  const pauseRequested = !store.get().pauseRequested;
  connection.client.post({ type: pauseRequested ? 'pause' : 'resume' });
  store.set({ pauseRequested }); // the new button label at once; the worker confirms between batches
}

/** How long Stop waits for the current batch, and then for the worker to answer at all. */
const STOP_GRACE_MS = 10_000;
const PING_MS = 2_000;

/**
 * Stops after the current batch. A worker still busy `STOP_GRACE_MS` later is asked for its
 * memory size: one that answers is only waiting (for the training set to download, say) and
 * is given more time; one that does not (a batch that takes minutes, a thread that hangs) is
 * ended, so Stop always stops.
 * @param {TrainingContext} ctx
 */
function stop({ store, connection }) {
  const client = connection.client;
  if (!client || !isActive(store.get())) return;
  client.post({ type: 'stop' });
  store.set({ stopping: true });
  const runId = store.get().runId;
  const stillRunning = () => connection.client === client && store.get().runId === runId && isActive(store.get());
  const check = async () => {
    if (!stillRunning()) return;
    const answered = await Promise.race([client.call('memory').then(() => true, () => false), new Promise((r) => setTimeout(() => r(false), PING_MS))]);
    if (!stillRunning()) return;
    if (answered) return void setTimeout(check, STOP_GRACE_MS);
    store.set({ runState: 'stopped', training: false, stopping: false });
    const seconds = (STOP_GRACE_MS + PING_MS) / 1000;
    connection.replaceStuck(`The worker had not stopped ${seconds} s after Stop and did not answer, so it was ended. The network kept in this browser (the run's last epoch end, else the one before the run) is in memory again.`);
  };
  setTimeout(check, STOP_GRACE_MS);
}

/**
 * On WebGPU, a throwaway run (3 steps) of the form's set-up once the demos are ready: the GPU
 * kernels then compile while the user reads, not in the first batch after Start (about 10 s on
 * a software adapter). Start simply queues behind it.
 * @param {TrainingContext} ctx
 */
async function warmUpGpu({ store, connection }) {
  const s = store.get();
  if (s.backend?.backend !== 'wgpu' || s.warmUp || isActive(s)) return;
  const values = s.settings;
  if (!values || !s.selectedConfig) return;
  const workerId = s.workerId;
  store.set({ warmUp: { state: 'running' } });
  const t0 = performance.now();
  try {
    await connection.call('warmUp', { request: trainingRequest(values, s.selectedConfig) });
  } catch (e) {
    const err = /** @type {any} */ (e);
    if (!err.busy && !err.replaced) console.warn('[ResNet Explorer] warming the GPU kernels up failed:', err.message);
  }
  if (store.get().workerId === workerId) store.set({ warmUp: { state: 'done', seconds: (performance.now() - t0) / 1000 } });
}

/**
 * The events of a training run.
 * @param {{store: PageStore, connection: import('../../app/connection.js').Connection, view: ReturnType<typeof trainingView>,
 *   chart: ReturnType<typeof createTrainingChart>, render: () => void, warmUpGpu: () => Promise<void>,
 *   files: () => Map<string, {loaded: number, total: number}>}} deps
 */
function routeRunEvents(deps) {
  const { store } = deps;
  const run = () => currentRun(store);
  /** The run record changes only through the store: a new record with `patch`. @param {Partial<import('./run.js').Run>} patch */
  const updateRun = (patch) => {
    const r = run();
    if (r) store.set({ run: { ...r, ...patch } });
  };
  const setPhase = (/** @type {string} */ phase) => {
    if (store.get().runState === 'loading') updateRun({ phase });
  };
  /** @type {RunEventContext} */
  const ctx = { ...deps, on: deps.connection.on.bind(deps.connection), run, updateRun, setPhase };
  routeStateEvents(ctx);
  routeDataEvents(ctx);
  routeProgressEvents(ctx);
  routeFailures(ctx);
}

/**
 * @typedef {Parameters<typeof routeRunEvents>[0] & {on: import('../../app/connection.js').Connection['on'],
 *   run: () => import('./run.js').Run | null, updateRun: (patch: Partial<import('./run.js').Run>) => void,
 *   setPhase: (phase: string) => void}} RunEventContext
 */

/** The run's state (loading, running, paused, finished, ...): the store's flags and what ends a run. @param {RunEventContext} ctx */
function routeStateEvents({ store, connection, on, run }) {
  on('state', (event) => {
    const s = store.get();
    const r = run();
    if (r && event.state !== s.runState) r.speed.reset(); // the live speed skips pauses
    const ended = ACTIVE.has(s.runState) && !ACTIVE.has(event.state);
    /** @type {Partial<import('../../core/page-state.js').PageState>} */
    const patch = { runState: event.state };
    if (event.state === 'paused') patch.pauseRequested = true;
    if (event.state === 'running' && s.runState === 'paused') patch.pauseRequested = false;
    if (!ACTIVE.has(event.state)) Object.assign(patch, { pauseRequested: false, stopping: false });
    if (ended) Object.assign(patch, { training: false, finishedRun: event.state === 'finished' ? { ...r, backend: s.backend?.backend ?? null, ownData: s.ownData } : s.finishedRun });
    store.set(patch);
    // The (partly) trained network is in memory now; a finished run already sent its predictions.
    if (ended && !connection.broken && store.get().opened && store.get().memory) {
      store.set({ demoRequest: { n: store.get().demoRequest.n + 1, evaluate: event.state !== 'finished' } });
    }
  });
}

/** Downloading and decoding the data; once the demos are ready, the GPU kernels warm up. @param {RunEventContext} ctx */
function routeDataEvents({ store, view, on, updateRun, setPhase, warmUpGpu, files }) {
  on('backend', () => setPhase('Downloading Fashion-MNIST'));
  on('data_progress', (event) => {
    files().set(event.file, event);
    const p = dataProgress(files());
    view.showDataProgress(p);
    setPhase(p.complete ? 'Decoding the images and building the model' : 'Downloading Fashion-MNIST');
  });
  on('data_ready', (event) => {
    if (event.run !== undefined) updateRun({ trainImages: event.train, testImages: event.test });
    view.showDataReady(event);
  });
  // Once the demos have their numbers (the GPU is then free), or when there are no demos to wait
  // for: compile the training kernels. The worker opens before the page knows the models, so the
  // form's model may come last.
  store.subscribe(['opened', 'memory', 'checks', 'predictions', 'selectedConfig'], (s) => {
    if ((s.opened && !s.memory) || s.checks || (s.memoryNet?.zoo && s.predictions)) warmUpGpu();
  });
}

/** Batches, reports and epochs on the chart and in the log; a divergence; a saved run's chart. @param {RunEventContext} ctx */
function routeProgressEvents({ store, view, chart, on, run, updateRun }) {
  on('step', (event) => {
    const r = run();
    if (!r) return;
    view.showSpeed(r.speed.add(performance.now(), event.batch, r.settings.batch) ?? null);
    view.showStep(event);
    updateRun({ batch: event.batch, total: event.total }); // renders the status line
  });
  on('train', (event) => {
    const r = run();
    if (!r) return;
    view.showTrain(event);
    if (event.kind === 'report') chart.addReport(event);
    else if (event.kind === 'epoch') {
      updateRun({ lastEpoch: event });
      chart.addEpoch(event);
      view.appendLog(`epoch ${event.epoch}: loss ${event.train_loss.toFixed(3)}, train acc ${event.train_acc.toFixed(3)}, test acc ${event.test_acc.toFixed(3)}`);
    }
  });
  on('finished', (event) => {
    view.showSpeed(event.examples_per_sec);
    view.appendLog(`${event.examples_per_sec.toFixed(1)} examples/sec on ${store.get().backend?.backend === 'wgpu' ? 'WebGPU' : 'the CPU'}`);
  });
  on('diverged', (event) => {
    if (!run()) return;
    chart.markDiverged(event);
    view.appendLog(`diverged at epoch ${event.epoch.toFixed(1)} (loss ${Number.isFinite(event.loss) ? event.loss.toFixed(3) : 'NaN'}): stopped, weights of epoch ${event.kept_epoch.toFixed(1)} kept`);
  });
  on('history', (event) => {
    // The chart of the run whose network was saved in this browser: restored after a reload,
    // and again when that run is resumed (event.run set).
    const s = store.get();
    if (isActive(s) && event.run === undefined) return;
    store.set({ resumable: event.run === undefined && event.request && event.done < event.epochs ? { done: event.done, epochs: event.epochs } : null });
    const r = run();
    if (event.run !== undefined && r) updateRun(resumeFrom(r, event));
    chart.reset(event.epochs);
    for (const e of event.events) {
      if (e.kind === 'report') chart.addReport(e);
      else if (e.kind === 'epoch') chart.addEpoch(e);
    }
    view.appendLog(`restored the chart of the saved run (${event.events.filter((/** @type {any} */ e) => e.kind === 'epoch').length} epochs)`);
  });
}

/** A lost GPU device and the worker's errors. @param {RunEventContext} ctx */
function routeFailures({ store, connection, view, on, run }) {
  on('device_lost', (event) => {
    // The device is gone for good: a fresh worker (and device) resumes from the checkpoint its
    // run kept at the last epoch end.
    connection.markBroken();
    const r = run();
    const e = r?.lastEpoch;
    const lost = `The GPU device was lost (${event.reason}${event.message ? `: ${event.message}` : ''}), so training stopped.`;
    view.showError(e ? `${lost} The checkpoint of epoch ${e.epoch} is saved in this browser: Resume training goes on from it.` : `${lost} No epoch had finished, so there is no checkpoint of this run: press Start to train again.`);
    if (e && r && e.epoch < r.totalEpochs) store.set({ resumable: { done: e.epoch, epochs: r.totalEpochs } });
    if (isActive(store.get())) store.set({ runState: 'failed', training: false });
  });
  on('error', (event) => {
    if (event.fatal) connection.markBroken();
    view.showError(event.message);
  });
}
