// @ts-check
// Which network is in memory, as far as the networks kept in this browser go: pure bookkeeping,
// unit-tested in tests/unit/worker-network-memory.test.mjs; networks.js does the loading and
// storing around it.
//
// `entry`: the id of the kept network in memory, or null (the shipped one, an upload, a block
// inserted since, a fresh run not kept yet). `beforeInsert`: what was in memory before the first
// inserted block, which "Restore the original network" brings back (undefined: nothing inserted).
// `source`: the latest `network` event (where the network in memory came from), and
// `sourceBeforeInsert` the one before the first inserted block.

/**
 * @typedef {import('./protocol.js').NetworkEvent} NetworkEvent
 * @typedef {Omit<NetworkEvent, 'type'>} NetworkFields
 */

export class NetworkMemory {
  /** @type {number | null} */
  entry = null;
  /** @type {number | null | undefined} */
  beforeInsert = undefined;
  /** @type {NetworkEvent | null} */
  source = null;
  /** @type {NetworkEvent | null} */
  sourceBeforeInsert = null;

  /** Where the network in memory came from: the `network` event to post. @param {NetworkFields} fields */
  describe(fields) {
    this.source = { type: 'network', ...fields };
    return this.source;
  }

  /** A whole network was loaded: a kept one (its id), else null. Nothing inserted to restore. @param {number | null} id */
  loaded(id) {
    this.entry = id;
    this.beforeInsert = undefined;
  }

  /** A block was inserted: the network in memory is no longer the kept one. */
  inserted() {
    if (this.beforeInsert === undefined) [this.beforeInsert, this.sourceBeforeInsert] = [this.entry, this.source];
    this.entry = null;
  }

  /**
   * The inserted blocks were removed: the original network is in memory again. Returns where it
   * came from (the fields of the `network` event to post again), or null if that is not known.
   * @returns {NetworkFields | null}
   */
  restored() {
    this.entry = this.beforeInsert ?? null;
    this.beforeInsert = undefined;
    if (!this.sourceBeforeInsert) return null;
    const { type, run, ...source } = this.sourceBeforeInsert; // not a run's event any more
    return source;
  }

  /**
   * The kept network `id` was deleted. Returns whether it was in memory (then the caller loads
   * the shipped one). @param {number} id
   */
  deleted(id) {
    if (this.beforeInsert === id) this.beforeInsert = null;
    return this.entry === id;
  }

  /**
   * A run started training: the network in memory changes with every step and is the run's
   * entry (once kept). @param {{entryId?: number, fresh: boolean}} run
   */
  training(run) {
    this.entry = run.entryId ?? null;
    if (run.fresh) this.beforeInsert = undefined; // a new network: nothing inserted to restore
  }

  /** The network in memory was kept as entry `id`. @param {number} id */
  kept(id) {
    this.entry = id;
  }
}
