// @ts-check
// The ResNet architecture diagram (SVG): one row for the stem, one a stage, one for the head,
// with the shape on every arrow. A residual block is a box with its skip connection drawn over
// it (an identity arrow, or a dashed 1x1 projection), its addition and ReLU; stride-2 blocks get
// a badge; inserted blocks are tagged. A chapter-7 network goes to zoo-diagram.js.

import { chw } from '../../core/format.js';
import { arrowMarker, el, text, title as tooltip } from '../../dom/svg.js';
import { renderZooDiagram } from './zoo-diagram.js';

/**
 * @typedef {import('../../core/network-model.js').Network} Network
 * @typedef {import('../../core/network-model.js').ResNetNet} ResNetNet
 * @typedef {import('../../core/network-model.js').Block} Block
 * @typedef {import('../../core/network-model.js').StemConfig} StemConfig
 * @typedef {{selected?: string | null, interactive?: boolean, onSelect?: (label: string) => void, title?: string}} DiagramOptions
 *   selected: the highlighted block; interactive: blocks are buttons calling onSelect(label);
 *   title: the caption of a chapter-7 diagram
 */

/** Sizes in SVG units (the diagram scales to its container). */
const DIAGRAM_LAYOUT = Object.freeze({
  pad: 14,
  labelW: 132, // room on the left for the row titles
  rowH: 178,
  arc: 56, // room above a row's boxes for the skip arcs
  boxH: 80,
  blockW: 224,
  edge: 96, // an arrow with its shape label
  addGap: 22, // from a block's box to its addition
  addR: 12,
  stub: 26, // the line out of a row before it turns down to the next
});

/**
 * One row of the diagram: its group and a left-to-right cursor `x` for the boxes and arrows.
 * @typedef {{i: number, cy: number, x: number, group: SVGElement}} Row
 */

/** The rows drawn so far, and how to add boxes and arrows to them. */
class Rows {
  /** @param {SVGSVGElement} svg */
  constructor(svg) {
    this.svg = svg;
    /** @type {Row[]} */
    this.rows = [];
    this.maxX = 0;
  }

  /** @param {number} i */
  top(i) {
    return DIAGRAM_LAYOUT.pad + i * DIAGRAM_LAYOUT.rowH;
  }

  /** A new row titled on the left. @param {string} title @param {string} subtitle */
  add(title, subtitle) {
    const i = this.rows.length;
    const cy = this.top(i) + DIAGRAM_LAYOUT.arc + DIAGRAM_LAYOUT.boxH / 2;
    const group = el('g', { class: 'diagram-row' });
    group.append(text(DIAGRAM_LAYOUT.pad, cy - 6, title, { class: 'row-title' }));
    if (subtitle) group.append(text(DIAGRAM_LAYOUT.pad, cy + 16, subtitle, { class: 'row-subtitle' }));
    this.svg.append(group);
    const row = { i, cy, x: DIAGRAM_LAYOUT.labelW, group };
    this.rows.push(row);
    return row;
  }

  /**
   * An arrow from the cursor, labelled with a shape.
   * @param {Row} row @param {string | null} shape @param {{len?: number, arrow?: boolean}} [options]
   */
  edge(row, shape, { len = DIAGRAM_LAYOUT.edge, arrow = true } = {}) {
    const x0 = row.x;
    const x1 = x0 + len;
    const line = el('line', { x1: x0, y1: row.cy, x2: x1 - (arrow ? 2 : 0), y2: row.cy, class: 'edge-line', 'marker-end': arrow ? 'url(#arrow)' : null });
    const g = el('g', { class: 'edge' }, [line]);
    if (shape) g.append(text((x0 + x1) / 2, row.cy + 22, shape, { class: 'edge-shape', 'text-anchor': 'middle' }));
    row.group.append(g);
    row.x = x1;
    return g;
  }

  /**
   * A box at the cursor with centred lines (the first one a title).
   * @param {Row} row @param {number} w @param {string[]} lines @param {string} cls @param {Element} [parent]
   */
  box(row, w, lines, cls, parent = row.group) {
    const x = row.x;
    const y = row.cy - DIAGRAM_LAYOUT.boxH / 2;
    const g = el('g', { class: `node ${cls}` });
    g.append(el('rect', { x, y, width: w, height: DIAGRAM_LAYOUT.boxH, rx: 9, class: 'node-box' }));
    const n = lines.length;
    lines.forEach((line, k) => {
      const dy = (k - (n - 1) / 2) * 20 + 6;
      g.append(text(x + w / 2, row.cy + dy, line, { class: k === 0 ? 'node-title' : 'node-detail', 'text-anchor': 'middle' }));
    });
    parent.append(g);
    row.x = x + w;
    return { g, x, y, w };
  }

