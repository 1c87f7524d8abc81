// The static site's service worker. scripts/build-site.mjs writes it to site/sw.js after one
// line, `const SITE = {version, files, core, opening}`: this deployment's files (paths relative to
// the site, each with its SHA-256), the core, those kept for offline use whatever the page does,
// and the opening, what the demos download at open (the test set, the shipped network): a first
// visit asks for those before it reloads, so they arrive while the page reloads and starts.
// (Workbox's precaching downloads every listed file at install, both 3-4 MB wasm modules and the
// 26 MB training set among them; keeping what is in use, and copying unchanged files by content
// on an update, is the job here, so these rules are written out instead.) Its three jobs:
//
// 1. Cross-origin isolation where the host sends no headers (as coi-serviceworker does): every
//    response it serves carries COOP/COEP, so the page gets SharedArrayBuffer and the threaded
//    CPU module.
// 2. Offline after one visit: one cache per deployment. Each of this deployment's files the page
//    fetches goes into it as it passes (the wasm module in use; the training set when a run first
//    needs it), and the page asks for the rest of the core once its demos are ready.
// 3. Whole updates: a new deployment's worker fills a complete new cache beside the old one (the
//    new version of every file the old one held; unchanged files copied by content hash, changed
//    ones downloaded and checked against their hash), then waits. The page offers "reload"; only
//    then does the new worker take over and drop the old cache. A failed download fails the
//    install, and the old version stays, whole.

const PREFIX = 'resnet-explorer-';
const CACHE = PREFIX + SITE.version;
const SCOPE = self.registration.scope;
const urlOf = (path) => new URL(path, SCOPE).href;
/** Each cache keeps its deployment's SITE under this key, to map an update's files onto it. */
const manifestKey = (version) => urlOf(`sw-manifest-${version}.json`);
/** This deployment's files by URL: their path (relative to the site) and SHA-256. */
const FILES = new Map(Object.entries(SITE.files).map(([path, hash]) => [urlOf(path), { path, hash }]));
/** The same file in every deployment: its path without the `v/<version>/` folder. */
const stable = (path) => path.replace(/^v\/[^/]+\//, '');
const BY_STABLE = new Map(Object.keys(SITE.files).map((path) => [stable(path), path]));

self.addEventListener('install', (event) => event.waitUntil(install()));
self.addEventListener('activate', (event) => event.waitUntil(activate()));
self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
  // The reply tells the page (and the tests) that the core is kept.
  else if (event.data?.type === 'keep-opening') event.waitUntil(keep(SITE.opening).catch(() => {})); // respond() fetches again
  else if (event.data?.type === 'keep-core') event.waitUntil(keep(SITE.core).then(() => event.ports[0]?.postMessage('kept'), (e) => event.ports[0]?.postMessage(`failed: ${e.message}`)));
});
self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(respond(request, url).then(isolated));
});

/** The caches of earlier deployments, each with its SITE. */
async function earlierCaches() {
  const found = [];
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const cache = await caches.open(name);
    const manifest = await cache.match(manifestKey(name.slice(PREFIX.length)));
    if (manifest) found.push({ cache, site: await manifest.json() });
  }
  return found;
}

async function install() {
  const cache = await caches.open(CACHE);
  const earlier = await earlierCaches();
  if (earlier.length === 0) {
    // A first visit: nothing to mix with, so take over at once (the page reloads into isolation).
    await cache.put(manifestKey(SITE.version), new Response(JSON.stringify(SITE)));
    return self.skipWaiting();
  }
  // An update: the new version of every file the old deployment kept, plus the core.
  const wanted = new Set(SITE.core);
  /** @type {Map<string, {cache: Cache, request: Request}>} unchanged content, by hash */
  const kept = new Map();
  for (const { cache: old, site } of earlier) {
    for (const request of await old.keys()) {
      const path = new URL(request.url).href.slice(SCOPE.length);
      const hash = site.files[path];
      if (!hash) continue;
      kept.set(hash, { cache: old, request });
      const now = BY_STABLE.get(stable(path));
      if (now) wanted.add(now);
    }
  }
  await Promise.all(
    [...wanted].map(async (path) => {
      const hash = SITE.files[path];
      const old = kept.get(hash);
      const response = (old && (await old.cache.match(old.request))) || (await download(path, hash));
      await cache.put(urlOf(path), response);
    }),
  );
  // Last: a cache holds its manifest only once it is complete.
  await cache.put(manifestKey(SITE.version), new Response(JSON.stringify(SITE)));
}

async function activate() {
  for (const name of await caches.keys()) if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
  await self.clients.claim();
}

/** One file of this deployment from the network, checked against its hash. */
async function download(path, hash) {
  const response = await fetch(urlOf(path), { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  if (!(await matches(response.clone(), hash))) throw new Error(`${path} is not this deployment's (another deployment is under way?)`);
  return response;
}

/** The downloads `keep` has under way, by URL: a request for one of them waits for it instead of downloading it again. */
const underWay = new Map();

/** Puts every file of `paths` not yet kept into this deployment's cache. */
function keep(paths) {
  return Promise.all(
    paths.map((path) => {
      const url = urlOf(path);
      if (!underWay.has(url)) {
        // Registered at once, so a request that comes right after finds it.
        const kept = caches.open(CACHE).then(async (cache) => {
          if (!(await cache.match(url))) await cache.put(url, await download(path, SITE.files[path]));
        });
        underWay.set(url, kept);
        kept.finally(() => underWay.delete(url)).catch(() => {});
      }
      return underWay.get(url);
    }),
  );
}

/**
 * Navigations to the site get the index.html of this deployment (so a page never mixes with
 * another deployment's files); this deployment's files come from the cache, or from the network
 * into the cache; anything else from the network.
 */
async function respond(request, url) {
  const cache = await caches.open(CACHE);
  const navigation = request.mode === 'navigate' && (url.href.split(/[?#]/)[0] === SCOPE || url.pathname.endsWith('/index.html'));
  const key = navigation ? urlOf('index.html') : url.href.split('#')[0];
  const file = FILES.get(key);
  if (!file) return fetch(request);
  await underWay.get(key)?.catch(() => {});
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(navigation ? key : request);
  // Kept only whole (not a range) and, for index.html, only when it is this deployment's.
  if (response.status === 200 && (!navigation || (await matches(response.clone(), file.hash)))) await cache.put(key, response.clone());
  return response;
}

/** Whether the response's body has this SHA-256 (hex). */
async function matches(response, hash) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await response.arrayBuffer()));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') === hash;
}

/** The response with the headers that isolate the page. */
function isolated(response) {
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  // fetch() has decoded a compressed body already: its encoding and length no longer apply.
  if (headers.has('Content-Encoding')) {
    headers.delete('Content-Encoding');
    headers.delete('Content-Length');
  }
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
