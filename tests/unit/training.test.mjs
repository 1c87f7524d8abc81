import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataProgress, epochOf, newRun, resumeFrom, statusText, trainingRequest } from '../../www/features/training/run.js';

const settings = { preset: 'tiny', epochs: 2, batch: 16, lr: 0.1, train: 160, test: 10000 };
const base = { wasm: true, opened: true, workerStarted: true, warmUp: null, pauseRequested: false, stopping: false, onGpu: false };

test('the request: limits only below the full data set', () => {
  const r = trainingRequest(settings, { widths: [8] });
  assert.deepEqual(r.train, { epochs: 2, batch_size: 16, lr: 0.1, momentum: 0, weight_decay: 0, seed: 0 });
  assert.equal(r.train_limit, 160);
  assert.equal(r.test_limit, null);
});

test('the status line follows the run', () => {
  const run = newRun(settings);
  assert.equal(statusText({ ...base, runState: 'idle', run: null, wasm: false }), 'Loading the WebAssembly module\u2026');
  assert.match(statusText({ ...base, runState: 'idle', run: null, opened: false }), /Loading the data/);
  assert.equal(statusText({ ...base, runState: 'loading', run }), 'Starting\u2026');
  Object.assign(run, { batch: 15, total: 20 });
  assert.equal(statusText({ ...base, runState: 'running', run }), 'Training: epoch 2 of 2, batch 15 of 20.');
  assert.equal(statusText({ ...base, runState: 'running', run, stopping: true }), 'Stopping after the current batch\u2026');
  assert.equal(statusText({ ...base, runState: 'paused', run }), 'Paused after batch 15 of 20. Press Resume to continue.');
  run.lastEpoch = { epoch: 1, test_acc: 0.8312 };
  assert.equal(statusText({ ...base, runState: 'finished', run }), 'Finished: test accuracy 83.1 % after 1 epoch.');
});

test('a resumed run counts its epochs on from the checkpoint', () => {
  const started = newRun(settings, { fresh: false, resumed: true });
  const run = { ...started, ...resumeFrom(started, { epochs: 5, done: 3, request: { train: { batch_size: 32 } } }), batch: 0, total: 10 };
  assert.equal(started.settings.epochs, 2, 'the run as it started is left as it was');
  assert.equal(run.settings.epochs, 2);
  assert.equal(epochOf(run), 4);
  assert.equal(run.totalEpochs, 5);
});

test('data progress is complete only with all four files in', () => {
  const files = new Map([['a', { loaded: 5, total: 5 }]]);
  assert.deepEqual(dataProgress(files), { loaded: 5, total: 5, known: true, complete: false });
  for (const k of ['b', 'c', 'd']) files.set(k, { loaded: 1, total: 1 });
  assert.equal(dataProgress(files).complete, true);
  files.set('d', { loaded: 1, total: 0 });
  assert.equal(dataProgress(files).known, false);
});
