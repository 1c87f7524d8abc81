import assert from 'node:assert/strict';
import { test } from 'node:test';

import { isolationPlan } from '../../www/core/isolation.js';

const site = { isolated: false, declared: 'sw.js', supported: true, controlled: false, reloadedBefore: false };

test('a first visit to the static site registers its worker and reloads once', () => {
  assert.deepEqual(isolationPlan(site), { register: true, reload: true, reason: null });
});

test('isolated: nothing to do but keep the worker registered (for offline use)', () => {
  assert.deepEqual(isolationPlan({ ...site, isolated: true, controlled: true }), { register: true, reload: false, reason: null });
  assert.deepEqual(isolationPlan({ ...site, isolated: true, declared: null }), { register: false, reload: false, reason: null }, 'a server that sends the headers');
});

test('each way isolation fails says why, and never reloads again', () => {
  assert.match(isolationPlan({ ...site, declared: null }).reason ?? '', /server sends no cross-origin isolation headers/);
  assert.match(isolationPlan({ ...site, supported: false }).reason ?? '', /allows no service worker/);
  assert.match(isolationPlan({ ...site, controlled: true }).reason ?? '', /did not isolate the page/);
  const again = isolationPlan({ ...site, reloadedBefore: true });
  assert.equal(again.reload, false);
  assert.match(again.reason ?? '', /did not take control of the page after a reload/);
  for (const facts of [{ declared: null }, { supported: false }, { controlled: true }, { reloadedBefore: true }]) {
    assert.equal(isolationPlan({ ...site, ...facts }).reload, false, JSON.stringify(facts));
  }
});
