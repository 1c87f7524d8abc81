// The worker's message handling (www/worker/worker.js) on a fake Explorer
// (tests/unit/fixtures/fake-explorer.mjs): what a demo request gets before the worker opened,
// while a run is active or another request runs, and after a crash; and `start` while a run is
// active. Messages go in through the fake `self.onmessage` and come back as what the worker
// posts (tests/unit/fixtures/worker-scope.mjs). The tests share one worker, so they run in order:
// the first one opens it.

import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { installWorkerScope, settle } from './fixtures/worker-scope.mjs';
import { CPU_BACKEND, fakeExplorer, fakeWasm } from './fixtures/fake-explorer.mjs';

const scope = installWorkerScope();
const { session } = await import('../../www/worker/context.js');
await import('../../www/worker/worker.js');

const TIMEOUT = { timeout: 10_000 };
const BUSY = /^Training is running\. Stop it \(or let it finish\) first/;
const NOT_LOADED = 'The data and the network are not loaded yet.';
const MAPS = { stage: 2, block: 0, mode: 'branch', image: 3, channels: 4 };
const request = (epochs) => ({ model: { kind: 'tiny' }, train: { epochs, batch_size: 64, lr: 0.1 }, train_limit: 600, test_limit: 100 });
const start = (run, epochs = 1) => scope.send({ type: 'start', run, request: request(epochs), backend: 'cpu', fresh: true, label: 'tiny' });
/** Every demo request that uses the network in memory, with arguments. */
const DEMOS = {
  featureMaps: MAPS,
  identityChecks: { images: 4 },
  setTestLimit: { limit: 100 },
  warmUp: { request: request(1) },
  evaluate: {},
  insert: { insertion: 'identity', stage: 2 },
  restore: {},
  loadWeights: { bytes: Uint8Array.of(1, 2), name: 'mine.rnxw' },
  saveWeights: {},
  lesions: {},
  useData: { files: [] },
  loadSaved: { id: 1 },
  loadShipped: {},
  renameSaved: { id: 1, name: 'x' },
  deleteSaved: { id: 1 },
  keepBackendMeasure: { measure: { adapter: 'a', model: 'm', gpuSeconds: 1, cpuSeconds: 2 } },
};

/** @type {ReturnType<typeof fakeExplorer>} */
let explorer;

session.backend = CPU_BACKEND; // chooseBackend's work, done
beforeEach(() => {
  scope.reset();
  if (session.explorer) session.explorer = explorer = fakeExplorer({ batchesPerEpoch: 2 }); // once open
});

afterEach(async () => {
  await session.current?.done; // a run's record is let go just after its last state
  assert.equal(session.current, null, 'no run is left active');
  assert.deepEqual(explorer?.violations ?? [], [], 'no two Explorer calls overlapped');
});

/** A fake explorer with a network in memory. */
function withNetwork() {
  explorer.session.network = { origin: { source: 'shipped' }, note: 'shipped', weights: Uint8Array.of(5, 5) };
  return explorer;
}

test('requests before the worker opened, or after opening crashed, are refused; a request sent with `open` waits for it', TIMEOUT, async () => {
  let create = () => {
    throw new WebAssembly.RuntimeError('unreachable');
  };
  session.wasm = fakeWasm({ create: () => create() });
  assert.deepEqual(await scope.call('featureMaps', MAPS), { type: 'reply', id: 1, ok: false, busy: false, error: NOT_LOADED });

  scope.send({ type: 'open', backend: 'cpu' });
  const failed = await scope.waitFor((m) => m.type === 'opened');
  assert.equal(failed.ok, false);
  const error = scope.messages.find((m) => m.type === 'error');
  assert.equal(error.fatal, true);
  assert.match(error.message, /^The WebAssembly module crashed \(unreachable\)\. Reload the page/);
  const refused = await scope.call('featureMaps', MAPS);
  assert.deepEqual([refused.ok, refused.busy, refused.error], [false, false, NOT_LOADED]);

  create = () => (explorer = fakeExplorer());
  const from = scope.messages.length;
  scope.send({ type: 'open', backend: 'cpu' });
  const reply = await scope.call('featureMaps', MAPS);
  assert.equal(reply.ok, true);
  assert.equal(reply.result.label, 'b2.0 branch 3');
  assert.ok(reply.result.input instanceof Float32Array);
  const opened = scope.messages.findIndex((m, i) => i >= from && m.type === 'opened' && m.ok);
  assert.ok(opened >= 0 && opened < scope.messages.indexOf(reply), 'answered once the worker had opened');
  assert.equal(session.explorer, explorer);
  assert.deepEqual(explorer.log.slice(0, 3), ['gallery', 'setTestLimit', 'loadWeights'], 'the gallery, then the first network (the shipped one)');
});