  /** From the end of one row down and back to the start of the next. @param {Row} from @param {Row} to */
  connect(from, to) {
    this.edge(from, null, { len: DIAGRAM_LAYOUT.stub, arrow: false });
    const yMid = this.top(from.i) + DIAGRAM_LAYOUT.rowH - 18;
    from.group.append(el('path', { d: `M${from.x},${from.cy} V${yMid} H${DIAGRAM_LAYOUT.labelW} V${to.cy}`, class: 'edge-line connector', fill: 'none' }));
    this.maxX = Math.max(this.maxX, from.x);
  }

  /** The width and height of everything drawn. */
  size() {
    const maxX = Math.max(this.maxX, ...this.rows.map((r) => r.x));
    return { width: Math.ceil(maxX + DIAGRAM_LAYOUT.pad), height: this.rows.length * DIAGRAM_LAYOUT.rowH + DIAGRAM_LAYOUT.pad };
  }
}

/** "conv 7×7, stride 2 · BN · ReLU" and "max-pool 3×3, stride 2". @param {StemConfig} stem */
function stemText(stem) {
  const s = (/** @type {number} */ k, /** @type {number} */ stride) => `${k}\u00d7${k}${stride > 1 ? `, stride ${stride}` : ''}`;
  return [`conv ${s(stem.kernel, stem.stride)} \u00b7 BN \u00b7 ReLU`, `max-pool ${s(stem.pool_kernel, stem.pool_stride)}`];
}

/** The stem row: the input image and b1. @param {Rows} rows @param {ResNetNet} net */
function drawStem(rows, net) {
  const row = rows.add(net.stem.row.label, 'stem');
  if (net.input) {
    rows.box(row, 132, ['input', `${chw(net.input)} image`], 'node-input');
    rows.edge(row, chw(net.input));
  }
  const details = net.config ? stemText(net.config.stem) : net.stem.children.map((c) => c.kind);
  rows.box(row, 300, [`${net.stem.row.label}: stem`, ...details], 'node-stem');
  return row;
}

/** The head row: pooling, flatten, classifier, class scores. @param {Rows} rows @param {ResNetNet} net @param {Row} last @param {number[]} lastShape */
function drawHead(rows, net, last, lastShape) {
  const row = rows.add('head', 'classifier');
  rows.connect(last, row);
  rows.edge(row, chw(lastShape));
  /** @type {Record<string, string>} */
  const names = { AdaptiveAvgPool2d: 'global avg pool', Flatten: 'flatten', Linear: 'fully connected' };
  net.head.forEach((r, k) => {
    if (k > 0) rows.edge(row, chw(net.head[k - 1].shape));
    rows.box(row, r.kind === 'Flatten' ? 100 : 160, [names[r.kind] ?? r.kind, r.label], 'node-head');
  });
  const out = net.head[net.head.length - 1];
  rows.edge(row, chw(out.shape));
  rows.box(row, 140, ['class scores', `${out.shape[1]} classes`], 'node-output');
}

/**
 * A block's group: its classes, data-block, its description for screen readers and, when
 * interactive, a button calling onSelect.
 * @param {Block} b @param {Required<DiagramOptions>} options
 */
function blockGroup(b, { selected, interactive, onSelect }) {
  const classes = ['block-node', b.projection ? 'is-projection' : 'is-identity'];
  if (b.plain) classes.push('is-plain');
  if (b.inserted) classes.push(`inserted inserted-${b.inserted}`);
  if (b.label === selected) classes.push('selected');
  const stride = b.stride > 1 ? `, stride ${b.stride}` : '';
  const shortcut = b.plain ? 'no shortcut (plain block)' : b.projection ? `1\u00d71 convolution shortcut${stride}` : 'identity shortcut';
  const aria = `Block ${b.label}${b.inserted ? ` (inserted ${b.inserted} block)` : ''}: ${shortcut}${stride}, output ${chw(b.outShape)}.`;
  const g = el('g', {
    class: classes.join(' '),
    'data-block': b.label,
    tabindex: interactive ? 0 : null,
    role: interactive ? 'button' : 'img',
    'aria-pressed': interactive ? String(b.label === selected) : null,
    'aria-label': interactive ? `${aria} Select it for the identity demo.` : aria,
  });
  g.append(tooltip(aria));
  if (interactive) {
    g.addEventListener('click', () => onSelect(b.label));
    g.addEventListener('keydown', (e) => {
      const key = /** @type {KeyboardEvent} */ (e).key;
      if (key === 'Enter' || key === ' ') {
        e.preventDefault();
        onSelect(b.label);
      }
    });
  }
  return g;
}

/**
 * The addition, its ReLU and the skip connection over the block, from `skipStart` to the
 * addition; the row's cursor moves past the addition.
 * @param {Element} g @param {Row} row @param {Block} b @param {number} skipStart
 */
