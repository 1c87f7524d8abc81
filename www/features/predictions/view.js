// @ts-check
// The predictions panel: the summary line, the gallery of test images (a click picks the identity
// demo's image) and the confusion matrix (./gallery.js, ./confusion.js). The texts are pure
// (tests/unit/demos.test.mjs).

import { FULL } from '../../core/settings.js';
import { pct } from '../../core/format.js';
import { renderConfusion } from './confusion.js';
import { renderGallery } from './gallery.js';
import { $ } from '../../dom/elements.js';

/**
 * @typedef {{accuracy: number, confusion: number[][], per_class: (number | null)[],
 *   samples: {index: number, label: number, predicted: number}[], kept?: boolean}} Predictions  the worker's `predictions` event
 */

/** The summary once predictions are known; `from` says of which network. @param {Predictions} p @param {string} from */
export function summaryText(p, from) {
  const images = p.confusion.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  const wrong = p.samples.filter((s) => s.label !== s.predicted).length;
  return `Test accuracy ${pct(p.accuracy)} on ${images.toLocaleString('en-US')} test images (${from}). ${wrong} of the ${p.samples.length} images below are misclassified.`;
}

/**
 * While the worker evaluates: on how many test images (the form's limit, at most what the
 * worker's data holds) and whether on the CPU.
 * @param {{test: number | null | undefined, testImages: number | null | undefined, onCpu: boolean}} s
 */
export function loadingText({ test, testImages, onCpu }) {
  const limit = test == null || test >= FULL.test ? Infinity : test;
  const n = Math.min(limit, testImages ?? FULL.test).toLocaleString('en-US');
  return `Computing the predictions on ${n} test images${onCpu ? ' on the CPU' : ''}\u2026`;
}

/** "Red" means misclassified only once there are predictions to compare with the labels. @param {boolean} predicted */
export const galleryHint = (predicted) =>
  predicted ? '(red: misclassified; click one to use it in the identity demo)' : '(click one to use it in the identity demo)';

/** The summary before any predictions. @param {boolean} gallery */
export const noPredictionsText = (gallery) => (gallery ? 'Predictions appear when a network is loaded or trained.' : 'No predictions yet.');

export function predictionElements() {
  return {
    summary: $('pred-summary'),
    hint: $('gallery-hint'),
    gallery: $('gallery'),
    confusion: /** @type {HTMLTableElement} */ ($('confusion')),
  };
}

/** @typedef {ReturnType<typeof predictionElements>} PredictionUi */

/**
 * @param {PredictionUi} ui
 * @param {{predictions: Predictions | null, gallery: any, from: string, image: number}} data
 * @param {(index: number) => void} onPick
 */
export function renderPredictions(ui, { predictions: p, gallery, from, image }, onPick) {
  ui.hint.textContent = galleryHint(Boolean(p));
  renderGallery(ui.gallery, gallery, p, { selected: image, onPick });
  renderConfusion(ui.confusion, p, gallery?.class_names ?? null);
  if (!p) {
    ui.summary.textContent = noPredictionsText(Boolean(gallery));
    return;
  }
  ui.summary.dataset.state = 'done';
  ui.summary.dataset.accuracy = String(p.accuracy);
  ui.summary.dataset.kept = String(Boolean(p.kept)); // computed on an earlier visit (worker/predictions.js)
  ui.summary.textContent = summaryText(p, from);
}

/** Marks the picked image in the gallery. @param {PredictionUi} ui @param {number} index */
export function markPicked(ui, index) {
  for (const item of ui.gallery.querySelectorAll('.gallery-item')) item.setAttribute('aria-pressed', String(Number(item.dataset.index) === index));
}

/** The summary while the worker evaluates. @param {PredictionUi} ui @param {string} text */
export function showLoading(ui, text) {
  ui.summary.dataset.state = 'loading';
  ui.summary.textContent = text;
}
