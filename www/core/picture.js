// @ts-check
// A picture (a drawing, a photo) made into the network's input the way Fashion-MNIST's images
// were made (Xiao et al. 2017: trimmed to the object, the longest edge resized to 28, centred in
// 28x28, negated to a light object on a black background, grey). Pure, unit-tested in
// tests/unit/picture.test.mjs; features/picture reads the pixels from a canvas.

/** The side of Fashion-MNIST's images, and of the picture the network gets. */
export const SIDE = 28;
/** The most pixels a picture may have: a decoded 8000 x 8000 photo is 256 MB of canvas. */
export const MAX_PIXELS = 40_000_000;
/** Grey levels above the background that count as the object when trimming. */
const OBJECT_LEVEL = 24;

/**
 * Grey levels (0..255, BT.601 luma) of RGBA pixels, transparent ones counting as white paper.
 * @param {Uint8ClampedArray} rgba @returns {Float32Array}
 */
export function greyLevels(rgba) {
  const grey = new Float32Array(rgba.length / 4);
  for (let i = 0; i < grey.length; i++) {
    const [r, g, b, a] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3] / 255];
    grey[i] = (0.299 * r + 0.587 * g + 0.114 * b) * a + 255 * (1 - a);
  }
  return grey;
}

/**
 * The network's 28x28 input from grey levels (`width` x `height`, row by row): the object light
 * on black, trimmed, scaled so its longest edge is 28, centred. A picture already 28x28 on a
 * dark background is taken as it is (a Fashion-MNIST image stays exactly itself). Throws when
 * there is nothing but background.
 * @param {ArrayLike<number>} grey @param {number} width @param {number} height
 * @returns {{pixels: Uint8Array, inverted: boolean, asIs: boolean}}
 */
export function networkInput(grey, width, height) {
  const inverted = borderMean(grey, width, height) > 127; // dark clothes on light paper
  const levels = Float32Array.from(grey, (v) => (inverted ? 255 - v : v));
  if (width === SIDE && height === SIDE && !inverted) return { pixels: Uint8Array.from(levels, (v) => Math.round(v)), inverted, asIs: true };
  const background = borderMean(levels, width, height);
  const box = objectBox(levels, width, height, background + OBJECT_LEVEL);
  if (!box) throw new Error('The picture is empty: there is nothing but background. Draw a piece of clothing, or choose a photo of one.');
  const peak = boxPeak(levels, width, box);
  const contrast = (/** @type {number} */ v) => Math.max(0, Math.min(255, ((v - background) / Math.max(1, peak - background)) * 255));
  return { pixels: fitInto(levels, width, box, contrast), inverted, asIs: false };
}

/** Mean grey level of the picture's outer frame (a 20th of each side, at least one pixel). @param {ArrayLike<number>} grey @param {number} width @param {number} height */
function borderMean(grey, width, height) {
  const m = Math.max(1, Math.round(Math.min(width, height) / 20));
  let sum = 0;
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (x >= m && x < width - m && y >= m && y < height - m) continue;
      sum += grey[y * width + x];
      n++;
    }
  }
  return n ? sum / n : 0;
}

/**
 * The smallest box holding every pixel above `level`, or null.
 * @param {Float32Array} levels @param {number} width @param {number} height @param {number} level
 */
function objectBox(levels, width, height, level) {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (levels[y * width + x] <= level) continue;
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** The brightest level in `box`. @param {Float32Array} levels @param {number} width @param {{x: number, y: number, w: number, h: number}} box */
function boxPeak(levels, width, box) {
  let peak = 0;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) peak = Math.max(peak, levels[y * width + x]);
  }
  return peak;
}

/**
 * `box` of `levels` scaled so its longest edge is SIDE (area-averaged: each output pixel is the
 * mean of the source area it covers), centred in SIDE x SIDE, through `contrast`.
 * @param {Float32Array} levels @param {number} width @param {{x: number, y: number, w: number, h: number}} box
 * @param {(v: number) => number} contrast
 */
function fitInto(levels, width, box, contrast) {
  const scale = SIDE / Math.max(box.w, box.h);
  const [w, h] = [Math.max(1, Math.round(box.w * scale)), Math.max(1, Math.round(box.h * scale))];
  const [left, top] = [Math.floor((SIDE - w) / 2), Math.floor((SIDE - h) / 2)];
  const pixels = new Uint8Array(SIDE * SIDE);
  for (let ty = 0; ty < h; ty++) {
    for (let tx = 0; tx < w; tx++) {
      const mean = areaMean(levels, width, box, [tx / scale, (tx + 1) / scale], [ty / scale, (ty + 1) / scale]);
      pixels[(top + ty) * SIDE + left + tx] = Math.round(contrast(mean));
    }
  }
  return pixels;
}

/**
 * The mean of `levels` over the source rectangle [sx0, sx1) x [sy0, sy1) (relative to `box`),
 * partly covered pixels weighted by how much of them it covers.
 * @param {Float32Array} levels @param {number} width @param {{x: number, y: number, w: number, h: number}} box
 * @param {number[]} xs @param {number[]} ys
 */
function areaMean(levels, width, box, [sx0, sx1], [sy0, sy1]) {
  let [sum, weight] = [0, 0];
  for (let y = Math.floor(sy0); y < Math.min(box.h, Math.ceil(sy1)); y++) {
    const wy = Math.min(sy1, y + 1) - Math.max(sy0, y);
    for (let x = Math.floor(sx0); x < Math.min(box.w, Math.ceil(sx1)); x++) {
      const wx = Math.min(sx1, x + 1) - Math.max(sx0, x);
      sum += levels[(box.y + y) * width + box.x + x] * wx * wy;
      weight += wx * wy;
    }
  }
  return weight ? sum / weight : 0;
}
