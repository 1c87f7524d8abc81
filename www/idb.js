// A very small IndexedDB store for the last trained network (used by the worker; IndexedDB
// works in workers). One object store, one key: 'last' -> {bytes: Uint8Array, note, savedAt}.

const DB = 'resnet-explorer';
const STORE = 'networks';
const KEY = 'last';

function open() {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('this browser has no IndexedDB'));
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

async function transact(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = fn(tx.objectStore(STORE));
      let result;
      request.onsuccess = () => (result = request.result);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error ?? request.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** The saved network, or null. */
export const loadSaved = () => transact('readonly', (store) => store.get(KEY)).then((v) => v ?? null);
/** Saves `{bytes, note, savedAt}`, replacing the previous one. */
export const storeSaved = (entry) => transact('readwrite', (store) => store.put(entry, KEY));
/** Forgets the saved network. */
export const forgetSaved = () => transact('readwrite', (store) => store.delete(KEY));
