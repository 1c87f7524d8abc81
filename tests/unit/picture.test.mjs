// The picture's preprocessing (www/core/picture.js): Fashion-MNIST's recipe on grey levels.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIDE, greyLevels, networkInput } from '../../www/core/picture.js';

/** A `width` x `height` picture of `background` with a `fill` rectangle [x0, x1) x [y0, y1). */
function picture(width, height, background, fill, [x0, y0, x1, y1]) {
  const grey = new Float32Array(width * height).fill(background);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) grey[y * width + x] = fill;
  return grey;
}

/** The box of the pixels above 0 in a SIDE x SIDE image. */
function box(pixels) {
  const lit = [...pixels.keys()].filter((i) => pixels[i] > 0);
  const xs = lit.map((i) => i % SIDE);
  const ys = lit.map((i) => Math.floor(i / SIDE));
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs) + 1, Math.max(...ys) + 1];
}

test('a dark object on white paper is negated, trimmed, its longest edge scaled to 28 and centred', () => {
  // 100 x 60 paper, a black 40 x 20 rectangle off centre.
  const { pixels, inverted, asIs } = networkInput(picture(100, 60, 255, 0, [10, 5, 50, 25]), 100, 60);
  assert.equal(inverted, true);
  assert.equal(asIs, false);
  assert.equal(pixels.length, SIDE * SIDE);
  assert.deepEqual(box(pixels), [0, 7, 28, 21], '40 x 20 -> 28 x 14, centred');
  assert.equal(pixels[14 * SIDE + 14], 255, 'the object at full brightness');
  assert.equal(pixels[0], 0, 'the background black');
});

test('a light drawing on black keeps its polarity; a tall object is centred across', () => {
  const { pixels, inverted } = networkInput(picture(280, 280, 0, 200, [120, 20, 160, 260]), 280, 280);
  assert.equal(inverted, false);
  assert.deepEqual(box(pixels), [11, 0, 16, 28], '40 x 240 -> 5 x 28 (rounded), centred: 11 + 5 + 12');
});

test('a 28 x 28 image on black (a Fashion-MNIST image) is taken exactly as it is', () => {
  const grey = Float32Array.from({ length: SIDE * SIDE }, (_, i) => (i % 7 === 0 ? 0 : (i * 37) % 256) * (i % SIDE > 3 ? 1 : 0));
  const { pixels, asIs } = networkInput(grey, SIDE, SIDE);
  assert.equal(asIs, true);
  assert.deepEqual([...pixels], [...grey].map(Math.round));
});

test('nothing but background is refused with a sentence', () => {
  assert.throws(() => networkInput(new Float32Array(50 * 40).fill(255), 50, 40), /The picture is empty/);
  assert.throws(() => networkInput(picture(50, 40, 0, 10, [5, 5, 10, 10]), 50, 40), /The picture is empty/, 'too faint to be an object');
});

test('grey levels: luma, transparent pixels as white paper', () => {
  const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 0, 0, 10, 10, 10, 255]);
  assert.deepEqual([...greyLevels(rgba)].map((v) => Math.round(v)), [76, 255, 10]);
});
