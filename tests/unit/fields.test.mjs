import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkLinkNumber, checkNumber, numberOrNull, rangeText, refusals } from '../../www/core/fields.js';

const epochs = { key: 'epochs', label: 'Epochs', min: 1, max: 100, integer: true };
const lr = { key: 'lr', label: 'Learning rate', min: 1e-4, max: 10, integer: false };

test('ranges read as the user would type them', () => {
  assert.equal(rangeText(epochs), 'a whole number from 1 to 100');
  assert.equal(rangeText(lr), 'a number from 0.0001 to 10');
  assert.equal(rangeText({ ...epochs, max: 60000 }), 'a whole number from 1 to 60,000');
});

test('valid values pass, with surrounding spaces', () => {
  assert.deepEqual(checkNumber(' 3 ', epochs), { ok: true, value: 3 });
  assert.deepEqual(checkNumber('0.05', lr), { ok: true, value: 0.05 });
  assert.deepEqual(checkNumber('1e-3', lr), { ok: true, value: 0.001 });
});

test('every refusal names the field, what was wrong and the range', () => {
  const cases = [
    [checkNumber('0', epochs), /^Epochs must be a whole number from 1 to 100 \(it is 0\)\.$/],
    [checkNumber('2.5', epochs), /^Epochs must be a whole number from 1 to 100 \(it is 2\.5\)\.$/],
    [checkNumber('11', lr), /^Learning rate must be a number from 0\.0001 to 10 \(it is 11\)\.$/],
    [checkNumber('abc', lr), /^Learning rate: "abc" is not a number; enter a number from 0\.0001 to 10\.$/],
    [checkNumber('', epochs), /^Epochs is empty; enter a whole number from 1 to 100\.$/],
    [checkNumber('', epochs, { badInput: true }), /^Epochs: what was typed is not a number; enter a whole number from 1 to 100\.$/],
  ];
  for (const [checked, message] of cases) {
    assert.equal(checked.ok, false);
    assert.match(checked.message, message);
  }
});

test("a link's bad value is reported with the default used instead, an absent one is not", () => {
  const params = new URLSearchParams('epochs=zero&lr=0.1');
  const bad = checkLinkNumber(params, epochs, 2);
  assert.equal(bad?.ok, false);
  assert.equal(bad.message, "The link's epochs=zero was not used: epochs takes a whole number from 1 to 100; 2 is used instead.");
  assert.deepEqual(checkLinkNumber(params, lr, 0.05), { ok: true, value: 0.1 });
  assert.equal(checkLinkNumber(params, { ...epochs, key: 'batch' }, 64), null);
});

test('refusals joins the messages of the refused fields only', () => {
  assert.equal(refusals([checkNumber('1', epochs), checkNumber('20', lr)]), 'Learning rate must be a number from 0.0001 to 10 (it is 20).');
  assert.equal(refusals([checkNumber('1', epochs)]), '');
});

test('numberOrNull gives the value or null', () => {
  assert.equal(numberOrNull('7', epochs), 7);
  assert.equal(numberOrNull('700', epochs), null);
  assert.equal(numberOrNull(null, epochs), null);
});
