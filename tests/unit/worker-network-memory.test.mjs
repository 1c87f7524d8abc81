// Which network is in memory, as far as the networks kept in this browser go
// (www/worker/network-memory.js): the walk a teacher takes through load, insert, restore,
// train and forget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetworkMemory } from '../../www/worker/network-memory.js';

test('inserting blocks into a kept network, then restoring it, brings the kept one back', () => {
  const m = new NetworkMemory();
  m.loaded(3);
  const saved = m.describe({ source: 'saved', id: 3, name: 'tiny', note: 'acc 0.8' });
  assert.deepEqual(saved, { type: 'network', source: 'saved', id: 3, name: 'tiny', note: 'acc 0.8' });
  m.inserted();
  assert.equal(m.entry, null, 'the network in memory is no longer the kept one');
  m.inserted(); // a second block: the original is still the one before the first
  assert.equal(m.beforeInsert, 3);
  assert.deepEqual(m.restored(), { source: 'saved', id: 3, name: 'tiny', note: 'acc 0.8' });
  assert.equal(m.entry, 3);
  assert.equal(m.beforeInsert, undefined, 'nothing inserted any more');
});

test("restoring a trained network's source drops the run's id from it", () => {
  const m = new NetworkMemory();
  m.training({ fresh: true });
  m.kept(5);
  m.describe({ source: 'trained', note: 'n', run: 2, id: 5, name: 'tiny' });
  m.inserted();
  assert.deepEqual(m.restored(), { source: 'trained', note: 'n', id: 5, name: 'tiny' });
  assert.equal(m.entry, 5);
});

test('restoring the shipped network: no entry in memory; without a known source, nothing to post', () => {
  const m = new NetworkMemory();
  m.inserted();
  assert.equal(m.restored(), null);
  m.loaded(null);
  m.describe({ source: 'shipped', note: 'fast' });
  m.inserted();
  assert.deepEqual(m.restored(), { source: 'shipped', note: 'fast' });
  assert.equal(m.entry, null);
});

test('a fresh run forgets what was inserted; training further keeps it', () => {
  const m = new NetworkMemory();
  m.loaded(3);
  m.inserted();
  m.training({ fresh: false });
  assert.equal(m.beforeInsert, 3, 'keep training after inserting: Restore still brings back the original');
  assert.equal(m.entry, null, 'not kept yet');
  m.kept(4);
  assert.equal(m.entry, 4);
  m.training({ fresh: true, entryId: 4 });
  assert.equal(m.beforeInsert, undefined);
  assert.equal(m.entry, 4, 'a resumed run trains its own entry');
});

test('forgetting the kept network in memory asks for the shipped one; forgetting the original of an insertion does not', () => {
  const m = new NetworkMemory();
  m.loaded(3);
  assert.equal(m.deleted(2), false);
  assert.equal(m.deleted(3), true);
  m.loaded(3);
  m.inserted();
  assert.equal(m.deleted(3), false, 'the network in memory has inserted blocks: it stays');
  assert.equal(m.beforeInsert, null, 'Restore then brings back no kept entry');
  assert.equal(m.restored(), null);
  assert.equal(m.entry, null);
});

test('an upload replaces whatever was in memory', () => {
  const m = new NetworkMemory();
  m.loaded(3);
  m.inserted();
  m.loaded(null);
  assert.equal(m.entry, null);
  assert.equal(m.beforeInsert, undefined);
});
