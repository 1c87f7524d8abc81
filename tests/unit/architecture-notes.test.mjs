import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkNote, sourceName } from '../../www/features/architecture/notes.js';

const fast = { widths: [16, 32, 64, 128], blocks: [2, 2, 2, 2], plain_blocks: [], input_size: 28 };
const models = new Map([
  ['fast', { name: 'fast', family: 'resnet', config: fast, title: 'ResNet-18 (fast)' }],
  ['tiny', { name: 'tiny', family: 'resnet', config: { ...fast, widths: [8, 16, 32, 32] }, title: 'Tiny' }],
]);
const memory = { config: fast, inserted: [] };
const base = { models, preview: false, net: { config: fast }, memory, memoryNet: {}, training: false, source: { source: 'shipped' }, preset: 'fast', selectedConfig: fast, chosen: 'the fast preset' };

test('the network in memory: where it came from and its preset', () => {
  assert.deepEqual(networkNote(base), {
    text: 'The network in memory (the shipped pretrained weights): click a block to use it in the identity demo. (fast preset)',
    switchText: null,
  });
  const inserted = { ...base, memory: { config: { ...fast, blocks: [2, 3, 2, 2] }, inserted: [{ stage: 1 }] }, source: { source: 'uploaded', name: 'a.rnxw' } };
  assert.match(networkNote(inserted).text, /^The network in memory \(the uploaded file a.rnxw\), with 1 inserted block: .* Start trains a new fast network\.$/);
});

test('another model in the form offers its preview; a preview offers the way back', () => {
  const other = networkNote({ ...base, preset: 'tiny', selectedConfig: models.get('tiny').config, chosen: 'the tiny preset' });
  assert.equal(other.switchText, 'Preview the tiny preset');
  assert.match(other.text, /Start trains a new tiny network\.$/);
  const preview = networkNote({ ...base, preview: true, chosen: 'the tiny preset' });
  assert.equal(preview.switchText, 'Show the network in memory');
  assert.equal(networkNote({ ...base, preview: true, memoryNet: null, source: null, chosen: 'the tiny preset' }).text, 'The tiny preset (the network in memory is still loading).');
  assert.equal(networkNote({ ...base, training: true }).text, 'The network being trained. (fast preset)');
});

test('source names', () => {
  assert.equal(sourceName(null), 'the network in memory');
  assert.equal(sourceName({ source: 'trained' }), 'the network trained here');
});