test('while a run is active every demo request is refused as busy without touching the Explorer; memory is answered', TIMEOUT, async () => {
  withNetwork();
  start(1, 3);
  scope.send({ type: 'pause' });
  await scope.state(1, 'paused');
  const before = explorer.log.length;
  for (const [method, args] of Object.entries(DEMOS)) {
    const reply = await scope.call(method, args);
    assert.equal(reply.ok, false, method);
    assert.equal(reply.busy, true, method);
    assert.match(reply.error, BUSY, method);
  }
  assert.deepEqual(explorer.log.slice(before), [], 'no demo reached the Explorer');
  const memory = await scope.call('memory');
  assert.deepEqual([memory.ok, memory.result], [true, { wasmBytes: 1 << 20 }]);

  scope.send({ type: 'stop' });
  await scope.state(1, 'stopped');
  const after = await scope.call('featureMaps', MAPS);
  assert.equal(after.ok, true, 'answered again once the run has ended');
});

test('demo requests run one at a time on the Explorer, in the order they came', TIMEOUT, async () => {
  withNetwork();
  const held = explorer.hold('featureMaps');
  const first = scope.call('featureMaps', MAPS);
  await held.entered;
  const second = scope.call('identityChecks', { images: 4 });
  const third = scope.call('saveWeights');
  await settle();
  assert.deepEqual(explorer.log, ['featureMaps'], 'the others wait while the first runs');
  held.release();
  const replies = await Promise.all([first, second, third]);
  assert.deepEqual(replies.map((r) => r.ok), [true, true, true]);
  assert.deepEqual(explorer.log, ['featureMaps', 'featureMaps:done', 'identityChecks', 'identityChecks:done', 'saveWeights', 'saveWeights:done']);
  assert.deepEqual(explorer.violations, []);
  const order = scope.messages.filter((m) => m.type === 'reply').map((m) => m.id);
  assert.deepEqual(order, replies.map((r) => r.id));
  assert.deepEqual([...replies[2].result], [5, 5], 'the weights file');
});

test('a request already running when a run starts is answered; the run waits for it, later requests are refused', TIMEOUT, async () => {
  withNetwork();
  const held = explorer.hold('featureMaps');
  const first = scope.call('featureMaps', MAPS);
  await held.entered;
  start(2, 1);
  await scope.state(2, 'loading');
  await settle();
  assert.equal(explorer.calls('startTraining'), 0, 'training waits for the request');
  const refused = await scope.call('evaluate');
  assert.deepEqual([refused.ok, refused.busy], [false, true]);
  assert.match(refused.error, BUSY);
  held.release();
  const reply = await first;
  assert.deepEqual([reply.ok, reply.busy], [true, undefined]);
  await scope.state(2, 'finished');
  assert.ok(explorer.log.indexOf('featureMaps:done') < explorer.log.indexOf('startTraining'));
  assert.equal(explorer.calls('evaluate'), 0);
  assert.deepEqual(explorer.violations, []);
});

test('a request already running when a run starts, that fails, gets its own error, not "busy"', TIMEOUT, async () => {
  withNetwork();
  const held = explorer.hold('featureMaps');
  explorer.failNext('featureMaps', new Error('stage 9 does not exist'));
  const first = scope.call('featureMaps', MAPS);
  await held.entered;
  start(20, 1);
  await scope.state(20, 'loading');
  held.release();
  const reply = await first;
  assert.deepEqual([reply.ok, reply.busy, reply.error], [false, false, 'stage 9 does not exist']);
  await scope.state(20, 'finished');
  assert.deepEqual(explorer.violations, []);
});

test('a start while a run is active (paused here) stops it, unkept, before the new run begins', TIMEOUT, async () => {
  start(3, 5);
  scope.send({ type: 'pause' });
  await scope.state(3, 'paused');
  start(4, 1);
  await scope.state(4, 'finished');
  const lastOfOld = scope.messages.findLastIndex((m) => m.run === 3);
  assert.equal(scope.messages[lastOfOld].state, 'stopped');
  assert.ok(lastOfOld < scope.messages.findIndex((m) => m.run === 4), 'run 3 ended before run 4 began');
  assert.equal(explorer.calls('stopTraining'), 1);
  assert.deepEqual(explorer.log.filter((m) => m === 'startTraining' || m === 'stopTraining'), ['startTraining', 'stopTraining', 'startTraining']);
  assert.equal(explorer.calls('saveWeights'), 1, 'only run 4 is kept');
});

test('control messages are handled in order: of two starts sent at once the first is stopped before the second begins, a stop sent next stops the second', TIMEOUT, async () => {
  start(6, 1);
  start(7, 1);
  scope.send({ type: 'stop' });
  await scope.state(7, 'stopped');
  const states = (run) => scope.ofRun(run).filter((m) => m.type === 'state').map((m) => m.state);
  assert.equal(states(6).at(-1), 'stopped');
  assert.ok(scope.messages.findLastIndex((m) => m.run === 6) < scope.messages.findIndex((m) => m.run === 7), 'run 6 ended before run 7 began');
  assert.equal(states(7).at(-1), 'stopped');
  assert.equal(explorer.calls('step'), 0, 'neither trained a batch');
  assert.equal(explorer.calls('stopTraining'), explorer.calls('startTraining'), 'a run started in Rust was stopped there');
});

