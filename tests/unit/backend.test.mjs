import assert from 'node:assert/strict';
import { test } from 'node:test';

import { adapterName, cpuBackendLine, decideBackend, isSoftwareAdapter, shouldMeasureBackend } from '../../www/core/backend.js';

const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', fallback: true };
const nvidia = { vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3060', fallback: false };

test('software adapters are recognised by the fallback flag or by name', () => {
  assert.ok(isSoftwareAdapter(swiftshader));
  assert.ok(isSoftwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }));
  assert.ok(isSoftwareAdapter({ description: 'Intel(R) UHD Graphics (lavapipe)' }));
  assert.ok(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' }));
  assert.ok(isSoftwareAdapter({ vendor: 'intel', fallback: true }));
  assert.ok(!isSoftwareAdapter(nvidia));
  assert.ok(!isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3' }));
  assert.ok(!isSoftwareAdapter({ description: 'AMD Radeon RX 7600 (hardware)' }), '"warp" only as a word');
});

test('auto picks the CPU on a software adapter and says why', () => {
  const d = decideBackend('auto', swiftshader);
  assert.equal(d.wantGpu, false);
  assert.match(d.reason ?? '', /software renderer \(google swiftshader\).*"Auto" chose the CPU.*"WebGPU"/);
});

test('auto picks WebGPU on a hardware adapter', () => {
  assert.deepEqual(decideBackend('auto', nvidia), { wantGpu: true, reason: null });
});

test('WebGPU chosen by hand trains on a software adapter too', () => {
  assert.deepEqual(decideBackend('wgpu', swiftshader), { wantGpu: true, reason: null });
});

test('the CPU choice and a missing adapter give the CPU with a reason', () => {
  assert.equal(decideBackend('cpu', nvidia).wantGpu, false);
  assert.match(decideBackend('cpu', nvidia).reason ?? '', /selected in the settings/);
  assert.deepEqual(decideBackend('wgpu', null, 'This browser has no WebGPU.'), { wantGpu: false, reason: 'This browser has no WebGPU.' });
  assert.match(decideBackend('auto', null).reason ?? '', /No WebGPU adapter/);
});


test('adapter names join the known fields', () => {
  assert.equal(adapterName(swiftshader), 'google swiftshader');
  assert.equal(adapterName({}), '');
});

test('the CPU backend line says how many threads train', () => {
  assert.match(cpuBackendLine(2), /on 2 threads \(Web Workers\)$/);
  assert.match(cpuBackendLine(1), /on one thread$/);
  assert.match(cpuBackendLine(undefined), /on one thread$/, 'an older module reports no count');
  assert.match(cpuBackendLine(1, 'the server sends no isolation headers'), /on one thread, because the server sends no isolation headers$/);
  assert.match(cpuBackendLine(2, 'ignored'), /on 2 threads \(Web Workers\)$/, 'isolated after all: no reason');
});

test('auto on a hardware adapter follows a kept measurement: the CPU only when faster by more than 5 %, with both times', () => {
  const measure = (gpuSeconds, cpuSeconds) => ({ adapter: 'nvidia ampere', model: 'Fast ResNet at batch 128', gpuSeconds, cpuSeconds });
  const slowGpu = decideBackend('auto', nvidia, null, measure(3.2, 1.1));
  assert.equal(slowGpu.wantGpu, false);
  assert.match(slowGpu.reason ?? '', /Fast ResNet at batch 128 took 3\.20 s on WebGPU and 1\.10 s on the CPU, so "Auto" chose the CPU/);
  assert.deepEqual(decideBackend('auto', nvidia, null, measure(1.0, 0.97)), { wantGpu: true, reason: null }, 'within the margin: WebGPU');
  assert.deepEqual(decideBackend('auto', nvidia, null, measure(0.4, 2.0)), { wantGpu: true, reason: null });
  assert.deepEqual(decideBackend('wgpu', nvidia, null, measure(3.2, 1.1)), { wantGpu: true, reason: null }, 'WebGPU by hand stays');
  assert.match(decideBackend('auto', swiftshader, null, measure(0.4, 2.0)).reason ?? '', /software renderer/, 'a software adapter is never measured');
  assert.deepEqual(decideBackend('auto', nvidia, null, { ...measure(3.2, 1.1), cpuStopped: true }), { wantGpu: true, reason: null }, 'a CPU stopped after losing');
});

test('the page measures WebGPU against the CPU only for auto on a hardware adapter, once warmed up, unmeasured and idle', () => {
  const ready = { backendChoice: 'auto', backend: { backend: 'wgpu' }, adapter: { software: false }, warmUp: { state: 'done' }, backendMeasure: null, active: false };
  assert.ok(shouldMeasureBackend(ready));
  const measure = { adapter: 'a', model: 'm', gpuSeconds: 1, cpuSeconds: 2 };
  for (const [what, change] of [
    ['WebGPU chosen by hand', { backendChoice: 'wgpu' }],
    ['on the CPU', { backend: { backend: 'cpu' } }],
    ['a software adapter', { adapter: { software: true } }],
    ['no adapter', { adapter: null }],
    ['still warming up', { warmUp: { state: 'running' } }],
    ['measured already', { backendMeasure: measure }],
    ['training', { active: true }],
  ]) {
    assert.equal(shouldMeasureBackend({ ...ready, ...change }), false, what);
  }
});
