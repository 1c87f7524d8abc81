// The page's weight on the wire and its time to work on a slow link, from a cold cache (run by
// hand, not by the tests; bench/RESULTS.md "Page weight of the static site"):
//
//   node bench/site-weight.mjs [--root DIR] [--runs N] [--label TEXT] [--repo] [--json FILE]
//
// Serves DIR (default site/, from `node scripts/build-site.mjs`) under /resnet/ with
// bench/static-host.mjs (no COOP/COEP, precompressed .br/.gz or gzip on the fly, as a good static
// host); `--repo` serves a checkout's root instead (the page before the static site: no service
// worker, so no offline figure). Each run: a fresh headless Chromium (empty profile: cold cache,
// no service worker), every target throttled through CDP to 20 Mbit/s down and up, 40 ms latency,
// opens
//   /resnet/index.html#backend=cpu&epochs=1&batch=64&train=256&test=10000
// and measures, from the first navigation (a first visit to the site reloads once under its
// service worker):
//   demos ready   resnetExplorer.demosReady and the predictions summary done: seconds, requests
//                 and bytes on the wire by then: the body bytes the server had written, beside
//                 what Chromium had received (CDP dataReceived) and the whole bodies requested
//                 (a request still in flight counts whole there);
//   first batch   Start pressed at once, then the page's batch counter (#train-progress) at 1;
//   offline       (the site only) the run stopped, the offline copy kept (#site-offline), the
//                 page settled (it evaluates the stopped run's network and keeps its predictions),
//                 the server closed, then a reload: seconds until the demos are ready again; and
//                 after a second reload.
// The instants are taken in the page (epoch ms), by a poll and a MutationObserver its code does
// not know about.
//
// Throttling: the page's CDP session emulates the network, and auto-attaches (non-flattened, so
// one playwright CDPSession reaches every child) to its workers and service worker, each paused
// until it is throttled. Chromium answers "Not supported" for a dedicated worker: its requests go
// under its page's conditions, on the page's link (checked: a worker's 5 MB fetch takes 2 s alone,
// 4 s beside the page's own 5 MB fetch). The service worker needs its own, else its fetches (all
// of the page's once it controls it) are not throttled (checked: 0.1 s for 5 MB); it is then a
// second 20 Mbit/s link, used almost alone after the first visit's reload. Each run prints the
// rate of every response over 1 MB as a check.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EventEmitter } from 'node:events';
import { chromium } from 'playwright-core';

import { startStaticHost } from './static-host.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    root: { type: 'string' },
    runs: { type: 'string', default: '1' },
    label: { type: 'string' },
    repo: { type: 'boolean', default: false },
    json: { type: 'string' }, // also write each run's requests (server and CDP) to FILE-<run>.json
  },
});
const root = path.resolve(opt.root ?? (opt.repo ? ROOT : path.join(ROOT, 'site')));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const THROTTLE = { offline: false, latency: 40, downloadThroughput: 2_500_000, uploadThroughput: 2_500_000 };
const SETTINGS = 'backend=cpu&epochs=1&batch=64&train=256&test=10000';
const MB = (bytes) => (bytes / 1e6).toFixed(2);
const sec = (ms) => (ms / 1000).toFixed(1);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** In every document of the page: when the demos are ready and when the first batch is done. */
function marks() {
  const w = (window.__weight = { demos: null, batch: null, kept: null });
  // The key of the predictions the worker keeps in IndexedDB (www/worker/persistence.js), or null.
  window.keptPredictionsKey = () =>
    new Promise((resolve) => {
      const open = indexedDB.open('resnet-explorer');
      open.onerror = () => resolve(null);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('meta')) return resolve(null);
        const get = db.transaction('meta').objectStore('meta').get('predictions');
        get.onsuccess = () => resolve(get.result?.key ?? null);
        get.onerror = () => resolve(null);
      };
    });
  const now = () => performance.timeOrigin + performance.now();
  const poll = setInterval(() => {
    const x = window.resnetExplorer;
    if (x?.demosReady && document.getElementById('pred-summary')?.dataset.state === 'done') {
      w.demos = now();
      clearInterval(poll);
    }
  }, 10);
  addEventListener('DOMContentLoaded', () => {
    const bar = document.getElementById('train-progress');
    new MutationObserver(() => {
      if (!w.batch && Number(bar.value) >= 1) w.batch = now();
    }).observe(bar, { attributes: true, attributeFilter: ['value'] });
    const offline = document.getElementById('site-offline'); // the site's footer: the offline copy
    if (offline) {
      new MutationObserver(() => {
        if (!w.kept && offline.dataset.state && offline.dataset.state !== 'keeping') w.kept = [now(), offline.dataset.state];
      }).observe(offline, { attributes: true, attributeFilter: ['data-state'] });
    }
  });
}

