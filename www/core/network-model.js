// @ts-check
// The network, read from the layer rows Rust produces (`shapes(config)` or the worker's `model`
// event) and the list of inserted blocks: a ResNet as stem, stages, blocks and head; a chapter-7
// network as top-level layers and their children. Nothing here knows what a ResNet looks like
// beyond reading those rows. No DOM: the diagram and the layer table draw from what this returns.


/**
 * One row of Rust's layer table (src/model/shapes.rs `LayerShape`).
 * @typedef {object} LayerRow
 * @property {number} level  0 for top-level layers, 1 for their children, ...
 * @property {string} kind  PyTorch's class name: "Conv2d", "Residual", "Inception", "Path", ...
 * @property {string} label  "b1", "b2.0", "b2.0.conv1", "fc", "b3.0.p2.1", ...
 * @property {number[]} shape  output shape for a batch of one
 * @property {boolean} [projection]  residual blocks: the shortcut is a 1x1 conv
 * @property {boolean} [shortcut]  residual blocks: false for a plain block (no shortcut)
 * @property {number} params  trainable parameters, children included
 * @property {number} macs  multiply-accumulates for one image, children included
 * @property {number | null} [kernel]  a conv's or pool's kernel size, else null
 * @property {number | null} [stride]  a conv's or pool's stride (a residual block's: its first conv's), else null
 */
/**
 * @typedef {{kernel: number, stride: number, padding: number, pool_kernel: number, pool_stride: number, pool_padding: number}} StemConfig
 * @typedef {{in_channels: number, input_size: number, stem: StemConfig, widths: number[], blocks: number[], classes?: number, shortcut?: boolean}} ResNetConfig
 *   (src/model/config.rs; the fields the views read)
 * @typedef {{kind: string, input_size: number}} ZooConfig  a chapter-7 network (src/model/zoo)
 * @typedef {'identity' | 'plain'} Insertion
 * @typedef {{insertion: Insertion, stage: number}} Inserted  a block inserted at the end of a stage
 * @typedef {{params: number, macs: number}} Totals
 */
/**
 * A residual block.
 * @typedef {object} Block
 * @property {string} label  "b3.0"
 * @property {number} stage  0-based
 * @property {number} block  its index in the stage
 * @property {LayerRow} row
 * @property {LayerRow[]} children  conv1, bn1, conv2, bn2 (and conv3, the projection)
 * @property {boolean} projection  the shortcut is a 1x1 conv
 * @property {boolean} plain  no shortcut
 * @property {Insertion | null} inserted
 * @property {number[]} inShape
 * @property {number[]} outShape
 * @property {number} stride
 * @typedef {{label: string, index: number, row: LayerRow, blocks: Block[]}} Stage
 */
/**
 * @typedef {object} ResNetNet
 * @property {false} zoo
 * @property {ResNetConfig | null} config
 * @property {LayerRow[]} layers
 * @property {number[] | null} input  [1, C, H, W], when the config is known
 * @property {{row: LayerRow, children: LayerRow[]}} stem
 * @property {Stage[]} stages
 * @property {Block[]} blocks  every stage's blocks, in order
 * @property {LayerRow[]} head  pooling, flatten, classifier
 * @property {Totals} totals
 */
/**
 * @typedef {object} ZooNet
 * @property {true} zoo
 * @property {string} kind  "lenet-bn", "googlenet", ...
 * @property {ZooConfig} config
 * @property {LayerRow[]} layers
 * @property {number[]} input
 * @property {LayerRow[]} top  the top-level layers
 * @property {Map<string, LayerRow[]>} children  a row's label -> its child rows
 * @property {LayerRow[]} groups  the rows with children
 * @property {number} inceptions  how many Inception blocks
 * @property {Map<string, number>} pathCount  an Inception block's label -> its number of paths
 * @property {null} stem
 * @property {Stage[]} stages  empty
 * @property {Block[]} blocks  empty
 * @property {LayerRow[]} head  empty
 * @property {Totals} totals
 * @typedef {ResNetNet | ZooNet} Network
 */

