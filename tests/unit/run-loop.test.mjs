// The worker's training loop (www/worker/run-loop.js) on a fake Explorer
// (tests/unit/fixtures/fake-explorer.mjs): stepping to the end, pause and resume, stop, a new
// start replacing a run, checkpoints, the lab's runs, failures and a lost device. What the
// worker posts is recorded by a fake `self`; the networks kept in this browser go to an
// in-memory IndexedDB (tests/unit/fixtures/worker-scope.mjs).

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { installWorkerScope, settle } from './fixtures/worker-scope.mjs';
import { CPU_BACKEND, epochEnd, fakeExplorer, fakeWasm, report } from './fixtures/fake-explorer.mjs';

const scope = installWorkerScope();
const { session } = await import('../../www/worker/context.js');
const { pauseRun, resumeRun, startRun, stopCurrent } = await import('../../www/worker/run-loop.js');
const { watchDeviceLoss } = await import('../../www/worker/device.js');
const persistence = await import('../../www/worker/persistence.js');

const TIMEOUT = { timeout: 10_000 }; // a broken loop fails its test instead of hanging the run
const request = (epochs) => ({ model: { kind: 'tiny' }, train: { epochs, batch_size: 64, lr: 0.1 }, train_limit: 600, test_limit: 100 });

/** @type {ReturnType<typeof fakeExplorer>} */
let explorer;

beforeEach(() => {
  scope.reset();
  explorer = fakeExplorer({ batchesPerEpoch: 2 });
  // The worker as open.js leaves it: the backend chosen, the Explorer made, the training set in.
  Object.assign(session, { explorer, backend: CPU_BACKEND, wasm: null, trainingData: Promise.resolve(), deviceLost: null, current: null, kernels: 'auto', adapterName: '' });
});

afterEach(() => {
  assert.equal(session.current, null, 'no run is left active');
  assert.deepEqual(explorer.violations, [], 'no two Explorer calls overlapped');
});

/** Starts run `id` as the page does; resolves with its record once it has begun. */
async function start(id, { epochs = 2, ...fields } = {}) {
  await startRun({ type: 'start', run: id, request: request(epochs), backend: 'cpu', fresh: true, label: 'tiny', ...fields });
  assert.equal(session.current?.id, id);
  return /** @type {import('../../www/worker/runs.js').Run} */ (session.current);
}

/** A run's messages as short names: `state:running`, `train:report`, `step`... */
const kinds = (run) => scope.ofRun(run).map((m) => (m.type === 'state' ? `state:${m.state}` : m.type === 'train' ? `train:${m.kind}` : m.type));
/** A run's states, as posted (each change once). */
const states = (run) => scope.ofRun(run).filter((m) => m.type === 'state').map((m) => m.state);
const steps = (run) => scope.ofRun(run).filter((m) => m.type === 'step').map((m) => m.batch);
const savedWrites = () => scope.idb.log.filter((w) => w.store === 'saved');

