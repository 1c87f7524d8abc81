import assert from 'node:assert/strict';
import { test } from 'node:test';

import { defaultBlock, describeNetwork, fuseRows, labelRange, layerText, shortcutText, unitText } from '../../www/core/network-model.js';
import { GOOGLENET_PART, LENET, TINY, TINY_CONFIG, parseRows } from './fixtures/layer-rows.mjs';

/** Rust's per-layer kernel and stride, as the rows carry them once src/model/shapes.rs has them. */
const GEOMETRY = {
  'b1.conv': [7, 2],
  'b1.pool': [3, 2],
  'b2.0': [null, 1],
  'b2.0.conv1': [3, 1],
  'b2.0.conv2': [3, 1],
  'b3.0': [null, 2],
  'b3.0.conv1': [3, 2],
  'b3.0.conv2': [3, 1],
  'b3.0.conv3': [1, 2],
  'b4.0': [null, 2],
  'b4.0.conv1': [3, 2],
  'b4.0.conv2': [3, 1],
  'b4.0.conv3': [1, 2],
};
const withGeometry = (r) => {
  const [kernel, stride] = GEOMETRY[r.label] ?? [null, null];
  return { kernel, stride };
};
/** LeNet's: 5x5 convs, 2x2 average pools of stride 2. */
const lenetGeometry = (r) => ({ kernel: { Conv2d: 5, AvgPool2d: 2 }[r.kind] ?? null, stride: { Conv2d: 1, AvgPool2d: 2 }[r.kind] ?? null });
const LENET_ROWS = parseRows(LENET, lenetGeometry);

