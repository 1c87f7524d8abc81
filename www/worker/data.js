// @ts-check
// The data: the four Fashion-MNIST files shipped in www/data/, downloaded with progress events
// and inflated by the browser before Rust reads them. The test set at open (the demos need it);
// the 26 MB training set only when a run needs it, so a visit that never trains never fetches it.

import { describeError, post } from './context.js';

/** The test set, which the demos need (Explorer.create). */
export const TEST_FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
/** The training set, which runs need (setTrainingData). */
export const TRAINING_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'];
const DATA_URL = new URL('../data/', import.meta.url);
/** The least time between two progress events of one file, in ms. */
const PROGRESS_EVERY = 100;

/**
 * @typedef {{read(): Promise<{done: boolean, value?: Uint8Array}>}} ChunkReader
 * @typedef {(loaded: number) => void} OnProgress
 */

/**
 * Reads a stream to its end, calling `onProgress(loaded)` at most every PROGRESS_EVERY ms of
 * `now()` while it lasts (not at the start or the end: the caller reports those).
 * @param {ChunkReader} reader @param {OnProgress} onProgress @param {() => number} [now]
 * @returns {Promise<Uint8Array>} every chunk, in one array
 */
export async function readAll(reader, onProgress, now = () => performance.now()) {
  /** @type {Uint8Array[]} */
  const chunks = [];
  let loaded = 0;
  let lastPost = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    chunks.push(value);
    loaded += value.length;
    const t = now();
    if (t - lastPost > PROGRESS_EVERY) {
      lastPost = t;
      onProgress(loaded);
    }
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Downloads one file, reporting progress. Returns its raw (still gzipped) bytes. @param {string} name */
async function download(name) {
  const url = new URL(name, DATA_URL);
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`Could not download ${url.pathname}: ${describeError(e)}`);
  }
  if (!response.ok) throw new Error(`Could not download ${url.pathname}: HTTP ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length')) || 0;
  /** @param {number} loaded @param {number} total */
  const progress = (loaded, total) => post({ type: 'data_progress', file: name, loaded, total });
  // A server that compresses on the fly would make fetch gunzip the bytes; Rust accepts both.
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    progress(bytes.length, bytes.length);
    return bytes;
  }
  progress(0, total);
  const bytes = await readAll(response.body.getReader(), (loaded) => progress(loaded, total));
  progress(bytes.length, total || bytes.length);
  return bytes;
}

/**
 * Inflates a `.gz` file with the browser's own DecompressionStream: native code, where the same
 * inflate compiled to wasm runs for seconds in baseline code. Rust still validates the result
 * (and accepts gzip too: anything that does not inflate is handed over as it is, so Rust can say
 * what is wrong with it).
 * @param {Uint8Array} bytes @returns {Promise<Uint8Array>}
 */
export async function gunzip(bytes) {
  if (typeof DecompressionStream === 'undefined' || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([/** @type {BlobPart} */ (bytes)]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return bytes;
  }
}

/**
 * The raw bytes of one set's files (promises, in the set's order), all downloading at once. Its
 * callers download each set once (open.js), so nothing here keeps 30 MB alive after use.
 * @param {string[]} set  TEST_FILES or TRAINING_FILES
 */
export const loadData = (set) => set.map(download);

/** The bytes at `url`, or an error naming it. @param {URL} url */
export async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText} for ${url.pathname}`);
  return new Uint8Array(await response.arrayBuffer());
}
