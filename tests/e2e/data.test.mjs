// The page opens on the test set: the demos need only its two files, and the 26 MB of training
// files are downloaded when a run first needs them. When a training file cannot be downloaded,
// the demos work all the same, and Start fails with a message naming the file (then tries again).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { MINUTE, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const SHORT_RUN = { backend: 'cpu', epochs: '1', batch: '32', lr: '0.05', train: '64', test: '64' };

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

test('a training file that fails to download: the demos never need it, Start names the file', { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('no-training-images', [], async (page, log, errors) => {
    const requested = [];
    page.context().on('request', (request) => requested.push(new URL(request.url()).pathname));
    await page.context().route('**/www/data/train-images-idx3-ubyte.gz', (route) => route.fulfill({ status: 404, body: 'not found' }));
    await openPage(page, site.url, SHORT_RUN);
    await page.waitForFunction(() => window.resnetExplorer.demosReady && document.getElementById('pred-summary').dataset.state === 'done', null, { timeout: 2 * MINUTE });
    log(await page.textContent('#pred-summary'));
    assert.match(await page.textContent('#pred-summary'), /on 64 test images/);
    assert.deepEqual(requested.filter((p) => p.includes('/www/data/train-')), [], 'no training file before Start');
    assert.deepEqual(errors, [], 'nothing failed before Start');

    await page.click('#start');
    await page.waitForFunction(() => ['finished', 'failed'].includes(window.resnetExplorer.state), null, { timeout: 2 * MINUTE });
    assert.equal(await page.evaluate(() => window.resnetExplorer.state), 'failed');
    const message = await page.textContent('#error-message');
    log(`Start: ${message}`);
    assert.match(message, /Could not download \/www\/data\/train-images-idx3-ubyte\.gz: HTTP 404/);
    // The 404 and the run's failure are the only errors reported.
    assert.ok(errors.every((line) => /train-images-idx3-ubyte\.gz|Failed to load resource: .*404/.test(line)), errors.join('\n'));

    // The file is back: Start downloads it again and trains.
    await page.context().unroute('**/www/data/train-images-idx3-ubyte.gz');
    await page.click('#start');
    await page.waitForFunction(() => ['finished', 'failed'].includes(window.resnetExplorer.state) && window.resnetExplorer.run === 2, null, { timeout: 5 * MINUTE });
    assert.equal(await page.evaluate(() => window.resnetExplorer.state), 'finished', await page.textContent('#status'));
  });
});
