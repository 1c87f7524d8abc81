// The network views: an SVG architecture diagram and the per-layer table. Both are drawn from
// the layer rows Rust produces (`shapes(config)` or the worker's `model` event) and the list of
// inserted blocks: nothing here knows what a ResNet looks like beyond reading those rows.

const SVG = 'http://www.w3.org/2000/svg';

// ---------------------------------------------------------------------------------------------
// Numbers

const GROUP = new Intl.NumberFormat('en-US');

/** 11178378 -> "11.18 M", 4704 -> "4,704". */
export function formatCount(n) {
  if (!Number.isFinite(n)) return '\u2013';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return GROUP.format(n);
}
export const exact = (n) => GROUP.format(n);

export const chw = (shape) => shape.slice(1).join('\u00d7');

// ---------------------------------------------------------------------------------------------
// The network, from the layer rows

const childrenOf = (rows, parent) =>
  rows.filter((r) => r.level === parent.level + 1 && r.label.startsWith(parent.label + '.') && !r.label.slice(parent.label.length + 1).includes('.'));

/**
 * Reads Rust's layer rows into stem, stages, blocks and head.
 * `inserted` ([{insertion, stage}], in order) marks the last blocks of their stages.
 * A block row with `shortcut` false (a plain block, or a plain network) is drawn without its skip
 * connection.
 */
export function describeNetwork({ config, layers, inserted = [] }) {
  if (config?.kind) return describeZoo({ config, layers });
  const top = layers.filter((r) => r.level === 0);
  const stemRow = top[0];
  const stageRows = top.filter((r, i) => i > 0 && r.kind === 'Sequential');
  const headRows = top.filter((r, i) => i > 0 && r.kind !== 'Sequential');
  const input = config ? [1, config.in_channels, config.input_size, config.input_size] : null;
  let previous = stemRow.shape;
  const blocks = [];
  const stages = stageRows.map((row, index) => {
    const blockRows = childrenOf(layers, row).filter((r) => r.kind === 'Residual');
    const added = inserted.filter((x) => x.stage === index);
    const stage = { label: row.label, index, row, blocks: [] };
    blockRows.forEach((b, k) => {
      const fromEnd = blockRows.length - k; // 1 for the last block
      const insertion = fromEnd <= added.length ? added[added.length - fromEnd].insertion : null;
      const plain = b.shortcut === false;
      const inShape = previous;
      const stride = Math.max(1, Math.round(inShape[2] / b.shape[2]));
      const block = {
        label: b.label,
        stage: index,
        block: Number(b.label.slice(b.label.lastIndexOf('.') + 1)),
        row: b,
        children: childrenOf(layers, b),
        projection: Boolean(b.projection),
        plain,
        inserted: insertion,
        inShape,
        outShape: b.shape,
        stride,
      };
      stage.blocks.push(block);
      blocks.push(block);
      previous = b.shape;
    });
    return stage;
  });
  const totals = top.reduce((t, r) => ({ params: t.params + r.params, macs: t.macs + r.macs }), { params: 0, macs: 0 });
  return { config, layers, input, stem: { row: stemRow, children: childrenOf(layers, stemRow) }, stages, blocks, head: headRows, totals };
}

/** The first block with an identity shortcut (the natural one for the identity demo). */
export function defaultBlock(net) {
  return (net.blocks.find((b) => !b.projection && !b.plain) ?? net.blocks[0])?.label ?? null;
}

// ---------------------------------------------------------------------------------------------
// Diagram

const G = {
  pad: 14,
  labelW: 132,
  rowH: 178,
  arc: 56, // room above a row's boxes for the skip arcs
  boxH: 80,
  blockW: 224,
  edge: 96,
  addGap: 22,
  addR: 12,
  stub: 26,
};

function el(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, String(v));
  for (const c of [].concat(children)) if (c) node.append(c);
  return node;
}

function text(x, y, content, attrs = {}) {
  const t = el('text', { x, y, ...attrs });
  t.textContent = content;
  return t;
}

function convText(stem) {
  const s = (k, stride) => `${k}\u00d7${k}${stride > 1 ? `, stride ${stride}` : ''}`;
  return [`conv ${s(stem.kernel, stem.stride)} \u00b7 BN \u00b7 ReLU`, `max-pool ${s(stem.pool_kernel, stem.pool_stride)}`];
}

/**
 * Draws the network into `svg`. Blocks are `g.block-node[data-block]`; when `interactive`,
 * they are buttons (click, Enter or Space calls `onSelect(label)`).
 */
