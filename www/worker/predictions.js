// @ts-check
// The predictions of the network in memory on the demos' test images. For a weights file as
// loaded (the shipped network, a kept one, an upload) they are kept in this browser under a key
// of the file's bytes, the test images, the backend and the wasm build (Rust's predictionsKey,
// the module's URL, which names the site's deployment): the next visit with the same key uses
// them instead of computing them again (2-3 s of a 2-core laptop's CPU), and the page says so.
// A set that does not fit the test images is refused by Rust, and then computed again.

import { explorer, session } from './context.js';
import { getKeptPredictions, keepPredictions } from './persistence.js';

/** @typedef {import('./protocol.js').PredictionsEvent} PredictionsEvent */

/** The key of the network in memory's predictions here, or null (not a file as loaded). */
function keyNow() {
  const key = explorer().predictionsKey();
  return key && session.wasm && session.backend ? `${key}|${session.backend.info.backend}|${session.wasm.url}` : null;
}

/** The `predictions` event of the network in memory: kept from an earlier visit, else computed (and kept). @returns {Promise<PredictionsEvent>} */
export async function predictionsEvent() {
  const key = keyNow();
  const kept = key ? await getKeptPredictions(key).catch(() => null) : null;
  if (kept) {
    try {
      return { ...explorer().usePredictions(kept), kept: true };
    } catch {
      // Not for these images after all: computed below, and kept in their place.
    }
  }
  const event = await explorer().evaluate();
  await rememberPredictions();
  return event;
}

/**
 * Keeps the predictions computed for the network in memory, if it has a key: after they were
 * computed, and after it was saved as a file (a trained network's key is its file's).
 */
export async function rememberPredictions() {
  const key = keyNow();
  const computed = key && explorer().computedPredictions();
  if (key && computed) await keepPredictions(key, computed).catch(() => {}); // without IndexedDB: computed each visit
}
