// @ts-check
// The "Chapter 7 models" table: every chapter-7 model and ResNet preset with its parameters,
// MACs, the seed's test accuracy and the accuracy of its last run from scratch in this browser
// (kept in localStorage, so it survives reloads and shows in every tab).

import { exact, formatCount } from '../../core/format.js';

/**
 * A model's last finished run from scratch in this browser.
 * @typedef {object} Measured
 * @property {number} accuracy  its final test accuracy
 * @property {number} epochs
 * @property {number | null} [train]  training images
 * @property {number | null} [test]  test images
 * @property {string} data  "Fashion-MNIST", or the user's own files
 * @property {number} input  input side in pixels
 * @property {number} batch
 * @property {number} lr
 * @property {string} [backend]  "wgpu" or the CPU's
 * @property {number} [at]  when it finished (ms since the epoch)
 * @typedef {Record<string, Measured>} MeasuredRuns  model name -> its last run
 * @typedef {{name: string, title: string, family: string, input: number, params: number, macs: number, seed: number | null}} ModelRow
 *   one model of the comparison (seed: the seed's test accuracy, if known)
 */

export const MEASURED_KEY = 'resnet-explorer.measured'; // localStorage: model name -> last finished run

/** The measured runs kept in localStorage ({} when none or unreadable). @returns {MeasuredRuns} */
export function loadMeasured() {
  try {
    const value = JSON.parse(localStorage.getItem(MEASURED_KEY) ?? '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** Keeps the measured runs in localStorage (removes the key when there are none). @param {MeasuredRuns} measured */
export function saveMeasured(measured) {
  try {
    if (Object.keys(measured).length) localStorage.setItem(MEASURED_KEY, JSON.stringify(measured));
    else localStorage.removeItem(MEASURED_KEY);
  } catch (e) {
    console.warn('[ResNet Explorer] the measured accuracies could not be kept in this browser', e);
  }
}

/**
 * A number cell with its value in `data-value` ("" for none).
 * @param {HTMLTableRowElement} tr @param {number | null | undefined} value @param {string} textContent @param {string} [title]
 */
function numberTd(tr, value, textContent, title) {
  const td = tr.insertCell();
  td.className = 'num';
  td.dataset.value = value === null || value === undefined ? '' : String(value);
  td.textContent = textContent;
  if (title) td.title = title;
  return td;
}

/** How a measured run was trained, in one line. @param {Measured} m */
export function measuredDetail(m) {
  const images = (/** @type {number | null | undefined} */ n) => (n == null ? '?' : n.toLocaleString('en-US'));
  const parts = [
    `${m.epochs} epoch${m.epochs === 1 ? '' : 's'}`,
    `${images(m.train)} training / ${images(m.test)} test images${m.data === 'Fashion-MNIST' ? '' : ` (${m.data})`}`,
    `${m.input} px`,
    `batch ${m.batch}, lr ${m.lr}`,
  ];
  if (m.backend) parts.push(m.backend === 'wgpu' ? 'WebGPU' : 'CPU');
  if (m.at) parts.push(new Date(m.at).toLocaleDateString());
  return parts.join(' \u00b7 ');
}

/**
 * Fills `tbody` with `rows` ({name, title, family, input, params, macs, seed}, or null while the
 * wasm module loads): `current` is highlighted, `onPick(name)` picks a model (buttons disabled
 * while `disabled`), `measured` maps a model name to its last run here.
 * @param {HTMLTableSectionElement} tbody @param {ModelRow[] | null} rows
 * @param {{current: string | null, disabled: boolean, measured: MeasuredRuns, onPick: (name: string) => void}} options
 */
export function renderModelTable(tbody, rows, { current, disabled, measured, onPick }) {
  tbody.replaceChildren();
  if (!rows) {
    const td = tbody.insertRow().insertCell();
    td.colSpan = 6;
    td.className = 'muted';
    td.textContent = 'Waiting for the WebAssembly module\u2026';
    return;
  }
  let family = null;
  for (const r of rows) {
    const tr = tbody.insertRow();
    tr.dataset.model = r.name;
    if (family && family !== r.family) tr.classList.add('family-start');
    family = r.family;
    if (r.name === current) {
      tr.classList.add('current');
      tr.setAttribute('aria-current', 'true');
    }
    const name = tr.insertCell();
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'model-pick';
    pick.textContent = r.title;
    pick.disabled = disabled;
    pick.setAttribute('aria-label', `Pick ${r.title}`);
    pick.addEventListener('click', () => onPick(r.name));
    const code = document.createElement('span');
    code.className = 'model-name';
    code.textContent = r.name;
    name.append(pick, code);
    numberTd(tr, r.input, `${r.input}\u00d7${r.input}`);
    numberTd(tr, r.params, formatCount(r.params), exact(r.params));
    numberTd(tr, r.macs, formatCount(r.macs), exact(r.macs));
    const seedNote = r.name === 'vgg11' ? '*' : '';
    numberTd(tr, r.seed, r.seed == null ? '\u2013' : `${r.seed.toFixed(3)}${seedNote}`);
    const m = measured[r.name];
    const td = tr.insertCell();
    td.className = 'measured';
    td.dataset.accuracy = m ? String(m.accuracy) : '';
    if (m) {
      const acc = document.createElement('span');
      acc.className = 'acc';
      acc.textContent = m.accuracy.toFixed(3);
      const detail = document.createElement('span');
      detail.className = 'run-detail';
      detail.textContent = measuredDetail(m);
      td.append(acc, detail);
    } else {
      const none = document.createElement('span');
      none.className = 'not-yet';
      none.textContent = 'not trained here yet';
      td.append(none);
    }
  }
}
