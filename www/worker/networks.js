// @ts-check
// The network in memory and the networks kept in this browser: loading a kept one or the shipped
// pretrained one, the first network a worker opens with, the page's list, and what inserting,
// restoring, uploading and deleting mean for them. Storage is persistence.js's. Which network is
// in memory, where it came from and which kept entry holds it is the Rust session's to say (its
// `model` events carry the origin): it changes them with the weights, in the same step.

import { describeError, exclusive, explorer, notice, post, session } from './context.js';
import { fetchBytes } from './data.js';
import { deleteSaved, getCurrent, getSaved, listSaved, setCurrent } from './persistence.js';
import { epochsDone } from './runs.js';

/**
 * @typedef {import('./persistence.js').SavedEntry} SavedEntry
 * @typedef {import('./protocol.js').WorkerEvent} WorkerEvent
 * @typedef {import('./protocol.js').ModelEvent} ModelEvent
 */

const SHIPPED_WEIGHTS = new URL('../weights/fast.rnxw', import.meta.url);

/** @param {WorkerEvent[]} events */
const postAll = (events) => events.forEach((e) => post(e));

/** Tells the page which networks this browser keeps and which of them holds the network in memory. */
export async function postSaved() {
  try {
    post({ type: 'saved_list', entries: await listSaved(), current: session.explorer?.keptEntry() ?? null });
  } catch (e) {
    notice(`The networks kept in this browser could not be read (${describeError(e)}).`);
  }
}

/**
 * Puts a kept network in memory and makes it the one the page opens with. Like every Explorer
 * call, inside `exclusive` (the worker's METHODS already are).
 * @param {SavedEntry} entry
 */
export async function loadEntry(entry) {
  postAll(explorer().loadWeights(entry.bytes, { source: 'saved', id: entry.id, name: entry.name, savedAt: entry.savedAt }));
  await setCurrent(entry.id);
  const history = entry.history;
  if (history?.events?.length) post({ type: 'history', ...history, done: epochsDone(history.events) });
}

/** @type {Promise<Uint8Array> | null} the shipped weights, downloading ahead (see prefetchFirstNetwork) */
let shippedAhead = null;

/**
 * At open, beside the test set: starts downloading the shipped weights, unless a network kept in
 * this browser will open instead (the demos then wait for neither download one after the other).
 */
export async function prefetchFirstNetwork() {
  const id = await getCurrent().catch(() => null);
  if (id == null && !shippedAhead) {
    shippedAhead = fetchBytes(SHIPPED_WEIGHTS);
    shippedAhead.catch(() => {}); // loadShipped reports it
  }
}

/** Puts the shipped pretrained network in memory and makes it the one the page opens with (inside `exclusive`). */
export async function loadShipped() {
  const download = shippedAhead ?? fetchBytes(SHIPPED_WEIGHTS);
  shippedAhead = null;
  const bytes = await download;
  postAll(explorer().loadWeights(bytes, { source: 'shipped' }));
  await setCurrent(null).catch(() => {}); // without IndexedDB the shipped network is all there is
}

/** The entry kept as current in this browser, or null (none, or the store cannot be read). */
async function currentEntry() {
  try {
    const id = await getCurrent();
    return id == null ? null : await getSaved(id);
  } catch (e) {
    notice(`The networks kept in this browser could not be read (${describeError(e)}).`);
    return null;
  }
}

/** Opens with the network kept as current in this browser, else the shipped pretrained one. */
export async function loadFirstNetwork() {
  const entry = await currentEntry();
  if (entry) {
    try {
      await exclusive(() => loadEntry(entry));
      return postSaved();
    } catch (e) {
      notice(`The network "${entry.name}" kept in this browser could not be loaded (${describeError(e)}); the shipped pretrained weights are used instead.`);
    }
  }
  try {
    await exclusive(loadShipped);
  } catch (e) {
    notice(`The pretrained weights www/weights/fast.rnxw could not be loaded (${describeError(e)}). Train a network (or upload weights) to use the demos.`);
    post({ type: 'network', source: 'none', note: '' });
  }
  await postSaved();
}

/**
 * Inserts a block after `stage` (inside `exclusive`); resolves to the check of the predictions
 * before and after (the `model` event of the bigger network is posted).
 * @param {import('./protocol.js').Insertion} insertion @param {number} stage
 * @returns {Promise<import('./protocol.js').InsertionEvent>}
 */
export async function insertBlock(insertion, stage) {
  const events = await explorer().insert(insertion, stage);
  postAll(events);
  await postSaved();
  const check = events.find((e) => e.type === 'insertion');
  if (!check) throw new Error('the insertion was not checked'); // Rust's insert returns its check first
  return check;
}

/** Removes the inserted blocks: the original network is in memory again, and the page opens with it again. */
export async function restoreOriginal() {
  postAll(explorer().restore());
  await setCurrent(explorer().keptEntry() ?? null).catch(() => {});
  await postSaved();
}

/** Puts uploaded weights in memory (not kept in this browser). @param {Uint8Array} bytes @param {string} [name] */
export function loadUploaded(bytes, name) {
  postAll(explorer().loadWeights(bytes, { source: 'uploaded', name: name || 'a weights file' }));
  return postSaved();
}

/** Puts a kept network in memory (and opens with it from now on). @param {number} id */
export async function loadSaved(id) {
  const entry = await getSaved(id);
  if (!entry) throw new Error('that network is no longer kept in this browser');
  await loadEntry(entry);
  await postSaved();
}

/** Forgets a kept network at once; if it was in memory, the shipped one replaces it now. @param {number} id */
export async function forget(id) {
  await deleteSaved(id);
  if (session.explorer?.forgotten(id)) await loadShipped();
  await postSaved();
}
