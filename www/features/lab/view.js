// @ts-check
// The lab's controls and text, rendered from plain data: the settings form (read and filled), the
// buttons, the two status lines, the twins line and the message. The element ids and classes are
// index.html's (and the e2e test's).

import { LAB_SETTINGS, defaults } from '../../core/settings.js';
import { fillSlot, numberField } from '../../dom/fields.js';
import { NUMBER_FIELDS, TWINS, depthLabel, statusText } from './race.js';

/**
 * @typedef {import('./race.js').Race} Race
 * @typedef {import('./race.js').Form} Form
 * @typedef {import('../../core/settings.js').Values} Values
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {Record<string, string>} labels that say more than the schema's (which the refusals use) */
const LABELS = { 'lab-width': 'Width (first stage)' };

/**
 * The form's number fields, in the schema's order, where index.html's #lab-numbers is (between
 * the depth and the zero-gamma box); id and name are the schema's key, the bounds its range.
 */
function renderNumberFields() {
  fillSlot('lab-numbers', () =>
    NUMBER_FIELDS.map((s) => numberField(s, { id: s.key, label: LABELS[s.key] })),
  );
}

/** A status line for each twin, in index.html's #lab-status: its name, then what it is doing. */
function renderStatusLines() {
  const list = document.getElementById('lab-status');
  if (!list || list.children.length) return;
  list.replaceChildren(
    ...TWINS.map((twin) => {
      const line = document.createElement('li');
      line.id = `lab-status-${twin.key}`;
      line.className = `lab-status-${twin.key}`;
      line.dataset.state = 'idle';
      const name = Object.assign(document.createElement('span'), { className: 'lab-status-name', textContent: twin.title });
      const text = Object.assign(document.createElement('span'), { className: 'lab-status-text', textContent: statusText(undefined, null) });
      line.append(name, ' ', text);
      return line;
    }),
  );
}

/** The lab's elements (its number fields and status lines made first); null when the page has no lab. */
export function labElements() {
  const root = document.getElementById('lab');
  if (!root) return null;
  renderNumberFields();
  renderStatusLines();
  // He et al.'s depths; a link may add another 6n + 2 (fillForm).
  const depth = /** @type {HTMLSelectElement} */ ($('lab-depth'));
  depth.replaceChildren(...[20, 32, 56].map((d) => new Option(depthLabel(d), String(d))));
  return {
    root,
    form: /** @type {HTMLFormElement} */ ($('lab-settings')),
    fields: /** @type {HTMLFieldSetElement} */ ($('lab-fields')),
    depth: /** @type {HTMLSelectElement} */ ($('lab-depth')),
    zero: /** @type {HTMLInputElement} */ ($('lab-zero')),
    inputs: Object.fromEntries(NUMBER_FIELDS.map((s) => [s.key, /** @type {HTMLInputElement} */ ($(s.key))])),
    start: /** @type {HTMLButtonElement} */ ($('lab-start')),
    stop: /** @type {HTMLButtonElement} */ ($('lab-stop')),
    lesion: /** @type {HTMLButtonElement} */ ($('lab-lesion')),
    twins: $('lab-twins'),
    message: $('lab-message'),
    status: { plain: $('lab-status-plain'), residual: $('lab-status-residual') },
    loss: $('lab-loss'),
    acc: $('lab-acc'),
    gradients: $('lab-gradients'),
    gradientNote: $('lab-gradient-note'),
    magnitudes: $('lab-magnitudes'),
    magnitudeNote: $('lab-magnitude-note'),
    lesions: $('lab-lesions'),
    lesionNote: $('lab-lesion-note'),
  };
}
/** @typedef {NonNullable<ReturnType<typeof labElements>>} LabElements */

/** What the form holds, for `checkForm`. @param {LabElements} ui */
export function readForm(ui) {
  /** @type {Record<string, {text: string, badInput: boolean}>} */
  const fields = {};
  for (const [key, input] of Object.entries(ui.inputs)) fields[key] = { text: input.value, badInput: Boolean(input.validity?.badInput) };
  return { depth: ui.depth.value, zero: ui.zero.checked, fields };
}