/** A target attached to `parent` in non-flattened mode: commands and events go through the parent. */
class Child extends EventEmitter {
  constructor(parent, sessionId) {
    super();
    Object.assign(this, { parent, sessionId, lastId: 0, pending: new Map() });
  }
  send(method, params = {}) {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.parent.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }
  receive(message) {
    const call = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!call) this.emit(message.method, message.params);
    else if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  }
}

/**
 * Throttles `session` and, recursively, each target it starts (paused until then); collects the
 * network events of all into `net` (requests by id) and what each target said to the throttle.
 */
async function instrument(session, kind, net, child = false) {
  const children = new Map();
  session.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => children.get(sessionId)?.receive(JSON.parse(message)));
  session.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    const target = new Child(session, sessionId);
    children.set(sessionId, target);
    instrument(target, targetInfo.type, net, true).catch((e) => console.error(`instrument ${targetInfo.type}: ${e.message}`));
  });
  session.on('Target.detachedFromTarget', ({ sessionId }) => children.delete(sessionId));
  const request = (id) => net.requests.get(id) ?? net.requests.set(id, { id, kind }).get(id);
  session.on('Network.requestWillBeSent', (e) => Object.assign(request(e.requestId), { url: e.request.url, wallTime: e.wallTime * 1000, sent: e.timestamp }));
  session.on('Network.responseReceived', (e) => Object.assign(request(e.requestId), { status: e.response.status, fromSW: e.response.fromServiceWorker, fromCache: e.response.fromDiskCache || e.response.fromPrefetchCache }));
  session.on('Network.dataReceived', (e) => net.chunks.push([Date.now(), e.requestId, e.encodedDataLength]));
  session.on('Network.loadingFinished', (e) => Object.assign(request(e.requestId), { encoded: e.encodedDataLength, done: e.timestamp, doneWall: Date.now() }));
  const answer = (p) => p.then(() => 'ok', (e) => e.message);
  const said = {
    network: await answer(session.send('Network.enable')),
    throttle: await answer(session.send('Network.emulateNetworkConditions', THROTTLE)),
  };
  await answer(session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false }));
  if (child) await answer(session.send('Runtime.runIfWaitingForDebugger'));
  net.targets.push(`${kind}: throttle ${said.throttle}, network ${said.network}`);
}