test('a ResNet: stem, stages, blocks and head from the rows', () => {
  const net = describeNetwork({ config: TINY_CONFIG, layers: parseRows(TINY, withGeometry) });
  assert.equal(net.zoo, false);
  assert.deepEqual(net.input, [1, 1, 28, 28]);
  assert.equal(net.stem.row.label, 'b1');
  assert.deepEqual(net.stem.children.map((r) => r.kind), ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d']);
  assert.deepEqual(net.stages.map((s) => [s.label, s.index, s.blocks.length]), [['b2', 0, 1], ['b3', 1, 1], ['b4', 2, 1]]);
  assert.deepEqual(net.blocks.map((b) => [b.label, b.stage, b.block, b.projection, b.plain, b.stride]), [
    ['b2.0', 0, 0, false, false, 1],
    ['b3.0', 1, 0, true, false, 2],
    ['b4.0', 2, 0, true, false, 2],
  ]);
  assert.deepEqual(net.blocks.map((b) => [b.inShape, b.outShape]), [
    [[1, 8, 7, 7], [1, 8, 7, 7]],
    [[1, 8, 7, 7], [1, 16, 4, 4]],
    [[1, 16, 4, 4], [1, 32, 2, 2]],
  ]);
  assert.deepEqual(net.blocks[1].children.map((r) => r.label.split('.').pop()), ['conv1', 'bn1', 'conv2', 'bn2', 'conv3']);
  assert.deepEqual(net.head.map((r) => r.kind), ['AdaptiveAvgPool2d', 'Flatten', 'Linear']);
  assert.deepEqual(net.totals, { params: 20202, macs: 248288 }, 'the CLI total');
});

test("a block's stride is Rust's, not read from the shapes", () => {
  const layers = parseRows(TINY, (r) => (r.label === 'b3.0' ? { kernel: null, stride: 3 } : withGeometry(r)));
  const net = describeNetwork({ config: TINY_CONFIG, layers });
  assert.equal(net.blocks[1].stride, 3);
});

test('without a config: no input shape, the stem still read from its rows', () => {
  const net = describeNetwork({ config: null, layers: parseRows(TINY, withGeometry) });
  assert.equal(net.input, null);
  assert.equal(net.blocks.length, 3);
});

test('inserted blocks mark the last blocks of their stages, plain blocks have no shortcut', () => {
  const layers = parseRows(TINY, (r) => ({ ...withGeometry(r), ...(r.label === 'b4.0' ? { shortcut: false } : {}) }));
  const net = describeNetwork({ config: TINY_CONFIG, layers, inserted: [{ insertion: 'identity', stage: 0 }, { insertion: 'plain', stage: 2 }] });
  assert.deepEqual(net.blocks.map((b) => [b.inserted, b.plain]), [['identity', false], [null, false], ['plain', true]]);
});

test('defaultBlock: the first identity block, else the first block, else none', () => {
  const tiny = describeNetwork({ config: TINY_CONFIG, layers: parseRows(TINY, withGeometry) });
  assert.equal(defaultBlock(tiny), 'b2.0');
  const noIdentity = { ...tiny, blocks: tiny.blocks.slice(1) };
  assert.equal(defaultBlock(noIdentity), 'b3.0');
  assert.equal(defaultBlock(describeNetwork({ config: { kind: 'lenet-bn', input_size: 28 }, layers: LENET_ROWS })), null);
});

test('shortcutText', () => {
  const [identity, projection] = describeNetwork({ config: TINY_CONFIG, layers: parseRows(TINY, withGeometry) }).blocks;
  assert.equal(shortcutText(identity), 'identity');
  assert.equal(shortcutText(projection), '1\u00d71 conv, stride 2');
  assert.equal(shortcutText({ ...identity, plain: true }), 'none (plain)');
});

test('a chapter-7 network: top-level layers, children, totals', () => {
  const net = describeNetwork({ config: { kind: 'lenet-bn', input_size: 28 }, layers: LENET_ROWS });
  assert.equal(net.zoo, true);
  assert.equal(net.kind, 'lenet-bn');
  assert.deepEqual(net.input, [1, 1, 28, 28]);
  assert.equal(net.top.length, 16);
  assert.equal(net.children.size, 0);
  assert.deepEqual([net.stages, net.blocks, net.head, net.stem], [[], [], [], null]);
  assert.deepEqual(net.totals, { params: 44878, macs: 281640 }, 'the CLI total');
});

test('fuseRows: each layer with the activations and BatchNorm after it', () => {
  const net = describeNetwork({ config: { kind: 'lenet-bn', input_size: 28 }, layers: LENET_ROWS });
  const units = fuseRows(net.top, net.children);
  assert.deepEqual(
    units.map((u) => u.rows.map((r) => r.label).join(' ')),
    ['0 1 2', '3', '4 5 6', '7', '8', '9 10 11', '12 13 14', '15'],
  );
  assert.deepEqual(units[0].out, [1, 6, 24, 24]);
  assert.equal(labelRange(units[0].rows.map((r) => r.label)), '0\u20132');
  assert.equal(labelRange(['fc']), 'fc');
  assert.equal(labelRange([]), '');
});

test("GoogLeNet: Inception paths, groups and path counts", () => {
  const net = describeNetwork({ config: { kind: 'googlenet', input_size: 96 }, layers: parseRows(GOOGLENET_PART) });
  assert.equal(net.inceptions, 1);
  assert.equal(net.pathCount.get('b3.0'), 3);
  assert.deepEqual(net.groups.map((r) => r.label), ['b1', 'b3', 'b3.0', 'b3.0.p1', 'b3.0.p2', 'b3.0.p4']);
  // A row with children is never fused with what follows.
  assert.deepEqual(fuseRows(net.children.get('b3'), net.children).map((u) => u.main.label), ['b3.0', 'b3.2']);
});

test('layerText reads kind, kernel and stride from the row', () => {
  const row = (kind, kernel, stride, shape = [1, 8, 4, 4]) => ({ level: 0, kind, label: 'x', shape, params: 0, macs: 0, kernel, stride });
  assert.equal(layerText(row('Conv2d', 11, 4)), 'conv 11\u00d711, stride 4');
  assert.equal(layerText(row('Conv2d', 3, 2), { short: true }), 'conv 3\u00d73 /2');
  assert.equal(layerText(row('Conv2d', 1, 1)), 'conv 1\u00d71');
  assert.equal(layerText(row('MaxPool2d', 3, 2)), 'max-pool, stride 2');
  assert.equal(layerText(row('AvgPool2d', 2, 2), { short: true }), 'avg-pool /2');
  assert.equal(layerText(row('Linear', null, null, [1, 4096])), 'FC 4096');
  assert.equal(layerText(row('AdaptiveAvgPool2d', null, null)), 'global avg pool');
  assert.equal(layerText(row('BatchNorm1d', null, null)), 'BN');
  assert.equal(layerText(row('Sigmoid', null, null)), 'sigmoid');
  assert.equal(layerText(row('Inception', null, null)), 'Inception');
});

test('unitText joins a unit', () => {
  const net = describeNetwork({ config: { kind: 'lenet-bn', input_size: 28 }, layers: LENET_ROWS });
  assert.deepEqual(fuseRows(net.top, net.children).map(unitText), [
    'conv 5\u00d75 \u00b7 BN \u00b7 sigmoid',
    'avg-pool, stride 2',
    'conv 5\u00d75 \u00b7 BN \u00b7 sigmoid',
    'avg-pool, stride 2',
    'flatten',
    'FC 120 \u00b7 BN \u00b7 sigmoid',
    'FC 84 \u00b7 BN \u00b7 sigmoid',
    'FC 10',
  ]);
});
