// The number fields' attributes come from the settings schema (www/dom/fields.js): the bounds the
// browser enforces are the ones the refusals name.
//
//   node --test tests/unit/dom-fields.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { numberAttributes } from '../../www/dom/fields.js';
import { INPUT_SIZE, LAB_SETTINGS, TRAINING } from '../../www/core/settings.js';

test('whole numbers: step 1 and the numeric keyboard; the bounds as written', () => {
  assert.deepEqual(numberAttributes(TRAINING.find((s) => s.key === 'epochs')), { type: 'number', min: '1', max: '100', step: '1', inputmode: 'numeric' });
  assert.deepEqual(numberAttributes(INPUT_SIZE), { type: 'number', min: '8', max: '224', step: '1', inputmode: 'numeric' });
  assert.deepEqual(numberAttributes(TRAINING.find((s) => s.key === 'train')), { type: 'number', min: '1', max: '60000', step: '1', inputmode: 'numeric' });
});

test('decimals: any step and the decimal keyboard; 1e-4 written as 0.0001', () => {
  assert.deepEqual(numberAttributes(TRAINING.find((s) => s.key === 'lr')), { type: 'number', min: '0.0001', max: '10', step: 'any', inputmode: 'decimal' });
  assert.deepEqual(numberAttributes(LAB_SETTINGS.find((s) => s.key === 'lab-lr')), { type: 'number', min: '0.0001', max: '10', step: 'any', inputmode: 'decimal' });
});

test('every number setting of the forms: the attributes read back as the schema range', () => {
  const specs = [INPUT_SIZE, ...TRAINING, ...LAB_SETTINGS.filter((s) => s.kind === 'number')];
  for (const spec of specs) {
    const a = numberAttributes(spec);
    assert.equal(Number(a.min), spec.min, spec.key);
    assert.equal(Number(a.max), spec.max, spec.key);
    assert.equal(a.step === '1', spec.integer, spec.key);
  }
});
