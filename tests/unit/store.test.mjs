import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../www/core/store.js';

test('subscribers hear only the keys they asked for, once per set', () => {
  const store = new Store({ a: 1, b: 2 });
  const heard = [];
  store.subscribe(['a'], (s) => heard.push(['a', s.a]));
  store.subscribe(null, (s, changed) => heard.push(['any', [...changed].join()]));
  store.set({ b: 3 });
  store.set({ a: 5, b: 3 });
  store.set({ a: 5 }); // unchanged: nobody is called
  assert.deepEqual(heard, [['any', 'b'], ['a', 5], ['any', 'a']]);
  assert.deepEqual(store.get(), { a: 5, b: 3 });
});

test('unsubscribing stops the calls', () => {
  const store = new Store({ a: 1 });
  let calls = 0;
  const off = store.subscribe(['a'], () => calls++);
  store.set({ a: 2 });
  off();
  store.set({ a: 3 });
  assert.equal(calls, 1);
});
