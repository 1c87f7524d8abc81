// The networks kept in this browser: the shipped pretrained network is never overwritten; each
// run is its own entry, named and described; Load, Rename, Delete and Restore take effect at
// once in memory and in storage, and a reload opens what the page last had in memory. The walk
// a teacher takes: stop a run, diverge, insert a block and keep training, restore, reload,
// rename, forget. CPU backend, tiny runs.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { MINUTE, openPage, requirePkg, startSite, withPage } from './browser.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const FAST_BLOCKS = 8; // the shipped network: the fast preset, 2 blocks in each of 4 stages
const TINY_BLOCKS = 3;
const BASE = { preset: 'tiny', epochs: '1', batch: '16', lr: '0.1', train: '32', test: '64', backend: 'cpu' };

/** What the page shows about the network in memory and the kept ones. */
const shown = (page) =>
  page.evaluate(() => ({
    source: document.getElementById('weights-source').dataset.source,
    blocks: document.querySelectorAll('#diagram .block-node').length,
    count: Number(document.getElementById('saved-networks').dataset.count),
    current: document.querySelector('#saved-networks li[data-current="true"]')?.dataset.id ?? null,
    names: [...document.querySelectorAll('#saved-networks li:not([data-id="shipped"]) .saved-name')].map((n) => n.textContent),
    message: document.getElementById('weights-message').textContent,
  }));

async function settled(page, predicate, what) {
  await page.waitForFunction(predicate, null, { timeout: 2 * MINUTE }).catch(async (e) => {
    throw new Error(`${what}: ${e.message}; the page shows ${JSON.stringify(await shown(page))}`);
  });
  await page.waitForFunction(() => window.resnetExplorer.demosReady, null, { timeout: 2 * MINUTE });
}

async function runToEnd(page, outcome) {
  await page.waitForFunction((o) => window.resnetExplorer.state === o, outcome, { timeout: 3 * MINUTE });
}

async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => window.resnetExplorer?.demosReady && document.getElementById('weights-source').dataset.source, null, { timeout: 2 * MINUTE });
}