export function renderDiagram(svg, net, { selected = null, interactive = true, onSelect = () => {}, title = '' } = {}) {
  if (net.zoo) return renderZooDiagram(svg, net, { title });
  svg.replaceChildren();
  const defs = el('defs');
  for (const [id, cls] of [
    ['arrow', 'arrow-main'],
    ['arrow-skip', 'arrow-skip'],
    ['arrow-proj', 'arrow-proj'],
  ]) {
    defs.append(
      el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
        el('path', { d: 'M0,0 L10,5 L0,10 z', class: cls }),
      ]),
    );
  }
  svg.append(defs);

  const rows = [];
  let maxX = 0;
  const rowTop = (i) => G.pad + i * G.rowH;
  const centre = (i) => rowTop(i) + G.arc + G.boxH / 2;

  /** One row: its label and a left-to-right cursor for boxes and edges. */
  function makeRow(title, subtitle) {
    const i = rows.length;
    const cy = centre(i);
    const group = el('g', { class: 'diagram-row' });
    group.append(text(G.pad, cy - 6, title, { class: 'row-title' }));
    if (subtitle) group.append(text(G.pad, cy + 16, subtitle, { class: 'row-subtitle' }));
    svg.append(group);
    const row = { i, cy, x: G.labelW, group };
    rows.push(row);
    return row;
  }

  function edge(row, shape, { len = G.edge, arrow = true } = {}) {
    const x0 = row.x;
    const x1 = x0 + len;
    const g = el('g', { class: 'edge' }, [el('line', { x1: x0, y1: row.cy, x2: x1 - (arrow ? 2 : 0), y2: row.cy, class: 'edge-line', 'marker-end': arrow ? 'url(#arrow)' : null })]);
    if (shape) g.append(text((x0 + x1) / 2, row.cy + 22, shape, { class: 'edge-shape', 'text-anchor': 'middle' }));
    row.group.append(g);
    row.x = x1;
    return g;
  }

  function box(row, w, lines, cls, parent = row.group) {
    const x = row.x;
    const y = row.cy - G.boxH / 2;
    const g = el('g', { class: `node ${cls}` });
    g.append(el('rect', { x, y, width: w, height: G.boxH, rx: 9, class: 'node-box' }));
    const n = lines.length;
    lines.forEach((line, k) => {
      const dy = (k - (n - 1) / 2) * 20 + 6;
      g.append(text(x + w / 2, row.cy + dy, line, { class: k === 0 ? 'node-title' : 'node-detail', 'text-anchor': 'middle' }));
    });
    parent.append(g);
    row.x = x + w;
    return { g, x, y, w };
  }

  // Stem row: input image and b1.
  const config = net.config;
  const stemRow = makeRow(net.stem.row.label, 'stem');
  if (net.input) {
    box(stemRow, 132, ['input', `${chw(net.input)} image`], 'node-input');
    edge(stemRow, chw(net.input));
  }
  box(stemRow, 300, [`${net.stem.row.label}: stem`, ...(config ? convText(config.stem) : net.stem.children.map((c) => c.kind))], 'node-stem');
  let lastRow = stemRow;
  let lastShape = net.stem.row.shape;

  const connect = (from, to) => {
    // From the end of one row down and back to the start of the next.
    edge(from, null, { len: G.stub, arrow: false });
    const yMid = rowTop(from.i) + G.rowH - 18;
    from.group.append(
      el('path', { d: `M${from.x},${from.cy} V${yMid} H${G.labelW} V${to.cy}`, class: 'edge-line connector', fill: 'none' }),
    );
    maxX = Math.max(maxX, from.x);
  };

  for (const stage of net.stages) {
    const width = stage.row.shape[1];
    const row = makeRow(stage.label, `stage ${stage.index + 1} \u00b7 ${width} ch`);
    connect(lastRow, row);
    edge(row, chw(lastShape));
    stage.blocks.forEach((b, k) => {
      if (k > 0) edge(row, chw(b.inShape));
      drawBlock(row, b);
    });
    lastRow = row;
    lastShape = stage.row.shape;
  }

  function drawBlock(row, b) {
    const classes = ['block-node', b.projection ? 'is-projection' : 'is-identity'];
    if (b.plain) classes.push('is-plain');
    if (b.inserted) classes.push(`inserted inserted-${b.inserted}`);
    if (b.label === selected) classes.push('selected');
    const shortcut = b.plain ? 'no shortcut (plain block)' : b.projection ? `1\u00d71 convolution shortcut${b.stride > 1 ? `, stride ${b.stride}` : ''}` : 'identity shortcut';
    const aria = `Block ${b.label}${b.inserted ? ` (inserted ${b.inserted} block)` : ''}: ${shortcut}${b.stride > 1 ? `, stride ${b.stride}` : ''}, output ${chw(b.outShape)}.`;
    const g = el('g', {
      class: classes.join(' '),
      'data-block': b.label,
      tabindex: interactive ? 0 : null,
      role: interactive ? 'button' : 'img',
      'aria-pressed': interactive ? String(b.label === selected) : null,
      'aria-label': interactive ? `${aria} Select it for the identity demo.` : aria,
    });
    g.append(el('title', {}, []));
    g.lastChild.textContent = aria;
    row.group.append(g);
    if (interactive) {
      g.addEventListener('click', () => onSelect(b.label));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(b.label);
        }
      });
    }

    const skipStart = row.x - 34;
    const conv1 = b.stride > 1 ? `conv 3\u00d73, stride ${b.stride}` : 'conv 3\u00d73';
    const node = box(row, G.blockW, [b.label, `${conv1} \u00b7 BN \u00b7 ReLU`, 'conv 3\u00d73 \u00b7 BN'], 'block-box-group', g);
    node.g.querySelector('rect').classList.add('block-box');
    if (b.stride > 1) {
      g.append(el('rect', { x: node.x + node.w - 70, y: node.y - 11, width: 64, height: 22, rx: 11, class: 'stride-badge' }));
      g.append(text(node.x + node.w - 38, node.y + 5, `stride ${b.stride}`, { class: 'stride-text', 'text-anchor': 'middle' }));
    }
    if (b.inserted) {
      const tag = b.inserted === 'plain' ? 'inserted: plain, no shortcut' : 'inserted: identity block';
      g.append(text(node.x + node.w / 2, node.y + G.boxH + 40, tag, { class: 'inserted-tag', 'text-anchor': 'middle' }));
    }
    if (b.plain) return; // no skip connection, no addition

    // The addition and its ReLU.
    const ax = row.x + G.addGap + G.addR;
    g.append(el('line', { x1: row.x, y1: row.cy, x2: ax - G.addR - 1, y2: row.cy, class: 'edge-line', 'marker-end': 'url(#arrow)' }));
    g.append(el('circle', { cx: ax, cy: row.cy, r: G.addR, class: 'add-node' }));
    g.append(text(ax, row.cy + 5, '+', { class: 'add-text', 'text-anchor': 'middle' }));
    g.append(text(ax, row.cy + G.addR + 30, 'ReLU', { class: 'relu-text', 'text-anchor': 'middle' }));

    // The skip connection, over the block.
    const yTop = row.cy - G.boxH / 2 - 30;
    const d = `M${skipStart},${row.cy} Q${skipStart},${yTop} ${skipStart + 28},${yTop} H${ax - 28} Q${ax},${yTop} ${ax},${row.cy - G.addR - 2}`;
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
    row.x = ax + G.addR;
  }

  // Head row: pooling, flatten, classifier, class scores.
  if (net.head.length) {
    const row = makeRow('head', 'classifier');
    connect(lastRow, row);
    edge(row, chw(lastShape));
    const names = { AdaptiveAvgPool2d: ['global avg pool', ''], Flatten: ['flatten', ''], Linear: ['fully connected', ''] };
    net.head.forEach((r, k) => {
      if (k > 0) edge(row, chw(net.head[k - 1].shape));
      const [title] = names[r.kind] ?? [r.kind];
      box(row, r.kind === 'Flatten' ? 100 : 160, [title, r.label], 'node-head');
    });
    const last = net.head[net.head.length - 1];
    edge(row, chw(last.shape));
    box(row, 140, ['class scores', `${last.shape[1]} classes`], 'node-output');
    lastRow = row;
  }
  for (const r of rows) maxX = Math.max(maxX, r.x);
  const width = Math.ceil(maxX + G.pad);
  const height = rows.length * G.rowH + G.pad;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.style.maxWidth = `${Math.round(width * 1.3)}px`;
  svg.dataset.blocks = String(net.blocks.length);
}

