// @ts-check
// TEMPORARY (issue 12): per-layer kernel and stride guessed from parameter counts and shapes,
// for layer rows made before Rust's layer table carried `kernel` and `stride`
// (src/model/shapes.rs `LayerShape`). Once the rebuilt wasm package in pkg/ sends them, delete
// this file, its import in network-model.js and its test (tests/unit/layer-geometry-guess.test.mjs).
// No DOM.

/** @typedef {import('./network-model.js').LayerRow} LayerRow */

/** Whether rows lack Rust's kernel and stride (made by a wasm package older than those fields). @param {readonly LayerRow[]} layers */
export const lacksGeometry = (layers) => layers.some((r) => r.kernel === undefined);

const POOLS = new Set(['MaxPool2d', 'AvgPool2d']);
const parentOf = (/** @type {string} */ label) => label.slice(0, Math.max(0, label.lastIndexOf('.')));

/**
 * A conv's kernel size from its parameter count: out * (in * k * k + bias).
 * @param {LayerRow} row @param {number | undefined} inChannels
 */
export function kernelOf(row, inChannels) {
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
 * @param {readonly number[] | undefined} from @param {readonly number[]} to @param {number | null} [kernel]
 */
export function strideOf(from, to, kernel = null) {
  if (from?.length !== 4 || to.length !== 4) return 1;
  const [inSide, outSide] = [from[2], to[2]];
  for (let s = 1; s <= inSide; s++) {
    for (let k = kernel ?? 1; k <= (kernel ?? 2 * s + 1); k++) {
      for (let p = 0; p <= Math.floor(k / 2); p++) if (Math.floor((inSide + 2 * p - k) / s) + 1 === outSide) return s;
    }
  }
  return Math.max(1, Math.round(inSide / outSide));
}

/**
 * Each row's input shape: the output of the row before it among its siblings (the first child
 * sees its parent's input; every path of an Inception block, and a residual block's shortcut
 * conv3, see the block's input).
 * @param {readonly LayerRow[]} layers @param {readonly number[] | null} input
 */
function inputShapes(layers, input) {
  /** @type {Map<string, LayerRow[]>} */
  const children = new Map();
  for (const r of layers) {
    if (r.level === 0) continue;
    const parent = parentOf(r.label);
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  /** @type {Map<string, readonly number[]>} */
  const inShape = new Map();
  /** @param {LayerRow[]} rows @param {readonly number[] | null} shape @param {LayerRow | null} parent */
  const walk = (rows, shape, parent) => {
    let current = shape;
    for (const r of rows) {
      const parallel = parent?.kind === 'Inception' || (parent?.kind === 'Residual' && r.label.endsWith('.conv3'));
      const from = parallel ? shape : current;
      if (from) inShape.set(r.label, from);
      const kids = children.get(r.label);
      if (kids) walk(kids, from, r);
      current = r.shape;
    }
  };
  walk(
    layers.filter((r) => r.level === 0),
    input,
    null,
  );
  return inShape;
}

/**
 * The rows with `kernel` and `stride` filled in as Rust fills them: a conv's kernel and stride,
 * a pool's stride (its kernel is not guessed), a residual block's stride (its first conv's),
 * null for the others.
 * @param {readonly LayerRow[]} layers @param {readonly number[] | null} input  the network's input shape, if known
 * @returns {LayerRow[]}
 */
export function withGuessedGeometry(layers, input) {
  const inShape = inputShapes(layers, input);
  return layers.map((row) => {
    const from = inShape.get(row.label);
    if (row.kind === 'Conv2d') {
      const kernel = kernelOf(row, from?.[1]);
      return { ...row, kernel, stride: strideOf(from, row.shape, kernel) };
    }
    if (POOLS.has(row.kind)) return { ...row, kernel: null, stride: strideOf(from, row.shape) };
    if (row.kind === 'Residual') {
      const stride = from?.length === 4 ? Math.max(1, Math.round(from[2] / row.shape[2])) : 1;
      return { ...row, kernel: null, stride };
    }
    return { ...row, kernel: null, stride: null };
  });
}