/**
 * Fills the form from a link's values (the defaults where it sets none); a depth the select does
 * not offer (6n + 2, checked by the schema) is added to it.
 * @param {LabElements} ui @param {Values} values
 */
export function fillForm(ui, values) {
  const v = { ...defaults(LAB_SETTINGS), ...values };
  const depth = Number(v['lab-depth']);
  if (![...ui.depth.options].some((o) => Number(o.value) === depth)) {
    const option = document.createElement('option');
    option.value = String(depth);
    option.textContent = depthLabel(depth);
    ui.depth.append(option);
  }
  ui.depth.value = String(depth);
  for (const [key, input] of Object.entries(ui.inputs)) {
    input.value = String(v[key]);
    input.setAttribute('aria-invalid', 'false');
  }
  ui.zero.checked = v['lab-zero'] === true;
}

/** Marks the refused fields. @param {LabElements} ui @param {Form} form */
export function renderValidity(ui, form) {
  for (const [key, input] of Object.entries(ui.inputs)) input.setAttribute('aria-invalid', String(form.invalid.includes(key)));
}

/**
 * The buttons and the lab's data-state.
 * @param {LabElements} ui
 * @param {{active: boolean, ready: boolean, lesioning: boolean, lesionable: boolean, race: boolean}} s
 */
export function renderControls(ui, s) {
  ui.fields.disabled = s.active;
  ui.start.disabled = !s.ready || s.lesioning;
  ui.start.textContent = s.active ? 'Restart the race' : 'Start the race';
  ui.stop.disabled = !s.active;
  ui.lesion.disabled = !s.lesionable || s.lesioning;
  ui.root.dataset.state = s.active ? 'running' : s.race ? 'done' : 'idle';
}

/** The two status lines. @param {LabElements} ui @param {Race | null} race */
export function renderStatus(ui, race) {
  for (const twin of TWINS) {
    const el = ui.status[twin.key];
    const t = race?.twins[twin.key];
    el.dataset.state = t ? t.state : 'idle';
    if (t) /** @type {HTMLElement} */ (el.querySelector('.lab-status-name')).textContent = t.name;
    /** @type {HTMLElement} */ (el.querySelector('.lab-status-text')).textContent = statusText(t, race ?? null);
  }
}

/**
 * The twins line: its text and, when counted, both parameter counts and where they come from.
 * @param {LabElements} ui
 * @param {{text: string, counts?: {plain: number, residual: number}, live?: boolean}} twins
 */
export function renderTwins(ui, twins) {
  ui.twins.textContent = twins.text;
  if (!twins.counts) return;
  ui.twins.dataset.plainParams = String(twins.counts.plain);
  ui.twins.dataset.residualParams = String(twins.counts.residual);
  ui.twins.dataset.live = String(Boolean(twins.live));
}

/** @param {LabElements} ui @param {{text: string, error: boolean}} message */
export function renderMessage(ui, message) {
  ui.message.textContent = message.text;
  ui.message.classList.toggle('lab-error', message.error);
}

/** The recorded race's elements (index.html's #lab-recorded); null when the page has none. */
export function recordedElements() {
  const root = document.getElementById('lab-recorded');
  if (!root) return null;
  return { root, loss: $('lab-recorded-loss'), acc: $('lab-recorded-acc'), caption: $('lab-recorded-caption'), live: /** @type {HTMLButtonElement} */ ($('lab-race-live')) };
}

/**
 * The recorded race's caption: what it found, the command in code, the settings, machine and date.
 * @param {HTMLElement} el @param {ReturnType<typeof import('./recorded.js').recordedCaption>} c
 */
export function renderRecordedCaption(el, c) {
  const code = document.createElement('code');
  code.textContent = c.command;
  el.replaceChildren(`${c.summary} Command: `, code, `. Settings: ${c.settings}`);
}
