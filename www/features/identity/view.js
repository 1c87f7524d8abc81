// @ts-check
// The identity-mapping demo's views: the selected block's header, the numbers and feature maps of
// one block, the table of every block's checks and the note shown when the network in memory is a
// chapter-7 one. The texts are pure functions (unit-tested in tests/unit/demos.test.mjs); the
// render functions draw plain data and know nothing of the store or the worker.

import { chw } from '../../core/format.js';
import { renderFeatureMaps } from '../../dom/feature-maps.js';
import { $ } from '../../dom/elements.js';

/**
 * A residual block as describeNetwork() lists it.
 * @typedef {{label: string, stage: number, block: number, plain?: boolean, projection?: boolean,
 *   stride: number, inShape: number[], outShape: number[]}} Block
 * @typedef {{label: string, projection?: boolean, zero_branch?: number | null, zero_conv2?: number | null}} Check
 *   one row of the worker's `identityChecks` (Rust's None arrives as undefined)
 * @typedef {{max_abs_diff?: number | null, side_in: number, side_out: number, input: ArrayLike<number>,
 *   output: ArrayLike<number>, channels: number}} Maps  the worker's `featureMaps` (input and output
 *   `Float32Array`s)
 */

export const CHECK_IMAGES = 16; // test images for the table of identity checks
export const MAP_CHANNELS = 4; // feature-map channels shown
export const MODE_NAMES = { branch: 'residual branch zeroed', conv2: 'conv2 zeroed', none: 'as trained' };
export const TRAINING_TEXT = 'Training: the demos come back when the run stops or finishes.';

/** A max |out - in| to read: 'n/a' when undefined, '0', 3 decimals, or 2 significant digits when tiny. */
export const fmtDiff = (/** @type {number | null | undefined} */ v) => (v == null ? 'n/a' : v === 0 ? '0' : v >= 0.01 ? v.toFixed(3) : v.toPrecision(2));

/** The big number of the demo: 'not defined' (a projection shortcut), '0 (exactly)' or fmtDiff. */
export const diffText = (/** @type {number | null | undefined} */ v, exactly = false) =>
  v == null ? 'not defined' : v === 0 && exactly ? '0 (exactly)' : fmtDiff(v);

/** A check's cell: 'n/a', '0 ✓' or fmtDiff. */
export const checkText = (/** @type {number | null | undefined} */ v) => (v == null ? 'n/a' : v === 0 ? '0 \u2713' : fmtDiff(v));

/** What the selected block's shortcut is, after its label. @param {Block | null} b @param {boolean} zoo */
export function blockKindText(b, zoo) {
  if (zoo) return '(the network in memory has no residual blocks)';
  if (!b) return '';
  if (b.plain) return '(inserted plain block: no shortcut)';
  if (b.projection) return `(1\u00d71 conv shortcut${b.stride > 1 ? `, stride ${b.stride}` : ''}: ${chw(b.inShape)} \u2192 ${chw(b.outShape)})`;
  return `(identity shortcut, ${chw(b.outShape)})`;
}

/**
 * Why the block is (or is not) the identity, with the numbers measured.
 * @param {Block} b @param {'branch' | 'conv2'} mode @param {{max_abs_diff?: number | null}} zeroed
 * @param {{max_abs_diff?: number | null}} asTrained @param {number} imageIndex
 */
export function explainIdentity(b, mode, zeroed, asTrained, imageIndex) {
  const image = `test image #${imageIndex}`;
  if (b.plain) {
    return mode === 'branch'
      ? `This inserted plain block has no shortcut: with its branch zeroed it outputs 0 whatever its input, so max |out \u2212 in| is just the size of the input (${fmtDiff(zeroed.max_abs_diff)}). Everything after it sees zeros.`
      : `This inserted plain block has no shortcut, so no zeroing can make it pass its input through.`;
  }
  if (b.projection) {
    return `This block\u2019s shortcut is itself a convolution (1\u00d71${b.stride > 1 ? `, stride ${b.stride}` : ''}): its output is ${chw(b.outShape)} while its input is ${chw(b.inShape)}. No setting of the residual branch gives the identity: with the branch zeroed the block still computes ReLU(conv1\u00d71(x)), a different shape. Only blocks with an identity shortcut can become f(x) = x.`;
  }
  if (mode === 'branch') {
    return `With BN2\u2019s \u03b3 and \u03b2 set to 0 the residual branch outputs exactly 0, so the block computes ReLU(x + 0) = x (x is already \u2265 0: it comes out of a ReLU). On ${image}, max |out \u2212 in| = ${fmtDiff(zeroed.max_abs_diff)}: the block is the identity. As trained, it changes its input by up to ${fmtDiff(asTrained.max_abs_diff)}.`;
  }
  return `d2l says: set the last weighted layer (conv2) to zero. But a BatchNorm follows conv2, and in eval mode it maps 0 to \u03b2 \u2212 \u03b3\u00b7\u03bc/\u221a(\u03c3\u00b2+\u03b5), a constant per channel, not 0. So the block adds that constant: max |out \u2212 in| = ${fmtDiff(zeroed.max_abs_diff)} on ${image}, not the identity. Zero BN2 (\u03b3 = \u03b2 = 0) instead.`;
}

/** The note on the identity demo when the network in memory (`name`) has no residual blocks. */
export const zooIdentityText = (/** @type {string} */ name) =>
  `The network in memory, ${name}, has no residual blocks: there is no residual branch to zero, so the identity demo needs a residual network. Train a ResNet preset, or load the pretrained one.`;

