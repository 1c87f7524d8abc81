// @ts-check
// Opening the worker: the device, the data, the one Explorer, its gallery and its first network.
// Once per worker (again if it failed): the `open` message and every `start` wait for it.

import { describeError, exclusive, explorer, notice, post, postEvent, session } from './context.js';
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
  const files = loadData(); // downloading while the wasm compiles
  post(await chooseBackend(choice));
  if (!session.explorer) {
    const [testImages, testLabels] = await Promise.all(files.slice(0, 2).map((f) => f.then(gunzip)));
    const wasm = /** @type {import('./context.js').Wasm} */ (session.wasm);
    const explorer = wasm.module.Explorer.create(testImages, testLabels);
    session.explorer = explorer;
    postEvent(explorer.gallery(GALLERY_SIZE)); // the images' buffers transferred
    explorer.setTestLimit(testLimit ?? null);
    session.trainingData = addTrainingData(files.slice(2));
    session.trainingData.catch((e) => notice(`The training images could not be loaded (${describeError(e)}); Start tries again.`));
    if (session.firstNetwork) await loadFirstNetwork();
  }
  post({ type: 'opened', ok: true });
}

/**
 * The training set, once its files are in (the demos do not wait for it; runs do). A failure is
 * a run's to report, and the next run tries again.
 * @param {Promise<Uint8Array>[]} files @returns {Promise<void>}
 */
async function addTrainingData(files) {
  const [images, labels] = await Promise.all(files.map((f) => f.then(gunzip)));
  const event = await exclusive(async () => explorer().setTrainingData(images, labels));
  if (event) post(event);
}

/** Resolves once the training set is in the Explorer (downloading it again if it failed). */
export async function trainingData() {
  try {
    await session.trainingData;
  } catch {
    session.trainingData = addTrainingData(loadData().slice(2));
    await session.trainingData;
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
