// @ts-check
// The networks kept in this browser (IndexedDB, which works in workers). Each trained network is
// its own entry {id, name, note, savedAt, bytes, history}; `current` names the entry the page
// opens with (none: the shipped pretrained network, which is never stored here and so never
// overwritten). Storage only: which entry is in memory is networks.js's business. Nothing here
// touches the worker's state, so the e2e tests import this module in the page to read the store.
//
// Version 1 kept one network under the key 'last'; opening upgrades it to an entry of its own
// and makes it current.

/**
 * @typedef {import('./protocol.js').RunHistory} RunHistory
 * @typedef {import('./protocol.js').SavedSummary} SavedSummary
 * @typedef {{id: number, name: string, note: string, savedAt: string, bytes: Uint8Array,
 *   history?: RunHistory}} SavedEntry  one kept network with its weights (a weights file)
 * @typedef {Omit<SavedEntry, 'id'> & {id?: number}} NewEntry  without `id`: stored as a new entry
 * @typedef {{saved: IDBObjectStore, meta: IDBObjectStore}} Stores
 */

const DB = 'resnet-explorer';
const VERSION = 2;
const SAVED = 'saved';
const META = 'meta';
const CURRENT = 'current';
/** In META: the last predictions computed for a weights file, {key, predictions} (see predictions.js). */
const PREDICTIONS = 'predictions';
const KERNELS = 'kernels';
const BACKEND_MEASURE = 'backend-measure';

/** @param {IDBOpenDBRequest} request @param {number} oldVersion */
function upgrade(request, oldVersion) {
  const db = request.result;
  const saved = db.createObjectStore(SAVED, { keyPath: 'id', autoIncrement: true });
  const meta = db.createObjectStore(META);
  if (oldVersion < 1 || !db.objectStoreNames.contains('networks')) return;
  const old = /** @type {IDBTransaction} */ (request.transaction).objectStore('networks');
  const get = old.get('last');
  get.onsuccess = () => {
    const last = get.result;
    if (last) {
      const add = saved.add({ name: 'Trained network', ...last });
      add.onsuccess = () => meta.put(add.result, CURRENT);
    }
    db.deleteObjectStore('networks');
  };
}

/** @returns {Promise<IDBDatabase>} */
function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('this browser has no IndexedDB'));
    const request = indexedDB.open(DB, VERSION);
    request.onupgradeneeded = (e) => upgrade(request, e.oldVersion);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/**
 * Runs `fn(stores)` in one transaction over both stores; resolves to the last request's result.
 * @param {IDBTransactionMode} mode
 * @param {(stores: Stores) => IDBRequest | void} fn
 * @returns {Promise<any>}
 */
async function transact(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction([SAVED, META], mode);
      const request = fn({ saved: tx.objectStore(SAVED), meta: tx.objectStore(META) });
      /** @type {any} */
      let result;
      if (request) request.onsuccess = () => (result = request.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error ?? request?.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/**
 * An entry as the page lists it: without its weights, with its run's progress (null: not a run
 * of this browser's, e.g. migrated from version 1 without a chart).
 * @param {SavedEntry} entry @returns {SavedSummary}
 */
export function summarize({ id, name, note, savedAt, history }) {
  return {
    id,
    name,
    note,
    savedAt,
    epochs: history?.epochs ?? null,
    done: history?.events?.filter((e) => e.kind === 'epoch').length ?? null,
    // How far it trained, partly into an epoch too (a run stopped after a few batches).
    trained: history?.events?.length ? Math.max(...history.events.map((e) => e.epoch ?? 0)) : null,
  };
}

/** Every entry without its weights, oldest first. @returns {Promise<SavedSummary[]>} */
export async function listSaved() {
  /** @type {SavedEntry[] | undefined} */
  const all = await transact('readonly', ({ saved }) => saved.getAll());
  return (all ?? []).map(summarize);
}

/** One entry with its weights, or null. @param {number} id @returns {Promise<SavedEntry | null>} */
export const getSaved = (id) => transact('readonly', ({ saved }) => saved.get(id)).then((v) => v ?? null);

/** Stores an entry (a new one without `id`); resolves to its id. @param {NewEntry} entry @returns {Promise<number>} */
export const putSaved = (entry) => transact('readwrite', ({ saved }) => saved.put(entry));

/** @param {number} id @param {string} name */
export async function renameSaved(id, name) {
  const entry = await getSaved(id);
  if (!entry) throw new Error('that network is no longer kept in this browser');
  await putSaved({ ...entry, name });
}

/** Deletes an entry; if it was current, the shipped network becomes current. @param {number} id */
export const deleteSaved = (id) =>
  transact('readwrite', ({ saved, meta }) => {
    const current = meta.get(CURRENT);
    current.onsuccess = () => {
      if (current.result === id) meta.delete(CURRENT);
    };
    return saved.delete(id);
  });

/** The id of the entry the page opens with, or null for the shipped network. @returns {Promise<number | null>} */
export const getCurrent = () => transact('readonly', ({ meta }) => meta.get(CURRENT)).then((v) => v ?? null);

/** @param {number | null} id  null: the shipped network */
export const setCurrent = (id) => transact('readwrite', ({ meta }) => (id == null ? meta.delete(CURRENT) : meta.put(id, CURRENT)));

/** The predictions kept under `key`, or null. @param {string} key @returns {Promise<Uint8Array | null>} */
export const getKeptPredictions = (key) =>
  transact('readonly', ({ meta }) => meta.get(PREDICTIONS)).then((v) => (v?.key === key && v.predictions instanceof Uint8Array ? v.predictions : null));

/** Keeps `predictions` under `key`, in place of any kept before (one set: the network the page opens with). @param {string} key @param {Uint8Array} predictions */
export const keepPredictions = (key, predictions) => transact('readwrite', ({ meta }) => meta.put({ key, predictions }, PREDICTIONS));

/**
 * The kernel timings measured on `adapter` on an earlier visit, or null (one table kept: this
 * browser's adapter; another's is measured anew).
 * @param {string} adapter @returns {Promise<import('../generated/rust.js').KernelTable | null>}
 */
export const getKernelTable = (adapter) => transact('readonly', ({ meta }) => meta.get(KERNELS)).then((t) => (t?.adapter === adapter ? t : null));

/** Keeps the kernel timings of this browser's adapter. @param {import('../generated/rust.js').KernelTable} table */
export const keepKernelTable = (table) => transact('readwrite', ({ meta }) => meta.put(table, KERNELS));

/**
 * WebGPU on `adapter` timed against the CPU on an earlier visit, or null (one kept: this
 * browser's adapter; another's is measured anew).
 * @param {string} adapter @returns {Promise<import('../core/backend.js').BackendMeasure | null>}
 */
export const getBackendMeasure = (adapter) => transact('readonly', ({ meta }) => meta.get(BACKEND_MEASURE)).then((m) => (m?.adapter === adapter ? m : null));

/** Keeps WebGPU's time against the CPU's for this browser's adapter. @param {import('../core/backend.js').BackendMeasure} measure */
export const keepBackendMeasure = (measure) => transact('readwrite', ({ meta }) => meta.put(measure, BACKEND_MEASURE));
