// @ts-check
// The nested-function-classes demo's views: the stage picker, the before/after numbers of an
// inserted block and what they mean. The texts are pure (tests/unit/demos.test.mjs).

import { pct } from '../../core/format.js';
import { capitalise } from '../../core/models.js';
import { $ } from '../../dom/elements.js';

/**
 * The worker's answer to `insert` (Rust's InsertionCheck).
 * @typedef {{insertion: string, stage: number, accuracy_before: number, accuracy_after: number,
 *   changed_predictions: number, images: number}} InsertionCheck
 */

/** What an inserted block did to the predictions. @param {'identity' | 'plain'} insertion @param {InsertionCheck} check */
export function insertionText(insertion, check) {
  const where = `at the end of stage b${check.stage + 2}`;
  const n = check.changed_predictions;
  return insertion === 'identity'
    ? `An identity block (residual branch zeroed) ${where}: ${n} prediction${n === 1 ? '' : 's'} changed on ${check.images} test images. The bigger network contains the old one; training can only start from here.`
    : `A plain block (no shortcut) zeroed the same way ${where} outputs 0: everything after it sees zeros, and the network guesses one class for every image (chance is 10 %). Accuracy ${pct(check.accuracy_before)} \u2192 ${pct(check.accuracy_after)}.`;
}

/** The message while a block is inserted. @param {string} insertion @param {string | undefined} stageLabel */
export const insertingText = (insertion, stageLabel) =>
  `Inserting a ${insertion} block at the end of ${stageLabel} and comparing the predictions\u2026`;

/** The note when the network in memory (`name`) has no residual stages. */
export const zooNestedText = (/** @type {string} */ name) =>
  `${capitalise(name)} has no residual stages to insert a block into: train a ResNet preset (or load the pretrained one above) to try the insertions.`;

/** A stage's option: 'b3 (32 channels, 2 blocks)'. @param {{label: string, row: {shape: number[]}, blocks: unknown[]}} s */
export const stageText = (s) => `${s.label} (${s.row.shape[1]} channels, ${s.blocks.length} block${s.blocks.length === 1 ? '' : 's'})`;

export function insertionElements() {
  return {
    stage: /** @type {HTMLSelectElement} */ ($('insert-stage')),
    insertIdentity: /** @type {HTMLButtonElement} */ ($('insert-identity')),
    insertPlain: /** @type {HTMLButtonElement} */ ($('insert-plain')),
    result: $('insertion-result'),
    accBefore: $('acc-before'),
    accAfter: $('acc-after'),
    changed: $('changed'),
    explain: $('insertion-explain'),
    keepTraining: /** @type {HTMLButtonElement} */ ($('keep-training')),
    restore: /** @type {HTMLButtonElement} */ ($('restore')),
    message: $('nested-message'),
    zoo: $('nested-zoo'),
  };
}

/** @typedef {ReturnType<typeof insertionElements>} InsertionUi */

/** @param {HTMLElement} el @param {unknown} value @param {string} text */
function setNumber(el, value, text) {
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = text;
}

/** No insertion shown. @param {InsertionUi} ui */
export function resetInsertionDisplay(ui) {
  ui.result.dataset.state = 'idle';
  delete ui.result.dataset.insertion;
  ui.result.classList.remove('dropped');
  for (const el of [ui.accBefore, ui.accAfter, ui.changed]) setNumber(el, null, '\u2013');
  ui.explain.textContent = '';
}

/** An insertion's numbers and what they mean. @param {InsertionUi} ui @param {'identity' | 'plain'} insertion @param {InsertionCheck} check */
export function showInsertion(ui, insertion, check) {
  ui.result.dataset.state = 'done';
  ui.result.dataset.insertion = insertion;
  setNumber(ui.accBefore, check.accuracy_before, pct(check.accuracy_before));
  setNumber(ui.accAfter, check.accuracy_after, pct(check.accuracy_after));
  setNumber(ui.changed, check.changed_predictions, `${check.changed_predictions} of ${check.images}`);
  ui.result.classList.toggle('dropped', check.accuracy_after < check.accuracy_before);
  ui.explain.textContent = insertionText(insertion, check);
}

/**
 * The stage picker: one option a stage of `stages`; keeps the current choice when it is `wanted`,
 * else picks `wanted` (at most the last stage). Returns the stage selected.
 * @param {HTMLSelectElement} select @param {{index: number, label: string, row: {shape: number[]}, blocks: unknown[]}[] | null} stages
 * @param {number} wanted
 */
export function renderStages(select, stages, wanted) {
  const current = select.value;
  select.replaceChildren();
  if (!stages) return wanted;
  for (const s of stages) {
    const option = document.createElement('option');
    option.value = String(s.index);
    option.textContent = stageText(s);
    select.append(option);
  }
  const clamped = Math.min(wanted, stages.length - 1);
  select.value = String(current !== '' && Number(current) === wanted ? current : clamped);
  return Number(select.value);
}
