// @ts-check
// The training form's elements: its number fields built from the schema (their bounds are
// www/core/settings.js's), and the model picker filled from Rust's catalogue.

import { $ } from '../../dom/elements.js';
import { INPUT_SIZE, TRAINING } from '../../core/settings.js';
import { fieldRow, fillSlot, numberField } from '../../dom/fields.js';

/** The element id of each number field, by schema key (the e2e tests use them). */
const IDS = { input: 'input-size', epochs: 'epochs', batch: 'batch', lr: 'lr', train: 'train-limit', test: 'test-limit' };

/**
 * The number fields, in the form's order, where index.html's #training-numbers is: the input size
 * (shown for the chapter-7 models), epochs and batch size side by side, the learning rate, then
 * training and test images side by side.
 */
function renderNumberFields() {
  fillSlot('training-numbers', () => {
    const spec = Object.fromEntries(TRAINING.map((s) => [s.key, s]));
    const field = (/** @type {keyof typeof IDS} */ key) => numberField(spec[key], { id: IDS[key] });
    const inputSize = numberField(INPUT_SIZE, { id: IDS.input, label: 'Input size (pixels)', required: false, note: 'input-size-note' });
    inputSize.id = 'input-size-field';
    inputSize.hidden = true;
    return [inputSize, fieldRow(field('epochs'), field('batch')), field('lr'), fieldRow(field('train'), field('test'))];
  });
}

/** The form's elements, by what they hold (its number fields made first). */
export function inputs() {
  renderNumberFields();
  return {
    form: /** @type {HTMLFormElement} */ ($('settings')),
    fields: /** @type {HTMLFieldSetElement} */ ($('settings-fields')),
    preset: /** @type {HTMLSelectElement} */ ($('preset')),
    presetNote: $('preset-note'),
    inputSizeField: $('input-size-field'),
    inputSize: /** @type {HTMLInputElement} */ ($('input-size')),
    /** @type {Record<string, HTMLInputElement>} the TRAINING schema's fields, by key */
    number: Object.fromEntries(TRAINING.map((s) => [s.key, $(IDS[/** @type {keyof typeof IDS} */ (s.key)])])),
    backendChoice: /** @type {HTMLSelectElement} */ ($('backend-choice')),
    settingsProblems: $('settings-problems'),
    linkProblems: $('link-problems'),
  };
}

const GROUPS = { resnet: 'ResNet (d2l \u00a78.6)', zoo: 'Chapter 7 (seed 004)' };

/**
 * The model picker's options, one group a family, in the catalogue's order.
 * @param {HTMLSelectElement} select
 * @param {import('../../core/models.js').ModelEntry[]} models
 */
export function fillModelOptions(select, models) {
  const value = select.value;
  const groups = /** @type {const} */ (['resnet', 'zoo']).map((family) => {
    const group = document.createElement('optgroup');
    group.label = GROUPS[family];
    for (const m of models.filter((x) => x.family === family)) group.append(new Option(m.title, m.name));
    return group;
  });
  select.replaceChildren(...groups.filter((g) => g.children.length));
  if (value && models.some((m) => m.name === value)) select.value = value;
}

/** Shows a message under the form, or hides it when there is none. */
export function showProblems(/** @type {HTMLElement} */ el, /** @type {string} */ text) {
  el.textContent = text;
  el.hidden = text === '';
}
