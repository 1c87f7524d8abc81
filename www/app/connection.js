// @ts-check
// The page's worker: one WorkerClient (www/worker/client.js) at a time, replaced when the backend
// choice changes or the worker broke. Events of runs other than the latest are dropped here;
// the rest go to whoever registered for their type with `on`.

import { WorkerClient } from '../worker/client.js';
import { freshWorker } from '../core/page-state.js';
import { testLimit } from '../core/settings.js';

/**
 * @typedef {import('../core/store.js').Store<import('../core/page-state.js').PageState>} PageStore
 * @typedef {import('../worker/protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('../worker/protocol.js').EventType} EventType
 * @typedef {import('../worker/protocol.js').MethodName} MethodName
 * @typedef {import('../worker/protocol.js').Methods} Methods
 * @typedef {import('../worker/client.js').WorkerLike} WorkerLike
 */

export class Connection {
  /**
   * @param {PageStore} store
   * @param {{onFailure: (message: string) => void, spawn?: () => WorkerLike}} options
   */
  constructor(store, { onFailure, spawn }) {
    this.store = store;
    this.onFailure = onFailure;
    this.spawn = spawn;
    /** @type {WorkerClient | null} */
    this.client = null;
    this.broken = false;
    /** @type {Map<EventType, Set<(event: WorkerEvent) => void>>} */
    this.listeners = new Map();
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

  /** The backend the current worker was opened with, or null. */
  get backend() {
    return this.client?.backend ?? null;
  }

  /**
   * The worker for `backendChoice`: the current one, or a fresh one (a worker initialises its
   * device once, so switching backends needs a new worker; so does a broken one).
   * `testLimit`: the test images a fresh worker's demos evaluate (null: all); by default the form's.
   * @param {import('../core/backend.js').BackendChoice} backendChoice @param {number | null} [testLimit]
   */
  ensure(backendChoice, testLimit = this.formTestLimit()) {
    if (this.client && (this.broken || this.client.backend !== backendChoice)) {
      this.client.terminate();
      this.client = null;
    }
    if (this.client) return this.client;
    const s = this.store.get();
    this.broken = false;
    this.store.set(freshWorker(s));
    /** @type {import('../worker/protocol.js').OpenMessage} */
    const open = { type: 'open', backend: backendChoice, testLimit };
    const client = new WorkerClient({
      open,
      onEvent: (event) => this.dispatch(event),
      onFailure: (message, fault) => {
        this.broken = true;
        // A trapped thread: the worker is stuck for good; a fresh one keeps the page usable.
        if (fault) this.replaceStuck(`The worker stopped: ${message} A new worker was started with the last network kept in this browser.`);
        else this.onFailure(message);
      },
      ...(this.spawn ? { spawn: this.spawn } : {}),
    });
    this.client = client;
    return client;
  }

  /** The form's test images if fewer than all, else null. */
  formTestLimit() {
    const test = this.store.get().settings?.test;
    return test ? testLimit(test) : null;
  }

  /**
   * A request to the worker (started with the page's backend choice if there is none).
   * @template {MethodName} M
   * @param {M} method @param {Methods[M]['args']} [args] @param {Transferable[]} [transfer]
   * @returns {Promise<Methods[M]['result']>}
   */
  call(method, args, transfer = []) {
    return this.ensure(this.store.get().backendChoice).call(method, args, transfer);
  }

  /** Ends the current worker, if any; its later events are dropped (the page failed to load, so its message stands). */
  close() {
    this.client?.terminate('the page could not load its module');
    this.client = null;
  }

  /**
   * Ends a worker that is stuck (a thread trapped, or it did not answer after Stop) and opens a
   * fresh one, which loads the network kept in this browser (the run's last checkpoint, else the
   * one the page opens with). `message` says so.
   * @param {string} message
   */
  replaceStuck(message) {
    const backend = this.client?.backend ?? this.store.get().backendChoice;
    this.client?.terminate('the worker did not answer and was replaced');
    this.client = null;
    this.onFailure(message);
    this.ensure(backend);
  }

  /** Marks the worker as unusable (its device was lost, or wasm trapped): the next use replaces it. */
  markBroken() {
    this.broken = true;
  }

  /** @param {WorkerEvent} event */
  dispatch(event) {
    if (event?.run !== undefined && event.run !== this.store.get().runId) return; // a replaced run's
    const fns = this.listeners.get(event?.type);
    if (!fns) return console.warn('unknown worker event', event);
    for (const fn of fns) fn(event);
  }
}
