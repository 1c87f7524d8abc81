// The site's service worker (www/service-worker.js), run in a VM context with an in-memory
// CacheStorage and a fake network: the first install takes over at once, files are kept as they
// pass, an update fills a whole new cache (unchanged files copied by hash, changed ones
// downloaded and checked) and fails whole, activation drops the old cache, and every response
// carries the isolation headers.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../../www/service-worker.js', import.meta.url), 'utf8');
const SCOPE = 'https://teacher.example/resnet/';
const sha = (text) => createHash('sha256').update(text).digest('hex');

class FakeCache {
  constructor() {
    this.entries = new Map();
  }
  async match(key) {
    const hit = this.entries.get(typeof key === 'string' ? key : key.url);
    return hit ? hit.clone() : undefined;
  }
  async put(key, response) {
    this.entries.set(typeof key === 'string' ? key : key.url, new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers }));
  }
  async keys() {
    return [...this.entries.keys()].map((url) => new Request(url));
  }
}

/** One browser: its caches and network survive the workers (deployments) run in it. */
function browser(network) {
  const stores = new Map();
  const fetched = [];
  return {
    stores,
    fetched,
    caches: {
      open: async (name) => (stores.has(name) || stores.set(name, new FakeCache()), stores.get(name)),
      keys: async () => [...stores.keys()],
      delete: async (name) => stores.delete(name),
    },
    fetch: async (input) => {
      const url = typeof input === 'string' ? input : input.url;
      fetched.push(url.slice(SCOPE.length));
      const body = network.get(url.slice(SCOPE.length));
      if (body === undefined) throw new TypeError('Failed to fetch');
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/plain' } });
    },
  };
}

/** A deployment: files {stable path: text} under v/<version>/ (index.html at the root). */
function deployment(version, files, core = Object.keys(files), opening = []) {
  const path = (p) => (p === 'index.html' ? p : `v/${version}/${p}`);
  const site = { version, files: Object.fromEntries(Object.entries(files).map(([p, text]) => [path(p), sha(text)])), core: core.map(path), opening: opening.map(path) };
  const network = new Map(Object.entries(files).map(([p, text]) => [path(p), text]));
  return { site, network };
}

/** Runs the worker script of `site` in `world`; returns its event dispatchers. */
function worker(world, site) {
  const handlers = {};
  const calls = { skipWaiting: 0, claim: 0 };
  const self = {
    registration: { scope: SCOPE },
    location: { origin: new URL(SCOPE).origin },
    addEventListener: (type, fn) => (handlers[type] = fn),
    skipWaiting: async () => void calls.skipWaiting++,
    clients: { claim: async () => void calls.claim++ },
  };
  const context = vm.createContext({ self, SITE: site, caches: world.caches, fetch: world.fetch, crypto, Response, Request, Headers, URL, Map, Set, Promise, JSON, Uint8Array });
  vm.runInContext(SOURCE, context);
  const extendable = (type, extra = {}) => {
    let done = Promise.resolve();
    handlers[type]({ waitUntil: (p) => (done = p), ...extra });
    return done;
  };
  const request = (path, mode = 'no-cors') => {
    let response;
    handlers.fetch({ request: { method: 'GET', url: SCOPE + path, mode }, respondWith: (p) => (response = p) });
    return response;
  };
  const message = (data) => extendable('message', { data, ports: [] });
  return { calls, install: () => extendable('install'), activate: () => extendable('activate'), request, message };
}

const FILES = { 'index.html': '<html>1</html>', 'www/app.js': 'app 1', 'www/data/test.gz': 'test set', 'pkg-threads/m.wasm': 'module', 'www/data/train.gz': 'training set' };

test('a first install takes over at once; files are kept as the page fetches them, with the isolation headers', async () => {
  const { site, network } = deployment('one', FILES, ['index.html', 'www/app.js', 'www/data/test.gz']);
  const world = browser(network);
  const sw = worker(world, site);
  await sw.install();
  assert.equal(sw.calls.skipWaiting, 1);
  await sw.activate();
  assert.equal(sw.calls.claim, 1);

  const page = await sw.request('', 'navigate');
  assert.equal(await page.text(), '<html>1</html>');
  assert.equal(page.headers.get('Cross-Origin-Opener-Policy'), 'same-origin');
  assert.equal(page.headers.get('Cross-Origin-Embedder-Policy'), 'require-corp');
  const wasm = await sw.request('v/one/pkg-threads/m.wasm');
  assert.equal(await wasm.text(), 'module');
  world.fetched.length = 0;
  assert.equal(await (await sw.request('v/one/pkg-threads/m.wasm')).text(), 'module', 'from the cache');
  assert.equal(await (await sw.request('index.html', 'navigate')).text(), '<html>1</html>');
  assert.deepEqual(world.fetched, [], 'nothing from the network');
  const other = await sw.request('elsewhere.txt').catch((e) => e);
  assert.ok(other instanceof TypeError, 'files of no deployment go to the network');
});

