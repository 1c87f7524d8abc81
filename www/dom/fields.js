// @ts-check
// Number fields built from the settings schema (www/core/settings.js), so that a field's bounds
// are written once, there: the browser's min, max and step, the range a refusal names and the
// range a shared link is checked against all come from the same spec. The markup is the form's
// usual <label class="field"><span class="field-name">…</span><input …></label>.

/** @typedef {import('../core/fields.js').NumberSpec} NumberSpec */

/**
 * The input's attributes for `spec`: its bounds, `step` 1 for whole numbers (else any), and the
 * keyboard a phone shows. Pure (unit-tested in tests/unit/dom-fields.test.mjs).
 * @param {NumberSpec} spec
 * @returns {{type: 'number', min: string, max: string, step: string, inputmode: 'numeric' | 'decimal'}}
 */
export function numberAttributes(spec) {
  return {
    type: 'number',
    min: String(spec.min),
    max: String(spec.max),
    step: spec.integer ? '1' : 'any',
    inputmode: spec.integer ? 'numeric' : 'decimal',
  };
}

/**
 * One number field. `label` defaults to the schema's (which refusals also use); `note` adds an
 * empty <span class="field-note"> with that id under the input.
 * @param {NumberSpec} spec
 * @param {{id: string, name?: string, label?: string, required?: boolean, note?: string}} options
 * @returns {HTMLLabelElement}
 */
export function numberField(spec, { id, name = spec.key, label = spec.label, required = true, note }) {
  const field = document.createElement('label');
  field.className = 'field';
  const title = document.createElement('span');
  title.className = 'field-name';
  title.textContent = label;
  const input = document.createElement('input');
  input.id = id;
  input.name = name;
  for (const [attribute, value] of Object.entries(numberAttributes(spec))) input.setAttribute(attribute, value);
  input.required = required;
  field.append(title, input);
  if (note) {
    const span = document.createElement('span');
    span.id = note;
    span.className = 'field-note';
    field.append(span);
  }
  return field;
}

/** Two fields side by side: <div class="field-row">. @param {HTMLElement[]} fields */
export function fieldRow(...fields) {
  const row = document.createElement('div');
  row.className = 'field-row';
  row.append(...fields);
  return row;
}

/**
 * Puts `nodes` where the placeholder with id `slotId` is (index.html marks where a form's
 * generated fields go); does nothing once it has been filled.
 * @param {string} slotId @param {() => Node[]} nodes
 */
export function fillSlot(slotId, nodes) {
  document.getElementById(slotId)?.replaceWith(...nodes());
}
