// @ts-check
// A connection to one worker: one WorkerClient (www/worker/client.js) at a time, replaced when
// the backend choice changes or the worker broke. Events of runs other than the latest are
// dropped here; the rest go to whoever registered for their type with `on` (or for all with
// `onEvery`). The page has one (`pageConnection`); the lab's race has one a twin, made by the
// same class through the `connect` the page hands it.

import { WorkerClient } from '../worker/client.js';
import { freshWorker } from '../core/page-state.js';
import { testLimit } from '../core/settings.js';

/**
 * @typedef {import('../core/store.js').Store<import('../core/page-state.js').PageState>} PageStore
 * @typedef {import('../core/backend.js').BackendChoice} BackendChoice
 * @typedef {import('../worker/protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('../worker/protocol.js').EventType} EventType
 * @typedef {import('../worker/protocol.js').MethodName} MethodName
 * @typedef {import('../worker/protocol.js').Methods} Methods
 * @typedef {import('../worker/protocol.js').OpenMessage} OpenMessage
 * @typedef {Omit<OpenMessage, 'type' | 'backend' | 'faultChannel'>} Opening  the rest of an `open` message
 * @typedef {import('../worker/client.js').WorkerLike} WorkerLike
 *
 * @typedef {object} ConnectionOptions
 * @property {() => number} runId  the latest run started on this connection (0 before the first)
 * @property {() => BackendChoice} backendChoice  what `call` opens a worker with when none runs
 * @property {() => Opening} opening  the `open` message of a fresh worker, but its backend
 * @property {(message: string) => void} onFailure  the worker failed (or was replaced: see afterStuck)
 * @property {() => void} [onFresh]  a fresh worker was started
 * @property {string} [afterStuck]  what the failure message adds when a stuck worker was replaced
 * @property {() => WorkerLike} [spawn]  tests pass a fake
 */

/**
 * How long past the worker's own bound on starting the CPU threads (ThreadsStartingEvent's
 * timeoutMs) the page waits for a sign of life before it ends the worker: a worker that says
 * nothing by then is blocked in its own thread (seen once in Firefox on a loaded machine), so its
 * own timer can never fire.
 */
export const THREAD_START_GRACE_MS = 20_000;

export class Connection {
  /** @param {ConnectionOptions} options */
  constructor(options) {
    this.options = options;
    /** @type {WorkerClient | null} */
    this.client = null;
    this.broken = false;
    /** Times a worker stalled starting the CPU threads: the first is tried again, then one thread. */
    this.threadStalls = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.stallTimer = undefined;
    /** @type {Map<EventType, Set<(event: WorkerEvent) => void>>} */
    this.listeners = new Map();
    /** @type {Set<(event: WorkerEvent) => void>} */
    this.everyEvent = new Set();
  }

