// @ts-check
// The URL hash's one owner. Each feature registers its part of the link (its keys' schema, how
// it takes them from a link, what it holds now); only this module reads `location.hash`, hears
// `hashchange` and writes the hash, with every part's keys in one order and the keys of parts
// not registered yet (the form's, until the models are known) kept as they are. The window is
// given (the page's own, or a test's), so nothing here touches the DOM.

import { hashOf } from './settings.js';

/**
 * @typedef {import('./settings.js').Setting} Setting
 * @typedef {import('./settings.js').Values} Values
 * @typedef {{
 *   schema: () => Setting[],
 *   read: (hash: string) => void,
 *   values: () => Values,
 * }} HashPart  `read`: take the part's keys from a link (at registration, and when the user
 *   changes the hash and the part's keys differ from what it holds); `values`: what it holds now
 * @typedef {{register(part: HashPart, options?: {first?: boolean}): void, write(): void, readonly hash: string}} HashOwner
 *   `first`: the part's keys lead the link (the form's settings, however late they register)
 * @typedef {{location: {hash: string, pathname: string, search: string},
 *   history: {replaceState(data: any, unused: string, url: string): void},
 *   addEventListener(type: 'hashchange', fn: () => void): void}} HashWindow
 */

/** The part's own keys in `hash`, as text (so two hashes compare on those keys alone). @param {string} hash @param {Setting[]} schema */
function ownKeys(hash, schema) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return schema.map((s) => `${s.key}=${params.get(s.key) ?? ''}`).join('&');
}

/** @param {HashWindow} win  the page's window @returns {HashOwner} */
export function hashOwner(win) {
  /** @type {HashPart[]} */
  const parts = [];
  const schema = () => parts.flatMap((p) => p.schema());
  /** Whether `part`'s keys in `hash` are what it holds (nothing to read). @param {HashPart} part @param {string} hash */
  const holds = (part, hash) => ownKeys(hash, part.schema()) === ownKeys(hashOf(part.values(), part.schema()), part.schema());

  // The hash as this module last read or wrote it: a different one is the user's, not read yet.
  let seen = win.location.hash;
  function readChanged() {
    const hash = (seen = win.location.hash);
    for (const part of parts) if (!holds(part, hash)) part.read(hash);
  }

  function write() {
    // A link the user just changed whose hashchange has not come yet is read first, so a write
    // between the two (a network that finished loading, say) never puts the old values back.
    if (win.location.hash !== seen) readChanged();
    const values = Object.assign({}, ...parts.map((p) => p.values()));
    const hash = hashOf(values, schema(), win.location.hash);
    const { location } = win;
    if (hash === location.hash || (hash === '#' && !location.hash)) return;
    // An empty hash leaves no bare '#' behind in the address bar.
    win.history.replaceState(null, '', hash === '#' ? location.pathname + location.search : hash);
    seen = location.hash;
  }

  win.addEventListener('hashchange', () => {
    if (win.location.hash !== seen) readChanged();
  });

  return {
    register(part, { first = false } = {}) {
      if (first) parts.unshift(part);
      else parts.push(part);
      part.read(win.location.hash);
    },
    write,
    get hash() {
      return win.location.hash;
    },
  };
}
