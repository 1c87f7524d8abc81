// @ts-check
// The boxes of a chapter-7 diagram (zoo-diagram.js lays them out): a layer with the activations
// after it, a Sequential of plain layers as one grouped box, an Inception block with its
// parallel paths, and the input and output. Each unit knows its size and draws itself at (x, cy).

import { chw, exact } from '../../core/format.js';
import { fuseRows, labelRange, layerText, unitText } from '../../core/network-model.js';
import { el, text, title as tooltip } from '../../dom/svg.js';

/**
 * @typedef {import('../../core/network-model.js').ZooNet} ZooNet
 * @typedef {import('../../core/network-model.js').LayerRow} LayerRow
 * @typedef {import('../../core/network-model.js').Unit} Unit
 * @typedef {object} ZooUnit
 * @property {number} w
 * @property {number} h
 * @property {number[]} [out]  its output shape (none for the input and the class scores)
 * @property {string[]} top  the labels it shows, for the row's title
 * @property {(parent: Element, x: number, cy: number) => void} draw  draws it with its left edge at x, centred on cy
 */

/** Sizes in SVG units (the diagram scales to its container). */
export const ZOO_LAYOUT = Object.freeze({
  pad: 14,
  caption: 36, // the caption line above the rows
  labelW: 120, // room on the left for the row titles
  maxW: 1440, // rows wrap here
  edge: 92, // an arrow with its shape label
  boxH: 80,
  rowTop: 22,
  rowBottom: 50,
  stub: 26, // the line out of a row before it turns down to the next
  groupHead: 30, // a grouped box's title
  groupPad: 10,
  innerH: 30, // a layer inside a grouped box
  innerGap: 8,
  colW: 70, // an Inception path
  colGap: 6,
  pathBoxH: 26, // a layer inside an Inception path
  pathGap: 8,
});

/** What d2l calls a Sequential block of each network (others are named by their label). @type {Record<string, string>} */
const GROUP_NAMES = { nin: 'NiN block', vgg11: 'VGG block', 'vgg11-small': 'VGG block' };

/** About how wide a line of text is at a font size. @param {string} s @param {number} px */
export const textWidth = (s, px) => s.length * px * 0.56;

/** @param {Unit} u */
function layerAria(u) {
  const rows = u.rows.map((r) => `${r.label} ${r.kind}${r.params ? ` (${exact(r.params)} parameters)` : ''}`).join(', ');
  return `${rows}: output ${chw(u.out)}.`;
}

/** A unit's SVG group, described for screen readers (aria-label and a tooltip). @param {string} className @param {string} aria @param {Record<string, string>} data */
function unitGroup(className, aria, data) {
  const g = el('g', { class: className, ...data, role: 'img', 'aria-label': aria });
  g.append(tooltip(aria));
  return g;
}

/** The data attributes of a block (a grouped block or an Inception block) for tests and styles. @param {LayerRow} row */
const blockData = (row) => ({ 'data-layer': row.label, 'data-layers': row.label, 'data-kind': row.kind });

/** A layer (and the activations after it) as one box. @param {Unit} u @returns {ZooUnit} */
export function leafUnit(u) {
  const lines = [layerText(u.main)];
  if (u.extras.length) lines.push(u.extras.map((r) => layerText(r)).join(' \u00b7 '));
  const w = Math.ceil(Math.max(104, textWidth(lines[0], 17), textWidth(lines[1] ?? '', 13.5)) + 30);
  return {
    w,
    h: ZOO_LAYOUT.boxH,
    out: u.out,
    top: [u.main.label, ...u.extras.map((r) => r.label)],
    draw(parent, x, cy) {
      const layers = u.rows.map((r) => r.label).join(' ');
      const g = unitGroup('node zoo-unit zoo-layer', layerAria(u), { 'data-layers': layers, 'data-kind': u.main.kind });
      g.append(el('rect', { x, y: cy - ZOO_LAYOUT.boxH / 2, width: w, height: ZOO_LAYOUT.boxH, rx: 9, class: 'node-box' }));
      lines.forEach((line, k) => {
        const dy = (k - (lines.length - 1) / 2) * 22 + 6;
        g.append(text(x + w / 2, cy + dy, line, { class: k === 0 ? 'node-title' : 'node-detail', 'text-anchor': 'middle' }));
      });
      g.append(text(x + 8, cy - ZOO_LAYOUT.boxH / 2 + 14, labelRange(u.rows.map((r) => r.label)), { class: 'unit-label' }));
      parent.append(g);
    },
  };
}

