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

/** @typedef {import('../../core/store.js').Store<import('../../app/state.js').PageState>} PageStore */

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));

export function initArchitecture(/** @type {{store: PageStore}} */ { store }) {
  const ui = {
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
  const RESNET_LABEL = ui.diagram.getAttribute('aria-label');
  const table = { shown: /** @type {any} */ (null), kind: /** @type {string | null} */ (null), collapsed: new Set(), seen: new Set() };

  /** The form's model, drawn from Rust's layer table; or why it cannot be. */
  function previewNet() {
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

  /** The selected model has no network to draw (an input too small): empty views that say why. */
  function showNoPreview(/** @type {string} */ reason) {
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

  /** Redraws the diagram, table and notes for what is shown (memory or the form's model). */
  function render() {
    const s = store.get();
    const preview = s.showing === 'preview' || !s.memoryNet;
    const { net, error } = preview ? previewNet() : { net: s.memoryNet, error: null };
    if (!net) {
      if (preview && error) showNoPreview(error);
      return;
    }
    table.shown = net;
    const interactive = !preview && !net.zoo;
    if (interactive && !net.blocks.some((/** @type {any} */ b) => b.label === s.block)) {
      store.set({ block: defaultBlock(net) }); // draws again through the subscription
      return;
    }
    const title = zooName(s.models, net.config);
    renderDiagram(ui.diagram, net, { selected: interactive ? s.block : null, interactive, onSelect: selectBlock, title: net.zoo ? (s.models.get(net.kind)?.title ?? net.kind) : '' });
    ui.diagram.dataset.view = preview ? 'preview' : 'memory';
    ui.diagram.dataset.model = net.zoo ? net.kind : (presetOf(s.models, net.config) ?? 'resnet');
    ui.diagram.setAttribute('aria-label', net.zoo ? `Architecture diagram of ${title}: its layers from left to right, with the output shape on every arrow.` : RESNET_LABEL);
    ui.resnetLegend.hidden = Boolean(net.zoo);
    ui.zooLegend.hidden = !net.zoo;
    renderTable(net);
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
   */
  function renderTable(/** @type {any} */ net) {
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

  function selectBlock(/** @type {string} */ label) {
    if (store.get().memoryNet?.blocks.some((/** @type {any} */ b) => b.label === label)) store.set({ block: label });
  }

  /** The selected block, highlighted without redrawing the diagram. */
  function highlight(/** @type {string | null} */ label) {
    for (const g of ui.diagram.querySelectorAll('.block-node')) {
      const on = g.dataset.block === label;
      g.classList.toggle('selected', on);
      if (g.hasAttribute('aria-pressed')) g.setAttribute('aria-pressed', String(on));
    }
  }

  /** The input-size note of a chapter-7 model: the seed's size and what this one costs. */
  function renderInputNote() {
    const s = store.get();
    const m = s.models.get(s.preset);
    ui.inputSizeField.hidden = m?.family !== 'zoo';
    if (m?.family !== 'zoo' || !s.wasm) {
      ui.inputSizeNote.textContent = '';
      return;
    }
    const macsAt = (/** @type {number} */ size) => s.wasm.shapes({ kind: m.name, input_size: size }).filter((/** @type {any} */ r) => r.level === 0).reduce((/** @type {number} */ t, /** @type {any} */ r) => t + r.macs, 0);
    const fits = (/** @type {number} */ size) => {
      try {
        return macsAt(size) > 0;
      } catch {
        return false;
      }
    };
    const seed = m.defaultInput;
    const parts = [seed === 28 ? 'Built for the images\u2019 own 28\u00d728 pixels.' : `The seed resizes the 28\u00d728 images to ${seed}\u00d7${seed}.`];
    const size = s.selectedConfig?.input_size;
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
    ui.inputSizeNote.textContent = parts.join(' ');
  }

  store.subscribe(['memoryNet', 'showing', 'source', 'training', 'wasm', 'models'], render);
  store.subscribe(['selectedConfig', 'preset'], (s) => {
    // The form's model is the network in memory: nothing to preview.
    const same = Boolean(s.memory) && sameConfig(s.selectedConfig, s.memory?.config);
    if (s.showing !== (same ? 'memory' : 'preview')) store.set({ showing: same ? 'memory' : 'preview' });
    else render();
  });
  store.subscribe(['selectedConfig', 'preset', 'wasm'], renderInputNote);
  store.subscribe(['block'], (s) => {
    if (table.shown && table.shown === s.memoryNet && !s.memoryNet.zoo && s.memoryNet.blocks.some((/** @type {any} */ b) => b.label === s.block)) highlight(s.block);
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
