// @ts-check
// The degradation race as plain data: the lab's settings, the two twins' runs and how each worker
// event changes them, and every sentence the lab shows about them. Pure (no DOM, no worker, no
// wasm), unit-tested in tests/unit/lab.test.mjs.

import { checkNumber, refusals } from '../../core/fields.js';
import { exact, pct } from '../../core/format.js';
import { LAB_SETTINGS, validDepth } from '../../core/settings.js';
import { startRequest } from '../../core/start-request.js';

/**
 * @typedef {import('../../core/settings.js').Values} Values
 * @typedef {import('../../core/settings.js').NumberSetting} NumberSetting
 * @typedef {'plain' | 'residual'} TwinKey
 * @typedef {{key: TwinKey, title: string, color: string, fade: string, bar: string,
 *   dash: number[], point: string}} Twin
 * @typedef {{depth: number, width: number, epochs: number, batch: number, train: number,
 *   test: number, lr: number, zeroGamma: boolean}} Settings
 * @typedef {{depth: number, label: string, norm: number}} Gradient
 * @typedef {{label: string, ratio: number}} Magnitude
 * @typedef {{epoch: number, gradients: Gradient[], magnitudes: Magnitude[]}} Probe
 * @typedef {{epoch: number, loss: number | null, kept_epoch: number}} Divergence
 * @typedef {{
 *   key: TwinKey, name: string, state: string, phase: string,
 *   backend: {backend: string} | null, params: number | null, batch: number, total: number,
 *   report: {epoch: number, train_loss: number, train_acc: number} | null,
 *   epoch: {epoch: number, test_acc: number} | null, speed: number | null,
 *   diverged: Divergence | null, error: string | null,
 *   trained: boolean, probes: Probe[], probeError: string | null,
 *   curve: {x: number, loss: number, acc: number}[], tests: {x: number, y: number}[],
 * }} TwinRun  trained: a network exists in the worker; curve: the reports; tests: test accuracy
 *   at each epoch end
 * @typedef {{id: number, settings: Settings, stopping: boolean,
 *   twins: Record<TwinKey, TwinRun>}} Race
 * @typedef {{values: Values, settings: Settings | null, problems: string, invalid: string[]}} Form
 *   values: what the form holds (the text of its numbers, written to the hash as it is);
 *   settings: the checked settings, null when one is refused; invalid: the refused keys
 */

// He et al.'s CIFAR-10 recipe: SGD, momentum 0.9, weight decay 1e-4, lr 0.1, batch 128.
export const MOMENTUM = 0.9;
export const WEIGHT_DECAY = 1e-4;
export const SEED = 0; // both twins: the same data order
export const DEFAULT_DEPTH = 20;
/** @type {Twin[]} */
export const TWINS = [
  { key: 'plain', title: 'plain', color: '#d9480f', fade: 'rgba(217, 72, 15, 0.3)', bar: 'rgba(217, 72, 15, 0.65)', dash: [7, 4], point: 'triangle' },
  { key: 'residual', title: 'ResNet', color: '#1c64c8', fade: 'rgba(28, 100, 200, 0.3)', bar: 'rgba(28, 100, 200, 0.75)', dash: [], point: 'circle' },
];
const ACTIVE = new Set(['loading', 'running', 'paused']);
/** The form's number fields (every lab setting but depth, a select, and zero-gamma, a box). */
export const NUMBER_FIELDS = /** @type {NumberSetting[]} */ (LAB_SETTINGS.filter((s) => s.kind === 'number' && s.key !== 'lab-depth'));