test('a run steps until it has finished, posts its events in order and keeps its network', TIMEOUT, async () => {
  const run = await start(1, { epochs: 2 });
  await run.done;
  assert.deepEqual(kinds(1), [
    'state:loading',
    'model', 'data_ready', // startTraining's
    'state:running',
    'step', 'train:report',
    'step', 'train:report', 'train:epoch', 'predictions', // checkpoint kept here: no model event
    'step', 'train:report',
    'step', 'train:report', 'train:epoch', 'predictions', 'finished', 'model',
    'model', // the kept network's: its label names the entry
    'state:finished',
  ]);
  assert.deepEqual(steps(1), [1, 2, 3, 4]);
  assert.deepEqual(explorer.log.filter((m) => ['startTraining', 'step', 'stopTraining'].includes(m)), ['startTraining', 'step', 'step', 'step', 'step']);
  assert.equal(run.active, false);
  assert.equal(run.final, 'finished');

  const [summary] = await persistence.listSaved();
  const entry = await persistence.getSaved(summary.id);
  assert.deepEqual(entry.history, { epochs: 2, events: [report(0.5), report(1), epochEnd(1), report(1.5), report(2), epochEnd(2)], request: request(2), label: 'tiny' });
  assert.deepEqual([...entry.bytes], [1, 4], 'the weights after the last batch');
  assert.equal(entry.note, 'run 1: 4 batches');
  assert.match(entry.name, /^tiny, /);
  assert.equal(await persistence.getCurrent(), entry.id, 'the page opens with it next time');
  const kept = scope.ofRun(1).filter((m) => m.type === 'model').at(-1);
  assert.deepEqual(kept.origin, { source: 'trained', run: 1, id: entry.id, name: entry.name });
  assert.deepEqual([...explorer.session.savedFiles.at(-1)], [1, 4], 'Rust heard which file the network in memory is');
  const list = scope.messages.filter((m) => m.type === 'saved_list').at(-1);
  assert.equal(list.current, entry.id);
  assert.deepEqual(list.entries.map((e) => e.id), [entry.id]);
});

test('a start that does not say `fresh` trains a new network, as the protocol says', TIMEOUT, async () => {
  /** @type {boolean[]} */
  const fresh = [];
  explorer.onStep = (_n, r) => {
    fresh.push(r.fresh);
  };
  const run = await start(30, { epochs: 1, fresh: undefined });
  await run.done;
  assert.deepEqual(fresh, [true, true], 'Rust was asked for a new network');
  assert.deepEqual(states(30), ['loading', 'running', 'finished']);
});

test('pause stops stepping after the current step; resume goes on from there', TIMEOUT, async () => {
  explorer.onStep = (n) => {
    if (n === 2) pauseRun();
  };
  const run = await start(2, { epochs: 2 });
  await scope.state(2, 'paused');
  assert.equal(explorer.calls('step'), 2);
  const posted = scope.messages.length;
  await settle();
  assert.equal(explorer.calls('step'), 2, 'no step while paused');
  assert.equal(scope.messages.length, posted, 'nothing posted while paused');
  assert.equal(run.active, true, 'a paused run is still active');

  resumeRun();
  await run.done;
  assert.deepEqual(steps(2), [1, 2, 3, 4]);
  assert.deepEqual(states(2), ['loading', 'running', 'paused', 'running', 'finished']);
});

test('stop ends the run after the current step and keeps its network and chart in the run\'s one entry', TIMEOUT, async () => {
  /** @type {Promise<void> | undefined} */
  let stopping;
  explorer.onStep = (n) => {
    if (n === 3) stopping = stopCurrent();
  };
  const run = await start(3, { epochs: 2 });
  await run.done;
  await stopping;
  assert.deepEqual(steps(3), [1, 2, 3]);
  const after = explorer.log.slice(explorer.log.lastIndexOf('step:done') + 1);
  assert.deepEqual(after.slice(0, 2), ['stopTraining', 'isTraining'], 'stopped in Rust first, then kept');
  assert.equal(explorer.calls('stopTraining'), 1);
  assert.deepEqual(kinds(3).slice(-5), ['step', 'train:report', 'model', 'model', 'state:stopped']);
  assert.equal(run.final, 'stopped');

  const entries = await persistence.listSaved();
  assert.equal(entries.length, 1, 'the checkpoint of epoch 1 and the stopped network are one entry');
  const entry = await persistence.getSaved(entries[0].id);
  assert.deepEqual(savedWrites().map((w) => w.key), [entry.id, entry.id]);
  assert.deepEqual(entry.history.events, [report(0.5), report(1), epochEnd(1), report(1.5)]);
  assert.deepEqual([...entry.bytes], [3, 3]);
  assert.equal(entries[0].done, 1);
  assert.equal(entries[0].trained, 1.5, 'partly into its second epoch');
  assert.equal(await persistence.getCurrent(), entry.id);
  const model = scope.ofRun(3).filter((m) => m.type === 'model').at(-1);
  assert.deepEqual(model.origin, { source: 'trained', run: 3, id: entry.id, name: entry.name });
});