/** Layers that keep the shape (activations, BatchNorm, dropout): drawn in the box of the layer before. */
export const FUSED = new Set(['ReLU', 'Sigmoid', 'Dropout', 'BatchNorm', 'BatchNorm1d', 'BatchNorm2d']);

const parentOf = (/** @type {string} */ label) => label.slice(0, Math.max(0, label.lastIndexOf('.')));
const sameShape = (/** @type {readonly number[]} */ a, /** @type {readonly number[]} */ b) => a.length === b.length && a.every((d, i) => d === b[i]);

/** @param {readonly LayerRow[]} top @returns {Totals} */
const totalsOf = (top) => top.reduce((t, r) => ({ params: t.params + r.params, macs: t.macs + r.macs }), { params: 0, macs: 0 });

/** @param {readonly LayerRow[]} rows @param {LayerRow} parent */
const childrenOf = (rows, parent) =>
  rows.filter((r) => r.level === parent.level + 1 && r.label.startsWith(parent.label + '.') && !r.label.slice(parent.label.length + 1).includes('.'));

/**
 * Reads Rust's layer rows into a network: `describeZoo` for a chapter-7 configuration (one with
 * a `kind`), else a ResNet's stem, stages, blocks and head. `inserted` (in order) marks the last
 * blocks of their stages. A block row with `shortcut` false (a plain block, or a plain network)
 * is drawn without its skip connection.
 * @param {{config: ResNetConfig | ZooConfig | null, layers: LayerRow[], inserted?: readonly Inserted[]}} model
 * @returns {Network}
 */
export function describeNetwork({ config, layers, inserted = [] }) {
  if (config && 'kind' in config && config.kind) return describeZoo({ config, layers });
  const resnet = /** @type {ResNetConfig | null} */ (config);
  const input = resnet ? [1, resnet.in_channels, resnet.input_size, resnet.input_size] : null;
  const top = layers.filter((r) => r.level === 0);
  const stemRow = top[0];
  const stageRows = top.filter((r, i) => i > 0 && r.kind === 'Sequential');
  let previous = stemRow.shape;
  /** @type {Block[]} */
  const blocks = [];
  const stages = stageRows.map((row, index) => {
    const blockRows = childrenOf(layers, row).filter((r) => r.kind === 'Residual');
    const added = inserted.filter((x) => x.stage === index);
    /** @type {Stage} */
    const stage = { label: row.label, index, row, blocks: [] };
    blockRows.forEach((b, k) => {
      const fromEnd = blockRows.length - k; // 1 for the last block
      const insertion = fromEnd <= added.length ? added[added.length - fromEnd].insertion : null;
      /** @type {Block} */
      const block = {
        label: b.label,
        stage: index,
        block: Number(b.label.slice(b.label.lastIndexOf('.') + 1)),
        row: b,
        children: childrenOf(layers, b),
        projection: Boolean(b.projection),
        plain: b.shortcut === false,
        inserted: insertion,
        inShape: previous,
        outShape: b.shape,
        stride: b.stride ?? 1,
      };
      stage.blocks.push(block);
      blocks.push(block);
      previous = b.shape;
    });
    return stage;
  });
  const head = top.filter((r, i) => i > 0 && r.kind !== 'Sequential');
  const stem = { row: stemRow, children: childrenOf(layers, stemRow) };
  return { zoo: false, config: resnet, layers, input, stem, stages, blocks, head, totals: totalsOf(top) };
}

/**
 * Reads a chapter-7 network's rows (seed 004: LeNet with BatchNorm, AlexNet, VGG, NiN, GoogLeNet):
 * levels 0 to 3, top-level layers labelled "0", "1", ... (GoogLeNet: "b1".."b5", "fc"), the
 * layers of a Sequential below them, and in an Inception block its paths ("b3.0.p1".."b3.0.p4",
 * kind "Path") with their layers. `stages`, `blocks` and `head` are empty: there are no
 * residual blocks.
 * @param {{config: ZooConfig, layers: LayerRow[]}} model
 * @returns {ZooNet}
 */
