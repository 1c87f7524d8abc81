// The guided lesson: every step reachable by keyboard (arrow keys, and Tab to its buttons) and by
// a shared link (#lesson=<step>); each step points at its live view, and its actions make that
// view show what the step says (exactly 0 for the zeroed branch, 0 changed predictions for an
// inserted identity block). Screenshots of every step go to tests/e2e/artifacts/lesson/.

import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, hashOf, requirePkg, startSite, withPage } from './browser.mjs';

const STEPS = ['classes', 'block', 'identity', 'nested', 'race', 'gradients', 'summary'];
// The README's screenshots in docs/lesson/ are copies of these.
const DOCS = path.join(ARTIFACTS, 'lesson');
// The demos on the CPU backend with few test images: the lesson's numbers come quickly.
const SETUP = { preset: 'fast', test: '200', backend: 'cpu' };

let site;
before(async () => {
  site = await startSite();
  await mkdir(DOCS, { recursive: true });
});
after(async () => {
  await site?.close();
});

const stepShown = (page) => page.evaluate(() => (document.getElementById('lesson').hidden ? null : document.getElementById('lesson').dataset.step));
const waitStep = (page, id) => page.waitForFunction((id) => !document.getElementById('lesson').hidden && document.getElementById('lesson').dataset.step === id, id, { timeout: 10_000 });
const pressAction = (page, run) => page.click(`#lesson-actions [data-run="${run}"]`);

/** In the page: the area of `el` (as far as its scrolling ancestors show it), in px², that the lesson panel hides. */
const COVERS = () => {
  window.lessonCovers = (el) => {
    const r = el.getBoundingClientRect();
    const t = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      const c = a.getBoundingClientRect();
      if (style.overflowX !== 'visible') [t.left, t.right] = [Math.max(t.left, c.left), Math.min(t.right, c.right)];
      if (style.overflowY !== 'visible') [t.top, t.bottom] = [Math.max(t.top, c.top), Math.min(t.bottom, c.bottom)];
    }
    const p = document.getElementById('lesson').getBoundingClientRect();
    const w = Math.max(0, Math.min(t.right, p.right) - Math.max(t.left, p.left));
    const h = Math.max(0, Math.min(t.bottom, innerHeight, p.bottom) - Math.max(t.top, p.top));
    return w * h;
  };
};

/** The panel's buttons (Back, the step's actions, Next, Leave) all inside the window. */
const buttonsInView = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('#lesson button')]
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return !(r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight && r.width > 0);
      })
      .map((b) => b.textContent),
  );

