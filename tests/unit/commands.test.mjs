import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCommands } from '../../www/core/commands.js';

test('a command runs its owner\'s function with the arguments given, and answers its result', () => {
  const commands = createCommands();
  const seen = [];
  commands.register('choosePreset', (name) => seen.push(name) && 'chosen');
  assert.equal(commands.run('choosePreset', 'd2l96'), 'chosen');
  assert.deepEqual(seen, ['d2l96']);
});

test('a command has one owner, and an unknown one says so', () => {
  const commands = createCommands();
  commands.register('restore', () => {});
  assert.throws(() => commands.register('restore', () => {}), /has an owner already/);
  assert.throws(() => commands.run('zeroBranch'), /no feature of this page does zeroBranch/);
});