test('a pause sent while a run steps lands between two steps', TIMEOUT, async () => {
  // The lab's run (nothing kept, so no storage in between): only the loop's own yield lets the message in.
  scope.send({ type: 'start', run: 8, request: request(100), backend: 'cpu', fresh: true, label: 'lab', keep: false });
  await scope.state(8, 'running');
  setImmediate(() => scope.send({ type: 'pause' })); // as a message from the page arrives: a task of its own
  await scope.state(8, 'paused');
  const done = explorer.calls('step');
  assert.ok(done >= 1 && done < 200, `paused after ${done} of 200 steps`);
  await settle();
  assert.equal(explorer.calls('step'), done);
  scope.send({ type: 'resume' });
  await scope.state(8, 'running', scope.messages.findIndex((m) => m.state === 'paused'));
  scope.send({ type: 'stop' });
  await scope.state(8, 'stopped');
  assert.equal(explorer.calls('stopTraining'), 1);
});

test('a request that crashes the module says so, and the next request is still answered', TIMEOUT, async () => {
  withNetwork();
  explorer.failNext('featureMaps', new WebAssembly.RuntimeError('unreachable'));
  const crashed = await scope.call('featureMaps', MAPS);
  assert.deepEqual([crashed.ok, crashed.busy], [false, false]);
  assert.match(crashed.error, /^The WebAssembly module crashed \(unreachable\)\. Reload the page/);
  explorer.failNext('loadWeights', new Error('this is not a weights file'));
  const refused = await scope.call('loadWeights', { bytes: Uint8Array.of(0), name: 'junk' });
  assert.deepEqual([refused.ok, refused.busy, refused.error], [false, false, 'this is not a weights file']);
  const next = await scope.call('identityChecks', { images: 2 });
  assert.deepEqual([next.ok, next.result], [true, [{ block: 'b2.0', images: 2 }]]);
  assert.deepEqual(explorer.violations, []);
});

test('a run whose step crashes ends failed with a fatal error; demo requests are answered again', TIMEOUT, async () => {
  withNetwork();
  explorer.onStep = () => {
    throw new WebAssembly.RuntimeError('unreachable');
  };
  start(5, 1);
  const error = await scope.waitFor((m) => m.type === 'error' && m.run === 5);
  assert.equal(error.fatal, true);
  await scope.state(5, 'failed');
  assert.equal(session.current?.active ?? false, false);
  const reply = await scope.call('featureMaps', MAPS);
  assert.equal(reply.ok, true, 'not refused as busy');
});

test('an unknown request or message is answered with an error', TIMEOUT, async () => {
  const reply = await scope.call('mineBitcoin', {});
  assert.deepEqual([reply.ok, reply.busy, reply.error], [false, false, 'unknown request mineBitcoin']);
  scope.send({ type: 'reboot' });
  assert.deepEqual(scope.messages.at(-1), { type: 'error', message: 'The worker got an unknown message: {"type":"reboot"}' });
  assert.equal(explorer.log.length, 0);
});

test('a timed warm-up runs on the CPU too and says how long it took; untimed, the CPU has nothing to warm up; a measurement is kept for the adapter', TIMEOUT, async () => {
  withNetwork();
  const untimed = await scope.call('warmUp', { request: request(1) });
  assert.equal(untimed.result, null);
  assert.equal(explorer.calls('warmUp'), 0, 'untimed on the CPU: nothing to compile');
  const timed = await scope.call('warmUp', { request: request(1), timed: true });
  assert.ok(timed.ok);
  assert.equal(explorer.calls('warmUp'), 1);
  assert.ok(timed.result.seconds >= 0 && timed.result.seconds < 10, `seconds: ${timed.result.seconds}`);

  // On WebGPU a warm-up that ran chose its kernels; one whose batch does not fit the GPU ran nothing: not timed.
  session.backend = { ...CPU_BACKEND, choice: 'wgpu', info: { ...CPU_BACKEND.info, backend: 'wgpu' } };
  try {
    explorer.warmUp = async () => [{ type: 'kernels', setting: 'ours', summary: 'ours', table: null }];
    assert.ok((await scope.call('warmUp', { request: request(1), timed: true })).result.seconds >= 0);
    explorer.warmUp = async () => [];
    assert.equal((await scope.call('warmUp', { request: request(1), timed: true })).result, null, 'too big for the GPU: not timed');
  } finally {
    session.backend = CPU_BACKEND;
  }

  const measure = { adapter: 'intel Intel(R) UHD Graphics 620', model: 'Fast ResNet at batch 64', gpuSeconds: 3.2, cpuSeconds: 1.1 };
  session.adapterName = measure.adapter; // findAdapter's, on WebGPU
  assert.ok((await scope.call('keepBackendMeasure', { measure: { ...measure, adapter: 'as the page names it' } })).ok);
  const { getBackendMeasure } = await import('../../www/worker/persistence.js');
  assert.deepEqual(await getBackendMeasure(measure.adapter), measure);
  assert.equal(await getBackendMeasure('another adapter'), null, "another adapter's is measured anew");
});