  /**
   * Calls `fn` with every event of `type` (of the latest run, or of no run).
   * @template {EventType} T
   * @param {T} type @param {(event: import('../worker/protocol.js').EventOf<T>) => void} fn
   */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)?.add(/** @type {(event: WorkerEvent) => void} */ (fn));
  }

  /** Calls `fn` with every event (of the latest run, or of no run). @param {(event: WorkerEvent) => void} fn */
  onEvery(fn) {
    this.everyEvent.add(fn);
  }

  /** The backend the current worker was opened with, or null. */
  get backend() {
    return this.client?.backend ?? null;
  }

  /**
   * The worker for `backendChoice`: the current one, or a fresh one (a worker initialises its
   * device once, so switching backends needs a new worker; so does a broken one).
   * @param {BackendChoice} backendChoice @param {Opening} [opening]  by default the options'
   */
  ensure(backendChoice, opening = this.options.opening()) {
    if (this.client && (this.broken || this.client.backend !== backendChoice)) {
      this.client.terminate();
      this.client = null;
    }
    if (this.client) return this.client;
    this.broken = false;
    this.options.onFresh?.();
    /** @type {OpenMessage} */
    const open = { type: 'open', backend: backendChoice, ...opening, ...(this.threadStalls > 1 ? { threads: 1 } : {}) };
    const client = new WorkerClient({
      open,
      onEvent: (event) => {
        this.watchThreadStart(client, event);
        if (event?.type !== 'threads_starting') this.dispatch(event); // the watch's alone
      },
      onFailure: (message, fault) => {
        this.broken = true;
        // A trapped thread: the worker is stuck for good; a fresh one keeps the page usable.
        if (fault) this.replaceStuck(`The worker stopped: ${message} A new worker was started${this.options.afterStuck ?? '.'}`);
        else this.options.onFailure(message);
      },
      ...(this.options.spawn ? { spawn: this.options.spawn } : {}),
    });
    this.client = client;
    return client;
  }

  /**
   * A request to the worker (started with the options' backend choice if there is none).
   * @template {MethodName} M
   * @param {M} method @param {Methods[M]['args']} [args] @param {Transferable[]} [transfer]
   * @returns {Promise<Methods[M]['result']>}
   */
  call(method, args, transfer = []) {
    return this.ensure(this.options.backendChoice()).call(method, args, transfer);
  }

  /** Ends the current worker, if any; its later events are dropped (the page failed to load, so its message stands). */
  close(reason = 'the page could not load its module') {
    clearTimeout(this.stallTimer);
    this.client?.terminate(reason);
    this.client = null;
  }

  /**
   * Ends a worker that is stuck (a thread trapped, or it did not answer after Stop) and opens a
   * fresh one on the same backend. `message` says so.
   * @param {string} message
   */
  replaceStuck(message) {
    this.reopen('the worker did not answer and was replaced', () => this.options.onFailure(message));
  }

  /**
   * Ends the current worker and opens a fresh one on the same backend choice (it decides anew);
   * `between` runs once the old one is gone.
   * @param {string} reason @param {() => void} [between]
   */
  reopen(reason, between = () => {}) {
    const backend = this.client?.backend ?? this.options.backendChoice();
    this.client?.terminate(reason);
    this.client = null;
    between();
    this.ensure(backend);
  }

  /**
   * Starts the watch when the worker starts its CPU threads; any later sign of life ends it.
   * @param {WorkerClient} client @param {WorkerEvent} event
   */
  watchThreadStart(client, event) {
    clearTimeout(this.stallTimer);
    if (event?.type !== 'threads_starting') return;
    const waited = event.timeoutMs + THREAD_START_GRACE_MS;
    this.stallTimer = setTimeout(() => this.threadsStalled(client, event.threads, waited), waited);
  }

  /**
   * The worker went silent while starting its CPU threads: a fresh worker tries again, and after
   * a second stall trains on one thread (the single-threaded module). A notice says which.
   * @param {WorkerClient} client @param {number} threads @param {number} waited  ms
   */
  threadsStalled(client, threads, waited) {
    if (client !== this.client) return;
    this.threadStalls += 1;
    const next = this.threadStalls > 1 ? 'training runs on one thread' : 'a fresh worker tries again';
    this.dispatch({ type: 'notice', message: `The worker stopped answering for ${waited / 1000} s while starting ${threads} CPU threads; ${next}.` });
    this.reopen('the CPU threads did not start');
  }

  /** Marks the worker as unusable (its device was lost, or wasm trapped): the next use replaces it. */
  markBroken() {
    this.broken = true;
  }

  /** @param {WorkerEvent} event */
  dispatch(event) {
    if (event?.run !== undefined && event.run !== this.options.runId()) return; // a replaced run's
    const fns = this.listeners.get(event?.type);
    if (!fns && !this.everyEvent.size) return console.warn('unknown worker event', event);
    for (const fn of [...(fns ?? []), ...this.everyEvent]) fn(event);
  }
}

/**
 * The page's connection: its runs and backend choice from the store, a fresh worker's facts
 * reset there, and the demos on the form's test images (if fewer than all).
 * @param {PageStore} store
 * @param {{onFailure: (message: string) => void, spawn?: () => WorkerLike}} options
 */
export function pageConnection(store, { onFailure, spawn }) {
  return new Connection({
    runId: () => store.get().runId,
    backendChoice: () => store.get().backendChoice,
    opening: () => {
      const { settings, kernelChoice } = store.get();
      return { testLimit: settings?.test ? testLimit(settings.test) : null, kernels: kernelChoice };
    },
    onFresh: () => store.set(freshWorker(store.get())),
    onFailure,
    afterStuck: ' with the last network kept in this browser.',
    ...(spawn ? { spawn } : {}),
  });
}

/**
 * A throwaway connection on the CPU that loads no network (www/app/backend-measure.js times the
 * page's warm-up run on it), on the page's test images.
 * @param {PageStore} store
 */
export function cpuConnection(store) {
  const connection = new Connection({
    runId: () => 0,
    backendChoice: () => 'cpu',
    opening: () => {
      const { settings } = store.get();
      return { testLimit: settings?.test ? testLimit(settings.test) : null, network: false };
    },
    onFailure: () => {}, // its call fails too, and the measurement with it
  });
  connection.onEvery(() => {}); // its events (backend, gallery, ...) are not the page's
  return connection;
}