test('the shipped network is never overwritten; each run is kept as its own entry; load, rename, restore and forget act at once', { timeout: 15 * MINUTE }, async () => {
  requirePkg();
  await withPage('networks', [], async (page, log, errors) => {
    await openPage(page, site.url, BASE);
    await settled(page, () => document.getElementById('weights-source').dataset.source === 'shipped', 'the shipped network at first');
    const start = await shown(page);
    assert.deepEqual([start.source, start.blocks, start.count, start.current], ['shipped', FAST_BLOCKS, 0, 'shipped']);

    // Stop: the stopped run is its own entry, in memory; the shipped one stays loadable.
    await page.fill('#train-limit', '6400');
    await page.click('#start');
    await page.waitForFunction(() => window.resnetExplorer.state === 'running' && Number(document.getElementById('train-progress').value) >= 3, null, { timeout: 3 * MINUTE });
    await page.click('#stop');
    await runToEnd(page, 'stopped');
    await settled(page, () => document.getElementById('saved-networks').dataset.count === '1', 'the stopped run kept');
    const stopped = await shown(page);
    log(`after Stop: ${JSON.stringify(stopped)}`);
    assert.equal(stopped.blocks, TINY_BLOCKS);
    assert.notEqual(stopped.current, 'shipped');
    await reload(page);
    assert.equal((await shown(page)).source, 'saved', 'a reload opens the network that was in memory');

    await page.click('#saved-networks li[data-id="shipped"] button.load');
    await settled(page, () => document.getElementById('weights-source').dataset.source === 'shipped', 'the shipped network loaded again');
    assert.equal((await shown(page)).blocks, FAST_BLOCKS);
    await reload(page);
    const loaded = await shown(page);
    assert.equal(loaded.source, 'shipped', 'Load takes effect in storage too');
    assert.equal(loaded.current, 'shipped');
    assert.equal(loaded.count, 1, 'the stopped run is still kept');

    // A diverging run keeps nothing new and leaves the current network as it was.
    await page.fill('#lr', '10');
    await page.fill('#train-limit', '160');
    await page.click('#start');
    await runToEnd(page, 'failed');
    await page.fill('#lr', '0.1');
    await reload(page);
    const afterDivergence = await shown(page);
    assert.equal(afterDivergence.source, 'shipped');
    assert.equal(afterDivergence.count, 1, 'a diverged run adds no entry');

    // Insert a plain block: keep training is refused (it cannot learn); with an identity block
    // instead, keep training makes a new entry; Restore brings back the shipped network in memory
    // and in storage.
    await page.click('#insert-plain');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.insertion === 'plain' && document.getElementById('insertion-result').dataset.state === 'done', null, { timeout: 2 * MINUTE });
    // A downloaded file's header describes the network it holds, inserted block included.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: MINUTE }), page.click('#download-weights')]);
    const header = readFileSync(await download.path()).subarray(0, 4096).toString('latin1');
    assert.match(header, /then 1 inserted block \(plain at stage \d\)/, 'the file names the inserted block');
    await page.fill('#train-limit', '32');
    await page.click('#keep-training');
    await page.waitForFunction(() => /cannot learn with its inserted plain block/.test(document.getElementById('error-message').textContent), null, { timeout: MINUTE });
    await page.click('#restore');
    await settled(page, () => document.querySelectorAll('#diagram .block-node').length === 8, 'the restore after the plain block');
    await page.click('#insert-identity');
    await page.waitForFunction(() => document.getElementById('insertion-result').dataset.insertion === 'identity' && document.getElementById('insertion-result').dataset.state === 'done', null, { timeout: 2 * MINUTE });
    await page.click('#keep-training');
    await runToEnd(page, 'finished');
    await settled(page, () => document.getElementById('saved-networks').dataset.count === '2', 'the kept-training run kept');
    assert.equal((await shown(page)).blocks, FAST_BLOCKS + 1);
    await page.click('#restore');
    await settled(page, () => document.querySelectorAll('#diagram .block-node').length === 8 && document.querySelector('#saved-networks li[data-id="shipped"]').dataset.current === 'true', 'the restore');
    await reload(page);
    const restored = await shown(page);
    log(`after Restore and a reload: ${JSON.stringify(restored)}`);
    assert.equal(restored.source, 'shipped', 'Restore takes effect in storage too');
    assert.equal(restored.blocks, FAST_BLOCKS);
    assert.equal(restored.count, 2);

    // Rename survives a reload; Delete of the entry in memory loads the shipped network at once.
    const first = page.locator('#saved-networks li:not([data-id="shipped"])').first();
    await first.locator('button.rename').click();
    await first.locator('input').fill('  my stopped   ResNet ');
    await first.locator('input').press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('#saved-networks .saved-name')].some((n) => n.textContent === 'my stopped ResNet'));
    await reload(page);
    assert.ok((await shown(page)).names.includes('my stopped ResNet'));
    await page.click('#saved-networks li:not([data-id="shipped"]) button.load');
    await settled(page, () => document.getElementById('weights-source').dataset.source === 'saved', 'the renamed entry loaded');
    assert.match(await page.textContent('#weights-source'), /saved in this browser as \u201cmy stopped ResNet\u201d/);
    await page.click('#saved-networks li[data-current="true"] button.delete');
    await settled(page, () => document.getElementById('weights-source').dataset.source === 'shipped' && document.getElementById('saved-networks').dataset.count === '1', 'the delete');
    await reload(page);
    const final = await shown(page);
    assert.equal(final.source, 'shipped');
    assert.equal(final.count, 1);
    assert.ok(!final.names.includes('my stopped ResNet'), 'Delete takes effect in storage too');
    assert.deepEqual(errors.filter((e) => !/training diverged|cannot learn with its inserted plain block/.test(e)), [], 'no console errors but the divergence and the refusal reported');
  });
});

test("a network kept by the previous version (IndexedDB v1's one entry) becomes an entry of the list, in memory", { timeout: 5 * MINUTE }, async () => {
  requirePkg();
  await withPage('networks-v1', [], async (page, log, errors) => {
    // Same origin, before the page's worker has opened the database: write it as version 1 did
    // (from a plain text page, whose favicon request is answered here rather than with a 404).
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    await page.goto(new URL('README.md', site.url).href);
    await page.evaluate(async () => {
      const bytes = new Uint8Array(await (await fetch('/www/weights/fast.rnxw')).arrayBuffer());
      await new Promise((resolve, reject) => {
        const request = indexedDB.open('resnet-explorer', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('networks');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const tx = request.result.transaction('networks', 'readwrite');
          tx.objectStore('networks').put({ bytes, note: 'kept by version 1', savedAt: '2026-11-30T10:00:00Z' }, 'last');
          tx.oncomplete = () => (request.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      });
    });
    await openPage(page, site.url, BASE);
    await settled(page, () => document.getElementById('weights-source').dataset.source === 'saved', 'the migrated network in memory');
    const s = await shown(page);
    log(JSON.stringify(s));
    assert.equal(s.count, 1);
    assert.deepEqual(s.names, ['Trained network (in memory)']);
    // Said as the file's own header says it (the old entry's note was the list's, not the weights').
    assert.match(await page.textContent('#weights-source'), /^Your network saved in this browser as \u201cTrained network\u201d.*test acc 0\.8717/);
    assert.deepEqual(errors, [], 'no console errors');
  });
});