test('a run stopped before its first batch keeps nothing: the entry of the run before it is left alone', TIMEOUT, async () => {
  const first = await start(4, { epochs: 1 });
  await first.done;
  const [kept] = await persistence.listSaved();
  const before = await persistence.getSaved(kept.id);
  const writes = scope.idb.log.length;

  const second = await start(5, { epochs: 1 });
  pauseRun(); // before its first step
  await scope.state(5, 'paused');
  await stopCurrent();
  assert.equal(second.active, false);
  assert.deepEqual(steps(5), []);
  assert.deepEqual(states(5), ['loading', 'paused', 'stopped']);
  assert.equal(scope.idb.log.length, writes, 'nothing written');
  assert.equal(explorer.calls('saveWeights'), 1, "only run 4's network was saved");
  assert.deepEqual(await persistence.getSaved(kept.id), before);
  assert.equal(await persistence.getCurrent(), kept.id);
  // Rust says the network in memory is still run 4's.
  const [model] = scope.ofRun(5).filter((m) => m.type === 'model' && m.origin.run !== 5);
  assert.deepEqual(model.origin, { source: 'trained', run: 4, id: kept.id, name: kept.name });
});

test('the checkpoint at every epoch end updates the same entry, its chart growing', TIMEOUT, async () => {
  const seen = [];
  explorer.onStep = async (n) => {
    if (n === 3 || n === 5) seen.push(await persistence.listSaved()); // after epochs 1 and 2
  };
  const run = await start(6, { epochs: 3 });
  await run.done;
  const final = await persistence.listSaved();
  assert.equal(final.length, 1);
  const id = final[0].id;
  assert.deepEqual(seen.map((list) => list.map((e) => [e.id, e.done, e.epochs])), [[[id, 1, 3]], [[id, 2, 3]]]);
  assert.deepEqual(final.map((e) => [e.id, e.done, e.epochs]), [[id, 3, 3]]);
  assert.deepEqual(savedWrites().map((w) => w.key), [id, id, id], 'two checkpoints, then the finished network');
  assert.deepEqual(seen.map((list) => list[0].note), ['run 6: 2 batches (checkpoint)', 'run 6: 4 batches (checkpoint)']);
  assert.equal(final[0].note, 'run 6: 6 batches');
  assert.equal(kinds(6).filter((k) => k === 'model').length, 3, "startTraining's, the finished run's and the kept one's, none at checkpoints");
});

test('a new start replaces a running run: the old one stops after its step, is not kept and posts nothing more', TIMEOUT, async () => {
  explorer.session.batchesPerEpoch = 10; // run 7 ends no epoch before it is replaced
  /** @type {Promise<void> | undefined} */
  let replacing;
  explorer.onStep = (n, r) => {
    if (r.number === 7 && n === 2) replacing = startRun({ type: 'start', run: 8, request: request(1), backend: 'cpu', fresh: true, label: 'next' });
  };
  const first = await start(7, { epochs: 3 });
  await first.done;
  await replacing;
  const second = /** @type {any} */ (session.current);
  assert.equal(second.id, 8);
  await second.done;

  assert.equal(first.replaced, true);
  assert.deepEqual(steps(7), [1, 2]);
  assert.deepEqual(states(7), ['loading', 'running', 'stopped']);
  assert.deepEqual(states(8), ['loading', 'running', 'finished']);
  const lastOfFirst = scope.messages.findLastIndex((m) => m.run === 7);
  const firstOfSecond = scope.messages.findIndex((m) => m.run === 8);
  assert.ok(lastOfFirst < firstOfSecond, 'nothing of run 7 after run 8 began');
  const trainingCalls = explorer.log.filter((m) => ['startTraining', 'stopTraining'].includes(m));
  assert.deepEqual(trainingCalls, ['startTraining', 'stopTraining', 'startTraining'], 'run 7 ended in Rust before run 8 started');
  const entries = await persistence.listSaved();
  assert.equal(entries.length, 1, 'only run 8 is kept');
  assert.deepEqual([...(await persistence.getSaved(entries[0].id)).bytes], [8, 10]);
});

