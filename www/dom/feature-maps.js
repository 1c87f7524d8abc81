// @ts-check
// Feature maps side by side (the identity demo's input x and block outputs): one row a channel,
// one column a map, drawn in viridis on <canvas>.

import { span } from './elements.js';

/** @typedef {{title: string, side: number, data: ArrayLike<number>}} MapColumn  `channels` maps of side x side floats, one after another */

/** viridis, 5 stops */
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** viridis at t in [0, 1] (clamped), as [r, g, b]. @param {number} t */
function colour(t) {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  return STOPS[i].map((a, k) => Math.round(a + (STOPS[i + 1][k] - a) * f));
}

/**
 * One map as a canvas, |values| scaled by vmax.
 * @param {ArrayLike<number>} values @param {number} offset  where the map starts in values @param {number} side @param {number} vmax @param {string} label
 */
function mapCanvas(values, offset, side, vmax, label) {
  const canvas = document.createElement('canvas');
  canvas.width = side;
  canvas.height = side;
  canvas.className = 'fmap';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const img = ctx.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const [r, g, b] = colour(vmax > 0 ? values[offset + i] / vmax : 0);
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}


/**
 * Fills `container` (a CSS grid of `--fmap-columns` + 1 columns): a header of column titles,
 * then per channel its number and one canvas a column. Each channel shares one colour scale
 * across the columns, so equal maps look equal.
 * @param {HTMLElement} container @param {MapColumn[]} columns @param {number} channels
 */
export function renderFeatureMaps(container, columns, channels) {
  container.replaceChildren();
  container.style.setProperty('--fmap-columns', String(columns.length));
  container.append(span('fmap-head', 'channel'), ...columns.map((col) => span('fmap-head', col.title)));
  for (let c = 0; c < channels; c++) {
    let vmax = 0;
    for (const col of columns) {
      const n = col.side * col.side;
      for (let i = c * n; i < (c + 1) * n; i++) vmax = Math.max(vmax, Math.abs(col.data[i]));
    }
    container.append(span('fmap-channel', String(c)));
    for (const col of columns) {
      const n = col.side * col.side;
      container.append(mapCanvas(col.data, c * n, col.side, vmax, `${col.title}, channel ${c}`));
    }
  }
}
