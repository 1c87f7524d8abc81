// The CPU path on several threads and on one. Served cross-origin isolated (scripts/serve.mjs's
// default), the worker loads the threaded build pkg-threads/ and trains on a pool of Web
// Workers; served without the isolation headers (as by a host that cannot send them) it falls
// back to the single-threaded build. Both train and both keep the identity check exact.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MINUTE, openPage, requirePkg, requireThreadedPkg, startSite, withPage } from './browser.mjs';

// A short CPU run: 2 batches of 32, evaluated on 64 test images.
const SHORT_RUN = { backend: 'cpu', epochs: '1', batch: '32', lr: '0.05', train: '64', test: '64' };

async function trainOnCpu(isolated, threadsLine) {
  const site = await startSite({ isolated });
  try {
    await withPage(isolated ? 'threads' : 'one-thread', [], async (page, log, errors) => {
      await openPage(page, site.url, SHORT_RUN);
      assert.equal(await page.evaluate(() => self.crossOriginIsolated), isolated);
      await page.click('#start');
      await page.waitForFunction(() => ['finished', 'failed'].includes(window.resnetExplorer.state), null, { timeout: 5 * MINUTE });
      const backend = await page.textContent('#backend');
      log(backend);
      assert.equal(await page.getAttribute('#backend', 'data-backend'), 'cpu');
      assert.match(backend, threadsLine);
      assert.equal(await page.evaluate(() => window.resnetExplorer.state), 'finished', await page.textContent('#status'));
      const lines = await page.textContent('#log');
      assert.match(lines, /loss \d+\.\d+, train acc/, 'an epoch line with a finite loss');
      assert.doesNotMatch(lines, /NaN/);
      // The trained network's zeroed residual branches are still exactly the identity.
      await page.waitForFunction(() => document.querySelectorAll('#identity-checks tbody td.exact-zero').length > 0, null, { timeout: 2 * MINUTE });
      assert.deepEqual(errors, [], 'no console errors');
    });
  } finally {
    await site.close();
  }
}

test('cross-origin isolated: the CPU trains on the threaded build, one thread per core', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  requireThreadedPkg();
  await trainOnCpu(true, /on \d+ threads \(Web Workers\)$/);
});

test('not isolated: the CPU trains on the single-threaded build, and the backend line says why', { timeout: 10 * MINUTE }, async () => {
  requirePkg();
  await trainOnCpu(false, /on one thread, because the server sends no cross-origin isolation headers \(COOP\/COEP\)$/);
});
