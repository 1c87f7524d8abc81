import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basePreset, configFor, presetOf, runLabel, selectionName, zooName } from '../../www/core/models.js';

const fast = { widths: [16, 32, 64, 128], blocks: [2, 2, 2, 2], plain_blocks: [], input_size: 28 };
const models = new Map([
  ['fast', { name: 'fast', title: 'ResNet-18 (fast)', family: 'resnet', config: fast }],
  ['googlenet', { name: 'googlenet', title: 'GoogLeNet', family: 'zoo', config: { kind: 'googlenet', input_size: 96 } }],
]);

test('a configuration is named after its catalogue entry', () => {
  assert.equal(presetOf(models, { ...fast }), 'fast');
  assert.equal(presetOf(models, { ...fast, widths: [8, 8, 8, 8] }), null);
  assert.equal(presetOf(models, { kind: 'googlenet', input_size: 64 }), 'googlenet');
  assert.equal(zooName(models, { kind: 'googlenet', input_size: 64 }), 'GoogLeNet at 64\u00d764');
  assert.equal(zooName(models, fast), null);
});

test('a network with inserted blocks is still its preset', () => {
  const memory = { config: { ...fast, blocks: [2, 3, 2, 2], plain_blocks: [[1, 2]] }, inserted: [{ insertion: 'plain', stage: 1 }] };
  assert.equal(basePreset(models, memory), 'fast');
  assert.equal(runLabel(models, { fresh: false, config: memory.config, preset: 'fast', memory }), 'fast network with 1 inserted block');
  assert.equal(runLabel(models, { fresh: true, config: fast, preset: 'fast', memory: null }), 'fast preset');
});

test('the form\u2019s configuration: a chapter-7 model needs a valid input size', () => {
  assert.deepEqual(configFor(models, 'googlenet', 64), { kind: 'googlenet', input_size: 64 });
  assert.equal(configFor(models, 'googlenet', null), null);
  assert.equal(configFor(models, 'fast', null), fast);
  assert.equal(configFor(models, 'nope', 1), null);
  assert.equal(selectionName(models, 'fast', fast), 'the fast preset');
  assert.equal(selectionName(models, 'googlenet', null), 'GoogLeNet');
});

test('the catalogue from Rust keeps its order and names its fields for the page', async () => {
  const { catalogueFrom } = await import('../../www/core/models.js');
  const rust = [
    { name: 'fast', title: 'ResNet-18 (fast)', family: 'resnet', config: fast, default_input_size: 28, training: { epochs: 2, batch: 128, lr: 0.1 }, seed_test_acc: null, notes: 'n', parameters: 700000, macs: 9 },
    { name: 'nin', title: 'NiN', family: 'zoo', config: { kind: 'nin', input_size: 224 }, default_input_size: 224, training: { epochs: 2, batch: 128, lr: 0.1 }, seed_test_acc: 0.75, notes: 'm', parameters: 1, macs: 2 },
  ];
  const m = catalogueFrom(rust);
  assert.deepEqual([...m.keys()], ['fast', 'nin']);
  assert.equal(m.get('nin').defaultInput, 224);
  assert.equal(m.get('nin').seedAcc, 0.75);
  assert.equal(m.get('fast').seedAcc, null);
  assert.equal(m.get('fast').params, 700000);
});
