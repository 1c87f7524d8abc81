// @ts-check
// The "Network in memory" and "Data" boxes: where the network in memory came from, and the
// user's own IDX files told apart by their headers and names. The texts and the file ordering
// are pure (tests/unit/demos.test.mjs).

import { $ } from '../../dom/elements.js';

/** @typedef {import('../../core/page-state.js').NetworkSource} NetworkSource */

/** Where the network in memory came from, in one line. @param {NetworkSource | null} s */
export function sourceText(s) {
  switch (s?.source) {
    case 'shipped':
      return `Pretrained weights: ${s.note}`;
    case 'saved':
      if (s.id == null) return `Your network \u201c${s.name ?? 'network'}\u201d (no longer kept in this browser): ${s.note}`;
      return `Your network saved in this browser as \u201c${s.name ?? 'network'}\u201d${s.savedAt ? ` on ${new Date(s.savedAt).toLocaleString()}` : ''}: ${s.note}`;
    case 'uploaded':
      return `Uploaded ${s.name ?? 'file'}: ${s.note}`;
    case 'trained':
      return `Trained here: ${s.note}${s.name ? ` (kept in this browser as \u201c${s.name}\u201d)` : ''}`;
    case 'none':
      return 'No network loaded: train one or upload weights.';
    default:
      return 'Loading the pretrained network\u2026';
  }
}

/**
 * What an IDX file holds, from its first 4 bytes: 3 for images, 1 for labels. A gzipped file
 * (the worker unpacks it) is told by its name: "label" or "idx1" means labels.
 * @param {Uint8Array} head @param {string} name
 */
export function idxKind(head, name) {
  if (head[0] === 0x1f && head[1] === 0x8b) return /label|idx1/i.test(name) ? 1 : 3;
  return head[3];
}

/**
 * The files in the order the worker takes them: train images, train labels[, test images, test
 * labels]. `kinds[i]` is idxKind of `files[i]`; with 4 files the test pair has "test" or "t10k"
 * in its names. Throws, saying why, when they cannot be told apart.
 * @template {{name: string}} F
 * @param {F[]} files @param {number[]} kinds
 * @returns {F[]}
 */
export function idxOrder(files, kinds) {
  if (files.length !== 2 && files.length !== 4) throw new Error(`choose 2 files (images and labels) or 4 (a training and a test pair), not ${files.length}`);
  const isTest = (/** @type {F} */ f) => /t10k|test/i.test(f.name);
  const pick = (/** @type {boolean} */ test, /** @type {number} */ kind) => files.find((f, i) => kinds[i] === kind && (files.length === 2 || isTest(f) === test));
  const order = files.length === 2 ? [pick(false, 3), pick(false, 1)] : [pick(false, 3), pick(false, 1), pick(true, 3), pick(true, 1)];
  if (order.some((f) => !f))
    throw new Error('could not tell the image files from the label files (an image file starts with 0 0 8 3, a label file with 0 0 8 1; the test pair needs "test" or "t10k" in its names)');
  return /** @type {F[]} */ (order);
}

/** The data box once the user's files are in use. @param {string} name the training images' file @param {{train: number, test: number}} sizes @param {number} files 2 or 4 */
export function ownDataText(name, sizes, files) {
  const held = files === 2 ? ' (the last sixth of the file, held out)' : '';
  return `Your data: ${name}, ${sizes.train.toLocaleString('en-US')} training and ${sizes.test.toLocaleString('en-US')} test images${held}. Reload the page to go back to Fashion-MNIST.`;
}

export function weightsElements() {
  return {
    source: $('weights-source'),
    download: /** @type {HTMLButtonElement} */ ($('download-weights')),
    downloadTorch: /** @type {HTMLButtonElement} */ ($('download-torch')),
    uploadButton: /** @type {HTMLButtonElement} */ ($('upload-button')),
    upload: /** @type {HTMLInputElement} */ ($('upload-weights')),
    message: $('weights-message'),
    dataButton: /** @type {HTMLButtonElement} */ ($('data-button')),
    dataFiles: /** @type {HTMLInputElement} */ ($('data-files')),
    dataSource: $('dataset-source'),
    dataMessage: $('data-message'),
  };
}

/** @typedef {ReturnType<typeof weightsElements>} WeightsUi */

/** @param {WeightsUi} ui @param {NetworkSource | null} source */
export function renderSource(ui, source) {
  ui.source.textContent = sourceText(source);
  ui.source.dataset.source = source?.source ?? '';
}

/** Has the browser save `bytes` as `name`. @param {Uint8Array} bytes @param {string} name */
export function saveFile(bytes, name) {
  const url = URL.createObjectURL(new Blob([/** @type {BlobPart} */ (bytes)], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
