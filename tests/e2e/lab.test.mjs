// End-to-end test of the nested-function-classes lab (www/features/lab/): the degradation race of a
// plain network and its residual twin, each in a worker of its own, on the CPU backend.
//
//   source scripts/env.sh; node --test tests/e2e/lab.test.mjs
//
// The twins are the smallest of the family (depth 8: one block a stage, width 4), trained one
// epoch on 160 images in batches of 16: 10 batches, a report every 2, so 5 reports, 1 test
// accuracy and 1 + 5 probes per twin. Screenshot: tests/e2e/artifacts/lab-race.png (copied to
// docs/lab-race.png by hand: tests never write tracked files).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, hashOf, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const DEPTH = 8;
const LAB = {
  backend: 'cpu',
  'lab-depth': String(DEPTH),
  'lab-width': '4',
  'lab-epochs': '1',
  'lab-batch': '16',
  'lab-train': '160',
  'lab-test': '32',
  'lab-lr': '0.1',
  'lab-zero': '0',
};
const REPORTS = 5; // 160 / 16 = 10 batches, a report every 2
const BLOCKS = 3 * ((DEPTH - 2) / 6); // one block a stage
const REMOVABLE = 1; // b2.0; b3.0 and b4.0 halve the size and double the channels

let site;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site?.close();
});

const snapshot = (page) => page.evaluate(() => window.resnetLab.snapshot());

