// The networks kept in this browser (IndexedDB, used by the worker; IndexedDB works in
// workers). Each trained network is its own entry {id, name, note, savedAt, bytes, history};
// `current` names the entry the page opens with (none: the shipped pretrained network, which
// is never stored here and so never overwritten).
//
// Version 1 kept one network under the key 'last'; opening upgrades it to an entry of its own
// and makes it current.

const DB = 'resnet-explorer';
const VERSION = 2;
const SAVED = 'saved';
const META = 'meta';
const CURRENT = 'current';

function upgrade(request, oldVersion) {
  const db = request.result;
  const saved = db.createObjectStore(SAVED, { keyPath: 'id', autoIncrement: true });
  const meta = db.createObjectStore(META);
  if (oldVersion < 1 || !db.objectStoreNames.contains('networks')) return;
  const old = request.transaction.objectStore('networks');
  old.get('last').onsuccess = (e) => {
    const last = e.target.result;
    if (last) saved.add({ name: 'Trained network', ...last }).onsuccess = (added) => meta.put(added.target.result, CURRENT);
    db.deleteObjectStore('networks');
  };
}

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

/** Runs `fn(stores)` in one transaction over both stores; resolves to the last request's result. */
async function transact(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction([SAVED, META], mode);
      const request = fn({ saved: tx.objectStore(SAVED), meta: tx.objectStore(META) });
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

/** Every entry without its weights, oldest first: {id, name, note, savedAt, epochs, done}. */
export async function listSaved() {
  const all = await transact('readonly', ({ saved }) => saved.getAll());
  return (all ?? []).map(({ id, name, note, savedAt, history }) => ({
    id,
    name,
    note,
    savedAt,
    epochs: history?.epochs ?? null,
    done: history?.events?.filter((e) => e.kind === 'epoch').length ?? null,
  }));
}

/** One entry with its weights, or null. */
export const getSaved = (id) => transact('readonly', ({ saved }) => saved.get(id)).then((v) => v ?? null);

/** Stores an entry (a new one without `id`); resolves to its id. */
export const putSaved = (entry) => transact('readwrite', ({ saved }) => saved.put(entry));

export async function renameSaved(id, name) {
  const entry = await getSaved(id);
  if (!entry) throw new Error('that network is no longer kept in this browser');
  await putSaved({ ...entry, name });
}

/** Deletes an entry; if it was current, the shipped network becomes current. */
export const deleteSaved = (id) =>
  transact('readwrite', ({ saved, meta }) => {
    meta.get(CURRENT).onsuccess = (e) => {
      if (e.target.result === id) meta.delete(CURRENT);
    };
    return saved.delete(id);
  });

/** The id of the entry the page opens with, or null for the shipped network. */
export const getCurrent = () => transact('readonly', ({ meta }) => meta.get(CURRENT)).then((v) => v ?? null);

export const setCurrent = (id) => transact('readwrite', ({ meta }) => (id == null ? meta.delete(CURRENT) : meta.put(id, CURRENT)));