/** Polls `fn` in the page (across navigations) until it returns a truthy value. */
async function until(page, fn, arg, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate(fn, arg).catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * What was on the wire by `at` (epoch ms): the requests the server had received, the body bytes it
 * had written (sampled every 20 ms), the whole bodies of those requests (some may still be in
 * flight), and the bytes Chromium had received from the network (CDP dataReceived, not counting
 * what the service worker or the HTTP cache served).
 */
function upTo(at, host, net) {
  const served = host.stats.filter((s) => s.start <= at);
  const written = net.written.findLast(([t]) => t <= at)?.[1] ?? 0;
  const network = (id) => {
    const r = net.requests.get(id);
    return r && !r.fromSW && !r.fromCache;
  };
  const received = net.chunks.filter(([t, id]) => t <= at && network(id)).reduce((n, [, , bytes]) => n + bytes, 0);
  return { requests: served.length, bytes: written, requested: served.reduce((n, s) => n + s.bytes, 0), cdpBytes: received };
}

async function measure(run) {
  const host = await startStaticHost({ root, prefix: '/resnet/' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  const net = { requests: new Map(), chunks: [], written: [], targets: [] };
  const sampler = setInterval(() => net.written.push([Date.now(), host.stats.reduce((n, s) => n + s.bytes, 0)]), 20);
  const result = { run };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(marks);
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error(`[run ${run}] page error: ${e.message}`));
    await instrument(await context.newCDPSession(page), 'page', net);

    const t0 = Date.now();
    await page.goto(`${host.url}index.html#${SETTINGS}`, { waitUntil: 'commit' });
    const demos = await until(page, () => window.__weight?.demos, null, 5 * 60_000, 'the demos');
    result.backend = (await page.textContent('#backend')).trim();
    result.reloads = await page.evaluate(() => performance.getEntriesByType('navigation')[0].type);

    const shippedKey = await page.evaluate(() => keptPredictionsKey());
    const click = Date.now();
    await page.click('#start');
    const batch = await until(page, () => window.__weight?.batch, null, 5 * 60_000, 'the first batch');
    Object.assign(result, { demos: { s: (demos - t0) / 1000, ...upTo(demos, host, net) }, batch: { s: (batch - t0) / 1000, afterClick: (batch - click) / 1000, ...upTo(batch, host, net) } });
    const stopAt = Date.now();
    await page.click('#stop').catch(() => {});
    await until(page, () => !['loading', 'running', 'paused'].includes(window.resnetExplorer.state), null, 5 * 60_000, 'the run to end');
    // The run's network is evaluated (at its end, or by the page after Stop) and its predictions
    // kept in IndexedDB (worker/persistence.js): a reload before that computes them again, so the
    // offline reloads wait until the kept predictions are no longer the shipped network's.
    await until(page, async (before) => (await keptPredictionsKey()) !== before && window.resnetExplorer.demosReady, shippedKey, 5 * 60_000, 'the predictions of the trained network');
    result.settledAfterStop = (Date.now() - stopAt) / 1000;

    if (!opt.repo) {
      const kept = await until(page, () => window.__weight?.kept, null, 5 * 60_000, 'the offline copy').catch((e) => [Date.now(), e.message]);
      result.kept = kept[1];
      result.keptAfterDemos = (kept[0] - demos) / 1000;
    }
    result.total = upTo(Date.now(), host, net);
    result.largest = [...host.stats].sort((a, b) => b.bytes - a.bytes).slice(0, 10);
    const seen = new Map();
    for (const s of host.stats) seen.set(s.path, [...(seen.get(s.path) ?? []), `${s.status} ${MB(s.bytes)} MB`]);
    result.twice = [...seen].filter(([, times]) => times.length > 1);
    result.throttleCheck = [...net.requests.values()]
      .filter((r) => !r.fromSW && !r.fromCache && r.encoded > 1e6 && r.done)
      .map((r) => ({ kind: r.kind, url: r.url, MB: r.encoded / 1e6, s: r.done - r.sent, rate: r.encoded / 1e6 / (r.done - r.sent) }));

    if (!opt.repo) {
      await host.close();
      const t1 = Date.now();
      await page.reload({ waitUntil: 'commit' }).catch(() => {});
      const again = await until(page, () => window.__weight?.demos, null, 3 * 60_000, 'the demos offline').catch(() => null);
      result.offline = again ? (again - t1) / 1000 : null;
      result.offlineKept = await page.evaluate(() => document.getElementById('pred-summary')?.dataset.kept).catch(() => null);
      result.offlineBackend = (await page.textContent('#backend').catch(() => '')).trim();
      // Once more: the predictions computed on that reload are kept, and not computed again.
      const t2 = Date.now();
      await page.reload({ waitUntil: 'commit' }).catch(() => {});
      const third = await until(page, () => window.__weight?.demos, null, 3 * 60_000, 'the demos offline, again').catch(() => null);
      result.offlineAgain = third ? (third - t2) / 1000 : null;
      result.offlineAgainKept = await page.evaluate(() => document.getElementById('pred-summary')?.dataset.kept).catch(() => null);
      Object.assign(result, { t1, again });
    }
    if (opt.json) writeFileSync(opt.json.replace(/(\.json)?$/, `-${run}.json`), JSON.stringify({ ...result, t0, demosAt: demos, batchAt: batch, stats: host.stats, cdp: [...net.requests.values()] }, null, 1));
  } finally {
    clearInterval(sampler);
    await browser.close();
    await host.close();
  }
  result.targets = [...new Set(net.targets)];
  return result;
}

function report(r) {
  console.log(`\n[run ${r.run}] backend: ${r.backend}${r.reloads === 'reload' ? ' (after the first visit\'s reload)' : ''}`);
  const wire = (w) => `${w.requests} requests, ${MB(w.bytes)} MB written by the server (CDP received ${MB(w.cdpBytes)} MB; ${MB(w.requested)} MB requested by then)`;
  console.log(`  demos ready:  ${sec(r.demos.s * 1000)} s, ${wire(r.demos)}`);
  console.log(`  first batch:  ${sec(r.batch.s * 1000)} s (${sec(r.batch.afterClick * 1000)} s after Start), ${wire(r.batch)}`);
  console.log(`  whole visit:  ${wire(r.total)}${r.kept ? `; offline copy: ${r.kept} (${sec(r.keptAfterDemos * 1000)} s after the demos)` : ''}`);
  console.log(opt.repo ? '  offline:      not measured (this page has no service worker)' : `  offline:      demos ready ${r.offline === null ? 'NEVER (3 min)' : sec(r.offline * 1000) + ' s'} after the reload; backend: ${r.offlineBackend}; predictions kept: ${r.offlineKept}; reloaded again: ${r.offlineAgain === null ? 'NEVER (3 min)' : sec(r.offlineAgain * 1000) + ' s'} (predictions kept: ${r.offlineAgainKept})`);
  console.log(`  targets:      ${r.targets.join('; ')}`);
  console.log(`  asked twice:  ${r.twice.map(([p, times]) => `${p} (${times.join(', ')})`).join('; ') || 'nothing'}`);
  console.log('  largest responses (server):');
  for (const s of r.largest) console.log(`    ${MB(s.bytes).padStart(7)} MB  ${String(s.status).padEnd(3)} ${(s.encoding ?? 'raw').padEnd(4)} ${sec(s.ms ?? 0).padStart(5)} s  ${s.path}`);
  const fast = r.throttleCheck.filter((t) => t.rate > 2.7);
  console.log(`  throttle check (responses > 1 MB, CDP times): ${r.throttleCheck.map((t) => `${t.kind} ${path.posix.basename(new URL(t.url).pathname)} ${t.MB.toFixed(1)} MB in ${t.s.toFixed(1)} s`).join('; ')}${fast.length ? `  FASTER THAN THE THROTTLE: ${fast.map((t) => t.url).join(', ')}` : '  (none above 2.7 MB/s)'}`);
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};

console.log(`site-weight${opt.label ? ` [${opt.label}]` : ''}: ${opt.repo ? 'repository' : 'site'} ${root}, ${opt.runs} run(s), ${CHROMIUM}, 20 Mbit/s, 40 ms`);
// The host gzips what has no precompressed copy once per process (the 37 MB module: a second or
// two); a real host keeps that in its cache, so do it before the first measured run.
if (opt.repo) {
  const host = await startStaticHost({ root, prefix: '/resnet/' });
  for (const file of ['pkg/resnet_explorer_bg.wasm', 'pkg-threads/resnet_explorer_bg.wasm']) await fetch(host.url + file, { headers: { 'Accept-Encoding': 'gzip' } }).then((r) => r.arrayBuffer()).catch(() => {});
  await host.close();
}
const results = [];
for (let run = 1; run <= Number(opt.runs); run++) {
  const r = await measure(run);
  report(r);
  results.push(r);
}
const m = (f) => median(results.map(f));
console.log(`\n${opt.label ?? (opt.repo ? 'repository' : 'site')}: median of ${results.length} run(s)`);
console.log('| requests to demos | MB to demos | s to demos | MB to first batch | s to first batch (after Start) | offline reload: s to demos |');
console.log('|---|---|---|---|---|---|');
console.log(`| ${m((r) => r.demos.requests)} | ${MB(m((r) => r.demos.bytes))} | ${sec(m((r) => r.demos.s) * 1000)} | ${MB(m((r) => r.batch.bytes))} | ${sec(m((r) => r.batch.s) * 1000)} (${sec(m((r) => r.batch.afterClick) * 1000)}) | ${opt.repo ? 'n/a (no service worker)' : m((r) => r.offline) === null ? 'never' : sec(m((r) => r.offline) * 1000)} |`);
console.log(`backend: ${results[0].backend}`);
