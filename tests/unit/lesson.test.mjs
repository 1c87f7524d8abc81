import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STEPS, STEP_IDS, move, stepFromHash } from '../../www/features/lesson/steps.js';

test('the lesson follows d2l 7.6: function classes to the summary, each step with a view and an action', () => {
  assert.deepEqual(STEP_IDS, ['classes', 'block', 'identity', 'nested', 'race', 'gradients', 'summary']);
  for (const s of STEPS) {
    assert.ok(s.text.join(' ').length > 80, s.id);
    assert.ok(s.target.startsWith('#'), s.id);
    assert.ok(s.actions.length >= 1, s.id);
  }
});

test('moving stays within the lesson', () => {
  assert.equal(move('classes', -1), 'classes');
  assert.equal(move('classes', 1), 'block');
  assert.equal(move('summary', 1), 'summary');
  assert.equal(move('nested', -2), 'block');
});

test('a shared link opens its step; a bad one is reported and starts at the first step', () => {
  assert.deepEqual(stepFromHash('#preset=fast&lesson=identity'), { step: 'identity', problem: '' });
  assert.deepEqual(stepFromHash('#preset=fast'), { step: null, problem: '' });
  const bad = stepFromHash('lesson=7');
  assert.equal(bad.step, 'classes');
  assert.match(bad.problem, /lesson=7 is not a step/);
});

