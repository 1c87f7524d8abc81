import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MB, chw, exact, formatCount, pct } from '../../www/core/format.js';

test('formatCount: grouped digits below 10 k, then k, M and G', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(4704), '4,704');
  assert.equal(formatCount(9999), '9,999');
  assert.equal(formatCount(10_000), '10.0 k');
  assert.equal(formatCount(20_202), '20.2 k');
  assert.equal(formatCount(11_178_378), '11.18 M');
  assert.equal(formatCount(7_609_000_000), '7.61 G');
  assert.equal(formatCount(-25_000), '-25.0 k');
});

test('formatCount: a dash for what is not a number', () => {
  assert.equal(formatCount(NaN), '\u2013');
  assert.equal(formatCount(Infinity), '\u2013');
});

test('exact groups every digit', () => {
  assert.equal(exact(11_178_378), '11,178,378');
  assert.equal(exact(330), '330');
});

test('chw drops the batch axis', () => {
  assert.equal(chw([1, 64, 28, 28]), '64\u00d728\u00d728');
  assert.equal(chw([1, 10]), '10');
});

test('pct: one decimal and a space before the sign', () => {
  assert.equal(pct(0.9123), '91.2 %');
  assert.equal(pct(0), '0.0 %');
  assert.equal(pct(1), '100.0 %');
});

test('MB: megabytes with one decimal, without the unit', () => {
  assert.equal(MB(0), '0.0');
  assert.equal(MB(31_457_280), '31.5');
  assert.equal(MB(1_000_000), '1.0');
});