test('a run replaced during the step that ends an epoch keeps no checkpoint of it', TIMEOUT, async () => {
  explorer.session.batchesPerEpoch = 2; // step 2 of run 10 ends its first epoch
  /** @type {Promise<void> | undefined} */
  let replacing;
  explorer.onStep = (n, r) => {
    if (r.number === 10 && n === 2) replacing = startRun({ type: 'start', run: 11, request: request(1), backend: 'cpu', fresh: true, label: 'next' });
  };
  const before = (await persistence.listSaved()).length;
  const first = await start(10, { epochs: 3 });
  await first.done;
  await replacing;
  await /** @type {any} */ (session.current).done;
  assert.equal(first.replaced, true);
  const entries = await persistence.listSaved();
  assert.equal(entries.length, before + 1, 'only run 11 is kept');
  assert.equal(await persistence.getCurrent(), entries[entries.length - 1].id, "the current entry is run 11's");
  assert.doesNotMatch(entries[entries.length - 1].name, /run 10/);
});

test("the lab's run (keep: false) keeps nothing, and probes before its first batch and at every report", TIMEOUT, async () => {
  const run = await start(9, { epochs: 1, keep: false, probe: true });
  await run.done;
  assert.deepEqual(states(9), ['loading', 'running', 'finished']);
  assert.deepEqual(scope.idb.log, [], 'nothing written to this browser');
  assert.equal(explorer.calls('saveWeights'), 0);
  assert.equal(scope.messages.filter((m) => m.type === 'saved_list').length, 0);
  const probes = scope.ofRun(9).filter((m) => m.type === 'lab_probe');
  assert.deepEqual(probes.map((p) => p.epoch), [0, 0.5, 1]);
  assert.deepEqual(probes[0].gradients, [{ label: 'b1.conv', depth: 1, norm: 0.5 }]);
  assert.deepEqual(await persistence.listSaved(), []);
  assert.equal(await persistence.getCurrent(), null);
});

test('a network the probe cannot measure says so once; the run goes on without probes', TIMEOUT, async () => {
  explorer.failNext('labProbe', new Error('the lab probes ResNets only'));
  const run = await start(10, { epochs: 1, keep: false, probe: true });
  await run.done;
  const probes = scope.ofRun(10).filter((m) => m.type === 'lab_probe');
  assert.deepEqual(probes, [{ type: 'lab_probe', epoch: 0, error: 'the lab probes ResNets only', run: 10 }]);
  assert.equal(explorer.calls('labProbe'), 1);
  assert.deepEqual(states(10), ['loading', 'running', 'finished']);
});

test('a diverged step ends the run failed, keeps only the earlier checkpoint, and the next run starts cleanly', TIMEOUT, async () => {
  explorer.onStep = (n) => {
    if (n !== 3) return undefined;
    return [
      { type: 'step', batch: 3, total: 4 },
      { type: 'diverged', epoch: 1.5, loss: 99, kept_epoch: 1, message: 'the loss exploded' },
      { type: 'error', message: 'training diverged at epoch 1.5' },
    ];
  };
  const run = await start(11, { epochs: 2 });
  await run.done;
  assert.deepEqual(kinds(11).slice(-5), ['step', 'diverged', 'error', 'model', 'state:failed']);
  assert.deepEqual(steps(11), [1, 2, 3]);
  assert.equal(explorer.calls('stopTraining'), 1);
  assert.equal(run.active, false);
  assert.equal(run.final, undefined);
  assert.equal(savedWrites().length, 1, 'the checkpoint of epoch 1 only');
  const [entry] = await persistence.listSaved();
  assert.equal(entry.done, 1);

  explorer.onStep = null;
  const next = await start(12, { epochs: 1 });
  await next.done;
  assert.deepEqual(states(12), ['loading', 'running', 'finished']);
  assert.equal((await persistence.listSaved()).length, 2, 'a run of its own, its own entry');
});

