// @ts-check
// The architecture diagram, the layer table and the notes around them: the network in memory,
// or a preview of the model chosen in the form (drawn from Rust's layer table, `shapes`).

import { defaultBlock, describeNetwork } from '../../core/network-model.js';
import { formatCount } from '../../core/format.js';
import { capitalise, presetOf, sameConfig, selectionName, zooName } from '../../core/models.js';
import { INPUT_SIZE } from '../../core/settings.js';
import { renderDiagram } from './diagram.js';
import { renderLayerTable } from './layer-table.js';
import { networkNote, summaryText } from './notes.js';
import { LEGENDS, fillLegend } from './legend.js';
import { $ } from '../../dom/elements.js';

/** @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore */

/**
 * @typedef {{store: PageStore, ui: ReturnType<typeof architectureElements>, resnetLabel: string | null,
 *   table: {shown: any, kind: string | null, collapsed: Set<string>, seen: Set<string>}}} ArchitectureContext
 */

function architectureElements() {
  return {
    diagram: $('diagram'),
    table: $('shapes-table'),
    summary: $('model-summary'),
    note: $('network-note'),
    noteText: $('network-note-text'),
    switch: $('network-switch'),
    resnetLegend: $('resnet-legend'),
    zooLegend: $('zoo-legend'),
    inputSizeField: $('input-size-field'),
    inputSizeNote: $('input-size-note'),
  };
}

export function initArchitecture(/** @type {{store: PageStore}} */ { store }) {
  const ui = architectureElements();
  fillLegend(ui.resnetLegend, LEGENDS.resnet);
  fillLegend(ui.zooLegend, LEGENDS.zoo);
  /** @type {ArchitectureContext} */
  const ctx = { store, ui, resnetLabel: ui.diagram.getAttribute('aria-label'), table: { shown: null, kind: null, collapsed: new Set(), seen: new Set() } };
  const table = ctx.table;
  const render = () => renderArchitecture(ctx);

  store.subscribe(['memoryNet', 'showing', 'source', 'training', 'wasm', 'models'], render);
  store.subscribe(['selectedConfig', 'preset'], (s) => {
    // The form's model is the network in memory: nothing to preview.
    const same = Boolean(s.memory) && sameConfig(s.selectedConfig, s.memory?.config);
    if (s.showing !== (same ? 'memory' : 'preview')) store.set({ showing: same ? 'memory' : 'preview' });
    else render();
  });
  store.subscribe(['selectedConfig', 'preset', 'wasm'], () => renderInputNote(ctx));
  store.subscribe(['block'], (s) => {
    if (table.shown && table.shown === s.memoryNet && !s.memoryNet.zoo && s.memoryNet.blocks.some((/** @type {any} */ b) => b.label === s.block)) highlight(ui, s.block);
    else render();
  });
  ui.switch.addEventListener('click', () => store.set({ showing: store.get().showing === 'preview' ? 'memory' : 'preview' }));
  $('expand-all').addEventListener('click', () => {
    table.collapsed.clear();
    if (table.shown) renderLayerTable(ui.table, table.shown, table.collapsed);
  });
  $('collapse-all').addEventListener('click', () => {
    for (const b of table.shown?.blocks ?? []) table.collapsed.add(b.label);
    for (const r of table.shown?.groups ?? []) table.collapsed.add(r.label); // a chapter-7 network's groups
    if (table.shown) renderLayerTable(ui.table, table.shown, table.collapsed);
  });
}

/** The form's model, drawn from Rust's layer table; or why it cannot be. @param {ArchitectureContext} ctx */
function previewNet({ store, ui }) {
  const s = store.get();
  if (!s.wasm) return { net: null, error: null };
  if (!s.selectedConfig) {
    const zoo = s.models.get(s.preset)?.family === 'zoo';
    return { net: null, error: zoo ? `the input size must be a whole number of pixels from ${INPUT_SIZE.min} to ${INPUT_SIZE.max}` : null };
  }
  try {
    return { net: describeNetwork({ config: s.selectedConfig, layers: s.wasm.shapes(s.selectedConfig), inserted: [] }), error: null };
  } catch (e) {
    const error = /** @type {Error} */ (e).message ?? String(e);
    ui.summary.textContent = `The model description failed: ${error}`;
    return { net: null, error };
  }
}

/** The selected model has no network to draw (an input too small): empty views that say why. @param {ArchitectureContext} ctx @param {string} reason */
function showNoPreview({ store, ui, table }, reason) {
  const s = store.get();
  table.shown = null;
  ui.diagram.replaceChildren();
  ui.diagram.dataset.view = 'preview';
  ui.diagram.dataset.model = '';
  ui.table.tBodies[0].replaceChildren();
  ui.table.tFoot?.replaceChildren();
  ui.note.dataset.view = 'preview';
  ui.noteText.textContent = `No network to draw for ${selectionName(s.models, s.preset, s.selectedConfig)}: ${reason}.`;
  ui.switch.textContent = 'Show the network in memory';
  ui.switch.hidden = !s.memoryNet;
  ui.summary.textContent = '';
}

