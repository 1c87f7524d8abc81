// @ts-check
// One client for one worker, used by the page and by each of the lab's twins: it spawns the
// worker, opens it, matches replies to calls and hands every other message to the caller. When
// the worker fails or is replaced, its pending calls fail at once (nobody waits forever).

/**
 * @typedef {import('./protocol.js').PageMessage} PageMessage
 * @typedef {import('./protocol.js').WorkerMessage} WorkerMessage
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./protocol.js').ReplyMessage} ReplyMessage
 * @typedef {import('./protocol.js').OpenMessage} OpenMessage
 * @typedef {import('./protocol.js').MethodName} MethodName
 * @typedef {import('./protocol.js').Methods} Methods
 * @typedef {{postMessage(msg: PageMessage, transfer?: Transferable[]): void, terminate(): void,
 *   onmessage: ((e: {data: WorkerMessage}) => void) | null,
 *   onerror: ((e: {message?: string, preventDefault?: () => void}) => void) | null,
 *   onmessageerror: ((e: unknown) => void) | null}} WorkerLike
 * @typedef {{resolve(value: unknown): void, reject(error: Error): void}} Pending
 * @typedef {Error & {busy?: boolean, replaced?: boolean}} CallError
 */

/** The real worker (www/worker/worker.js), as a module worker. */
export const spawnWorker = () => /** @type {WorkerLike} */ (/** @type {unknown} */ (new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })));

export class WorkerClient {
  /**
   * @param {object} options
   * @param {OpenMessage} options.open  the `open` message (backend, testLimit, threads, network)
   * @param {(event: WorkerEvent) => void} options.onEvent  every message that is not a reply
   * @param {(message: string, fault?: boolean) => void} [options.onFailure]  the worker's script failed, or
   *   (`fault`) one of its threads trapped: it ran out of memory or panicked
   * @param {() => WorkerLike} [options.spawn]  tests pass a fake
   */
  constructor({ open, onEvent, onFailure = () => {}, spawn = spawnWorker }) {
    /** @type {Map<number, Pending>} */
    this.pending = new Map();
    this.nextId = 0;
    this.broken = false;
    this.closed = false;
    this.backend = open.backend;
    const worker = spawn();
    this.worker = worker;
    // A thread that traps says why here (a trapped CPU pool thread leaves the worker waiting
    // forever, so neither its replies nor its onerror would ever come).
    const faultChannel = `resnet-explorer-fault-${crypto.randomUUID?.() ?? Math.random()}`;
    this.faults = typeof BroadcastChannel === 'function' ? new BroadcastChannel(faultChannel) : null;
    /** @type {{unref?: () => void} | null} */ (this.faults)?.unref?.(); // Node's (the unit tests'): it must not keep the process alive
    if (this.faults) {
      this.faults.onmessage = ({ data }) => {
        if (this.closed || this.broken) return;
        this.broken = true;
        this.failPending(`the worker failed: ${data}`);
        onFailure(String(data), true);
      };
    }
    worker.onmessage = ({ data }) => {
      if (this.closed) return;
      if (data?.type === 'reply') this.settle(data);
      else onEvent(data);
    };
    worker.onerror = (e) => {
      if (this.closed) return;
      e.preventDefault?.();
      this.broken = true;
      // No message: the script (or a module it imports) could not be fetched.
      const detail = e.message ? `: ${e.message}` : ' (its script could not be loaded: the network is off and this part of the page is not kept for offline use, or the server stopped)';
      this.failPending(`the worker failed${detail}`);
      onFailure(`The worker failed${detail}`);
    };
    worker.onmessageerror = () => onFailure('A message from the worker could not be read.');
    worker.postMessage(this.faults ? { ...open, faultChannel } : open);
  }

  /**
   * A request to the worker's METHODS; resolves with its result. A refusal carries `busy`.
   * @template {MethodName} M
   * @param {M} method
   * @param {Methods[M]['args']} [args]
   * @param {Transferable[]} [transfer]
   * @returns {Promise<Methods[M]['result']>}
   */
  call(method, args, transfer = []) {
    if (this.broken || this.closed) return Promise.reject(new Error('its worker is not running'));
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      this.pending.set(id, { resolve: (value) => resolve(/** @type {Methods[M]['result']} */ (value)), reject });
      this.worker.postMessage({ type: 'call', id, method, args }, transfer);
    });
  }

  /** A control message (start, pause, resume, stop), no reply. */
  post(/** @type {PageMessage} */ msg, /** @type {Transferable[]} */ transfer = []) {
    if (!this.closed) this.worker.postMessage(msg, transfer);
  }

  /** Ends the worker; its pending calls fail with `replaced`. */
  terminate(reason = 'the worker was replaced') {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.faults?.close();
    this.failPending(reason, { replaced: true });
  }

  /** @param {ReplyMessage} reply */
  settle(reply) {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(Object.assign(new Error(reply.error), { busy: Boolean(reply.busy) }));
  }

  /** @param {string} message @param {{replaced?: boolean}} [flags] */
  failPending(message, flags = {}) {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(Object.assign(new Error(message), flags));
    }
  }
}
