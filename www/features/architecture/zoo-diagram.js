// @ts-check
// The diagram of a chapter-7 network (LeNet, AlexNet, VGG, NiN, GoogLeNet): its top-level layers
// left to right with the shape on every arrow, wrapping into rows. A Sequential of plain layers
// is one grouped box; a Sequential holding Inception blocks (GoogLeNet's b3..b5) gets rows of its
// own, each Inception block showing its parallel paths merging into a concat (zoo-units.js).

import { chw, exact, formatCount } from '../../core/format.js';
import { fuseRows, labelRange } from '../../core/network-model.js';
import { arrowMarker, el, text } from '../../dom/svg.js';
import { ZOO_LAYOUT, groupUnit, inceptionUnit, ioUnit, leafUnit, textWidth } from './zoo-units.js';

/**
 * @typedef {import('../../core/network-model.js').ZooNet} ZooNet
 * @typedef {import('./zoo-units.js').ZooUnit} ZooUnit
 * @typedef {{edge: true, x: number, label: string} | {edge?: false, unit: ZooUnit, x: number}} Item  an arrow or a unit, at x
 * @typedef {object} ZooRow
 * @property {Item[]} items
 * @property {number} x  the cursor: where the next item goes
 * @property {string | null} stage  the Sequential of Inception blocks it shows, if any
 * @property {boolean} cont  it continues the stage of the row before
 * @property {string[]} labels  the labels of its units
 */

/**
 * Places the units into rows of [arrow, unit] items, wrapping at ZOO_LAYOUT.maxW; a stage (a
 * Sequential of Inception blocks) starts a row of its own.
 * @param {ZooNet} net @returns {ZooRow[]}
 */
function layoutRows(net) {
  /** @type {ZooRow[]} */
  const rows = [];
  /** @type {ZooRow} */
  let row;
  const newRow = (/** @type {string | null} */ stage = null) => {
    row = { items: [], x: ZOO_LAYOUT.labelW, stage, cont: Boolean(stage && row?.stage === stage), labels: [] };
    rows.push(row);
  };
  /** @type {number[] | null} */
  let previous = null;
  const place = (/** @type {ZooUnit} */ unit, { wrap = true } = {}) => {
    const edge = previous ? ZOO_LAYOUT.edge : 0;
    if (wrap && row.items.length && row.x + edge + unit.w > ZOO_LAYOUT.maxW) newRow(row.stage);
    if (previous) {
      row.items.push({ edge: true, x: row.x, label: chw(previous) });
      row.x += ZOO_LAYOUT.edge;
    }
    row.items.push({ unit, x: row.x });
    row.labels.push(...unit.top);
    row.x += unit.w;
    previous = unit.out ?? previous;
  };

  newRow();
  place(ioUnit(['input', `${chw(net.input)} image`], 'node-input', 132), { wrap: false });
  previous = net.input;
  for (const u of fuseRows(net.top, net.children)) {
    const kids = net.children.get(u.main.label);
    if (kids?.some((k) => net.children.has(k.label))) {
      newRow(u.main.label);
      for (const v of fuseRows(kids, net.children)) place(v.main.kind === 'Inception' ? inceptionUnit(net, v.main) : leafUnit(v));
      newRow();
    } else {
      place(kids ? groupUnit(net, u) : leafUnit(u));
    }
  }
  const last = net.top[net.top.length - 1];
  place(ioUnit(['class scores', `${last.shape[1]} classes`], 'node-output', 140));
  return rows.filter((r) => r.items.length);
}

/** A row's title and subtitle: its stage, or the range of its labels. @param {ZooNet} net @param {ZooRow} r @param {boolean} first */
function rowTitles(net, r, first) {
  let title = r.stage ?? labelRange(r.labels);
  let subtitle = '';
  if (r.stage) {
    const inc = (net.children.get(r.stage) ?? []).filter((k) => k.kind === 'Inception').length;
    subtitle = r.cont ? 'continued' : inc ? `Inception \u00d7${inc}` : 'stage';
  } else if (title) {
    subtitle = r.labels.length > 1 ? 'layers' : 'layer';
  }
  if (first && !title) title = 'input';
  return { title, subtitle };
}