export function describeZoo({ config, layers }) {
  const input = [1, 1, config.input_size, config.input_size];
  /** @type {Map<string, LayerRow[]>} */
  const children = new Map();
  for (const r of layers) {
    if (r.level === 0) continue;
    const parent = parentOf(r.label);
    const siblings = children.get(parent);
    if (siblings) siblings.push(r);
    else children.set(parent, [r]);
  }
  const top = layers.filter((r) => r.level === 0);
  const inceptions = layers.filter((r) => r.kind === 'Inception');
  return {
    zoo: true,
    kind: config.kind,
    config,
    layers,
    input,
    top,
    children,
    groups: layers.filter((r) => children.has(r.label)),
    inceptions: inceptions.length,
    pathCount: new Map(inceptions.map((r) => [r.label, children.get(r.label)?.length ?? 0])),
    stem: null,
    stages: [],
    blocks: [],
    head: [],
    totals: totalsOf(top),
  };
}

/** The first block with an identity shortcut (the natural one for the identity demo), else the first block. @param {Network} net */
export function defaultBlock(net) {
  return (net.blocks.find((b) => !b.projection && !b.plain) ?? net.blocks[0])?.label ?? null;
}

/** A block's shortcut in words: "identity", "1×1 conv, stride 2", "none (plain)". @param {Block} b */
export const shortcutText = (b) => (b.plain ? 'none (plain)' : b.projection ? `1\u00d71 conv${b.stride > 1 ? `, stride ${b.stride}` : ''}` : 'identity');

/**
 * @typedef {{main: LayerRow, extras: LayerRow[], rows: LayerRow[], out: number[]}} Unit
 *   a layer (`main`) with the shape-keeping layers after it (`extras`); `rows` = both, `out` = the output shape
 */

/**
 * Sibling rows as units: a layer with the shape-keeping layers (FUSED) that follow it. A row
 * with children is never fused.
 * @param {readonly LayerRow[]} rows @param {ReadonlyMap<string, LayerRow[]>} children
 * @returns {Unit[]}
 */
export function fuseRows(rows, children) {
  /** @type {Unit[]} */
  const units = [];
  for (const r of rows) {
    const last = units[units.length - 1];
    if (last && !children.has(last.main.label) && !children.has(r.label) && FUSED.has(r.kind) && sameShape(last.out, r.shape)) {
      last.extras.push(r);
      last.rows.push(r);
      continue;
    }
    units.push({ main: r, extras: [], rows: [r], out: r.shape });
  }
  return units;
}

const LAYER_NAMES = new Map([
  ['AdaptiveAvgPool2d', 'global avg pool'],
  ['Flatten', 'flatten'],
  ['ReLU', 'ReLU'],
  ['Sigmoid', 'sigmoid'],
  ['Dropout', 'dropout'],
]);

/**
 * One layer in words, read from its row's kind, kernel and stride: "conv 11×11, stride 4",
 * "max-pool, stride 2", "FC 4096", "BN". `short` writes a stride as " /2".
 * @param {LayerRow} row @param {{short?: boolean}} [options]
 */
export function layerText(row, { short = false } = {}) {
  const stride = row.stride ?? 1;
  const s = stride > 1 ? (short ? ` /${stride}` : `, stride ${stride}`) : '';
  const k = row.kernel;
  switch (row.kind) {
    case 'Conv2d':
      return `conv${k ? ` ${k}\u00d7${k}` : ''}${s}`;
    case 'MaxPool2d':
      return `max-pool${s}`;
    case 'AvgPool2d':
      return `avg-pool${s}`;
    case 'Linear':
      return `FC ${row.shape[1]}`;
    default:
      return LAYER_NAMES.get(row.kind) ?? (row.kind.startsWith('BatchNorm') ? 'BN' : row.kind);
  }
}

/** A unit in words: its layers joined by " · ". @param {Unit} u */
export const unitText = (u) => [u.main, ...u.extras].map((r) => layerText(r)).join(' \u00b7 ');

/** "b1–b3" for several labels, the label for one, "" for none. @param {readonly string[]} labels */
export const labelRange = (labels) => (labels.length > 1 ? `${labels[0]}\u2013${labels[labels.length - 1]}` : (labels[0] ?? ''));
