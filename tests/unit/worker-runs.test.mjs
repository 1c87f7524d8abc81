// A training run's record in the worker (www/worker/runs.js): pure, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continueRun, entryName, epochsDone, newRun, recordStep, resumePlan, runHistory, shiftEpoch } from '../../www/worker/runs.js';
import { summarize } from '../../www/worker/persistence.js';

const REQUEST = { model: { widths: [8] }, train: { epochs: 3, batch_size: 64, lr: 0.1 }, train_limit: 600, test_limit: 100 };
const epoch = (n, acc = 0.5) => ({ type: 'train', kind: 'epoch', epoch: n, train_loss: 1, train_acc: acc, test_acc: acc, examples_per_sec: 10 });
const report = (e) => ({ type: 'train', kind: 'report', epoch: e, train_loss: 1, train_acc: 0.4, examples_per_sec: 10 });

test('a start message becomes a run: fresh, kept and unprobed unless told otherwise', () => {
  const run = newRun({ type: 'start', run: 7, request: REQUEST, backend: 'cpu' });
  assert.equal(run.id, 7);
  assert.equal(run.fresh, true);
  assert.equal(run.keep, true);
  assert.equal(run.probe, false);
  assert.equal(run.totalEpochs, 3);
  assert.equal(run.active, true);
  assert.deepEqual(run.history, []);
  const lab = newRun({ type: 'start', request: { ...REQUEST, train: {} }, backend: 'cpu', fresh: false, keep: false, probe: true, label: 'plain' });
  assert.equal(lab.id, 0);
  assert.equal(lab.fresh, false);
  assert.equal(lab.keep, false);
  assert.equal(lab.probe, true);
  assert.equal(lab.totalEpochs, 1, 'one epoch when the request does not say');
});

test('resuming goes on with the remaining epochs of the kept run, at the device limit of this worker', () => {
  const history = { epochs: 3, events: [report(0.2), epoch(1)], request: { ...REQUEST, max_buffer_bytes: 5 }, label: 'tiny' };
  const entry = { id: 4, name: 'tiny, 1 Dec', note: '', savedAt: '', bytes: new Uint8Array(1), history };
  const { request, saved, done } = resumePlan(entry, 1024);
  assert.equal(done, 1);
  assert.equal(saved, history);
  assert.equal(request.train.epochs, 2);
  assert.equal(request.train.lr, 0.1);
  assert.equal(request.max_buffer_bytes, 1024);
  assert.equal(REQUEST.train.epochs, 3, 'the kept request is not changed');

  const run = newRun({ type: 'start', request: REQUEST, backend: 'cpu', resume: true });
  continueRun(run, entry, saved, done);
  assert.equal(run.epochOffset, 1);
  assert.equal(run.totalEpochs, 3);
  assert.equal(run.label, 'tiny');
  assert.equal(run.entryId, 4);
  assert.deepEqual(run.history, history.events);
  assert.notEqual(run.history, history.events, 'a copy: the run adds to it');
});

test('there is nothing to resume without a kept run, or when it finished', () => {
  assert.throws(() => resumePlan(null, null), /no unfinished run/);
  const entry = (history) => ({ id: 1, name: '', note: '', savedAt: '', bytes: new Uint8Array(), history });
  assert.throws(() => resumePlan(entry(undefined), null), /no unfinished run/);
  assert.throws(() => resumePlan(entry({ epochs: 1, events: [epoch(1)], request: REQUEST, label: '' }), null), /no unfinished run/);
});

test('a resumed run numbers its epochs on from the checkpoint', () => {
  const run = newRun({ type: 'start', request: REQUEST, backend: 'cpu' });
  const e = epoch(1);
  assert.equal(shiftEpoch(run, e), e, 'nothing to shift in a run of its own');
  run.epochOffset = 2;
  assert.equal(shiftEpoch(run, e).epoch, 3);
  assert.equal(e.epoch, 1, 'the event itself is not changed');
  const diverged = { type: 'diverged', epoch: 0.4, loss: 9, kept_epoch: 0.2, message: '' };
  assert.deepEqual(shiftEpoch(run, diverged), { ...diverged, epoch: 2.4, kept_epoch: 2.2 });
  const step = { type: 'step', batch: 1, total: 9 };
  assert.equal(shiftEpoch(run, step), step);
});

test("a step's events grow the chart and tell the loop what happened", () => {
  const run = newRun({ type: 'start', request: REQUEST, backend: 'cpu' });
  const quiet = recordStep(run, [{ type: 'step', batch: 1, total: 9 }]);
  assert.deepEqual(quiet, { failed: false, finished: false, epochEnded: false, report: undefined });
  const r1 = report(0.5);
  const r2 = report(0.8);
  const e1 = epoch(1, 0.7);
  const out = recordStep(run, [r1, { type: 'step', batch: 2, total: 9 }, r2, e1, { type: 'finished', examples_per_sec: 3 }]);
  assert.deepEqual(out, { failed: false, finished: true, epochEnded: true, report: r2 });
  assert.deepEqual(run.history, [r1, r2, e1]);
  assert.equal(run.lastEpoch, e1);
  assert.equal(recordStep(run, [{ type: 'error', message: 'x' }]).failed, true);
  assert.equal(epochsDone(run.history), 1);
});

test('a kept run is named by its label and when it was kept, with its settings and chart', () => {
  const run = newRun({ type: 'start', request: REQUEST, backend: 'cpu', label: 'tiny' });
  run.label = '';
  assert.equal(entryName(run, new Date(2026, 11, 1, 20, 30)), 'network, 1 Dec 2026, 20:30');
  assert.deepEqual(runHistory(run), { epochs: 3, events: run.history, request: REQUEST, label: '' });
});

test('the list of kept networks: no weights, the run\'s progress when there is one', () => {
  const history = { epochs: 3, events: [report(0.5), epoch(1), epoch(2)], request: REQUEST, label: '' };
  const entry = { id: 2, name: 'n', note: 'x', savedAt: '2026-01-01T00:00:00Z', bytes: new Uint8Array(9), history };
  assert.deepEqual(summarize(entry), { id: 2, name: 'n', note: 'x', savedAt: '2026-01-01T00:00:00Z', epochs: 3, done: 2, trained: 2 });
  const { history: _, ...migrated } = entry;
  assert.deepEqual(summarize(migrated), { id: 2, name: 'n', note: 'x', savedAt: '2026-01-01T00:00:00Z', epochs: null, done: null, trained: null });
});
