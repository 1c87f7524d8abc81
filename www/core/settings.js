// @ts-check
// One schema for every setting the page and the lab keep in the URL hash (like TensorFlow
// Playground's state.ts): each key's type, range and default, parsed from a shared link with a
// message for every value that was refused, and written back in one order. Pure, unit-tested in
// tests/unit/settings.test.mjs.

import { checkLinkNumber, rangeText } from './fields.js';
import { BACKEND_CHOICES, backendChoiceOf } from './backend.js';

/**
 * @typedef {import('./fields.js').NumberSpec & {kind: 'number', default: number | null,
 *   valid?: (value: number) => string | null}} NumberSetting
 * @typedef {{kind: 'choice', key: string, label: string, values: readonly string[], default: string}} ChoiceSetting
 * @typedef {{kind: 'flag', key: string, label: string, default: boolean}} FlagSetting
 * @typedef {{kind: 'pattern', key: string, label: string, pattern: RegExp, default: null}} PatternSetting
 * @typedef {NumberSetting | ChoiceSetting | FlagSetting | PatternSetting} Setting
 * @typedef {Record<string, number | string | boolean | null>} Values
 */

export const FULL = { train: 60000, test: 10000 };
/** The test images to evaluate on as the worker takes them: null for all of them. @param {number} test */
export const testLimit = (test) => (test >= FULL.test ? null : test);
export const GALLERY_SIZE = 24; // the worker sends (and Rust predicts) the first 24 test images

/**
 * @param {string} key @param {string} label @param {number} min @param {number} max
 * @param {boolean} integer @param {number | null} [def] @param {(value: number) => string | null} [valid]
 * @returns {NumberSetting}
 */
const number = (key, label, min, max, integer, def = null, valid = undefined) => ({ kind: 'number', key, label, min, max, integer, default: def, valid });

/** 6n + 2 layers, n >= 1 (20, 32, 56; 8 for quick tests). */
export const validDepth = (/** @type {number} */ d) => Number.isInteger(d) && d >= 8 && d <= 200 && (d - 2) % 6 === 0;

/** The training form's numbers; their defaults come from the model's catalogue entry. */
export const TRAINING = [
  number('epochs', 'Epochs', 1, 100, true),
  number('batch', 'Batch size', 1, 4096, true),
  number('lr', 'Learning rate', 1e-4, 10, false),
  number('train', 'Training images', 1, FULL.train, true, FULL.train),
  number('test', 'Test images', 1, FULL.test, true, FULL.test),
];
/** Which backend trains: Auto (WebGPU unless it is a software renderer), WebGPU or the CPU. */
const BACKEND = /** @type {ChoiceSetting} */ ({ kind: 'choice', key: 'backend', label: 'Backend', values: BACKEND_CHOICES, default: 'auto' });
/**
 * On WebGPU, which kernels the convolutions and BatchNorms run: per operation the faster as
 * measured on this adapter (ours on a software one), ours, or burn's. For tests and benchmarks:
 * a link setting, read when the worker opens; the form has no field for it.
 */
export const KERNELS = /** @type {ChoiceSetting} */ ({ kind: 'choice', key: 'kernels', label: 'Kernels', values: ['auto', 'ours', 'burn'], default: 'auto' });
/** A chapter-7 model's input side in pixels, up to the seed's largest. */
export const INPUT_SIZE = number('input', 'Input size', 8, 224, true);

/**
 * The page's settings. `presets`: the catalogue's model names (from Rust), the first the default.
 * @param {readonly string[]} presets
 * @returns {Setting[]}
 */
export function pageSettings(presets) {
  return [
    { kind: 'choice', key: 'preset', label: 'Model', values: presets, default: presets[0] },
    INPUT_SIZE,
    ...TRAINING,
    BACKEND,
    KERNELS,
    { kind: 'pattern', key: 'block', label: 'Selected block', pattern: /^b\d+\.\d+$/, default: null },
    { kind: 'choice', key: 'mode', label: 'Identity demo', values: ['branch', 'conv2'], default: 'branch' },
    number('image', 'Test image', 0, GALLERY_SIZE - 1, true, 0),
    number('stage', 'Insertion stage', 0, 15, true, 0),
  ];
}

/**
 * What the worker is opened with, read from a link before the model catalogue is known (so the
 * worker can start while the page compiles its own module): the backend choice, the test
 * images the demos evaluate (null: all of them) and the kernels. A value the link has wrong is
 * left to the form to report; the default is used meanwhile, as the form does.
 * @param {string} hash
 * @returns {{backend: import('./backend.js').BackendChoice, testLimit: number | null, kernels: import('../generated/rust.js').Kernels}}
 */
export function workerOpening(hash) {
  const { values } = parseHash(hash, [/** @type {Setting} */ (TRAINING.find((s) => s.key === 'test')), BACKEND, KERNELS]);
  const test = /** @type {number | undefined} */ (values.test);
  const kernels = /** @type {import('../generated/rust.js').Kernels} */ (values.kernels ?? 'auto');
  return { backend: backendChoiceOf(values.backend), testLimit: test === undefined ? null : testLimit(test), kernels };
}