/**
 * A Sequential of plain layers (a VGG or NiN block, GoogLeNet's b1 and b2): one box per layer,
 * stacked.
 * @param {ZooNet} net @param {Unit} u @returns {ZooUnit}
 */
export function groupUnit(net, u) {
  const row = u.main;
  const inner = fuseRows(net.children.get(row.label) ?? [], net.children);
  const name = GROUP_NAMES[net.kind];
  const title = name ? `${row.label}: ${name}` : row.label;
  const lines = inner.map(unitText);
  const w = Math.ceil(Math.max(176, textWidth(title, 14) + 20, ...lines.map((l) => textWidth(l, 12.5) + 24)) + 2 * ZOO_LAYOUT.groupPad);
  const h = ZOO_LAYOUT.groupHead + inner.length * ZOO_LAYOUT.innerH + (inner.length - 1) * ZOO_LAYOUT.innerGap + ZOO_LAYOUT.groupPad;
  return {
    w,
    h,
    out: u.out,
    top: [row.label, ...u.extras.map((r) => r.label)],
    draw(parent, x, cy) {
      const y = cy - h / 2;
      const aria = `${title}: ${inner.map((v) => `${unitText(v)} (${chw(v.out)})`).join(', ')}; output ${chw(row.shape)}, ${exact(row.params)} parameters.`;
      const g = unitGroup('zoo-unit zoo-group', aria, blockData(row));
      g.append(el('rect', { x, y, width: w, height: h, rx: 10, class: 'zoo-group-box' }));
      g.append(text(x + ZOO_LAYOUT.groupPad, y + 20, title, { class: 'group-title' }));
      inner.forEach((v, k) => {
        const iy = y + ZOO_LAYOUT.groupHead + k * (ZOO_LAYOUT.innerH + ZOO_LAYOUT.innerGap);
        const box = el('g', { class: 'zoo-inner', 'data-kind': v.main.kind, 'data-layers': v.rows.map((r) => r.label).join(' ') }, [
          el('rect', { x: x + ZOO_LAYOUT.groupPad, y: iy, width: w - 2 * ZOO_LAYOUT.groupPad, height: ZOO_LAYOUT.innerH, rx: 6, class: 'inner-box' }),
        ]);
        box.append(text(x + w / 2, iy + 20, lines[k], { class: 'inner-text', 'text-anchor': 'middle' }));
        g.append(box);
      });
      parent.append(g);
    },
  };
}

/**
 * @typedef {{row: LayerRow, units: Unit[], name: string, lines: string[]}} Path  an Inception path: its row, its layers and their short texts
 */

/**
 * One Inception path: a column of its layers from the split line down to the concat.
 * @param {Path} p @param {number} cx  the column's centre @param {number} splitY @param {number} colTop @param {number} colH @param {number} concatY
 */
function drawPath(p, cx, splitY, colTop, colH, concatY) {
  const left = cx - ZOO_LAYOUT.colW / 2;
  const path = el('g', { class: 'inception-path', 'data-path': p.name, 'data-layer': p.row.label });
  path.append(el('line', { x1: cx, y1: splitY, x2: cx, y2: colTop, class: 'split-line' }));
  path.append(el('line', { x1: cx, y1: colTop + colH, x2: cx, y2: concatY, class: 'split-line' }));
  path.append(el('rect', { x: left, y: colTop, width: ZOO_LAYOUT.colW, height: colH, rx: 6, class: 'path-box' }));
  p.lines.forEach((line, k) => {
    const by = colTop + 6 + k * (ZOO_LAYOUT.pathBoxH + ZOO_LAYOUT.pathGap);
    const unit = p.units[k];
    path.append(
      el('g', { class: 'path-layer', 'data-kind': unit.main.kind, 'data-layers': unit.rows.map((r) => r.label).join(' ') }, [
        el('rect', { x: left + 4, y: by, width: ZOO_LAYOUT.colW - 8, height: ZOO_LAYOUT.pathBoxH, rx: 5, class: 'inner-box' }),
        text(cx, by + 17, line, { class: 'path-text', 'text-anchor': 'middle' }),
      ]),
    );
  });
  path.append(text(cx, colTop + colH - 8, `${p.name} \u00b7 ${p.row.shape[1]}`, { class: 'path-channels', 'text-anchor': 'middle' }));
  return path;
}