test('a first visit asks for the opening files before it reloads: a request meanwhile waits for that download, none is fetched twice', async () => {
  const { site, network } = deployment('one', FILES, ['index.html', 'www/app.js', 'www/data/test.gz'], ['www/data/test.gz']);
  const world = browser(network);
  const sw = worker(world, site);
  await sw.install();
  await sw.activate();
  const kept = sw.message({ type: 'keep-opening' });
  const during = sw.request('v/one/www/data/test.gz'); // the reloaded page's worker, while it downloads
  assert.equal(await (await during).text(), 'test set');
  await kept;
  assert.deepEqual(world.fetched, ['v/one/www/data/test.gz'], 'downloaded once');
  assert.equal(await (await sw.request('v/one/www/data/test.gz')).text(), 'test set', 'then from the cache');
  assert.equal(world.fetched.length, 1);

  // An opening download that fails leaves the page's own request to try the network.
  const broken = deployment('two', { 'www/data/test.gz': 'test set' }, [], ['www/data/test.gz']);
  const offline = browser(new Map());
  const sw2 = worker(offline, broken.site);
  await sw2.install();
  await sw2.activate();
  const failed = sw2.message({ type: 'keep-opening' });
  const request = await sw2.request('v/two/www/data/test.gz').catch((e) => e);
  await failed;
  assert.ok(request instanceof TypeError, 'the request fails as the network does, not on the download before it');
  assert.equal(offline.fetched.length, 2);
});

/** Deployment `one` installed and active, with `paths` fetched through it; then `two` on the host too. */
async function oneThenTwo(paths, twoFiles, twoCore) {
  const one = deployment('one', FILES);
  const world = browser(one.network);
  const old = worker(world, one.site);
  await old.install();
  await old.activate();
  for (const path of paths) await old.request(path, path ? 'no-cors' : 'navigate');
  const two = deployment('two', twoFiles, twoCore);
  for (const [path, text] of two.network) one.network.set(path, text); // the host now serves both
  world.fetched.length = 0;
  return { world, network: one.network, two };
}

test('an update copies unchanged files by hash, downloads the changed ones, and only then takes over', async () => {
  const changed = { ...FILES, 'index.html': '<html>2</html>', 'www/app.js': 'app 2' };
  const { world, two } = await oneThenTwo(['', 'v/one/www/app.js', 'v/one/www/data/test.gz', 'v/one/pkg-threads/m.wasm'], changed, ['index.html', 'www/app.js', 'www/data/test.gz']);
  const next = worker(world, two.site);
  await next.install();
  assert.equal(next.calls.skipWaiting, 0, 'it waits for the page to say "reload"');
  assert.deepEqual(world.fetched.sort(), ['index.html', 'v/two/www/app.js'], 'only what changed');
  const cache = world.stores.get('resnet-explorer-two');
  assert.deepEqual((await cache.keys()).map((r) => r.url.slice(SCOPE.length)).sort(), [
    'index.html', 'sw-manifest-two.json', 'v/two/pkg-threads/m.wasm', 'v/two/www/app.js', 'v/two/www/data/test.gz',
  ], 'the module in use came along; the unused training set did not');
  assert.ok(world.stores.has('resnet-explorer-one'), 'the old version still serves its page');
  await next.activate();
  assert.deepEqual([...world.stores.keys()], ['resnet-explorer-two']);
});

test('an update with a missing or wrong file fails whole: the old version stays', async () => {
  const { world, network, two } = await oneThenTwo([''], { ...FILES, 'index.html': '<html>2</html>' });
  network.set('index.html', '<html>stale</html>'); // a cache in front of the host still has the old page
  await assert.rejects(worker(world, two.site).install(), /index\.html is not this deployment's/);
  network.delete('index.html');
  await assert.rejects(worker(world, two.site).install(), /Failed to fetch/);
  const partial = world.stores.get('resnet-explorer-two');
  assert.equal(await partial.match(SCOPE + 'sw-manifest-two.json'), undefined, 'a cache without its manifest is never taken for complete');
  assert.ok(world.stores.has('resnet-explorer-one'));
});
