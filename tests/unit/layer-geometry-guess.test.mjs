// TEMPORARY (issue 12): the fallback for rows without Rust's kernel and stride; delete with
// www/core/layer-geometry-guess.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeNetwork, layerText } from '../../www/core/network-model.js';
import { kernelOf, lacksGeometry, strideOf, withGuessedGeometry } from '../../www/core/layer-geometry-guess.js';
import { GOOGLENET_PART, LENET, TINY, TINY_CONFIG, parseRows } from './fixtures/layer-rows.mjs';

test("kernelOf reads a conv's kernel from its parameters, with or without bias", () => {
  const conv = (out, params) => ({ level: 0, kind: 'Conv2d', label: '0', shape: [1, out, 54, 54], params, macs: 0 });
  assert.equal(kernelOf(conv(96, 11712), 1), 11, 'AlexNet: 96 * (1 * 11 * 11 + 1)');
  assert.equal(kernelOf(conv(16, 144), 8), 1, "tiny's b3.0.conv3: 16 * (8 + 1)");
  assert.equal(kernelOf(conv(8, 576), 8), 3, 'no bias: 8 * 8 * 9');
  assert.equal(kernelOf(conv(8, 577), 8), null);
  assert.equal(kernelOf(conv(8, 576), undefined), null);
});

test('strideOf: the smallest stride that a kernel and a padding explain', () => {
  assert.equal(strideOf([1, 1, 224, 224], [1, 96, 54, 54], 11), 4, "AlexNet's first conv");
  assert.equal(strideOf([1, 96, 54, 54], [1, 96, 26, 26]), 2, 'a 3x3 max-pool, stride 2');
  assert.equal(strideOf([1, 8, 7, 7], [1, 8, 7, 7], 3), 1);
  assert.equal(strideOf(undefined, [1, 8, 7, 7]), 1);
  assert.equal(strideOf([1, 256], [1, 120]), 1, 'not a feature map');
});

test('rows without kernel and stride get them guessed, rows with them are left alone', () => {
  assert.equal(lacksGeometry(parseRows(LENET)), true);
  assert.equal(lacksGeometry(parseRows(LENET, () => ({ kernel: null, stride: null }))), false);
  const rows = withGuessedGeometry(parseRows(TINY), [1, 1, 28, 28]);
  const of = (label) => {
    const r = rows.find((x) => x.label === label);
    return [r.kernel, r.stride];
  };
  assert.deepEqual(of('b1.conv'), [7, 2]);
  assert.deepEqual(of('b1.pool'), [null, 2]);
  assert.deepEqual(of('b2.0'), [null, 1]);
  assert.deepEqual(of('b3.0'), [null, 2]);
  assert.deepEqual(of('b3.0.conv1'), [3, 2]);
  assert.deepEqual(of('b3.0.conv2'), [3, 1]);
  assert.deepEqual(of('b3.0.conv3'), [1, 2], 'the shortcut sees the block input');
  assert.deepEqual(of('fc'), [null, null]);
});

test('describeNetwork falls back to the guess for old rows', () => {
  const resnet = describeNetwork({ config: TINY_CONFIG, layers: parseRows(TINY) });
  assert.deepEqual(resnet.blocks.map((b) => b.stride), [1, 2, 2]);
  const noConfig = describeNetwork({ config: null, layers: parseRows(TINY) });
  assert.deepEqual(noConfig.blocks.map((b) => b.stride), [1, 2, 2]);
  const google = describeNetwork({ config: { kind: 'googlenet', input_size: 96 }, layers: parseRows(GOOGLENET_PART) });
  const text = (label, short = false) => layerText(google.layers.find((r) => r.label === label), { short });
  assert.equal(text('b1.0'), 'conv 7\u00d77, stride 2');
  assert.equal(text('b1.2'), 'max-pool, stride 2');
  assert.equal(text('b3.0.p2.2', true), 'conv 3\u00d73');
  assert.equal(text('b3.0.p4.0', true), 'max-pool', 'every path sees the block input');
  assert.equal(text('b3.0.p4.1', true), 'conv 1\u00d71');
  assert.equal(text('b3.2', true), 'max-pool /2');
});