test('a step that crashes the module ends the run with a fatal error, even when stopping it fails too', TIMEOUT, async () => {
  explorer.onStep = (n) => {
    if (n === 2) throw new WebAssembly.RuntimeError('unreachable');
  };
  explorer.failNext('stopTraining', new WebAssembly.RuntimeError('unreachable'));
  const run = await start(13, { epochs: 2 });
  await run.done;
  const errors = scope.ofRun(13).filter((m) => m.type === 'error');
  assert.equal(errors.length, 1);
  assert.equal(errors[0].fatal, true);
  assert.match(errors[0].message, /^The WebAssembly module crashed \(unreachable\)\. Reload the page/);
  assert.deepEqual(states(13), ['loading', 'running', 'failed']);
  assert.equal(explorer.calls('stopTraining'), 1, 'it was asked to stop in Rust');
  assert.deepEqual(savedWrites(), [], 'nothing kept');
  assert.equal(run.active, false);
  await stopCurrent(); // nothing to stop
});

test('a run Rust refuses to start fails with its reason, without stepping or stopping', TIMEOUT, async () => {
  explorer.failNext('startTraining', new Error('this network does not fit the GPU at batch 64'));
  const run = await start(14, { epochs: 1 });
  await run.done;
  assert.deepEqual(kinds(14), ['state:loading', 'error', 'state:failed']);
  assert.deepEqual(scope.ofRun(14)[1], { type: 'error', message: 'this network does not fit the GPU at batch 64', fatal: false, run: 14 });
  assert.equal(explorer.calls('step'), 0);
  assert.equal(explorer.calls('stopTraining'), 0);
});

test('a resumed run goes on from the checkpoint kept as current: its weights, the remaining epochs, its entry', TIMEOUT, async () => {
  const history = { epochs: 3, events: [report(0.5), report(1), epochEnd(1)], request: request(3), label: 'kept net' };
  const id = await persistence.putSaved({ name: 'kept net, 1 Jan', note: 'n', savedAt: '2026-01-01T00:00:00.000Z', bytes: Uint8Array.of(9, 9), history });
  await persistence.setCurrent(id);
  const run = await start(15, { request: null, fresh: false, resume: true });
  await run.done;
  const loaded = scope.messages.find((m) => m.type === 'model' && m.origin.source === 'saved');
  assert.deepEqual(loaded.origin, { source: 'saved', id, name: 'kept net, 1 Jan', savedAt: '2026-01-01T00:00:00.000Z' });
  const shown = scope.ofRun(15).find((m) => m.type === 'history');
  assert.equal(shown.done, 1);
  assert.deepEqual(steps(15), [1, 2, 3, 4], 'the two remaining epochs');
  assert.deepEqual(scope.ofRun(15).filter((m) => m.type === 'train' && m.kind === 'epoch').map((m) => m.epoch), [2, 3]);
  const entries = await persistence.listSaved();
  assert.deepEqual(entries.map((e) => [e.id, e.name, e.done, e.epochs]), [[id, 'kept net, 1 Jan', 3, 3]]);
  const entry = await persistence.getSaved(id);
  assert.deepEqual(entry.history.events.filter((e) => e.kind === 'report').map((e) => e.epoch), [0.5, 1, 1.5, 2, 2.5, 3]);
});

test("a kept network's predictions are remembered under its weights file's key", TIMEOUT, async () => {
  session.wasm = fakeWasm();
  const run = await start(16, { epochs: 1 });
  await run.done;
  const [entry] = await persistence.listSaved();
  const bytes = (await persistence.getSaved(entry.id)).bytes;
  const key = `file-${[...bytes].join('.')}|cpu|${session.wasm.url}`;
  assert.deepEqual([...((await persistence.getKeptPredictions(key)) ?? [])], [7, 16, 2]);
});