/** Waits until `done(snapshot)` holds; fails at once when a twin fails. */
async function waitForLab(page, what, done, timeout) {
  const started = Date.now();
  for (;;) {
    const s = await snapshot(page);
    for (const [key, t] of Object.entries(s.twins)) {
      if (t && (t.state === 'failed' || t.error)) assert.fail(`the ${key} twin failed while waiting for ${what}: ${t.error ?? t.state}`);
    }
    if (done(s)) return s;
    if (Date.now() - started > timeout) assert.fail(`timed out after ${timeout / 1000} s waiting for ${what}; last ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The networks kept in this browser (IndexedDB), read through the page's own www/worker/persistence.js. */
const savedNetwork = (page) =>
  page.evaluate(async () => {
    const idb = await import(new URL('www/worker/persistence.js', location.href).href);
    return { entries: await idb.listSaved(), current: await idb.getCurrent() };
  });

test('the degradation race: two twins side by side, gradient flow, lesions (CPU)', { timeout: 4 * MINUTE }, async () => {
  requirePkg();
  const t0 = Date.now();
  await withPage('lab', [], async (page, log, errors) => {
    await openPage(page, site.url, LAB);
    await page.waitForFunction(() => window.resnetLab?.snapshot().ready && !document.getElementById('lab-start').disabled, null, { timeout: MINUTE });

    // The hash drives the lab's controls, and the page keeps both its own keys and the lab's.
    const controls = await page.evaluate(() =>
      Object.fromEntries(['lab-depth', 'lab-width', 'lab-epochs', 'lab-batch', 'lab-train', 'lab-test', 'lab-lr'].map((id) => [id, document.getElementById(id).value])),
    );
    assert.deepEqual(controls, Object.fromEntries(Object.entries(LAB).filter(([k]) => k.startsWith('lab-') && k !== 'lab-zero')));
    assert.equal(await page.isChecked('#lab-zero'), false);
    let hash = await page.evaluate(() => location.hash);
    assert.match(hash, /(^#|&)backend=cpu(&|$)/);
    assert.match(hash, /lab-depth=8/);
    await page.fill('#lab-epochs', '2');
    await page.waitForFunction(() => location.hash.includes('lab-epochs=2'), null, { timeout: 2000 });
    await page.fill('#lab-epochs', '1');
    await page.fill('#epochs', '3'); // the page's own control: its rewrite keeps the lab's keys
    await page.waitForFunction(() => location.hash.includes('epochs=3') && location.hash.includes('lab-epochs=1'), null, { timeout: 2000 });

    // Equal parameter counts, from the layer tables before the race.
    const before = await page.evaluate(() => ({ ...document.getElementById('lab-twins').dataset, text: document.getElementById('lab-twins').textContent }));
    log(before.text);
    assert.ok(Number(before.plainParams) > 0);
    assert.equal(before.plainParams, before.residualParams, 'the twins have the same parameter count');
    const savedBefore = await savedNetwork(page);

    // The race: both curves grow while the page stays responsive.
    await page.click('#lab-start');
    const growing = await waitForLab(page, 'both curves to grow', (s) => s.twins.plain?.lossPoints > 0 && s.twins.residual?.lossPoints > 0, 2 * MINUTE);
    log(`growing: plain ${growing.twins.plain.lossPoints}, residual ${growing.twins.residual.lossPoints} loss points`);
    const ping = Date.now();
    await page.evaluate(() => document.getElementById('lab-status-plain').textContent);
    assert.ok(Date.now() - ping < 2000, 'the page answers while both twins train');

    const done = await waitForLab(page, 'both twins to finish', (s) => s.state === 'done', 2 * MINUTE);
    log(JSON.stringify(done));
    for (const key of ['plain', 'residual']) {
      const t = done.twins[key];
      assert.equal(t.state, 'finished', `${key} finished`);
      assert.equal(t.lossPoints, REPORTS, `${key}: one loss point a report`);
      assert.equal(t.accPoints, REPORTS + 1, `${key}: train accuracy at every report, test accuracy at the epoch end`);
      assert.equal(t.probes, REPORTS + 1, `${key}: a probe before the first batch and at every report`);
      assert.equal(t.gradientPoints, DEPTH - 1, `${key}: ||dL/dW|| of every conv (depth - 1 of them)`);
    }
    assert.equal(done.gradientSeries, 2, 'one latest gradient series per twin');
    // The lesson's gradient step points at this chart and its note: the note's ratios are the
    // chart's own first and last points, for both twins, whichever is larger.
    const note = await page.textContent('#lab-gradient-note');
    log(`gradient note: ${note}`);
    for (const key of ['plain', 'residual']) {
      const [first, last] = done.twins[key].gradientEnds;
      if (first > 0 && last > 0) assert.ok(note.includes(`(ratio ${(first / last).toPrecision(2)})`), `${key}: ${note}`);
    }
    assert.equal(done.magnitudePoints, REPORTS + 1, 'the residual magnitudes at every probe');
    assert.equal(done.twins.plain.params, done.twins.residual.params, 'the networks being trained have the same parameter count');
    assert.equal(String(done.twins.plain.params), before.plainParams, 'Rust counts what the layer table counts');
    assert.match(await page.textContent('#lab-twins'), /parameters each \(counted in the two networks being trained\)/);
    // Both workers idle: Stop disabled, Lesion enabled.
    assert.equal(await page.isDisabled('#lab-stop'), true);
    assert.equal(await page.isEnabled('#lab-lesion'), true);
    assert.deepEqual(done.workers, { plain: true, residual: true });
    assert.deepEqual(await savedNetwork(page), savedBefore, 'the race leaves the networks kept in this browser alone');

    // Lesions in both workers.
    await page.click('#lab-lesion');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('lab-lesions').dataset.state), null, { timeout: MINUTE });
    const lesioned = await snapshot(page);
    log(`lesions: ${await page.textContent('#lab-lesion-note')}`);
    assert.equal(await page.getAttribute('#lab-lesions', 'data-state'), 'done', await page.textContent('#lab-lesion-note'));
    assert.equal(lesioned.lesionBlocks, BLOCKS);
    assert.equal(lesioned.unremovable, BLOCKS - REMOVABLE, 'the stride-2 blocks are marked as not removable');
    assert.equal(lesioned.twins.plain.lesionBars, REMOVABLE);
    assert.equal(lesioned.twins.residual.lesionBars, REMOVABLE);
    await page.locator('#lab').screenshot({ path: path.join(ARTIFACTS, 'lab-race.png') });

    // A second race, stopped midway: both workers stop between batches and stay usable; the
    // first race's curves stay, faded.
    await page.fill('#lab-train', '1600');
    await page.click('#lab-start');
    await waitForLab(page, 'the second race to train', (s) => s.twins.plain?.batch > 2 && s.twins.residual?.batch > 2, 2 * MINUTE);
    await page.click('#lab-stop');
    const stopped = await waitForLab(page, 'both twins to stop', (s) => s.state === 'done', MINUTE);
    assert.equal(stopped.twins.plain.state, 'stopped');
    assert.equal(stopped.twins.residual.state, 'stopped');
    assert.ok(stopped.twins.plain.batch < 100 && stopped.twins.residual.batch < 100, 'stopped before the end of the epoch');
    assert.equal(await page.isEnabled('#lab-lesion'), true);
    assert.equal(stopped.earlierSeries, 2, 'the first race\'s loss curves, faded');
    await page.locator('#lab').screenshot({ path: path.join(ARTIFACTS, 'lab-race-stopped.png') });
    assert.deepEqual(errors, [], 'no console errors');
    log(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});

test('the recorded race: drawn within 5 s of page open, plain and residual at two depths; "Race them live" goes to Start', { timeout: 2 * MINUTE }, async () => {
  requirePkg();
  await withPage('lab-recorded', [], async (page, log, errors) => {
    const opened = Date.now();
    await page.goto(new URL('index.html' + hashOf({ backend: 'cpu' }), site.url).href);
    await page.waitForFunction(() => ['drawn', 'error'].includes(document.getElementById('lab-recorded')?.dataset.state ?? ''), null, { timeout: 5000 });
    const drawnIn = Date.now() - opened;
    const box = await page.evaluate(() => {
      const el = document.getElementById('lab-recorded');
      return { ...el.dataset, caption: document.getElementById('lab-recorded-caption').textContent, canvases: el.querySelectorAll('canvas').length };
    });
    log(`recorded race ${box.state} ${drawnIn} ms after the page was opened: ${box.series} series, ${box.points} points`);
    assert.equal(box.state, 'drawn', box.caption);
    assert.ok(drawnIn <= 5000, `drawn in ${drawnIn} ms`);
    assert.equal(box.series, '4', 'plain and ResNet at two depths');
    assert.ok(Number(box.points) >= 4 * 2, `training loss and test accuracy of every run: ${box.points} points`);
    assert.equal(box.canvases, 2);
    assert.match(box.caption, /Command: resnet-explorer lab degradation --depths \d+,\d+ /);
    assert.match(box.caption, /training and [\d,]+ test images, \d+ epochs, width \d+/);
    await page.locator('#lab-recorded').screenshot({ path: path.join(ARTIFACTS, 'lab-recorded.png') });

    // "Race them live": to the live race's Start, once the wasm is there.
    await page.waitForFunction(() => !document.getElementById('lab-start').disabled, null, { timeout: MINUTE });
    await page.click('#lab-race-live');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lab-start');
    assert.deepEqual(errors, [], 'no console errors');
  });
});
