// @ts-check
// The layer table: one row per layer of Rust's layer table (kind, output shape, shortcut,
// parameters, multiply-accumulates), stages and blocks collapsible, and a total.

import { exact, formatCount } from '../../core/format.js';
import { shortcutText } from '../../core/network-model.js';

/**
 * @typedef {import('../../core/network-model.js').Network} Network
 * @typedef {import('../../core/network-model.js').LayerRow} LayerRow
 * @typedef {import('../../core/network-model.js').Block} Block
 */

/** A number cell: the count at a glance, every digit in its tooltip and in `data-{key}`. @param {number} n @param {string} key */
function numberCell(n, key) {
  const td = document.createElement('td');
  td.className = 'num';
  td.textContent = formatCount(n);
  td.title = exact(n);
  td.dataset[key] = String(n);
  return td;
}

/**
 * The name cell: a toggle button for a layer with children (collapsing it redraws the table),
 * else the label.
 * @param {HTMLTableElement} table @param {Network} net @param {Set<string>} collapsed @param {LayerRow} layer @param {boolean} hasChildren
 */
function nameCell(table, net, collapsed, layer, hasChildren) {
  const name = document.createElement('td');
  name.className = 'layer-name';
  if (!hasChildren) {
    name.textContent = layer.label;
    return name;
  }
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'row-toggle';
  toggle.setAttribute('aria-expanded', String(!collapsed.has(layer.label)));
  toggle.setAttribute('aria-label', `${collapsed.has(layer.label) ? 'Expand' : 'Collapse'} ${layer.label}`);
  toggle.textContent = layer.label;
  toggle.addEventListener('click', () => {
    if (collapsed.has(layer.label)) collapsed.delete(layer.label);
    else collapsed.add(layer.label);
    renderLayerTable(table, net, collapsed);
    /** @type {HTMLElement | null} */ (table.querySelector(`tr[data-layer="${CSS.escape(layer.label)}"] .row-toggle`))?.focus();
  });
  name.append(toggle);
  return name;
}

/** The kind column: the row's kind, with what a shortcut, an Inception block or an inserted block is. @param {Network} net @param {LayerRow} layer @param {Block | undefined} block */
function kindText(net, layer, block) {
  let kind = layer.kind;
  if (/\.conv3$/.test(layer.label)) kind += ' (shortcut)';
  if (net.zoo && layer.kind === 'Inception') kind += ` (${net.pathCount.get(layer.label)} parallel paths, concatenated)`;
  if (block?.inserted) kind += block.inserted === 'plain' ? ', inserted plain' : ', inserted';
  return kind;
}

/** The footer: the network's totals (`#shapes-total`, with `data-params` and `data-macs`). @param {HTMLTableElement} table @param {Network} net */
function renderTotal(table, net) {
  const foot = table.tFoot ?? table.createTFoot();
  foot.replaceChildren();
  const tr = document.createElement('tr');
  tr.id = 'shapes-total';
  tr.dataset.params = String(net.totals.params);
  tr.dataset.macs = String(net.totals.macs);
  const label = document.createElement('th');
  label.scope = 'row';
  label.colSpan = 4;
  const side = net.config?.input_size;
  label.textContent = `Total${side ? ` (one ${side}\u00d7${side} image)` : ''}`;
  tr.append(label, numberCell(net.totals.params, 'params'), numberCell(net.totals.macs, 'macs'));
  foot.append(tr);
}

/**
 * Fills the layer table (its first tbody and its tfoot): one row per layer (`tr[data-layer]`),
 * blocks (and stages) collapsible. `collapsed` is a Set of labels kept by the caller between
 * redraws; a click on a toggle updates it and redraws.
 * @param {HTMLTableElement} table @param {Network} net @param {Set<string>} collapsed
 */
export function renderLayerTable(table, net, collapsed) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  /** @type {Map<string, Block>} */
  const blockByLabel = new Map(net.blocks.map((b) => [b.label, b]));
  const parents = new Set(net.layers.filter((r) => r.level > 0).map((r) => r.label.slice(0, r.label.lastIndexOf('.'))));
  const trs = net.layers.map((layer) => {
    const tr = document.createElement('tr');
    tr.className = `level-${layer.level}`;
    tr.dataset.layer = layer.label;
    const block = blockByLabel.get(layer.label);
    if (block?.inserted) tr.classList.add('inserted-row', `inserted-${block.inserted}`);
    if (block?.projection) tr.classList.add('projection-row');
    const cells = [nameCell(table, net, collapsed, layer, parents.has(layer.label))];
    for (const content of [kindText(net, layer, block), `(${layer.shape.join(', ')})`, block ? shortcutText(block) : '']) {
      const td = document.createElement('td');
      td.textContent = content;
      cells.push(td);
    }
    cells[2].className = 'shape';
    cells.push(numberCell(layer.params, 'params'), numberCell(layer.macs, 'macs'));
    tr.append(...cells);
    // Hidden when an ancestor is collapsed.
    const parts = layer.label.split('.');
    for (let k = 1; k < parts.length; k++) if (collapsed.has(parts.slice(0, k).join('.'))) tr.hidden = true;
    return tr;
  });
  tbody.append(...trs);
  renderTotal(table, net);
}