function drawShortcut(g, row, b, skipStart) {
  const ax = row.x + DIAGRAM_LAYOUT.addGap + DIAGRAM_LAYOUT.addR;
  g.append(el('line', { x1: row.x, y1: row.cy, x2: ax - DIAGRAM_LAYOUT.addR - 1, y2: row.cy, class: 'edge-line', 'marker-end': 'url(#arrow)' }));
  g.append(el('circle', { cx: ax, cy: row.cy, r: DIAGRAM_LAYOUT.addR, class: 'add-node' }));
  g.append(text(ax, row.cy + 5, '+', { class: 'add-text', 'text-anchor': 'middle' }));
  g.append(text(ax, row.cy + DIAGRAM_LAYOUT.addR + 30, 'ReLU', { class: 'relu-text', 'text-anchor': 'middle' }));

  const yTop = row.cy - DIAGRAM_LAYOUT.boxH / 2 - 30;
  const d = `M${skipStart},${row.cy} Q${skipStart},${yTop} ${skipStart + 28},${yTop} H${ax - 28} Q${ax},${yTop} ${ax},${row.cy - DIAGRAM_LAYOUT.addR - 2}`;
  if (b.projection) {
    const skip = el('g', { class: 'projection-edge' });
    skip.append(el('path', { d, class: 'skip skip-projection', fill: 'none', 'marker-end': 'url(#arrow-proj)' }));
    const label = `1\u00d71 conv${b.stride > 1 ? `, stride ${b.stride}` : ''}`;
    const mid = (skipStart + ax) / 2;
    skip.append(el('rect', { x: mid - 76, y: yTop - 15, width: 152, height: 30, rx: 6, class: 'projection-box' }));
    skip.append(text(mid, yTop + 5, label, { class: 'projection-text', 'text-anchor': 'middle' }));
    g.append(skip);
  } else {
    g.append(el('g', { class: 'identity-edge' }, [el('path', { d, class: 'skip skip-identity', fill: 'none', 'marker-end': 'url(#arrow-skip)' })]));
  }
  row.x = ax + DIAGRAM_LAYOUT.addR;
}

/** One residual block at the row's cursor. @param {Rows} rows @param {Row} row @param {Block} b @param {Required<DiagramOptions>} options */
function drawBlock(rows, row, b, options) {
  const g = blockGroup(b, options);
  row.group.append(g);
  const skipStart = row.x - 34;
  const conv1 = b.stride > 1 ? `conv 3\u00d73, stride ${b.stride}` : 'conv 3\u00d73';
  const node = rows.box(row, DIAGRAM_LAYOUT.blockW, [b.label, `${conv1} \u00b7 BN \u00b7 ReLU`, 'conv 3\u00d73 \u00b7 BN'], 'block-box-group', g);
  node.g.querySelector('rect')?.classList.add('block-box');
  if (b.stride > 1) {
    g.append(el('rect', { x: node.x + node.w - 70, y: node.y - 11, width: 64, height: 22, rx: 11, class: 'stride-badge' }));
    g.append(text(node.x + node.w - 38, node.y + 5, `stride ${b.stride}`, { class: 'stride-text', 'text-anchor': 'middle' }));
  }
  if (b.inserted) {
    const tag = b.inserted === 'plain' ? 'inserted: plain, no shortcut' : 'inserted: identity block';
    g.append(text(node.x + node.w / 2, node.y + DIAGRAM_LAYOUT.boxH + 40, tag, { class: 'inserted-tag', 'text-anchor': 'middle' }));
  }
  if (!b.plain) drawShortcut(g, row, b, skipStart); // a plain block: no skip connection, no addition
}

/**
 * Draws the network into `svg` (a chapter-7 network: renderZooDiagram). Blocks are
 * `g.block-node[data-block]`; when `interactive`, they are buttons (click, Enter or Space calls
 * `onSelect(label)`). Sets the viewBox and `data-blocks`.
 * @param {SVGSVGElement} svg @param {Network} net @param {DiagramOptions} [options]
 */
export function renderDiagram(svg, net, { selected = null, interactive = true, onSelect = () => {}, title = '' } = {}) {
  if (net.zoo) return renderZooDiagram(svg, net, { title });
  const options = { selected, interactive, onSelect, title };
  svg.replaceChildren();
  svg.append(el('defs', {}, [arrowMarker('arrow', 'arrow-main'), arrowMarker('arrow-skip', 'arrow-skip'), arrowMarker('arrow-proj', 'arrow-proj')]));
  const rows = new Rows(svg);
  let last = drawStem(rows, net);
  let lastShape = net.stem.row.shape;
  for (const stage of net.stages) {
    const row = rows.add(stage.label, `stage ${stage.index + 1} \u00b7 ${stage.row.shape[1]} ch`);
    rows.connect(last, row);
    rows.edge(row, chw(lastShape));
    stage.blocks.forEach((b, k) => {
      if (k > 0) rows.edge(row, chw(b.inShape));
      drawBlock(rows, row, b, options);
    });
    last = row;
    lastShape = stage.row.shape;
  }
  if (net.head.length) drawHead(rows, net, last, lastShape);
  const { width, height } = rows.size();
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // CSS scales it (architecture.css, .diagram): never below a readable minimum (its box scrolls sideways), at most 1.3x.
  svg.style.setProperty('--diagram-width', `${width}px`);
  svg.dataset.blocks = String(net.blocks.length);
}
