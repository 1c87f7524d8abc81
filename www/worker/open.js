// @ts-check
// Opening the worker: the device, the data, the one Explorer, its gallery and its first network.
// Once per worker (again if it failed): the `open` message and every `start` wait for it.

import { exclusive, explorer, post, postEvent, session } from './context.js';
import { TEST_FILES, TRAINING_FILES, gunzip, loadData } from './data.js';
import { chooseBackend } from './device.js';
import { loadFirstNetwork, prefetchFirstNetwork } from './networks.js';

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
  const files = loadData(TEST_FILES); // downloading while the wasm compiles
  if (session.firstNetwork && !session.explorer) prefetchFirstNetwork();
  post(await chooseBackend(choice));
  if (!session.explorer) {
    const [testImages, testLabels] = await Promise.all(files.map((f) => f.then(gunzip)));
    const wasm = /** @type {import('./context.js').Wasm} */ (session.wasm);
    const explorer = wasm.module.Explorer.create(testImages, testLabels);
    session.explorer = explorer;
    postEvent(explorer.gallery(GALLERY_SIZE)); // the images' buffers transferred
    explorer.setTestLimit(testLimit ?? null);
    if (session.firstNetwork) await loadFirstNetwork();
  }
  post({ type: 'opened', ok: true });
}

/** The training set into the Explorer, once its files are in. @returns {Promise<void>} */
async function addTrainingData() {
  const [images, labels] = await Promise.all(loadData(TRAINING_FILES).map((f) => f.then(gunzip)));
  const event = await exclusive(async () => explorer().setTrainingData(images, labels));
  if (event) post(event);
}

/**
 * Resolves once the training set is in the Explorer: downloaded on the first call (the demos
 * never need it), again after a failure, which is the run's to report.
 */
export async function trainingData() {
  session.trainingData ??= addTrainingData();
  try {
    await session.trainingData;
  } catch (e) {
    session.trainingData = null; // the next run tries again
    throw e;
  }
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
