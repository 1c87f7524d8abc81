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
export function renderDiagram(svg, net, { selected = null, interactive = true, onSelect = () => {} } = {}) {
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
