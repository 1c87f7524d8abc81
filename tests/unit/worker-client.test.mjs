import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerClient } from '../../www/worker/client.js';

/** A worker that records what it is sent and replies when told to. */
function fakeWorker() {
  const w = { sent: [], terminated: false, onmessage: null, onerror: null, onmessageerror: null };
  w.postMessage = (msg) => w.sent.push(msg);
  w.terminate = () => (w.terminated = true);
  w.emit = (data) => w.onmessage({ data });
  return w;
}

test('opens the worker, matches replies to calls, passes events on', async () => {
  const w = fakeWorker();
  const events = [];
  const client = new WorkerClient({ open: { type: 'open', backend: 'cpu' }, onEvent: (e) => events.push(e), spawn: () => w });
  // The open message, with the channel its threads report traps on (src/web/fault.rs).
  const { faultChannel, ...open } = w.sent[0];
  assert.deepEqual(open, { type: 'open', backend: 'cpu' });
  assert.match(faultChannel, /^resnet-explorer-fault-/);
  const first = client.call('memory');
  const second = client.call('identity', { block: 'b2.0' });
  assert.deepEqual(w.sent.slice(1).map((m) => [m.id, m.method]), [[1, 'memory'], [2, 'identity']]);
  w.emit({ type: 'reply', id: 2, ok: false, error: 'Training is running', busy: true });
  w.emit({ type: 'state', state: 'running' });
  w.emit({ type: 'reply', id: 1, ok: true, result: 42 });
  assert.equal(await first, 42);
  await assert.rejects(second, (e) => e.busy === true && /Training is running/.test(e.message));
  assert.deepEqual(events, [{ type: 'state', state: 'running' }]);
});

test('a failed or replaced worker fails its pending calls at once and refuses new ones', async () => {
  const w = fakeWorker();
  const failures = [];
  const client = new WorkerClient({ open: { type: 'open' }, onEvent: () => {}, onFailure: (m) => failures.push(m), spawn: () => w });
  const pending = client.call('memory');
  w.onerror({ message: 'boom', preventDefault() {} });
  await assert.rejects(pending, /the worker failed: boom/);
  await assert.rejects(client.call('memory'), /not running/);
  assert.deepEqual(failures, ['The worker failed: boom']);

  const w2 = fakeWorker();
  const client2 = new WorkerClient({ open: { type: 'open' }, onEvent: () => assert.fail('no events after terminate'), spawn: () => w2 });
  const p2 = client2.call('memory');
  client2.terminate();
  await assert.rejects(p2, (e) => e.replaced === true);
  assert.equal(w2.terminated, true);
  w2.emit({ type: 'state' });
});

test('a thread that traps says so on the fault channel: pending calls fail and the failure is a fault', async () => {
  const w = fakeWorker();
  const failures = [];
  const client = new WorkerClient({ open: { type: 'open' }, onEvent: () => {}, onFailure: (m, fault) => failures.push([m, fault]), spawn: () => w });
  const pending = client.call('step');
  const reporter = new BroadcastChannel(w.sent[0].faultChannel);
  reporter.postMessage('the CPU ran out of WebAssembly memory');
  await assert.rejects(pending, /the worker failed: the CPU ran out of WebAssembly memory/);
  assert.deepEqual(failures, [['the CPU ran out of WebAssembly memory', true]]);
  await assert.rejects(client.call('evaluate'), /its worker is not running/);
  reporter.close();
  client.terminate();
});
