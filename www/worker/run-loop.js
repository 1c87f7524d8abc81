// @ts-check
// The training loop. A run queues one Explorer `step` at a time and yields in between, so pause
// and stop stay prompt (Rust keeps a few steps in flight on the device meanwhile: see
// `Trainer::in_flight`). At every epoch's end the network is kept in this browser as a
// checkpoint; when the run finishes or is stopped, as the trained network.

import { rememberPredictions } from './predictions.js';
import { describeError, exclusive, explorer, notice, post, postRun, session, setState, tick } from './context.js';
import { postSaved } from './networks.js';
import { ensureOpen, trainingData } from './open.js';
import { kernelRequest, keepKernels } from './kernels.js';
import { getCurrent, getSaved, putSaved, setCurrent } from './persistence.js';
import { continueRun, entryName, newRun, recordStep, resumePlan, runHistory, shiftEpoch } from './runs.js';

/**
 * @typedef {import('./runs.js').Run} Run
 * @typedef {import('./protocol.js').StartMessage} StartMessage
 * @typedef {import('./protocol.js').StartRequest} StartRequest
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./persistence.js').SavedEntry} SavedEntry
 * @typedef {'stopped' | 'failed' | 'finished'} RunEnd
 */

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits while the run is paused; returns when resumed or stopped. @param {Run} run */
async function waitWhilePaused(run) {
  while (run.paused && !run.stopped) {
    setState(run, 'paused');
    await new Promise((resolve) => (run.wake = () => resolve(undefined)));
    run.wake = null;
    if (!run.stopped && !run.paused) setState(run, 'running');
  }
}

/** @param {Run} run @param {RunEnd} state */
function end(run, state) {
  run.active = false;
  setState(run, state);
}

/**
 * The lab's probe of the network being trained (between two steps) or just trained: ||dL/dW||
 * of every conv and ||F(x)||/||x|| of every block on a fixed batch of test images. A network
 * the probe cannot measure (not a ResNet) says so once; the run goes on without probes.
 * @param {Run} run @param {number} epoch
 */
async function probe(run, epoch) {
  try {
    const result = await exclusive(() => explorer().labProbe());
    postRun(run, { type: 'lab_probe', epoch, ...result });
  } catch (e) {
    run.probe = false;
    postRun(run, { type: 'lab_probe', epoch, error: describeError(e) });
  }
}

/** Ends the run in Rust and tells the page which network is in memory afterwards. @param {Run} run */
async function stopAndTell(run) {
  (await exclusive(() => explorer().stopTraining())).forEach((e) => postRun(run, e));
}

/** Whether the network in memory is `run`'s (a run that learnt nothing leaves the one before it). @param {Run} run */
function isThisRunsNetwork(run) {
  if (!explorer().hasModel()) return false;
  const origin = explorer().modelEvent().origin;
  return origin.source === 'trained' && origin.run === run.id;
}

/**
 * After a run finished or was stopped (or, with `checkpoint`, at an epoch end during the run):
 * keep a copy of its network and its chart history in this browser.
 * @param {Run} run @param {boolean} [checkpoint]
 */
async function keepTrainedNetwork(run, checkpoint = false) {
  // The lab's races leave the networks kept in this browser alone; a run a newer start replaced
  // is not kept, not even by the checkpoint of the step that was running when it was replaced.
  if (!run.keep || run.replaced) return;
  // Each run is its own entry (its checkpoints update it); the shipped network and earlier
  // runs' entries are never overwritten. A run that trained nothing left the network before
  // it in memory, which is not this run's to keep.
  if (!explorer().isTraining() && !isThisRunsNetwork(run)) return;
  const name = (run.entryName ??= entryName(run));
  try {
    // The note is the session's description of the weights, as the file's header says it.
    const [bytes, note] = await exclusive(async () => [await explorer().saveWeights(), explorer().description()]);
    // The whole run's settings and chart (a resumed run's too), so it can be resumed later.
    const entry = { name, note, savedAt: new Date().toISOString(), bytes: /** @type {Uint8Array} */ (bytes), history: runHistory(run) };
    const id = await putSaved(run.entryId == null ? entry : { id: run.entryId, ...entry });
    run.entryId = id;
    explorer().kept(id, name);
    explorer().savedAs(/** @type {Uint8Array} */ (bytes)); // the run over: the network in memory is that file
    await setCurrent(id);
    await rememberPredictions();
  } catch (e) {
    notice(`The trained network could not be kept in this browser (${describeError(e)}).`);
  }
  if (!checkpoint) postRun(run, explorer().modelEvent()); // its label now names the entry
  await postSaved();
}

/**
 * Makes `run` go on from the checkpoint kept as current in this browser: its weights, the
 * remaining epochs, epochs numbered on from where it stopped. Returns the request to train with.
 * @param {Run} run @param {number | null} maxBufferBytes @returns {Promise<StartRequest>}
 */
