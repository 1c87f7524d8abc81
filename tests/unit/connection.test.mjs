// The page's worker connection (www/app/connection.js's pageConnection), on fake workers: events of replaced runs
// are dropped, a backend change or a broken worker gets a fresh worker (and a fresh worker's
// facts in the store), and a thread's fault, posted on the worker's fault channel as
// src/web/fault.rs does, replaces the stuck worker and says why; a worker that goes silent while
// starting its CPU threads is replaced (once more threaded, then on one thread).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THREAD_START_GRACE_MS, pageConnection } from '../../www/app/connection.js';
import { Store } from '../../www/core/store.js';
import { initialState } from '../../www/core/page-state.js';

/** Fake workers: each records what it is sent; `workers` lists them in spawn order. */
function fakeWorkers() {
  const workers = [];
  const spawn = () => {
    const w = { sent: [], terminated: false, onmessage: null, onerror: null, onmessageerror: null };
    w.postMessage = (msg) => w.sent.push(msg);
    w.terminate = () => (w.terminated = true);
    w.emit = (data) => w.onmessage({ data });
    workers.push(w);
    return w;
  };
  return { workers, spawn };
}

function connect() {
  const store = new Store(initialState());
  const failures = [];
  const { workers, spawn } = fakeWorkers();
  const connection = pageConnection(store, { onFailure: (m) => failures.push(m), spawn });
  return { store, failures, workers, connection };
}

test('events of runs other than the latest are dropped; events of no run pass', () => {
  const { store, workers, connection } = connect();
  const seen = [];
  connection.on('epoch', (e) => seen.push(e));
  connection.ensure('cpu');
  store.set({ runId: 2 });
  workers[0].emit({ type: 'epoch', run: 1, epoch: 1 }); // a run replaced by run 2
  workers[0].emit({ type: 'epoch', run: 2, epoch: 1 });
  workers[0].emit({ type: 'epoch', epoch: 7 }); // not of a run (the lab's, a probe)
  assert.deepEqual(seen.map((e) => [e.run, e.epoch]), [[2, 1], [undefined, 7]]);
});

test('the same backend keeps its worker; another backend or a broken worker gets a fresh one', () => {
  const { store, workers, connection } = connect();
  const first = connection.ensure('cpu', { testLimit: null });
  assert.equal(workers[0].sent[0].type, 'open');
  assert.equal(workers[0].sent[0].backend, 'cpu');
  assert.equal(connection.ensure('cpu'), first, 'kept');
  const workerId = store.get().workerId;

  connection.ensure('wgpu');
  assert.equal(workers.length, 2);
  assert.ok(workers[0].terminated, 'the CPU worker ended');
  assert.equal(workers[1].sent[0].backend, 'wgpu');
  assert.equal(store.get().workerId, workerId + 1, "a fresh worker's facts");

  connection.markBroken();
  connection.ensure('wgpu');
  assert.equal(workers.length, 3, 'a broken worker is replaced on its next use');
  assert.ok(workers[1].terminated);
});

test("a trapped thread's fault replaces the stuck worker with one on the same backend and says why", async () => {
  const { failures, workers, connection } = connect();
  const client = connection.ensure('cpu');
  const pending = client.call('evaluate');
  const channel = new BroadcastChannel(workers[0].sent[0].faultChannel);
  channel.postMessage('the CPU ran out of WebAssembly memory: 512 MB more could not be allocated');
  await assert.rejects(pending, /ran out of WebAssembly memory/);
  channel.close();
  assert.equal(failures.length, 1);
  assert.match(failures[0], /^The worker stopped: the CPU ran out of WebAssembly memory.*A new worker was started/);
  assert.ok(workers[0].terminated);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].sent[0].backend, 'cpu');
  connection.client?.terminate(); // closes its fault channel
});

test('a worker silent while starting its CPU threads is replaced: tried again once, then one thread, each said in a notice', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { workers, connection, failures } = connect();
  const notices = [];
  connection.on('notice', (e) => notices.push(e.message));
  connection.on('backend', () => {});
  const client = connection.ensure('auto');
  const pending = client.call('evaluate');
  pending.catch(() => {});
  const starting = { type: 'threads_starting', threads: 4, timeoutMs: 30_000 };

  // A worker that answers in time is left alone.
  workers[0].emit(starting);
  t.mock.timers.tick(30_000 + THREAD_START_GRACE_MS - 1);
  workers[0].emit({ type: 'backend', backend: 'cpu', threads: 4 });
  t.mock.timers.tick(60_000);
  assert.equal(workers.length, 1);

  // Silent past its own bound and the grace: ended, a fresh one on the same backend and threads.
  workers[0].emit(starting);
  t.mock.timers.tick(30_000 + THREAD_START_GRACE_MS);
  assert.ok(workers[0].terminated);
  assert.equal(workers.length, 2);
  assert.equal(workers[1].sent[0].backend, 'auto');
  assert.equal(workers[1].sent[0].threads, undefined);
  assert.match(notices[0], /stopped answering for 50 s while starting 4 CPU threads; a fresh worker tries again/);

  // The second stall: one thread from then on, for this worker and the next.
  workers[1].emit(starting);
  t.mock.timers.tick(30_000 + THREAD_START_GRACE_MS);
  assert.equal(workers.length, 3);
  assert.equal(workers[2].sent[0].threads, 1);
  assert.match(notices[1], /training runs on one thread/);
  connection.ensure('cpu');
  assert.equal(workers[3].sent[0].threads, 1);
  assert.deepEqual(failures, [], 'a notice, not a failure: the page goes on');
  connection.close();
});