/** The checks table's one line while there are no checks. @param {{training: boolean, ready: boolean}} s */
export const checksPlaceholder = ({ training, ready }) => (training ? 'Computed when training stops.' : ready ? 'Computing\u2026' : 'Waiting for the network\u2026');

/** The demo's elements. */
export function identityElements() {
  return {
    block: $('identity-block'),
    blockKind: $('identity-block-kind'),
    image: /** @type {HTMLSelectElement} */ ($('identity-image')),
    zeroBranch: /** @type {HTMLButtonElement} */ ($('zero-branch')),
    zeroConv2: /** @type {HTMLButtonElement} */ ($('zero-conv2')),
    result: $('identity-result'),
    modeName: $('identity-mode-name'),
    diff: $('identity-diff'),
    diffNone: $('identity-diff-none'),
    explain: $('identity-explain'),
    featureMaps: $('feature-maps'),
    checksBody: /** @type {HTMLTableSectionElement} */ (document.querySelector('#identity-checks tbody')),
    checksImages: $('checks-images'),
    message: $('identity-message'),
    zoo: $('identity-zoo'),
    zooText: $('identity-zoo-text'),
    loadResnet: /** @type {HTMLButtonElement} */ ($('load-resnet')),
  };
}

/** @typedef {ReturnType<typeof identityElements>} IdentityUi */

/** A number shown as `text`, its value in data-value ('' when none). @param {HTMLElement} el @param {unknown} value @param {string} text */
export function setNumber(el, value, text) {
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = text;
}

/** Empties the demo's numbers and maps; `message` replaces the explanation. @param {IdentityUi} ui @param {string} message */
export function clearIdentityDemo(ui, message) {
  ui.result.dataset.state = 'idle';
  setNumber(ui.diff, null, '\u2013');
  setNumber(ui.diffNone, null, '\u2013');
  ui.explain.textContent = message;
  ui.featureMaps.replaceChildren();
}

/** The options of the test-image picker: '#3: Dress' once the gallery is known. @param {HTMLSelectElement} select @param {any} gallery @param {number} count */
export function renderImageChoices(select, gallery, count) {
  select.replaceChildren();
  const n = gallery ? gallery.images.length : count;
  for (let i = 0; i < n; i++) {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = gallery ? `#${i}: ${gallery.class_names[gallery.labels[i]]}` : `#${i}`;
    select.append(option);
  }
}

/**
 * Every block's checks, or one line saying why there are none; a row's button selects its block.
 * @param {IdentityUi} ui
 * @param {{checks: Check[] | null, blocks: Block[], selected: string | null, zooName: string | null, placeholder: string}} data
 *   zooName: the chapter-7 network in memory (no residual blocks), else null
 * @param {(label: string) => void} onSelect
 */
export function renderChecks(ui, { checks, blocks, selected, zooName, placeholder }, onSelect) {
  ui.checksBody.replaceChildren();
  ui.checksImages.textContent = checks ? `(first ${CHECK_IMAGES} test images)` : '';
  if (zooName !== null || !checks) {
    const td = ui.checksBody.insertRow().insertCell();
    td.colSpan = 4;
    td.className = 'muted';
    td.textContent = zooName !== null ? `No residual blocks in ${zooName}.` : placeholder;
    return;
  }
  const byLabel = new Map(blocks.map((b) => [b.label, b]));
  for (const c of checks) {
    const tr = ui.checksBody.insertRow();
    tr.dataset.block = c.label;
    if (c.label === selected) tr.classList.add('selected');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'row-toggle';
    button.textContent = c.label;
    button.setAttribute('aria-label', `Select block ${c.label}`);
    button.addEventListener('click', () => onSelect(c.label));
    tr.insertCell().append(button);
    tr.insertCell().textContent = byLabel.get(c.label)?.plain ? 'none (plain)' : c.projection ? '1\u00d71 conv' : 'identity';
    for (const v of [c.zero_branch, c.zero_conv2]) {
      const td = tr.insertCell();
      td.className = 'num';
      td.dataset.value = v == null ? '' : String(v);
      td.textContent = checkText(v);
      if (v == null) td.title = 'The shortcut is a 1\u00d71 convolution: the output has another shape than the input.';
      if (v === 0) td.classList.add('exact-zero');
    }
  }
}

/**
 * The demo's result for block `b`: both numbers, the explanation and the feature maps (input, as
 * trained, zeroed).
 * @param {IdentityUi} ui @param {Block} b @param {'branch' | 'conv2'} mode @param {number} image
 * @param {Maps} asTrained @param {Maps} zeroed
 */
export function showIdentityResult(ui, b, mode, image, asTrained, zeroed) {
  setNumber(ui.diff, zeroed.max_abs_diff, diffText(zeroed.max_abs_diff, true));
  setNumber(ui.diffNone, asTrained.max_abs_diff, diffText(asTrained.max_abs_diff));
  ui.explain.textContent = explainIdentity(b, mode, zeroed, asTrained, image);
  renderFeatureMaps(
    ui.featureMaps,
    [
      { title: `input x (${chw(b.inShape)})`, side: asTrained.side_in, data: asTrained.input },
      { title: 'output, as trained', side: asTrained.side_out, data: asTrained.output },
      { title: `output, ${MODE_NAMES[mode]}`, side: zeroed.side_out, data: zeroed.output },
    ],
    zeroed.channels,
  );
  ui.featureMaps.dataset.block = b.label;
  ui.result.dataset.state = 'done';
}
