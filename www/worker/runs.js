// @ts-check
// A training run's record and the decisions about it that need no browser: the run a `start`
// message describes, what a resumed run goes on with, how its epochs are numbered, what its
// events mean for the loop, and the note and name it is kept under. Unit-tested in
// tests/unit/worker-runs.test.mjs; the loop that drives it is run-loop.js.

/**
 * @typedef {import('./protocol.js').StartMessage} StartMessage
 * @typedef {import('./protocol.js').StartRequest} StartRequest
 * @typedef {import('./protocol.js').TrainEvent} TrainEvent
 * @typedef {import('./protocol.js').EpochEvent} EpochEvent
 * @typedef {import('./protocol.js').RunHistory} RunHistory
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./persistence.js').SavedEntry} SavedEntry
 */

/**
 * One training run, from its `start` message to its end.
 * @typedef {object} Run
 * @property {number} id  the page's id, echoed in the run's events
 * @property {StartRequest | null} request  null until a resumed run has its checkpoint's
 * @property {boolean} fresh  a new network (else the one in memory trains on)
 * @property {string} label
 * @property {boolean} stopped  asked to stop (or the device was lost)
 * @property {boolean} paused
 * @property {(() => void) | null} wake  resolves the wait of a paused run
 * @property {Promise<void> | null} done  settles when the loop has ended
 * @property {boolean} active  until its loop ends: demo requests are refused meanwhile
 * @property {boolean} replaced  a newer `start` stopped it: its network is not kept
 * @property {boolean} keep  keep checkpoints and the trained network in this browser
 * @property {boolean} probe  post `lab_probe` events (cleared when the network cannot be probed)
 * @property {number} totalEpochs  of the whole run (a resumed run's too)
 * @property {number} epochOffset  epochs done before this worker took over (a resumed run)
 * @property {TrainEvent[]} history  the chart so far, kept with the network
 * @property {EpochEvent} [lastEpoch]
 * @property {number} [trainImages]
 * @property {number} [testImages]
 * @property {import('./protocol.js').RunState} [state]  the last state posted
 * @property {'stopped' | 'finished'} [final]
 * @property {number} [entryId]  its entry in this browser, once kept
 * @property {string} [entryName]
 */

/** The run a `start` message asks for. @param {StartMessage} msg @returns {Run} */
export function newRun(msg) {
  return {
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
}

/** Epochs a chart covers. @param {{kind?: string}[]} events */
export const epochsDone = (events) => events.filter((e) => e.kind === 'epoch').length;

/**
 * What resuming the kept network `entry` means: its weights go on training for the remaining
 * epochs, numbered on from where it stopped. Throws when it has no unfinished run.
 * @param {SavedEntry | null} entry
 * @param {number | null} maxBufferBytes
 * @returns {{request: StartRequest, saved: RunHistory, done: number}}
 */
export function resumePlan(entry, maxBufferBytes) {
  const saved = entry?.history;
  const done = saved?.events ? epochsDone(saved.events) : 0;
  if (!saved?.request || done >= saved.epochs) throw new Error('There is no unfinished run saved in this browser to resume.');
  const request = { ...saved.request, max_buffer_bytes: maxBufferBytes };
  request.train = { ...saved.request.train, epochs: saved.epochs - done };
  return { request, saved, done };
}

/**
 * Makes `run` the continuation of `entry` (see resumePlan).
 * @param {Run} run @param {SavedEntry} entry @param {RunHistory} saved @param {number} done
 */
export function continueRun(run, entry, saved, done) {
  Object.assign(run, { request: saved.request, label: saved.label, totalEpochs: saved.epochs, epochOffset: done, history: [...saved.events] });
  Object.assign(run, { entryId: entry.id, entryName: entry.name });
}

/**
 * A resumed run counts its epochs on from the checkpoint's.
 * @template {WorkerEvent} E
 * @param {Run} run @param {E} event @returns {E}
 */
export function shiftEpoch(run, event) {
  if (!run.epochOffset || !('epoch' in event || 'kept_epoch' in event)) return event;
  const shifted = /** @type {E & {epoch?: number, kept_epoch?: number}} */ ({ ...event });
  if ('epoch' in event) shifted.epoch = /** @type {number} */ (shifted.epoch) + run.epochOffset;
  if ('kept_epoch' in event) shifted.kept_epoch = /** @type {number} */ (shifted.kept_epoch) + run.epochOffset;
  return shifted;
}

/**
 * Takes in the events of one step: the chart grows, the last epoch is remembered. Says what
 * they mean for the loop: an error, the end of training, an epoch's end, the last report.
 * @param {Run} run @param {WorkerEvent[]} events
 */
export function recordStep(run, events) {
  let failed = false;
  let finished = false;
  let epochEnded = false;
  /** @type {TrainEvent | undefined} */
  let report;
  for (const event of events) {
    if (event.type === 'error') failed = true;
    if (event.type === 'finished') finished = true;
    if (event.type !== 'train') continue;
    run.history.push(event);
    if (event.kind === 'epoch') [run.lastEpoch, epochEnded] = [event, true];
    else report = event;
  }
  return { failed, finished, epochEnded, report };
}

/** The name a run's entry is listed under: its label and when it started being kept. */
export function entryName(/** @type {Run} */ run, date = new Date()) {
  return `${run.label || 'network'}, ${date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`;
}

/** The chart and settings kept with a run's network, so it can be resumed later. @param {Run} run @returns {RunHistory} */
export const runHistory = (run) => ({ epochs: run.totalEpochs, events: run.history, request: run.request, label: run.label });
