// The worker's plumbing that needs no browser: reading a download with progress
// (www/worker/data.js) and the queue that serialises Explorer calls (www/worker/context.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../../www/worker/data.js';
import { buffersOf, serialQueue } from '../../www/worker/context.js';

/** A stream reader of `chunks`, advancing a fake clock by `ms` per chunk. */
function fakeReader(chunks, clock, ms) {
  let i = 0;
  return {
    read: async () => {
      clock.t += ms;
      return i < chunks.length ? { done: false, value: chunks[i++] } : { done: true, value: undefined };
    },
  };
}

test('a download is read into one array, with progress at most every 100 ms', async () => {
  const chunks = [new Uint8Array([1, 2]), new Uint8Array([3]), new Uint8Array([4, 5, 6]), new Uint8Array([7])];
  const clock = { t: 0 };
  const seen = [];
  const bytes = await readAll(fakeReader(chunks, clock, 60), (loaded) => seen.push(loaded), () => clock.t);
  assert.deepEqual([...bytes], [1, 2, 3, 4, 5, 6, 7]);
  // Chunks arrive at 60, 120, 180, 240 ms: reported at 120 (120 > 0 + 100) and 240 (> 120 + 100).
  assert.deepEqual(seen, [3, 7]);
});

test('an empty download is an empty array, without progress', async () => {
  const seen = [];
  const bytes = await readAll(fakeReader([], { t: 0 }, 1000), (loaded) => seen.push(loaded));
  assert.equal(bytes.length, 0);
  assert.deepEqual(seen, []);
});

test('the queue runs one call at a time, in order, and goes on after a failure', async () => {
  const run = serialQueue();
  const log = [];
  const slow = run(async () => {
    log.push('a start');
    await new Promise((r) => setTimeout(r, 20));
    log.push('a end');
    return 'a';
  });
  const failing = run(() => {
    log.push('b');
    throw new Error('b failed');
  });
  const after = run(() => {
    log.push('c');
    return 'c';
  });
  assert.equal(await slow, 'a');
  await assert.rejects(failing, /b failed/);
  assert.equal(await after, 'c');
  assert.deepEqual(log, ['a start', 'a end', 'b', 'c']);
});

test('the buffers handed over with a message: bytes, a gallery, feature maps; nothing else, never shared memory', () => {
  const images = [new Uint8Array(4), new Uint8Array(4)];
  assert.deepEqual(buffersOf({ type: 'gallery', images }), images.map((a) => a.buffer));
  const input = new Float32Array(2);
  const output = new Float32Array(input.buffer); // one buffer listed once
  assert.deepEqual(buffersOf({ type: 'feature_maps', input, output }), [input.buffer]);
  const bytes = new Uint8Array(3);
  assert.deepEqual(buffersOf(bytes), [bytes.buffer]);
  assert.deepEqual(buffersOf({ type: 'model', layers: [] }), []);
  assert.deepEqual(buffersOf(new Uint8Array(new SharedArrayBuffer(8))), []);
  // Handed over, the originals are detached (no copy).
  const moved = structuredClone({ type: 'gallery', images }, { transfer: buffersOf({ type: 'gallery', images }) });
  assert.equal(moved.images[0].length, 4);
  assert.equal(images[0].length, 0);
});