test('the lesson by keyboard: every step, its view, its actions', { timeout: 6 * MINUTE }, async () => {
  requirePkg();
  await withPage('lesson-keys', [], async (page, log, errors) => {
    await page.addInitScript(COVERS);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(new URL('index.html' + hashOf(SETUP), site.url).href);
    await page.waitForFunction(() => window.resnetExplorer?.demosReady, null, { timeout: 2 * MINUTE });
    // Open it from the keyboard: Tab to the button, Enter.
    await page.focus('#lesson-open');
    await page.keyboard.press('Enter');
    await waitStep(page, 'classes');
    assert.match(await page.evaluate(() => location.hash), /lesson=classes/);
    assert.equal(await page.getAttribute('#lesson-figure', 'data-nested'), 'true');
    await pressAction(page, 'toggleFigure');
    assert.equal(await page.getAttribute('#lesson-figure', 'data-nested'), 'false');
    await page.screenshot({ path: path.join(DOCS, '1-classes.png') });

    for (const [i, id] of STEPS.entries()) {
      if (i > 0) {
        await page.locator('body').focus();
        await page.keyboard.press('ArrowRight');
        await waitStep(page, id);
      }
      assert.match(await page.evaluate(() => location.hash), new RegExp(`lesson=${id}`));
      const target = await page.evaluate(() => document.querySelector('.lesson-target')?.id ?? null);
      assert.ok(target, `step ${id} points at a view`);
      // The view it points at comes into sight below the navigation bar, and the panel covers none of it.
      await page.waitForFunction(() => {
        const target = document.querySelector('.lesson-target');
        if (target.closest('#lesson')) return true; // the lesson's own figure
        const t = target.getBoundingClientRect();
        const nav = document.getElementById('section-nav').getBoundingClientRect().bottom;
        return t.top >= nav - 1 && t.top < innerHeight - 40 && window.lessonCovers(target) === 0;
      }, null, { timeout: 10_000 });
      log(`step ${id}: points at #${target}`);
      if (id === 'block') {
        await pressAction(page, 'selectIdentityBlock');
        await page.waitForFunction(() => /identity shortcut/.test(document.getElementById('identity-block-kind').textContent));
      }
      if (id === 'identity') {
        await pressAction(page, 'zeroBranch');
        await page.waitForFunction(() => document.getElementById('identity-result').dataset.state === 'done' && document.getElementById('identity-result').dataset.mode === 'branch', null, { timeout: MINUTE });
        assert.equal(await page.getAttribute('#identity-diff', 'data-value'), '0', 'the zeroed branch: exactly the identity');
        await pressAction(page, 'zeroConv2');
        await page.waitForFunction(() => document.getElementById('identity-result').dataset.state === 'done' && document.getElementById('identity-result').dataset.mode === 'conv2', null, { timeout: MINUTE });
        assert.notEqual(await page.getAttribute('#identity-diff', 'data-value'), '0', 'conv2 alone is not the identity');
        await pressAction(page, 'zeroBranch');
        await page.waitForFunction(() => document.getElementById('identity-result').dataset.mode === 'branch' && document.getElementById('identity-result').dataset.state === 'done', null, { timeout: MINUTE });
        // Presenter mode mid-step: the taller navigation bar does not hide the exact 0.
        for (const on of ['true', 'false']) {
          await page.click('#presenter-toggle');
          await page.waitForFunction((on) => document.getElementById('presenter-toggle').getAttribute('aria-pressed') === on, on);
          await page.waitForFunction(() => {
            const diff = document.getElementById('identity-diff').getBoundingClientRect();
            return diff.top >= document.getElementById('section-nav').getBoundingClientRect().bottom - 1 && diff.bottom <= innerHeight && window.lessonCovers(document.getElementById('identity-diff')) === 0;
          }, null, { timeout: 10_000 });
        }
      }
      if (id === 'race') {
        await page.waitForFunction(() => document.getElementById('lab-recorded').dataset.state === 'drawn', null, { timeout: MINUTE });
        assert.equal(await page.getAttribute('#lab-recorded', 'data-series'), '4', 'plain and ResNet at two depths');
      }
      if (id === 'nested') {
        await pressAction(page, 'insertIdentity');
        await page.waitForFunction(() => document.getElementById('insertion-result').dataset.state === 'done', null, { timeout: MINUTE });
        assert.equal(await page.getAttribute('#changed', 'data-value'), '0', 'an inserted identity block changes no prediction');
      }
      await page.screenshot({ path: path.join(DOCS, `${i + 1}-${id}.png`) });
    }
    // The last step stays the last; back with ArrowLeft; Escape leaves and clears the hash.
    await page.keyboard.press('ArrowRight');
    assert.equal(await stepShown(page), 'summary');
    await page.keyboard.press('ArrowLeft');
    await waitStep(page, 'gradients');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.getElementById('lesson').hidden);
    assert.doesNotMatch(await page.evaluate(() => location.hash), /lesson=/);
    assert.equal(await page.evaluate(() => document.querySelector('.lesson-target')), null, 'no view is pointed at outside the lesson');
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('a shared link opens its step; a bad one is reported', { timeout: 3 * MINUTE }, async () => {
  requirePkg();
  await withPage('lesson-links', [], async (page, log, errors) => {
    for (const id of STEPS) {
      await page.goto(new URL('index.html' + hashOf({ ...SETUP, lesson: id }), site.url).href);
      await waitStep(page, id);
      const counter = await page.textContent('#lesson-counter');
      assert.equal(counter, `Step ${STEPS.indexOf(id) + 1} of ${STEPS.length}`);
    }
    await page.goto(new URL('index.html' + hashOf({ ...SETUP, lesson: 'nope' }), site.url).href);
    await waitStep(page, 'classes');
    assert.match(await page.textContent('#lesson-message'), /lesson=nope is not a step/);
    // The settings in the same link are still used.
    await page.waitForFunction(() => !document.getElementById('start').disabled, null, { timeout: MINUTE });
    assert.equal(await page.inputValue('#test-limit'), '200');
    log('every step opened from its link');
    assert.deepEqual(errors, [], 'no console errors');
  });
});

test('the panel never covers its view, and every button stays reachable: 1024x768 presenter during a live race, 390 px', { timeout: 8 * MINUTE }, async () => {
  requirePkg();
  await withPage('lesson-panel', [], async (page, log, errors) => {
    await page.addInitScript(COVERS);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(new URL('index.html' + hashOf({ ...SETUP, present: '1', lesson: 'classes', 'lab-depth': '8', 'lab-train': '64', 'lab-test': '32' }), site.url).href);
    await waitStep(page, 'classes');
    assert.deepEqual(await buttonsInView(page), [], 'presenter mode at 1024x768: every button of step 1 in view');
    // The figure's labels (F1, F2, F3, f*) do not overlap, nested or not.
    for (const nested of [true, false]) {
      const overlaps = await page.evaluate(() => {
        const boxes = [...document.querySelectorAll('#lesson-figure .fclass-label')].map((t) => t.getBoundingClientRect());
        return boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)).length;
      });
      assert.equal(overlaps, 0, `labels overlap (nested: ${nested})`);
      await pressAction(page, 'toggleFigure');
    }
    await page.goto(new URL('index.html' + hashOf({ ...SETUP, present: '1', lesson: 'race', 'lab-depth': '8', 'lab-train': '64', 'lab-test': '32' }), site.url).href);
    await waitStep(page, 'race');
    await page.waitForFunction(() => !document.getElementById('lab-start').disabled, null, { timeout: 2 * MINUTE });
    await pressAction(page, 'raceLive');
    assert.ok(await page.evaluate(() => document.getElementById('lesson').contains(document.activeElement)), 'focus stays in the lesson panel after an action');
    // While the race runs, its charts are in view beside the panel, not under it.
    await page.waitForFunction(() => Number(document.getElementById('lab-loss').dataset.plainPoints) > 0, null, { timeout: 3 * MINUTE });
    const charts = await page.evaluate(() => ['lab-loss', 'lab-acc'].map((id) => window.lessonCovers(document.getElementById(id))));
    assert.deepEqual(charts, [0, 0], 'the live charts are not under the panel');
    await page.screenshot({ path: path.join(DOCS, 'presenter-1024-race.png') });

    await page.setViewportSize({ width: 390, height: 844 });
    for (const id of STEPS) {
      await page.goto(new URL('index.html' + hashOf({ ...SETUP, lesson: id }), site.url).href);
      await waitStep(page, id);
      assert.deepEqual(await buttonsInView(page), [], `390 px, step ${id}: every button in view`);
    }
    assert.deepEqual(errors, [], 'no console errors');
  });
});