/** The lab's settings, under `lab-` keys. */
export const LAB_SETTINGS = /** @type {Setting[]} */ ([
  number('lab-depth', 'Depth', 8, 200, true, 20, (/** @type {number} */ d) => (validDepth(d) ? null : 'takes 6n + 2 layers (8, 14, 20, 26, ...)')),
  number('lab-width', 'Width', 1, 64, true, 8),
  number('lab-epochs', 'Epochs', 1, 50, true, 3),
  number('lab-batch', 'Batch size', 1, 1024, true, 32),
  number('lab-train', 'Training images', 1, FULL.train, true, 1000),
  number('lab-test', 'Test images', 1, FULL.test, true, 500),
  number('lab-lr', 'Learning rate', 1e-4, 10, false, 0.1),
  { kind: 'flag', key: 'lab-zero', label: 'Zero-\u03b3 initialisation', default: false },
]);

/** The presenter flag (the layout feature's key). */
export const PRESENT = /** @type {Setting[]} */ ([{ kind: 'flag', key: 'present', label: 'Presenter mode', default: false }]);

/** The views the page shows alone in a frame (`embed=<view>`), each its sections by id (the chart: with Start). */
export const EMBED_VIEWS = /** @type {Record<string, string[]>} */ ({
  identity: ['identity'],
  insertion: ['nested'],
  race: ['lab'],
  diagram: ['network'],
  chart: ['setup', 'training'],
  picture: ['picture'],
});

/** The embedded view (the layout feature's key): 'page' shows the whole page. */
export const EMBED = /** @type {Setting[]} */ ([{ kind: 'choice', key: 'embed', label: 'Embedded view', values: ['page', ...Object.keys(EMBED_VIEWS)], default: 'page' }]);

/**
 * A link's insertion stage checked against the network in memory's stages (the schema allows
 * any stage a network might have): the sentence to report, or null when it is fine.
 * @param {string} hash @param {string[]} stages  the network's stage labels (b2, b3, ...)
 */
export function stageProblem(hash, stages) {
  const raw = new URLSearchParams(hash.replace(/^#/, '')).get('stage');
  const stage = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(stage) || stage < stages.length || stages.length === 0) return null;
  return `The link's stage=${raw} was not used: the network in memory has ${stages.length} stages (${stages[0]} to ${stages[stages.length - 1]}, stage=0 to ${stages.length - 1}); ${stages[stages.length - 1]} is used instead.`;
}

/** "auto, wgpu or cpu" */
const orList = (/** @type {readonly string[]} */ v) => (v.length > 1 ? `${v.slice(0, -1).join(', ')} or ${v[v.length - 1]}` : v.join(''));

/** The schema's defaults (null where the default depends on the model). */
export function defaults(/** @type {Setting[]} */ schema) {
  return /** @type {Values} */ (Object.fromEntries(schema.map((s) => [s.key, s.default])));
}

/**
 * Reads a shared link. `values` holds the keys the link sets validly; `problems` one sentence for
 * each value it sets that was refused (naming the link's text, what the key takes and what is used
 * instead), so a bad link is reported, never silently replaced.
 * @param {string} hash  location.hash, with or without '#'
 * @param {Setting[]} schema
 * @param {Values} [fallback]  what is used instead where the schema's default depends on others (the model's)
 * @returns {{values: Values, problems: string[]}}
 */
export function parseHash(hash, schema, fallback = {}) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  /** @type {Values} */
  const values = {};
  const problems = [];
  for (const s of schema) {
    if (!params.has(s.key)) continue;
    const raw = /** @type {string} */ (params.get(s.key));
    const used = fallback[s.key] ?? s.default;
    const shown = typeof used === 'boolean' ? (used ? '1 (on)' : '0 (off)') : used;
    const instead = used === null ? 'the model\u2019s default is used instead' : `${shown} is used instead`;
    const refused = (/** @type {string} */ takes) => problems.push(`The link's ${s.key}=${raw} was not used: ${s.label.toLowerCase()} ${takes}; ${instead}.`);
    if (s.kind === 'number') {
      const checked = checkLinkNumber(params, s, /** @type {number | string} */ (used ?? 'the model\u2019s default'));
      if (checked && !checked.ok) problems.push(checked.message);
      else if (checked?.ok) {
        const why = s.valid?.(checked.value);
        if (why) refused(why);
        else values[s.key] = checked.value;
      }
    } else if (s.kind === 'choice') {
      if (s.values.includes(raw)) values[s.key] = raw;
      else problems.push(`The link's ${s.key}=${raw} is not ${orList(s.values)}; ${instead}.`);
    } else if (s.kind === 'flag') {
      if (raw === '1' || raw === '0') values[s.key] = raw === '1';
      else refused('is 1 or 0');
    } else if (s.pattern.test(raw)) values[s.key] = raw;
    else refused('is a block label such as b2.0');
  }
  return { values, problems };
}

/**
 * The hash for `values`: the schema's keys in its order (null and undefined left out), then the
 * keys of `keep` that the schema does not own (another schema's, so two writers never clash).
 * @param {Values} values
 * @param {Setting[]} schema
 * @param {string} [keep]  the current hash
 */
export function hashOf(values, schema, keep = '') {
  const params = new URLSearchParams();
  for (const s of schema) {
    const v = values[s.key];
    if (v === null || v === undefined || v === '') continue;
    params.set(s.key, s.kind === 'flag' ? (v ? '1' : '0') : String(v));
  }
  const owned = new Set(schema.map((s) => s.key));
  for (const [key, value] of new URLSearchParams(keep.replace(/^#/, ''))) if (!owned.has(key)) params.set(key, value);
  return '#' + params.toString();
}

export { rangeText };