/** Redraws the diagram, table and notes for what is shown (memory or the form's model). @param {ArchitectureContext} ctx */
function renderArchitecture(ctx) {
  const { store, ui } = ctx;
  const s = store.get();
  const preview = s.showing === 'preview' || !s.memoryNet;
  const { net, error } = preview ? previewNet(ctx) : { net: s.memoryNet, error: null };
  if (!net) {
    if (preview && error) showNoPreview(ctx, error);
    return;
  }
  const interactive = !preview && !net.zoo;
  if (interactive && !net.blocks.some((/** @type {any} */ b) => b.label === s.block)) {
    // Draws again through the subscription, which redraws in full: `table.shown` is not this
    // network yet (set only once it is drawn), so it does not just move the highlight.
    store.set({ block: defaultBlock(net) });
    return;
  }
  ctx.table.shown = net;
  const title = zooName(s.models, net.config);
  const selectBlock = (/** @type {string} */ label) => {
    if (store.get().memoryNet?.blocks.some((/** @type {any} */ b) => b.label === label)) store.set({ block: label });
  };
  renderDiagram(ui.diagram, net, { selected: interactive ? s.block : null, interactive, onSelect: selectBlock, title: net.zoo ? (s.models.get(net.kind)?.title ?? net.kind) : '' });
  ui.diagram.dataset.view = preview ? 'preview' : 'memory';
  ui.diagram.dataset.model = net.zoo ? net.kind : (presetOf(s.models, net.config) ?? 'resnet');
  ui.diagram.setAttribute('aria-label', net.zoo ? `Architecture diagram of ${title}: its layers from left to right, with the output shape on every arrow.` : ctx.resnetLabel);
  ui.resnetLegend.hidden = Boolean(net.zoo);
  ui.zooLegend.hidden = !net.zoo;
  renderTable(ctx, net);
  ui.summary.textContent = summaryText(s.models, net);
  const chosen = selectionName(s.models, s.preset, s.selectedConfig);
  const note = networkNote({ ...s, preview, net, chosen });
  ui.note.dataset.view = preview ? 'preview' : 'memory';
  ui.noteText.textContent = note.text;
  ui.switch.hidden = !note.switchText;
  if (note.switchText) ui.switch.textContent = note.switchText;
}

/**
 * Residual blocks (ResNet) or the layer groups below the top level (an Inception block and its
 * paths) start collapsed; the choice is kept while the same kind of network is shown.
 * @param {ArchitectureContext} ctx @param {any} net
 */
function renderTable({ ui, table }, net) {
  const kind = net.zoo ? net.kind : 'resnet';
  if (table.kind !== kind) {
    table.kind = kind;
    table.collapsed.clear();
    table.seen.clear();
  }
  const collapsible = net.zoo ? net.groups.filter((/** @type {any} */ r) => r.level > 0).map((/** @type {any} */ r) => r.label) : net.blocks.map((/** @type {any} */ b) => b.label);
  for (const label of collapsible) {
    if (!table.seen.has(label)) table.collapsed.add(label);
    table.seen.add(label);
  }
  renderLayerTable(ui.table, net, table.collapsed);
}

/** The selected block, highlighted without redrawing the diagram. @param {ArchitectureContext['ui']} ui @param {string | null} label */
function highlight(ui, label) {
  for (const g of ui.diagram.querySelectorAll('.block-node')) {
    const on = g.dataset.block === label;
    g.classList.toggle('selected', on);
    if (g.hasAttribute('aria-pressed')) g.setAttribute('aria-pressed', String(on));
  }
}

/** The input-size note of a chapter-7 model: the seed's size and what this one costs. @param {ArchitectureContext} ctx */
function renderInputNote({ store, ui }) {
  const s = store.get();
  const m = s.models.get(s.preset);
  ui.inputSizeField.hidden = m?.family !== 'zoo';
  ui.inputSizeNote.textContent = m?.family !== 'zoo' || !s.wasm ? '' : inputNoteText(s.wasm, m, s.selectedConfig?.input_size);
}

/**
 * The seed's input size, the MACs at the chosen size (or why it does not fit) and a smaller size
 * worth trying.
 * @param {any} wasm @param {any} m the model's catalogue entry @param {number | undefined} size
 */
function inputNoteText(wasm, m, size) {
  const macsAt = (/** @type {number} */ px) => wasm.shapes({ kind: m.name, input_size: px }).filter((/** @type {any} */ r) => r.level === 0).reduce((/** @type {number} */ t, /** @type {any} */ r) => t + r.macs, 0);
  const fits = (/** @type {number} */ px) => {
    try {
      return macsAt(px) > 0;
    } catch {
      return false;
    }
  };
  const seed = m.defaultInput;
  const parts = [seed === 28 ? 'Built for the images\u2019 own 28\u00d728 pixels.' : `The seed resizes the 28\u00d728 images to ${seed}\u00d7${seed}.`];
  if (!size) parts.push(`Choose a size from ${INPUT_SIZE.min} to ${INPUT_SIZE.max} pixels.`);
  else {
    try {
      const macs = macsAt(size);
      const ratio = size === seed ? '' : ` (${(macs / m.macs).toFixed(2)}\u00d7 the seed\u2019s ${seed} px)`;
      parts.push(`At ${size} px: ${formatCount(macs)} MACs an image${ratio}.`);
    } catch (e) {
      parts.push(`${capitalise(String(/** @type {Error} */ (e).message ?? e))}.`);
    }
  }
  const smaller = [96, 64].find((x) => x < seed && fits(x));
  if (smaller) parts.push(`Smaller inputs train much faster in a browser: try ${smaller}.`);
  return parts.join(' ');
}
