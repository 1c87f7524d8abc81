// @ts-check
// The training form's elements, and the model picker filled from Rust's catalogue.

import { $ } from '../../dom/elements.js';

/** The form's elements, by what they hold. */
export function inputs() {
  return {
    form: /** @type {HTMLFormElement} */ ($('settings')),
    fields: /** @type {HTMLFieldSetElement} */ ($('settings-fields')),
    preset: /** @type {HTMLSelectElement} */ ($('preset')),
    presetNote: $('preset-note'),
    inputSizeField: $('input-size-field'),
    inputSize: /** @type {HTMLInputElement} */ ($('input-size')),
    /** @type {Record<string, HTMLInputElement>} the TRAINING schema's fields, by key */
    number: { epochs: $('epochs'), batch: $('batch'), lr: $('lr'), train: $('train-limit'), test: $('test-limit') },
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