/** An Inception block: its paths side by side, each a column of layers, merged by a concat. @param {ZooNet} net @param {LayerRow} row @returns {ZooUnit} */
export function inceptionUnit(net, row) {
  /** @type {Path[]} */
  const paths = (net.children.get(row.label) ?? []).map((p) => {
    const units = fuseRows(net.children.get(p.label) ?? [], net.children);
    return { row: p, units, name: p.label.slice(row.label.length + 1), lines: units.map((v) => layerText(v.main, { short: true })) };
  });
  const most = Math.max(1, ...paths.map((p) => p.units.length));
  const n = paths.length;
  const w = 2 * ZOO_LAYOUT.groupPad + n * ZOO_LAYOUT.colW + (n - 1) * ZOO_LAYOUT.colGap;
  const colH = 6 + most * ZOO_LAYOUT.pathBoxH + (most - 1) * ZOO_LAYOUT.pathGap + 24;
  const h = 38 + colH + 8 + 22 + 10;
  return {
    w,
    h,
    out: row.shape,
    top: [row.label],
    draw(parent, x, cy) {
      const y = cy - h / 2;
      const described = paths.map((p) => `${p.name} ${p.lines.join(' then ')} (${p.row.shape[1]} channels)`);
      const aria = `Inception block ${row.label}: ${n} parallel paths, ${described.join('; ')}; concatenated to ${chw(row.shape)}.`;
      const g = unitGroup('zoo-unit inception', aria, blockData(row));
      g.append(el('rect', { x, y, width: w, height: h, rx: 10, class: 'inception-box' }));
      g.append(text(x + ZOO_LAYOUT.groupPad, y + 19, `${row.label} Inception`, { class: 'group-title' }));
      const splitY = y + 30;
      const colTop = splitY + 8;
      const concatY = colTop + colH + 8;
      const centre = (/** @type {number} */ i) => x + ZOO_LAYOUT.groupPad + i * (ZOO_LAYOUT.colW + ZOO_LAYOUT.colGap) + ZOO_LAYOUT.colW / 2;
      // The input splits into the paths; their outputs meet in the concat.
      g.append(el('path', { d: `M${x},${cy} H${x + ZOO_LAYOUT.groupPad / 2} V${splitY} H${centre(n - 1)}`, class: 'split-line', fill: 'none' }));
      g.append(el('path', { d: `M${x + w - ZOO_LAYOUT.groupPad},${concatY + 11} H${x + w - ZOO_LAYOUT.groupPad / 2} V${cy} H${x + w}`, class: 'split-line', fill: 'none' }));
      paths.forEach((p, i) => g.append(drawPath(p, centre(i), splitY, colTop, colH, concatY)));
      g.append(
        el('g', { class: 'concat-node' }, [
          el('rect', { x: x + ZOO_LAYOUT.groupPad, y: concatY, width: w - 2 * ZOO_LAYOUT.groupPad, height: 22, rx: 5, class: 'concat-box' }),
          text(x + w / 2, concatY + 16, `concat \u2192 ${row.shape[1]} channels`, { class: 'path-text', 'text-anchor': 'middle' }),
        ]),
      );
      parent.append(g);
    },
  };
}

/** The input image or the class scores: a box of two lines. @param {string[]} lines @param {string} cls @param {number} w @returns {ZooUnit} */
export function ioUnit(lines, cls, w) {
  return {
    w,
    h: ZOO_LAYOUT.boxH,
    top: [],
    draw(parent, x, cy) {
      const g = el('g', { class: `node ${cls}` });
      g.append(el('rect', { x, y: cy - ZOO_LAYOUT.boxH / 2, width: w, height: ZOO_LAYOUT.boxH, rx: 9, class: 'node-box' }));
      lines.forEach((line, k) => {
        g.append(text(x + w / 2, cy + (k - 0.5) * 20 + 6, line, { class: k === 0 ? 'node-title' : 'node-detail', 'text-anchor': 'middle' }));
      });
      parent.append(g);
    },
  };
}