async function resumeFromCheckpoint(run, maxBufferBytes) {
  const id = await getCurrent();
  const entry = id == null ? null : await getSaved(id);
  const { request, saved, done } = resumePlan(entry, maxBufferBytes);
  const kept = /** @type {SavedEntry} */ (entry); // resumePlan throws without one
  const origin = /** @type {const} */ ({ source: 'saved', id: kept.id, name: kept.name, savedAt: kept.savedAt });
  (await exclusive(() => explorer().loadWeights(kept.bytes, origin))).forEach((e) => post(e)); // the network's, not the run's
  continueRun(run, kept, saved, done);
  postRun(run, { type: 'history', ...saved, done });
  return request;
}

/**
 * Training has started: the network in memory is the run's now; the page hears of the data and
 * (for the lab) gets a first probe.
 * @param {Run} run @param {WorkerEvent[]} events  startTraining's
 */
async function started(run, events) {
  for (const event of events) {
    if (event.type === 'data_ready') [run.trainImages, run.testImages] = [event.train, event.test];
    postRun(run, event);
  }
  if (run.probe) await probe(run, run.epochOffset);
  await tick();
  setState(run, run.paused ? 'paused' : 'running');
}

/** Steps until the run ends; says how. @param {Run} run @returns {Promise<RunEnd>} */
async function trainLoop(run) {
  for (;;) {
    await waitWhilePaused(run);
    // A device lost between steps stops the run too, but it failed: nothing can be read from
    // the device to keep (the checkpoint of the last epoch end is what the page resumes from).
    if (session.deviceLost) return 'failed';
    if (run.stopped) {
      await stopAndTell(run);
      run.final = 'stopped';
      if (!run.replaced) await keepTrainedNetwork(run);
      return 'stopped';
    }
    const events = (await exclusive(() => explorer().step())).map((e) => shiftEpoch(run, e));
    // A failed read on WebGPU may be a lost device whose notice is a moment behind.
    if (session.backend?.info.backend === 'wgpu' && events.some((e) => e.type === 'error')) await sleep(100);
    if (session.deviceLost) return 'failed'; // the page was told; the step's error says less
    for (const event of events) postRun(run, event);
    await keepKernels(events);
    const { failed, finished, epochEnded, report } = recordStep(run, events);
    if (run.probe && report && !failed && !run.stopped) await probe(run, report.epoch);
    // A checkpoint at every epoch end, so a reload mid-run loses at most an epoch.
    if (!failed && !finished && epochEnded) await keepTrainedNetwork(run, true);
    if (failed) {
      await stopAndTell(run);
      return 'failed';
    }
    if (finished) {
      run.final = 'finished';
      await keepTrainedNetwork(run);
      return 'finished';
    }
    await tick(); // lets pause / stop / start messages in
  }
}

/** One run, from opening the worker (if need be) to its end. @param {Run} run @param {StartMessage} msg */
async function execute(run, msg) {
  setState(run, 'loading');
  let trainingStarted = false;
  try {
    await ensureOpen(msg.backend, msg.request?.test_limit ?? null);
    await trainingData();
    if (run.stopped) return end(run, 'stopped');
    const maxBufferBytes = session.backend?.maxBufferBytes ?? null;
    if (!msg.resume && !msg.request) throw new Error('a start message without a request');
    const request = msg.resume ? await resumeFromCheckpoint(run, maxBufferBytes) : { .../** @type {StartRequest} */ (msg.request), max_buffer_bytes: maxBufferBytes };
    request.kernels = await kernelRequest();
    const events = await exclusive(() => explorer().startTraining(request, run.fresh, run.id));
    trainingStarted = true;
    await started(run, events);
    end(run, await trainLoop(run));
  } catch (e) {
    if (session.deviceLost) return end(run, 'failed');
    postRun(run, { type: 'error', message: describeError(e), fatal: e instanceof WebAssembly.RuntimeError });
    if (trainingStarted && session.explorer) await stopAndTell(run).catch(() => {});
    end(run, 'failed');
  }
}

/** Stops the active run (it exits between batches); resolves once it has. */
export function stopCurrent() {
  const run = session.current;
  if (!run) return Promise.resolve();
  run.stopped = true;
  run.wake?.();
  return run.done;
}

/**
 * A `start` message: stops the old run (which, replaced, is not kept), then starts anew. Resolves
 * once the old run has stopped, not when the new one ends.
 * @param {StartMessage} msg
 */
export async function startRun(msg) {
  if (session.current) session.current.replaced = true;
  await stopCurrent();
  const run = newRun(msg);
  session.current = run;
  run.done = execute(run, msg).finally(() => {
    run.active = false;
    if (session.current === run) session.current = null;
  });
}

export function pauseRun() {
  if (session.current) session.current.paused = true;
}

export function resumeRun() {
  const run = session.current;
  if (!run) return;
  run.paused = false;
  run.wake?.();
}