const plural = (/** @type {number} */ n, /** @type {string} */ word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "plain-20", "ResNet-56". */
export const twinName = (/** @type {Twin} */ twin, /** @type {number} */ depth) => `${twin.title}-${depth}`;

/** The option text of a depth: "20 (n = 3)". */
export const depthLabel = (/** @type {number} */ depth) => `${depth} (n = ${(depth - 2) / 6})`;

/**
 * Checks what the form holds. `fields`: each number's text and whether the browser refused what
 * was typed (letters); `depth` and `zero` as the select and the box hold them.
 * @param {{depth: string, zero: boolean, fields: Record<string, {text: string, badInput?: boolean}>}} form
 * @returns {Form}
 */
export function checkForm({ depth, zero, fields }) {
  /** @type {Values} */
  const values = { 'lab-depth': depth };
  const checks = [];
  /** @type {string[]} */
  const invalid = [];
  /** @type {Record<string, number>} */
  const numbers = {};
  for (const spec of NUMBER_FIELDS) {
    const field = fields[spec.key] ?? { text: '' };
    const checked = checkNumber(field.text, spec, { badInput: Boolean(field.badInput) });
    values[spec.key] = field.text.trim();
    checks.push(checked);
    if (checked.ok) numbers[spec.key.slice(4)] = checked.value;
    else invalid.push(spec.key);
  }
  values['lab-zero'] = zero;
  const d = Number(depth);
  let problems = refusals(checks);
  if (!validDepth(d)) {
    invalid.unshift('lab-depth');
    problems = [`Depth takes 6n + 2 layers (8, 14, 20, 26, ...), not ${depth}.`, problems].filter(Boolean).join(' ');
  }
  const settings = problems ? null : /** @type {Settings} */ ({ depth: d, ...numbers, zeroGamma: zero });
  return { values, settings, problems, invalid };
}

/**
 * The worker's `start` request of one twin: its model (from Rust's `labTwins`) and He et al.'s
 * optimiser, the same seed for both.
 * @param {Settings} settings @param {import('../../core/models.js').ModelConfig} model
 */
export function trainRequest(settings, model) {
  return startRequest(model, settings, { momentum: MOMENTUM, weightDecay: WEIGHT_DECAY, seed: SEED });
}

/** A new race: both twins loading. @param {number} id @param {Settings} settings @returns {Race} */
export function newRace(id, settings) {
  const twins = /** @type {Record<TwinKey, TwinRun>} */ ({});
  for (const twin of TWINS) {
    twins[twin.key] = {
      key: twin.key,
      name: twinName(twin, settings.depth),
      state: 'loading',
      phase: 'Starting the worker',
      backend: null,
      params: null,
      batch: 0,
      total: 0,
      report: null,
      epoch: null,
      speed: null,
      diverged: null,
      error: null,
      trained: false,
      probes: [],
      probeError: null,
      curve: [],
      tests: [],
    };
  }
  return { id, settings, stopping: false, twins };
}

export const twinActive = (/** @type {TwinRun} */ t) => ACTIVE.has(t.state);
export const raceActive = (/** @type {Race | null} */ race) => Boolean(race && Object.values(race.twins).some(twinActive));

/** The race with one twin replaced. @param {Race} race @param {TwinRun} t @returns {Race} */
export const withTwin = (race, t) => ({ ...race, twins: { ...race.twins, [t.key]: t } });

/**
 * One twin's run after one of its worker's events (www/worker/protocol.js); unchanged for events that
 * are the main page's business (gallery, predictions, data_ready...).
 * @param {TwinRun} t @param {any} event @returns {TwinRun}
 */
export function twinEvent(t, event) {
  switch (event.type) {
    case 'state':
      return { ...t, state: event.state, trained: t.trained || event.state === 'running' || event.state === 'paused' };
    case 'backend':
      return { ...t, backend: event, phase: 'Downloading Fashion-MNIST' };
    case 'data_progress':
      return { ...t, phase: 'Loading Fashion-MNIST' };
    case 'model':
      return { ...t, params: event.parameters, phase: 'Building the network' };
    case 'step':
      return { ...t, batch: event.batch, total: event.total };
    case 'train':
      if (event.kind === 'report') return { ...t, report: event, curve: [...t.curve, { x: event.epoch, loss: event.train_loss, acc: event.train_acc }] };
      if (event.kind === 'epoch') return { ...t, epoch: event, tests: [...t.tests, { x: event.epoch, y: event.test_acc }] };
      return t;
    case 'lab_probe':
      return event.error ? { ...t, probeError: event.error } : { ...t, probes: [...t.probes, event] };
    case 'finished':
      return { ...t, speed: event.examples_per_sec };
    case 'diverged':
      return { ...t, diverged: event };
    case 'device_lost':
      return { ...t, error: failure(t, event)?.message ?? null, state: twinActive(t) ? 'failed' : t.state };
    case 'error':
      return { ...t, error: failure(t, event)?.message ?? null };
    default:
      return t;
  }
}

/**
 * What a failing event means: the message to show, whether the worker is gone (`broken`) and
 * whether it is an expected result of the race (a diverging twin), not a fault of the page.
 * @param {TwinRun} t @param {any} event
 * @returns {{message: string, broken: boolean, expected: boolean} | null}
 */
export function failure(t, event) {
  if (event.type === 'device_lost') {
    const why = `${event.reason}${event.message ? `: ${event.message}` : ''}`;
    return { message: `${t.name}: the GPU device was lost (${why}). Start the race again.`, broken: true, expected: false };
  }
  if (event.type === 'error') {
    const message = t.diverged ? `${t.name} diverged: ${event.message}` : `${t.name}: ${event.message}`;
    return { message, broken: Boolean(event.fatal), expected: Boolean(t.diverged) };
  }
  return null;
}

const lossText = (/** @type {number | null} */ loss) => (Number.isFinite(loss) ? /** @type {number} */ (loss).toFixed(1) : 'NaN');

/**
 * The status line of one twin: what it does now and its latest numbers.
 * @param {TwinRun | null | undefined} t @param {Race | null} race
 */
export function statusText(t, race) {
  if (!t || !race) return 'not started';
  const epochs = race.settings.epochs;
  const parts = [];
  switch (t.state) {
    case 'loading':
      parts.push(`${t.phase}\u2026`);
      break;
    case 'running':
    case 'paused':
      parts.push(t.total ? `epoch ${Math.min(epochs, Math.floor((t.batch * epochs) / t.total) + 1)} of ${epochs}, batch ${t.batch} of ${t.total}` : 'training\u2026');
      if (race.stopping) parts.push('stopping after this batch\u2026');
      break;
    case 'finished':
      parts.push(`finished ${plural(epochs, 'epoch')}`);
      break;
    case 'stopped':
      parts.push(t.total ? `stopped at batch ${t.batch} of ${t.total}` : 'stopped before the first batch');
      break;
    case 'failed':
      parts.push(t.diverged ? `diverged at epoch ${t.diverged.epoch.toFixed(1)}` : 'stopped by an error');
      break;
    default:
      parts.push(t.state);
  }
  if (t.report) parts.push(`loss ${t.report.train_loss.toFixed(3)}`, `train acc ${pct(t.report.train_acc)}`);
  if (t.epoch) parts.push(`test acc ${pct(t.epoch.test_acc)}`);
  if (t.speed) parts.push(`${t.speed >= 100 ? Math.round(t.speed) : t.speed.toFixed(1)} examples/s`);
  const on = t.backend ? (t.backend.backend === 'wgpu' ? 'WebGPU' : 'CPU') : null;
  return (on ? `(${on}) ` : '') + parts.join(' \u00b7 ');
}

/**
 * The line under the controls: what the two networks are and their parameter counts (`from`:
 * where the counts come from).
 * @param {Settings} settings @param {Record<TwinKey, number>} counts @param {string} from
 */
export function twinsText(settings, counts, from) {
  const d = settings.depth;
  const n = (d - 2) / 6;
  const w = settings.width;
  const layers = `plain-${d} and ResNet-${d}: ${d} weighted layers each (a 3\u00d73 stem conv, 3 stages of ${plural(n, 'block')} of two 3\u00d73 convs with ${w}, ${2 * w} and ${4 * w} channels, a linear head). `;
  const params =
    counts.plain === counts.residual
      ? `${exact(counts.plain)} parameters each (${from}): the shortcut adds none.`
      : `Parameters (${from}): plain ${exact(counts.plain)}, ResNet ${exact(counts.residual)}.`;
  const zero = settings.zeroGamma
    ? ' Zero-\u03b3: every ResNet block starts as the identity; the plain twin keeps the default initialisation (a plain block with \u03b3 = 0 would output zeros).'
    : '';
  return layers + params + zero;
}

/** The parameter counts of the race's two networks, when both are built and `settings` are its own. */
export function liveCounts(/** @type {Race | null} */ race, /** @type {Settings} */ settings) {
  if (!race || JSON.stringify(race.settings) !== JSON.stringify(settings)) return null;
  const { plain, residual } = race.twins;
  return plain.params != null && residual.params != null ? { plain: plain.params, residual: residual.params } : null;
}

/** The message when a race starts. @param {Race} race */
export function raceStartText(race) {
  const s = race.settings;
  const { plain, residual } = race.twins;
  return `Race ${race.id}: ${plain.name} against ${residual.name}, ${plural(s.epochs, 'epoch')} on ${exact(s.train)} images, batch ${s.batch}, lr ${s.lr}, the same data order.`;
}

/** The message when both twins have stopped: final losses, the winner, any divergence. @param {Race} race */
export function raceOverText(race) {
  const { plain, residual } = race.twins;
  const both = [plain, residual];
  const lossOf = (/** @type {TwinRun} */ x) => (x.diverged ? 'diverged' : x.report ? x.report.train_loss.toFixed(3) : 'n/a');
  let text = `Race ${race.id} over. Final training loss: ${plain.name} ${lossOf(plain)}, ${residual.name} ${lossOf(residual)}.`;
  if (plain.report && residual.report && !plain.diverged && !residual.diverged) {
    const lower = plain.report.train_loss < residual.report.train_loss ? plain : residual;
    text += ` ${lower.name} ended lower on the training set.`;
  }
  for (const x of both) {
    if (!x.diverged) continue;
    text += ` ${x.name} diverged at epoch ${x.diverged.epoch.toFixed(1)} (running loss ${lossText(x.diverged.loss)}); its weights of epoch ${x.diverged.kept_epoch.toFixed(1)} are kept. Try a lower learning rate (He et al. warmed their 110-layer network up at 0.01) or zero-\u03b3.`;
  }
  return text;
}

/** Whether a twin failed for another reason than diverging (its error then stays on screen). */
export const faulted = (/** @type {Race} */ race) => Object.values(race.twins).some((t) => t.error && !t.diverged);