test('a device lost during a run ends it failed: the step is not posted, the last checkpoint stays', TIMEOUT, async () => {
  /** @type {(info: {reason?: string, message?: string}) => void} */
  let lose = () => {};
  globalThis.GPUAdapter = class {
    async requestDevice() {
      return { lost: new Promise((resolve) => (lose = resolve)) };
    }
  };
  watchDeviceLoss();
  await new globalThis.GPUAdapter().requestDevice(); // burn's device
  explorer.onStep = (n) => {
    if (n === 3) lose({ reason: 'unknown', message: 'the GPU was reset' });
  };
  const run = await start(17, { epochs: 2 });
  await run.done;
  const lost = scope.messages.find((m) => m.type === 'device_lost');
  assert.deepEqual(lost, { type: 'device_lost', reason: 'unknown', message: 'the GPU was reset', run: 17 });
  assert.deepEqual(steps(17), [1, 2], "the lost step's events are not posted");
  assert.deepEqual(states(17), ['loading', 'running', 'failed']);
  assert.equal(scope.ofRun(17).filter((m) => m.type === 'error').length, 0, 'the page was told why');
  assert.equal(explorer.calls('stopTraining'), 0, 'nothing can be read from a lost device');
  assert.equal(savedWrites().length, 1, "epoch 1's checkpoint, which the page resumes from");
  delete globalThis.GPUAdapter;
});

test('on WebGPU each run asks Rust for the kernels with the timings kept for this adapter, and keeps what it measured', TIMEOUT, async () => {
  const table = { adapter: 'GPU A', revision: 'r1', measured: [{ op: { op: 'norm', input: [64, 16, 7, 7], relu: true }, ours_ms: 2, burn_ms: 1 }] };
  const wgpu = { ...CPU_BACKEND, choice: 'wgpu', info: { ...CPU_BACKEND.info, backend: 'wgpu' }, maxBufferBytes: 1 << 28 };
  Object.assign(session, { backend: wgpu, kernels: 'auto', adapterName: 'GPU A' });
  /** @type {any[]} */
  const asked = [];
  explorer.onStep = (n, run) => {
    if (n !== 1) return undefined;
    asked.push(run.request.kernels);
    // Rust's first step: the choice, then the batch (www/worker/protocol.js's `kernels` event).
    return [{ type: 'kernels', setting: 'auto', summary: 'per operation, the faster set', all: null, table }, { type: 'step', batch: 1, total: run.total }, report(0.5)];
  };
  await (await start(40, { epochs: 1 })).done;
  assert.deepEqual(asked[0], { setting: 'auto', adapter: 'GPU A', kept: null }, 'nothing measured here before');
  assert.deepEqual(await persistence.getKernelTable('GPU A'), table, 'the timings are kept');
  assert.ok(scope.ofRun(40).some((m) => m.type === 'kernels' && m.summary === 'per operation, the faster set'), 'the page hears of the choice');

  await (await start(41, { epochs: 1 })).done;
  assert.deepEqual(asked[1], { setting: 'auto', adapter: 'GPU A', kept: table }, 'a later run on this adapter gets them back');

  Object.assign(session, { adapterName: 'GPU B', kernels: 'burn' });
  await (await start(42, { epochs: 1 })).done;
  assert.deepEqual(asked[2], { setting: 'burn', adapter: 'GPU B', kept: null }, "another adapter's timings are not its own");

  Object.assign(session, { backend: CPU_BACKEND });
  explorer.onStep = (n, run) => {
    if (n === 1) asked.push(run.request.kernels);
  };
  await (await start(43, { epochs: 1 })).done;
  assert.equal(asked[3], null, 'no kernels to choose on the CPU');
});