// ---------------------------------------------------------------------------------------------
// Table

const SHORTCUT = (b) => (b.plain ? 'none (plain)' : b.projection ? `1\u00d71 conv${b.stride > 1 ? `, stride ${b.stride}` : ''}` : 'identity');

function numberCell(n, key) {
  const td = document.createElement('td');
  td.className = 'num';
  td.textContent = formatCount(n);
  td.title = exact(n);
  td.dataset[key] = String(n);
  return td;
}

/**
 * Fills the layer table: one row per layer, blocks (and stages) collapsible. `collapsed` is a
 * Set of labels kept by the caller between redraws.
 */
export function renderLayerTable(table, net, collapsed) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  const blockByLabel = new Map(net.blocks.map((b) => [b.label, b]));
  const hasChildren = new Set(net.layers.filter((r) => r.level > 0).map((r) => r.label.slice(0, r.label.lastIndexOf('.'))));
  const trs = [];
  for (const layer of net.layers) {
    const tr = document.createElement('tr');
    tr.className = `level-${layer.level}`;
    tr.dataset.layer = layer.label;
    const block = blockByLabel.get(layer.label);
    if (block?.inserted) tr.classList.add('inserted-row', `inserted-${block.inserted}`);
    if (block?.projection) tr.classList.add('projection-row');

    const name = document.createElement('td');
    name.className = 'layer-name';
    if (hasChildren.has(layer.label)) {
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
        table.querySelector(`tr[data-layer="${CSS.escape(layer.label)}"] .row-toggle`)?.focus();
      });
      name.append(toggle);
    } else {
      name.textContent = layer.label;
    }
    let kind = layer.kind;
    if (/\.conv3$/.test(layer.label)) kind += ' (shortcut)';
    if (net.zoo && layer.kind === 'Inception') kind += ` (${net.pathCount.get(layer.label)} parallel paths, concatenated)`;
    if (block?.inserted) kind += block.inserted === 'plain' ? ', inserted plain' : ', inserted';
    const cells = [name];
    for (const content of [kind, `(${layer.shape.join(', ')})`, block ? SHORTCUT(block) : '']) {
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
    trs.push(tr);
  }
  tbody.append(...trs);

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

