// The static site (scripts/build-site.mjs) as a teacher hosts it: python3's http.server, no
// special headers, no compression, under the subpath /resnet/ (tests/e2e/plain-host.mjs). One
// visit in headless Chromium: the first open reloads once under the service worker and is then
// cross-origin isolated (threaded CPU), the training set is fetched only at Start, the page is
// kept for offline use; with the server gone a reload opens, runs the demos and trains; a rebuilt
// site is offered as "a new version" and, after Reload, served whole (unchanged files copied in
// the browser, not downloaded again).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { MINUTE, hashOf, withPage } from './browser.mjs';
import { buildInto, siteFolder, startPlainHost } from './plain-host.mjs';

const SHORT_RUN = { backend: 'cpu', epochs: '1', batch: '32', lr: '0.05', train: '128', test: '64' };
const TRAINING_SET = /\/www\/data\/train-/;

let folder;
before(() => {
  folder = siteFolder();
});
after(() => folder?.remove());

/** Waits for the demos: the predictions on the test images are done and the identity check exact. */
async function demosDone(page) {
  await page.waitForFunction(() => window.resnetExplorer?.demosReady && document.getElementById('pred-summary').dataset.state === 'done', null, { timeout: 3 * MINUTE });
  await page.waitForFunction(() => document.querySelectorAll('#identity-checks tbody td.exact-zero').length > 0, null, { timeout: 2 * MINUTE });
}

/** Starts a run and waits for it to finish. */
async function train(page, run) {
  await page.click('#start');
  await page.waitForFunction((n) => window.resnetExplorer.run === n && ['finished', 'failed'].includes(window.resnetExplorer.state), run, { timeout: 5 * MINUTE });
  assert.equal(await page.evaluate(() => window.resnetExplorer.state), 'finished', await page.textContent('#status'));
  assert.doesNotMatch(await page.textContent('#log'), /NaN/);
}

test('the static site under a subpath: isolated by its service worker, offline after one visit, updated whole', { timeout: 20 * MINUTE }, async () => {
  const first = await buildInto(folder.site, 'first build');
  let host = await startPlainHost(folder.dir);
  try {
    await withPage('site', [], async (page, log, errors) => {
      const started = Date.now();
      const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
      // The first visit reloads itself once: wait for the demos, not for this navigation's load.
      await page.goto(host.url + hashOf(SHORT_RUN), { waitUntil: 'commit' });
      await demosDone(page);
      log(`demos ready ${since()}; backend: ${await page.textContent('#backend')}`);
      // One reload, then isolated under the service worker: the threaded module, on every core.
      assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation')[0].type), 'reload');
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
      assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true);
      assert.match(await page.textContent('#backend'), /on \d+ threads \(Web Workers\)$/);
      assert.ok(host.requests.some((r) => /pkg-threads\/resnet_explorer_bg\.wasm$/.test(r)), 'the threaded module');
      assert.ok(!host.requests.some((r) => /\/pkg\/resnet_explorer_bg\.wasm$/.test(r)), 'not the 37 MB WebGPU module');
      assert.deepEqual(host.requests.filter((r) => TRAINING_SET.test(r)), [], 'no training file before Start');
      // The demos' data, asked for by the first document before its reload, each downloaded once.
      for (const file of ['www/data/t10k-images-idx3-ubyte.gz', 'www/data/t10k-labels-idx1-ubyte.gz', 'www/weights/fast.rnxw']) {
        assert.equal(host.requests.filter((r) => r.endsWith(`/v/${first}/${file}`)).length, 1, `${file}: downloaded once`);
      }
      assert.match(await page.textContent('#site-version'), new RegExp(`Version ${first} · first build`));
      await page.waitForFunction(() => document.getElementById('site-offline').dataset.state === 'kept', null, { timeout: 2 * MINUTE });

      await train(page, 1);
      assert.equal(host.requests.filter((r) => TRAINING_SET.test(r)).length, 2, 'the training set, once, at Start');
      log(`trained ${since()}`);

      // The network is gone: the page reloads from the cache, runs the demos and trains.
      const port = host.port;
      await host.stop();
      await page.reload();
      await demosDone(page);
      log(`offline: demos ready ${since()}`);
      // The kept network's predictions, computed on that reload, are not computed on the next.
      const summary = () => page.evaluate(() => ({ ...document.getElementById('pred-summary').dataset, text: document.getElementById('pred-summary').textContent }));
      const computed = await summary();
      assert.equal(computed.kept, 'false', computed.text);
      await page.reload();
      await demosDone(page);
      const reused = await summary();
      log(`offline again: ${reused.text}`);
      assert.equal(reused.kept, 'true', reused.text);
      assert.equal(reused.accuracy, computed.accuracy, 'the same predictions');
      assert.match(reused.text, /computed on an earlier visit, kept in this browser/);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
      await train(page, 1);
      log(`offline: trained ${since()}`);

      // A new deployment (one changed file): offered, installed beside the old one, then served whole.
      const second = await buildInto(folder.site, 'second build');
      assert.notEqual(second, first);
      host = await startPlainHost(folder.dir, port);
      await page.reload();
      await demosDone(page);
      await page.waitForFunction(() => !document.getElementById('update-banner').hidden, null, { timeout: 2 * MINUTE });
      assert.match(await page.textContent('#site-version'), /first build/, 'the old version runs until Reload');
      const downloaded = host.requests.filter((r) => r.includes(`/v/${second}/`));
      log(`the update downloaded: ${JSON.stringify(downloaded)}`);
      assert.deepEqual(downloaded, [], 'unchanged files are copied by content, not downloaded again');
      await Promise.all([page.waitForEvent('load'), page.click('#update-reload')]);
      await demosDone(page);
      assert.match(await page.textContent('#site-version'), new RegExp(`Version ${second} · second build`));
      assert.equal(await page.evaluate(() => caches.keys().then((keys) => keys.join())), `resnet-explorer-${second}`, 'the old cache is gone');
      await train(page, 1);
      log(`new version trained ${since()}`);
      assert.deepEqual(errors, [], 'no console errors');
    });
  } finally {
    await host.stop();
  }
});
