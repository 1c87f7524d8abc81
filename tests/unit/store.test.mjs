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

test("a slice is one key of the page's store: its state lives there, its subscribers hear of its own keys", () => {
  const page = new Store({ runId: 0, lab: null });
  const lab = page.slice('lab', { race: null, form: 'f' });
  assert.deepEqual(page.get().lab, { race: null, form: 'f' });
  const heard = [];
  const pageHeard = [];
  lab.subscribe(['race'], (s, changed) => heard.push([s.race, [...changed]]));
  page.subscribe(['lab'], (s) => pageHeard.push(s.lab.race));
  page.subscribe(['runId'], () => assert.fail('the run id did not change'));

  lab.set({ race: 1 });
  assert.equal(lab.get().race, 1);
  assert.equal(page.get().lab, lab.get(), 'one state, held by the page');
  lab.set({ race: 1 }); // the same value: nobody hears
  lab.set({ form: 'g' }); // not a key the slice's subscriber asked for
  assert.deepEqual(heard, [[1, ['race']]]);
  assert.deepEqual(pageHeard, [1, 1]);
  assert.equal(page.get().lab.form, 'g');
});

test('a subscriber called after another that set more gets the newer state', () => {
  const store = new Store({ memory: 0, net: 0 });
  store.subscribe(['memory'], (s) => store.set({ net: s.memory * 10 }));
  const seen = [];
  store.subscribe(['memory', 'net'], (s) => seen.push(s.net));
  store.set({ memory: 2 });
  assert.deepEqual(seen, [20, 20], 'never the state from before the nested set');
});