// ---------------------------------------------------------------------------------------------
// The chapter-7 networks (seed 004: LeNet with BatchNorm, AlexNet, VGG, NiN, GoogLeNet). Their
// configuration is `{kind, input_size}` and their rows have levels 0 to 3: top-level layers
// labelled "0", "1", ... (GoogLeNet: "b1".."b5", "fc"), the layers of a Sequential below them,
// and in an Inception block its paths ("b3.0.p1".."b3.0.p4", kind "Path") with their layers.

/** Layers that keep the shape (activations, BatchNorm, dropout): drawn in the box of the layer before. */
const FUSED = new Set(['ReLU', 'Sigmoid', 'Dropout', 'BatchNorm', 'BatchNorm1d', 'BatchNorm2d']);
/** What d2l calls a Sequential block of each network (others are named by their label). */
const GROUP_NAMES = { nin: 'NiN block', vgg11: 'VGG block', 'vgg11-small': 'VGG block' };

const parentOf = (label) => label.slice(0, Math.max(0, label.lastIndexOf('.')));
const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Reads a chapter-7 network's rows: the top-level layers, each row's children and each layer's
 * input shape (the output of the layer before it; every path of an Inception block sees the
 * block's input). `stages`, `blocks` and `head` are empty: there are no residual blocks.
 */
function describeZoo({ config, layers }) {
  const input = [1, 1, config.input_size, config.input_size];
  const children = new Map();
  for (const r of layers) {
    if (r.level === 0) continue;
    const parent = parentOf(r.label);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(r);
  }
  const inShape = new Map();
  const walk = (rows, shape, parallel) => {
    let current = shape;
    for (const r of rows) {
      const from = parallel ? shape : current;
      inShape.set(r.label, from);
      if (children.has(r.label)) walk(children.get(r.label), from, r.kind === 'Inception');
      current = r.shape;
    }
  };
  const top = layers.filter((r) => r.level === 0);
  walk(top, input, false);
  const inceptions = layers.filter((r) => r.kind === 'Inception');
  const totals = top.reduce((t, r) => ({ params: t.params + r.params, macs: t.macs + r.macs }), { params: 0, macs: 0 });
  return {
    zoo: true,
    kind: config.kind,
    config,
    layers,
    input,
    top,
    children,
    inShape,
    groups: layers.filter((r) => children.has(r.label)),
    inceptions: inceptions.length,
    pathCount: new Map(inceptions.map((r) => [r.label, children.get(r.label).length])),
    stem: null,
    stages: [],
    blocks: [],
    head: [],
    totals,
  };
}

/** A conv's kernel size from its parameter count: out * (in * k * k + bias). */
function kernelOf(row, inChannels) {
  const out = row.shape[1];
  if (!inChannels || !out) return null;
  for (const bias of [1, 0]) {
    const k = Math.round(Math.sqrt((row.params / out - bias) / inChannels));
    if (k >= 1 && out * (inChannels * k * k + bias) === row.params) return k;
  }
  return null;
}

/**
 * The stride of a layer from its input and output sizes: the smallest stride s that a kernel k
 * and a padding p <= k / 2 explain, out = floor((in + 2p - k) / s) + 1. A conv's kernel is known
 * (from its parameters); a pool's is not, and is taken to be at most 2s + 1.
 */
function strideOf(from, to, kernel = null) {
  if (from?.length !== 4 || to.length !== 4) return 1;
  const [inSide, outSide] = [from[2], to[2]];
  for (let s = 1; s <= inSide; s++) {
    for (let k = kernel ?? 1; k <= (kernel ?? 2 * s + 1); k++) {
      for (let p = 0; p <= Math.floor(k / 2); p++) if (Math.floor((inSide + 2 * p - k) / s) + 1 === outSide) return s;
    }
  }
  return Math.max(1, Math.round(inSide / outSide));
}

/** "conv 11×11, stride 4", "max-pool, stride 2", "FC 4096", "BN": one layer, read from its row. */
function layerText(net, row, { short = false } = {}) {
  const from = net.inShape.get(row.label);
  const k = row.kind === 'Conv2d' ? kernelOf(row, from?.[1]) : null;
  const stride = strideOf(from, row.shape, k);
  const s = stride > 1 ? (short ? ` /${stride}` : `, stride ${stride}`) : '';
  switch (row.kind) {
    case 'Conv2d':
      return `conv${k ? ` ${k}\u00d7${k}` : ''}${s}`;
    case 'MaxPool2d':
      return `max-pool${s}`;
    case 'AvgPool2d':
      return `avg-pool${s}`;
    case 'AdaptiveAvgPool2d':
      return 'global avg pool';
    case 'Flatten':
      return 'flatten';
    case 'Linear':
      return `FC ${row.shape[1]}`;
    case 'ReLU':
      return 'ReLU';
    case 'Sigmoid':
      return 'sigmoid';
    case 'Dropout':
      return 'dropout';
    default:
      return row.kind.startsWith('BatchNorm') ? 'BN' : row.kind;
  }
}

/** Sibling rows as units: a layer with the shape-keeping layers that follow it. */
function fuseRows(net, rows) {
  const units = [];
  for (const r of rows) {
    const last = units[units.length - 1];
    if (last && !net.children.has(last.main.label) && !net.children.has(r.label) && FUSED.has(r.kind) && sameShape(last.out, r.shape)) {
      last.extras.push(r);
      last.rows.push(r);
      continue;
    }
    units.push({ main: r, extras: [], rows: [r], out: r.shape });
  }
  return units;
}

const unitText = (net, u) => [u.main, ...u.extras].map((r) => layerText(net, r)).join(' \u00b7 ');
const labelRange = (labels) => (labels.length > 1 ? `${labels[0]}\u2013${labels[labels.length - 1]}` : (labels[0] ?? ''));
const textWidth = (s, px) => s.length * px * 0.56;

const Z = {
  pad: 14,
  caption: 36, // the caption line above the rows
  labelW: 120,
  maxW: 1440, // rows wrap here
  edge: 92,
  boxH: 80,
  rowTop: 22,
  rowBottom: 50,
  stub: 26,
  groupHead: 30,
  groupPad: 10,
  innerH: 30,
  innerGap: 8,
  colW: 70,
  colGap: 6,
  pathBoxH: 26,
  pathGap: 8,
};

function layerAria(net, u) {
  const rows = u.rows.map((r) => `${r.label} ${r.kind}${r.params ? ` (${exact(r.params)} parameters)` : ''}`).join(', ');
  return `${rows}: output ${chw(u.out)}.`;
}

/** A layer (and the activations after it) as one box. */
function leafUnit(net, u) {
  const lines = [layerText(net, u.main)];
  if (u.extras.length) lines.push(u.extras.map((r) => layerText(net, r)).join(' \u00b7 '));
  const w = Math.ceil(Math.max(104, textWidth(lines[0], 17), textWidth(lines[1] ?? '', 13.5)) + 30);
  return {
    w,
    h: Z.boxH,
    out: u.out,
    top: [u.main.label, ...u.extras.map((r) => r.label)],
    draw(parent, x, cy) {
      const layers = u.rows.map((r) => r.label).join(' ');
      const g = unitGroup('node zoo-unit zoo-layer', layerAria(net, u), { 'data-layers': layers, 'data-kind': u.main.kind });
      g.append(el('rect', { x, y: cy - Z.boxH / 2, width: w, height: Z.boxH, rx: 9, class: 'node-box' }));
      lines.forEach((line, k) => {
        const dy = (k - (lines.length - 1) / 2) * 22 + 6;
        g.append(text(x + w / 2, cy + dy, line, { class: k === 0 ? 'node-title' : 'node-detail', 'text-anchor': 'middle' }));
      });
      g.append(text(x + 8, cy - Z.boxH / 2 + 14, labelRange(u.rows.map((r) => r.label)), { class: 'unit-label' }));
      parent.append(g);
    },
  };
}

/** A Sequential of plain layers (a VGG or NiN block, GoogLeNet's b1 and b2): one box per layer, stacked. */
function groupUnit(net, u) {
  const row = u.main;
  const inner = fuseRows(net, net.children.get(row.label));
  const name = GROUP_NAMES[net.kind];
  const title = name ? `${row.label}: ${name}` : row.label;
  const lines = inner.map((v) => unitText(net, v));
  const w = Math.ceil(Math.max(176, textWidth(title, 14) + 20, ...lines.map((l) => textWidth(l, 12.5) + 24)) + 2 * Z.groupPad);
  const h = Z.groupHead + inner.length * Z.innerH + (inner.length - 1) * Z.innerGap + Z.groupPad;
  return {
    w,
    h,
    out: u.out,
    top: [row.label, ...u.extras.map((r) => r.label)],
    draw(parent, x, cy) {
      const y = cy - h / 2;
      const aria = `${title}: ${inner.map((v) => `${unitText(net, v)} (${chw(v.out)})`).join(', ')}; output ${chw(row.shape)}, ${exact(row.params)} parameters.`;
      const g = unitGroup('zoo-unit zoo-group', aria, blockData(row));
      g.append(el('rect', { x, y, width: w, height: h, rx: 10, class: 'zoo-group-box' }));
      g.append(text(x + Z.groupPad, y + 20, title, { class: 'group-title' }));
      inner.forEach((v, k) => {
        const iy = y + Z.groupHead + k * (Z.innerH + Z.innerGap);
        const box = el('g', { class: 'zoo-inner', 'data-kind': v.main.kind, 'data-layers': v.rows.map((r) => r.label).join(' ') }, [
          el('rect', { x: x + Z.groupPad, y: iy, width: w - 2 * Z.groupPad, height: Z.innerH, rx: 6, class: 'inner-box' }),
        ]);
        box.append(text(x + w / 2, iy + 20, lines[k], { class: 'inner-text', 'text-anchor': 'middle' }));
        g.append(box);
      });
      parent.append(g);
    },
  };
}

/** A diagram unit's SVG group, described for screen readers (aria-label and a tooltip). */
function unitGroup(className, aria, data) {
  const g = el('g', { class: className, ...data, role: 'img', 'aria-label': aria });
  g.append(el('title'));
  g.lastChild.textContent = aria;
  return g;
}

/** The data attributes of a block (a grouped block or an Inception block) for tests and styles. */
const blockData = (row) => ({ 'data-layer': row.label, 'data-layers': row.label, 'data-kind': row.kind });

/** An Inception block: its paths side by side, each a column of layers, merged by a concat. */
function inceptionUnit(net, row) {
  const paths = net.children.get(row.label).map((p) => ({ row: p, units: fuseRows(net, net.children.get(p.label) ?? []) }));
  const most = Math.max(1, ...paths.map((p) => p.units.length));
  const n = paths.length;
  const w = 2 * Z.groupPad + n * Z.colW + (n - 1) * Z.colGap;
  const colH = 6 + most * Z.pathBoxH + (most - 1) * Z.pathGap + 24;
  const h = 38 + colH + 8 + 22 + 10;
  const short = (p) => p.units.map((v) => layerText(net, v.main, { short: true }));
  return {
    w,
    h,
    out: row.shape,
    top: [row.label],
    draw(parent, x, cy) {
      const y = cy - h / 2;
      const aria = `Inception block ${row.label}: ${n} parallel paths, ${paths
        .map((p) => `${p.row.label.slice(row.label.length + 1)} ${short(p).join(' then ')} (${p.row.shape[1]} channels)`)
        .join('; ')}; concatenated to ${chw(row.shape)}.`;
      const g = unitGroup('zoo-unit inception', aria, blockData(row));
      g.append(el('rect', { x, y, width: w, height: h, rx: 10, class: 'inception-box' }));
      g.append(text(x + Z.groupPad, y + 19, `${row.label} Inception`, { class: 'group-title' }));
      const splitY = y + 30;
      const colTop = splitY + 8;
      const concatY = colTop + colH + 8;
      const centre = (i) => x + Z.groupPad + i * (Z.colW + Z.colGap) + Z.colW / 2;
      // The input splits into the paths; their outputs meet in the concat.
      g.append(el('path', { d: `M${x},${cy} H${x + Z.groupPad / 2} V${splitY} H${centre(n - 1)}`, class: 'split-line', fill: 'none' }));
      g.append(el('path', { d: `M${x + w - Z.groupPad},${concatY + 11} H${x + w - Z.groupPad / 2} V${cy} H${x + w}`, class: 'split-line', fill: 'none' }));
      paths.forEach((p, i) => {
        const cx = centre(i);
        const left = cx - Z.colW / 2;
        const name = p.row.label.slice(row.label.length + 1);
        const path = el('g', { class: 'inception-path', 'data-path': name, 'data-layer': p.row.label });
        path.append(el('line', { x1: cx, y1: splitY, x2: cx, y2: colTop, class: 'split-line' }));
        path.append(el('line', { x1: cx, y1: colTop + colH, x2: cx, y2: concatY, class: 'split-line' }));
        path.append(el('rect', { x: left, y: colTop, width: Z.colW, height: colH, rx: 6, class: 'path-box' }));
        short(p).forEach((line, k) => {
          const by = colTop + 6 + k * (Z.pathBoxH + Z.pathGap);
          const unit = p.units[k];
          path.append(
            el('g', { class: 'path-layer', 'data-kind': unit.main.kind, 'data-layers': unit.rows.map((r) => r.label).join(' ') }, [
              el('rect', { x: left + 4, y: by, width: Z.colW - 8, height: Z.pathBoxH, rx: 5, class: 'inner-box' }),
              text(cx, by + 17, line, { class: 'path-text', 'text-anchor': 'middle' }),
            ]),
          );
        });
        path.append(text(cx, colTop + colH - 8, `${name} \u00b7 ${p.row.shape[1]}`, { class: 'path-channels', 'text-anchor': 'middle' }));
        g.append(path);
      });
      g.append(
        el('g', { class: 'concat-node' }, [
          el('rect', { x: x + Z.groupPad, y: concatY, width: w - 2 * Z.groupPad, height: 22, rx: 5, class: 'concat-box' }),
          text(x + w / 2, concatY + 16, `concat \u2192 ${row.shape[1]} channels`, { class: 'path-text', 'text-anchor': 'middle' }),
        ]),
      );
      parent.append(g);
    },
  };
}

function ioUnit(lines, cls, w) {
  return {
    w,
    h: Z.boxH,
    top: [],
    draw(parent, x, cy) {
      const g = el('g', { class: `node ${cls}` });
      g.append(el('rect', { x, y: cy - Z.boxH / 2, width: w, height: Z.boxH, rx: 9, class: 'node-box' }));
      lines.forEach((line, k) => {
        const cls = k === 0 ? 'node-title' : 'node-detail';
        g.append(text(x + w / 2, cy + (k - 0.5) * 20 + 6, line, { class: cls, 'text-anchor': 'middle' }));
      });
      parent.append(g);
    },
  };
}

/**
 * Draws a chapter-7 network: its top-level layers left to right with the shape on every edge,
 * wrapping into rows. A Sequential of plain layers is one grouped box; a Sequential holding
 * Inception blocks (GoogLeNet's b3..b5) gets rows of its own, each Inception block showing its
 * parallel paths merging into a concat.
 */
function renderZooDiagram(svg, net, { title = '' } = {}) {
  svg.replaceChildren();
  const defs = el('defs');
  defs.append(
    el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
      el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-main' }),
    ]),
  );
  svg.append(defs);

  // Layout: rows of [edge, unit] items; a stage (a Sequential of Inception blocks) starts a row.
  const rows = [];
  let row = null;
  const newRow = (stage = null) => {
    row = { items: [], x: Z.labelW, stage, cont: Boolean(stage && row?.stage === stage), labels: [] };
    rows.push(row);
  };
  let previous = net.input;
  const place = (unit, { wrap = true } = {}) => {
    const edge = previous ? Z.edge : 0;
    if (wrap && row.items.length && row.x + edge + unit.w > Z.maxW) newRow(row.stage);
    if (previous) {
      row.items.push({ edge: true, x: row.x, label: chw(previous) });
      row.x += Z.edge;
    }
    row.items.push({ unit, x: row.x });
    row.labels.push(...unit.top);
    row.x += unit.w;
    previous = unit.out ?? previous;
  };

  newRow();
  previous = null;
  place(ioUnit(['input', `${chw(net.input)} image`], 'node-input', 132), { wrap: false });
  previous = net.input;
  for (const u of fuseRows(net, net.top)) {
    const kids = net.children.get(u.main.label);
    if (kids?.some((k) => net.children.has(k.label))) {
      newRow(u.main.label);
      for (const v of fuseRows(net, kids)) place(v.main.kind === 'Inception' ? inceptionUnit(net, v.main) : leafUnit(net, v));
      newRow();
    } else {
      place(kids ? groupUnit(net, u) : leafUnit(net, u));
    }
  }
  const last = net.top[net.top.length - 1];
  place(ioUnit(['class scores', `${last.shape[1]} classes`], 'node-output', 140));

  // Drawing.
  const caption = `${title || net.kind} \u00b7 input ${chw(net.input)} \u00b7 ${exact(net.totals.params)} parameters \u00b7 ${formatCount(net.totals.macs)} MACs an image`;
  svg.append(text(Z.pad, Z.pad + 18, caption, { class: 'diagram-caption' }));
  let top = Z.pad + Z.caption;
  let maxX = 0;
  const placed = rows.filter((r) => r.items.length);
  placed.forEach((r, i) => {
    const maxH = Math.max(Z.boxH, ...r.items.filter((it) => it.unit).map((it) => it.unit.h));
    r.top = top;
    r.cy = top + Z.rowTop + maxH / 2;
    r.height = Z.rowTop + maxH + Z.rowBottom;
    top += r.height;
    const group = el('g', { class: 'diagram-row' });
    let rowTitle = r.stage ?? labelRange(r.labels);
    let subtitle = '';
    if (r.stage) {
      const inc = (net.children.get(r.stage) ?? []).filter((k) => k.kind === 'Inception').length;
      subtitle = r.cont ? 'continued' : inc ? `Inception \u00d7${inc}` : 'stage';
    } else if (rowTitle) {
      subtitle = r.labels.length > 1 ? 'layers' : 'layer';
    }
    if (i === 0 && !rowTitle) rowTitle = 'input';
    group.append(text(Z.pad, r.cy - 6, rowTitle, { class: 'row-title' }));
    if (subtitle) group.append(text(Z.pad, r.cy + 16, subtitle, { class: 'row-subtitle' }));
    for (const it of r.items) {
      if (it.edge) {
        const x1 = it.x + Z.edge;
        group.append(
          el('g', { class: 'edge' }, [
            el('line', { x1: it.x, y1: r.cy, x2: x1 - 2, y2: r.cy, class: 'edge-line', 'marker-end': 'url(#arrow)' }),
            text((it.x + x1) / 2, r.cy + 22, it.label, { class: 'edge-shape', 'text-anchor': 'middle' }),
          ]),
        );
      } else {
        it.unit.draw(group, it.x, r.cy);
      }
    }
    svg.append(group);
    maxX = Math.max(maxX, r.x);
  });
  // From the end of each row down and back to the start of the next.
  placed.forEach((r, i) => {
    const next = placed[i + 1];
    if (!next) return;
    const yMid = r.top + r.height - 18;
    const group = el('g', { class: 'edge' }, [
      el('line', { x1: r.x, y1: r.cy, x2: r.x + Z.stub, y2: r.cy, class: 'edge-line' }),
      el('path', { d: `M${r.x + Z.stub},${r.cy} V${yMid} H${Z.labelW} V${next.cy}`, class: 'edge-line connector', fill: 'none' }),
    ]);
    svg.append(group);
    maxX = Math.max(maxX, r.x + Z.stub);
  });
  const width = Math.ceil(Math.max(maxX, textWidth(caption, 15)) + Z.pad);
  const height = Math.ceil(top + Z.pad - 20);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.style.maxWidth = `${Math.round(width * 1.3)}px`;
  svg.dataset.blocks = '0';
  svg.dataset.inceptions = String(net.inceptions);
}
