// @ts-check
// Opening the worker: the device, the data, the one Explorer, its gallery and its first network.
// Once per worker (again if it failed): the `open` message and every `start` wait for it.

import { post, postEvent, session } from './context.js';
import { gunzip, loadData } from './data.js';
import { chooseBackend } from './device.js';
import { loadFirstNetwork } from './networks.js';

/** @typedef {import('./protocol.js').BackendChoice} BackendChoice */

/** Test images whose predictions the gallery lists. */
export const GALLERY_SIZE = 24;

/** @type {Promise<void> | null} */
let opening = null;

/** Whether an `open` (or a `start`) has begun opening the worker. */
export const openingStarted = () => opening !== null;

/** Device, data, the Explorer and its first network. @param {BackendChoice} choice @param {number | null | undefined} testLimit */
async function open(choice, testLimit) {
  const backend = session.backend;
  if (backend && backend.choice !== choice) {
    throw new Error(`This worker already runs on ${backend.info.backend}; the page must start a new worker to switch backends.`);
  }
  post(await chooseBackend(choice));
  const files = await loadData();
  if (!session.explorer) {
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(files.map(gunzip));
    const wasm = /** @type {import('./context.js').Wasm} */ (session.wasm);
    const explorer = wasm.module.Explorer.create(trainImages, trainLabels, testImages, testLabels);
    session.explorer = explorer;
    postEvent(explorer.gallery(GALLERY_SIZE)); // the images' buffers transferred
    explorer.setTestLimit(testLimit ?? null);
    if (session.firstNetwork) await loadFirstNetwork();
  }
  post({ type: 'opened', ok: true });
}

/**
 * Opens the worker unless it is open or opening; resolves once it is.
 * @param {BackendChoice} choice @param {number | null | undefined} testLimit
 */
export function ensureOpen(choice, testLimit) {
  if (!opening) {
    opening = open(choice, testLimit);
    opening.catch(() => (opening = null)); // the next start (or reload) tries again
  }
  return opening;
}

/** Resolves once the worker is open; rejects if opening failed. */
export const opened = () => /** @type {Promise<void>} */ (opening);