/** One row's group: its titles, arrows and units, centred on cy. @param {ZooNet} net @param {ZooRow} r @param {number} cy @param {boolean} first */
function drawRow(net, r, cy, first) {
  const group = el('g', { class: 'diagram-row' });
  const { title, subtitle } = rowTitles(net, r, first);
  group.append(text(ZOO_LAYOUT.pad, cy - 6, title, { class: 'row-title' }));
  if (subtitle) group.append(text(ZOO_LAYOUT.pad, cy + 16, subtitle, { class: 'row-subtitle' }));
  for (const it of r.items) {
    if (it.edge) {
      const x1 = it.x + ZOO_LAYOUT.edge;
      group.append(
        el('g', { class: 'edge' }, [
          el('line', { x1: it.x, y1: cy, x2: x1 - 2, y2: cy, class: 'edge-line', 'marker-end': 'url(#arrow)' }),
          text((it.x + x1) / 2, cy + 22, it.label, { class: 'edge-shape', 'text-anchor': 'middle' }),
        ]),
      );
    } else {
      it.unit.draw(group, it.x, cy);
    }
  }
  return group;
}

/**
 * Draws a chapter-7 network into `svg`, captioned with `title` (else its kind), its input, its
 * parameters and MACs. Sets the viewBox, `data-blocks` (0) and `data-inceptions`.
 * @param {SVGSVGElement} svg @param {ZooNet} net @param {{title?: string}} [options]
 */
export function renderZooDiagram(svg, net, { title = '' } = {}) {
  svg.replaceChildren();
  svg.append(el('defs', {}, [arrowMarker('arrow', 'arrow-main')]));
  const caption = `${title || net.kind} \u00b7 input ${chw(net.input)} \u00b7 ${exact(net.totals.params)} parameters \u00b7 ${formatCount(net.totals.macs)} MACs an image`;
  svg.append(text(ZOO_LAYOUT.pad, ZOO_LAYOUT.pad + 18, caption, { class: 'diagram-caption' }));

  const rows = layoutRows(net);
  let top = ZOO_LAYOUT.pad + ZOO_LAYOUT.caption;
  let maxX = 0;
  const placed = rows.map((r, i) => {
    const maxH = Math.max(ZOO_LAYOUT.boxH, ...r.items.flatMap((it) => (it.edge ? [] : [it.unit.h])));
    const at = { top, cy: top + ZOO_LAYOUT.rowTop + maxH / 2, height: ZOO_LAYOUT.rowTop + maxH + ZOO_LAYOUT.rowBottom, x: r.x };
    top += at.height;
    svg.append(drawRow(net, r, at.cy, i === 0));
    maxX = Math.max(maxX, r.x);
    return at;
  });
  // From the end of each row down and back to the start of the next.
  placed.forEach((r, i) => {
    const next = placed[i + 1];
    if (!next) return;
    const yMid = r.top + r.height - 18;
    const group = el('g', { class: 'edge' }, [
      el('line', { x1: r.x, y1: r.cy, x2: r.x + ZOO_LAYOUT.stub, y2: r.cy, class: 'edge-line' }),
      el('path', { d: `M${r.x + ZOO_LAYOUT.stub},${r.cy} V${yMid} H${ZOO_LAYOUT.labelW} V${next.cy}`, class: 'edge-line connector', fill: 'none' }),
    ]);
    svg.append(group);
    maxX = Math.max(maxX, r.x + ZOO_LAYOUT.stub);
  });
  const width = Math.ceil(Math.max(maxX, textWidth(caption, 15)) + ZOO_LAYOUT.pad);
  const height = Math.ceil(top + ZOO_LAYOUT.pad - 20);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // CSS scales it (architecture.css, .diagram): never below a readable minimum (its box scrolls sideways), at most 1.3x.
  svg.style.setProperty('--diagram-width', `${width}px`);
  svg.dataset.blocks = '0';
  svg.dataset.inceptions = String(net.inceptions);
}
