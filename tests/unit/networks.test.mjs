import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cleanName, entryDetails, savedDate } from '../../www/core/networks.js';

const entry = { id: 3, name: 'fast, 1 Dec', note: 'n', savedAt: '2026-12-01T20:30:00Z', epochs: 2, done: 1 };

test('details say the progress, whether it can be resumed, and the date', () => {
  assert.match(entryDetails(entry), /^1 of 2 epochs \(unfinished: it can be resumed\), saved 1 Dec 2026, \d\d:30$/);
  assert.match(entryDetails({ ...entry, done: 2 }), /^2 of 2 epochs, saved /);
  assert.match(entryDetails({ ...entry, epochs: 1, done: 1 }), /^1 of 1 epoch, saved /);
  assert.match(entryDetails({ ...entry, epochs: null, done: null }), /^saved 1 Dec 2026/);
  assert.match(entryDetails({ ...entry, done: 0, trained: 0.2 }), /^0.2 of 2 epochs \(unfinished: it can be resumed\)/);
  assert.equal(savedDate('not a date'), 'an unknown date');
});

test('names are trimmed, collapsed and bounded; empty ones refused', () => {
  assert.equal(cleanName('  my   ResNet \n'), 'my ResNet');
  assert.equal(cleanName('x'.repeat(100)).length, 80);
  assert.equal(cleanName('   '), null);
});

