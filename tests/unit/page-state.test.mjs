import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoReady, freshWorker, initialState, isActive, selectedBlock } from '../../www/core/page-state.js';

test('the demos are ready only with an open worker, a network and no run', () => {
  const s = initialState();
  assert.equal(demoReady(s), false);
  const ready = { ...s, opened: true, memory: { config: {}, layers: [], inserted: [] } };
  assert.equal(demoReady(ready), true);
  assert.equal(demoReady({ ...ready, runState: 'paused' }), false);
  assert.equal(isActive({ ...ready, runState: 'loading' }), true);
  assert.equal(demoReady({ ...ready, runState: 'stopped' }), true);
});

test('a fresh worker forgets the old one\u2019s facts and network', () => {
  const s = { ...initialState(), workerId: 3, opened: true, memory: {}, checks: [] };
  assert.deepEqual({ ...s, ...freshWorker(s) }.opened, false);
  assert.equal(freshWorker(s).workerId, 4);
  assert.equal(freshWorker(s).memory, null);
});

test('the selected block is looked up in the network in memory', () => {
  const s = { ...initialState(), block: 'b2.1', memoryNet: { blocks: [{ label: 'b2.0' }, { label: 'b2.1' }] } };
  assert.deepEqual(selectedBlock(s), { label: 'b2.1' });
  assert.equal(selectedBlock({ ...s, block: 'b9.9' }), null);
});
