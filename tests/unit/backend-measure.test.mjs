// "Auto" by measurement (www/app/backend-measure.js) on a real store and fake connections: once
// warmed up on a hardware adapter the same warm-up run is timed on WebGPU and on a CPU worker
// (ended after), both times are kept by the page's worker and shown; a faster CPU reopens the
// page's worker (which then decides by the kept times); nothing is measured twice, and a failed
// measurement leaves "Auto" as it chose.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { measureBackend } from '../../www/app/backend-measure.js';
import { initialState } from '../../www/core/page-state.js';
import { Store } from '../../www/core/store.js';

const CONFIG = { kind: 'resnet', input: 28 };
const SETTINGS = { epochs: 1, batch: 128, lr: 0.1, train: 60000, test: 10000 };

/** A page whose worker has opened on a hardware adapter's WebGPU; `times`: seconds per backend (an Error fails that call). */
function page(times) {
  const store = new Store(initialState());
  const calls = [];
  const cpuWorkers = [];
  let reopened = 0;
  const timed = (backend) => {
    const t = times[backend];
    if (t === 'never') return new Promise(() => {});
    return t instanceof Error ? Promise.reject(t) : Promise.resolve({ seconds: t });
  };
  const connection = {
    call: (method, args) => {
      calls.push([method, args]);
      return method === 'warmUp' ? timed('gpu') : Promise.resolve(null);
    },
    reopen: () => reopened++,
  };
  const cpuWorker = () => {
    const w = { calls: [], closed: false };
    w.call = (method, args) => (w.calls.push([method, args]), method === 'memory' ? Promise.resolve({ wasmBytes: 1 }) : timed('cpu'));
    w.close = () => (w.closed = true);
    cpuWorkers.push(w);
    return w;
  };
  store.set({
    models: new Map([['fast', { name: 'fast', title: 'Fast ResNet', config: CONFIG }]]),
    preset: 'fast',
    settings: SETTINGS,
    selectedConfig: CONFIG,
    backendChoice: 'auto',
    backend: { backend: 'wgpu' },
    adapter: { vendor: 'intel', description: 'Intel(R) UHD Graphics 620', software: false },
    warmUp: { state: 'running' },
  });
  const measured = measureBackend({ store, connection, cpuWorker });
  return { store, calls, cpuWorkers, measured, reopened: () => reopened };
}

test('a GPU slower than the CPU: both timed on the same run, kept, shown, and the worker reopened to decide by them', async () => {
  const p = page({ gpu: 3.2, cpu: 1.1 });
  assert.equal(p.calls.length, 0, 'nothing before the warm-up is done');
  p.store.set({ warmUp: { state: 'done', seconds: 9 } });
  const measure = await p.measured;
  assert.deepEqual(measure, { adapter: 'intel Intel(R) UHD Graphics 620', model: 'Fast ResNet at batch 128', gpuSeconds: 3.2, cpuSeconds: 1.1 });
  const [gpuCall, keep] = p.calls;
  assert.equal(gpuCall[0], 'warmUp');
  assert.equal(gpuCall[1].timed, true);
  assert.equal(gpuCall[1].request.train.batch_size, 128);
  assert.deepEqual(p.cpuWorkers[0].calls.map(([m]) => m), ['memory', 'warmUp'], 'timed once open');
  assert.deepEqual(p.cpuWorkers[0].calls[1][1], gpuCall[1], 'the CPU times the same request');
  assert.ok(p.cpuWorkers[0].closed, 'the CPU worker is ended');
  assert.deepEqual(keep, ['keepBackendMeasure', { measure }]);
  assert.deepEqual(p.store.get().backendMeasure, measure);
  assert.equal(p.reopened(), 1);

  // Measured once a page, whatever changes after.
  p.store.set({ backendMeasure: null, warmUp: null });
  p.store.set({ warmUp: { state: 'done' } });
  assert.equal(p.cpuWorkers.length, 1);
});

test('a GPU faster than the CPU stays, with both times kept and shown', async () => {
  const p = page({ gpu: 0.4, cpu: 2.5 });
  p.store.set({ warmUp: { state: 'done' } });
  const measure = await p.measured;
  assert.equal(measure.gpuSeconds, 0.4);
  assert.equal(p.store.get().backendMeasure, measure);
  assert.equal(p.reopened(), 0);
});

test('a measurement that fails (Start pressed meanwhile, a CPU worker that breaks) keeps nothing and changes nothing', async () => {
  const p = page({ gpu: 0.4, cpu: new Error('busy') });
  p.store.set({ warmUp: { state: 'done' } });
  assert.equal(await p.measured, null);
  assert.ok(p.cpuWorkers[0].closed);
  assert.deepEqual(p.calls.map(([m]) => m), ['warmUp'], 'nothing kept');
  assert.equal(p.store.get().backendMeasure, null);
  assert.equal(p.reopened(), 0);
});

test('a CPU still running when it has lost (WebGPU time, 5 % and 1 s) is stopped there: WebGPU stays, the CPU time said as a bound', async () => {
  const p = page({ gpu: 0.01, cpu: 'never' });
  const t0 = Date.now();
  p.store.set({ warmUp: { state: 'done' } });
  const measure = await p.measured;
  const waited = (Date.now() - t0) / 1000;
  assert.ok(waited >= 1 && waited < 5, `stopped after ${waited} s`);
  assert.deepEqual(measure, { adapter: 'intel Intel(R) UHD Graphics 620', model: 'Fast ResNet at batch 128', gpuSeconds: 0.01, cpuSeconds: 0.01 * 1.05 + 1, cpuStopped: true });
  assert.ok(p.cpuWorkers[0].closed);
  assert.equal(p.reopened(), 0);
  const { measureSentence } = await import('../../www/core/backend.js');
  assert.match(measureSentence(measure), /took 0\.01 s on WebGPU and more than 1\.01 s on the CPU \(stopped there\)$/);
});
