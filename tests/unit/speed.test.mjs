import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LiveSpeed, formatSpeed } from '../../www/core/speed.js';

test('no figure before the second batch event', () => {
  const s = new LiveSpeed();
  assert.equal(s.add(0, 1, 64), null);
  assert.equal(s.add(1000, 2, 64), 64);
});

test('a slow backend (6 s a batch) still gets a figure', () => {
  const s = new LiveSpeed(10_000);
  let last = null;
  for (let b = 1; b <= 6; b++) last = s.add(b * 6000, b, 64);
  assert.ok(last !== null);
  assert.ok(Math.abs(last - 64 / 6) < 1e-9, `got ${last}`);
});

test('a fast backend averages over the window only', () => {
  const s = new LiveSpeed(10_000);
  // 10 batches a second for 20 s, then 20 a second for 10 s.
  let t = 0;
  let b = 0;
  for (; t < 20_000; t += 100) s.add(t, ++b, 32);
  let last = null;
  for (; t < 30_000; t += 50) last = s.add(t, ++b, 32);
  assert.ok(last !== null && Math.abs(last - 640) < 10, `got ${last}`);
});

test('reset and a new run start over', () => {
  const s = new LiveSpeed();
  s.add(0, 5, 64);
  s.add(1000, 6, 64);
  s.reset();
  assert.equal(s.add(5000, 7, 64), null);
  assert.equal(s.add(6000, 1, 64), null, 'batch counter went back: a new run');
  assert.equal(s.add(7000, 2, 64), 64);
});

test('formatting', () => {
  assert.equal(formatSpeed(8.64), '8.6');
  assert.equal(formatSpeed(1456.4), '1,456');
});
