import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashOwner } from '../../www/core/hash.js';
import { PRESENT, parseHash } from '../../www/core/settings.js';

/** A window with an address bar: `replaceState` changes the hash silently, `navigate` as a user does. */
function fakeWindow(hash = '') {
  /** @type {(() => void)[]} */
  const listeners = [];
  const writes = [];
  const win = {
    location: { hash, pathname: '/resnet/index.html', search: '' },
    history: {
      replaceState(_data, _unused, url) {
        writes.push(url);
        win.location.hash = url.startsWith('#') ? url : '';
      },
    },
    addEventListener(type, fn) {
      assert.equal(type, 'hashchange');
      listeners.push(fn);
    },
    navigate(next) {
      win.location.hash = next;
      listeners.forEach((fn) => fn());
    },
    listeners,
    writes,
  };
  return win;
}

const choice = (key, values) => ({ kind: 'choice', key, label: key, values, default: values[0] });

/** A part holding one key, recording what it read. */
function part(schema, initial = {}) {
  const held = { ...initial };
  const reads = [];
  return {
    held,
    reads,
    schema: () => schema,
    read(hash) {
      reads.push(hash);
      Object.assign(held, parseHash(hash, schema).values);
    },
    values: () => held,
  };
}

test('one listener for the page; each part reads the link when it registers', () => {
  const win = fakeWindow('#preset=fast&present=1');
  const owner = hashOwner(win);
  const layout = part(PRESENT, { present: null });
  const form = part([choice('preset', ['fast', 'd2l96'])]);
  owner.register(layout);
  owner.register(form, { first: true });
  assert.equal(win.listeners.length, 1);
  assert.deepEqual(layout.held, { present: true });
  assert.deepEqual(form.held, { preset: 'fast' });
});

test("writing puts every part's keys in one order, the first part's leading, and keeps keys nobody owns", () => {
  const win = fakeWindow('#lesson=race&zzz=1');
  const owner = hashOwner(win);
  const layout = part(PRESENT, { present: true });
  const form = part([choice('preset', ['fast', 'd2l96'])], { preset: 'd2l96' });
  owner.register(layout);
  owner.register(form, { first: true });
  form.held.preset = 'fast'; // the user changed the form
  owner.write();
  assert.equal(win.location.hash, '#preset=fast&present=1&lesson=race&zzz=1');
  const writes = win.writes.length;
  owner.write();
  assert.equal(win.writes.length, writes, 'an unchanged hash is not written again');
});

test('an empty link leaves no bare # in the address bar', () => {
  const win = fakeWindow('#present=1');
  const owner = hashOwner(win);
  const layout = part(PRESENT);
  owner.register(layout);
  layout.held.present = null;
  owner.write();
  assert.deepEqual(win.writes, ['/resnet/index.html']);
});

test("a changed link is read by the parts whose keys changed, and only by them", () => {
  const win = fakeWindow('#preset=fast');
  const owner = hashOwner(win);
  const layout = part(PRESENT, { present: null });
  const form = part([choice('preset', ['fast', 'd2l96'])]);
  owner.register(layout);
  owner.register(form, { first: true });
  layout.reads.length = form.reads.length = 0;
  win.navigate('#preset=fast&present=1');
  assert.deepEqual(layout.reads, ['#preset=fast&present=1']);
  assert.deepEqual(form.reads, [], "the form's keys are what it holds");
  win.navigate('#preset=d2l96&present=1');
  assert.deepEqual(form.reads, ['#preset=d2l96&present=1']);
  assert.equal(layout.reads.length, 1);
});

test("a write before a changed link's hashchange reads that link first, never putting the old values back", () => {
  const win = fakeWindow('#preset=d2l96');
  const owner = hashOwner(win);
  const form = part([choice('preset', ['fast', 'd2l96'])]);
  owner.register(form, { first: true });
  win.location.hash = '#preset=fast'; // the user's link; its hashchange is still queued
  owner.write(); // another part writes meanwhile (a network finished loading)
  assert.equal(win.location.hash, '#preset=fast');
  assert.deepEqual(form.held, { preset: 'fast' });
  const reads = form.reads.length;
  win.listeners.forEach((fn) => fn()); // the hashchange arrives: nothing left to read
  assert.equal(form.reads.length, reads);
});
