// @ts-check
// End-to-end test of the page's layout in headless Chromium: no horizontal scrolling of the page
// at 390, 1024 and 1440 px (tables and the diagram scroll inside their own boxes), the confusion
// matrix whole at 1024 px and wider, the architecture diagram's text readable after two inserted
// blocks, the navigation bar's links, presenter mode (its button and `#present=1`), an
// accessible name on every control and 4.5:1 text contrast. Screenshots at each width go to
// tests/e2e/artifacts/layout-*.png.
//
//   node --test tests/e2e/layout.test.mjs      (needs pkg/ and `npm install`)

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { chromium } from 'playwright-core';

import { ARTIFACTS, BASE_ARGS, CHROMIUM, MINUTE, hashOf, requirePkg, startSite } from './browser.mjs';

/** @typedef {import('playwright-core').Page} Page */

const WIDTHS = [390, 1024, 1440];
// The demos on the CPU backend with the shipped weights and few test images.
const SETUP = { preset: 'fast', test: '64', backend: 'cpu' };
const SECTIONS = ['setup', 'network', 'identity', 'nested', 'zoo', 'predictions', 'lab'];

/** @type {{url: string, close: () => Promise<void>}} */
let site;
/** @type {import('playwright-core').Browser} */
let browser;
/** @type {Page} */
let page;
/** @type {string[]} */
const errors = [];

before(async () => {
  requirePkg();
  site = await startSite();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: BASE_ARGS });
  page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // (a missing optional file, such as the lab's recorded race, is the lab's business)
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(new URL('index.html' + hashOf(SETUP), site.url).href);
  await waitForDemos(page);
  // The predictions (gallery and confusion matrix) of the shipped network.
  await page.waitForFunction(() => document.querySelectorAll('#confusion td.acc').length === 10, null, { timeout: 2 * MINUTE });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

// Every test answers for the errors the page logged while it ran (the opening's go to the first),
// so none depends on running last.
afterEach(() => {
  assert.deepEqual(errors.splice(0), [], 'no uncaught errors or console errors');
});

/** Waits until the explorer has a network and no request is running. @param {Page} p */
async function waitForDemos(p, timeout = 3 * MINUTE) {
  await p.waitForFunction(() => /** @type {any} */ (window).resnetExplorer?.demosReady || !document.getElementById('error-box')?.hidden, null, { timeout });
  const error = await p.evaluate(() => (document.getElementById('error-box')?.hidden ? null : document.getElementById('error-message')?.textContent));
  assert.equal(error, null, `the page failed: ${error}`);
}

/** Resizes the window and waits for two frames, so that layout and observers have run. @param {number} width */
async function resize(width) {
  await page.setViewportSize({ width, height: 800 });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.waitForFunction((w) => window.innerWidth === w, width);
}

/** What sticks out of the window on the right (for the failure message). */
const overflowing = () =>
  page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 0.5 && !el.closest('.table-scroll, .diagram-wrap, .section-links')) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : ''} (right ${Math.round(box.right)})`);
      }
    }
    return out.slice(0, 8);
  });

test('no horizontal scrolling at 390, 1024 and 1440 px; the confusion matrix is whole from 1024 px', { timeout: 3 * MINUTE }, async () => {
  for (const width of WIDTHS) {
    await resize(width);
    const m = await page.evaluate(() => {
      const box = /** @type {HTMLElement} */ (document.getElementById('confusion')?.parentElement);
      const row = document.querySelector('#confusion tbody tr');
      const last = /** @type {Element} */ (row?.lastElementChild);
      return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        lastRight: last.getBoundingClientRect().right,
        boxRight: box.getBoundingClientRect().right,
        boxScrolls: box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX === 'auto',
      };
    });
    assert.ok(m.scrollWidth <= m.innerWidth, `at ${width} px the page is ${m.scrollWidth} px wide: ${(await overflowing()).join(', ')}`);
    if (width >= 1024) assert.ok(m.lastRight <= m.boxRight + 1, `at ${width} px the confusion matrix's per-class column ends at ${m.lastRight}, its box at ${m.boxRight}`);
    else assert.ok(m.lastRight <= m.boxRight + 1 || m.boxScrolls, `at ${width} px the confusion matrix is clipped and its box does not scroll`);
    // No select clips the text it shows; the lesson's entry stays inside the content column; the
    // presenter button covers none of the navigation links' box.
    const fit = await page.evaluate(() => {
      const ctx = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
      const clipped = [...document.querySelectorAll('select')].filter((s) => s.offsetWidth > 0).flatMap((s) => {
        ctx.font = getComputedStyle(s).font;
        const room = s.clientWidth - 34; // the arrow and the padding
        // The backend's every choice (each short enough); elsewhere the one shown.
        const shown = s.id === 'backend-choice' ? [...s.options] : [s.options[s.selectedIndex]];
        return shown.filter((o) => ctx.measureText(o.text).width > room).map((o) => `${s.id}: ${o.text}`);
      });
      const entry = /** @type {HTMLElement} */ (document.querySelector('.lesson-entry > button')).getBoundingClientRect();
      const column = /** @type {HTMLElement} */ (document.getElementById('setup')).getBoundingClientRect();
      const links = /** @type {HTMLElement} */ (document.querySelector('.section-links')).getBoundingClientRect();
      const toggle = /** @type {HTMLElement} */ (document.getElementById('presenter-toggle')).getBoundingClientRect();
      const overlap = links.left < toggle.right && toggle.left < links.right && links.top < toggle.bottom && toggle.top < links.bottom;
      return { clipped, entryLeft: entry.left, columnLeft: column.left, overlap };
    });
    assert.deepEqual(fit.clipped, [], `at ${width} px`);
    assert.ok(fit.entryLeft >= fit.columnLeft - 1, `at ${width} px the lesson's button starts at ${fit.entryLeft}, the content at ${fit.columnLeft}`);
    assert.equal(fit.overlap, false, `at ${width} px the presenter button overlaps the navigation links`);
    await page.screenshot({ path: path.join(ARTIFACTS, `layout-${width}.png`), fullPage: true });
  }
});

test('the architecture diagram keeps its text readable after two inserted blocks (its box scrolls)', { timeout: 5 * MINUTE }, async (t) => {
  await resize(1024);
  const blocks = await page.locator('#diagram .block-node').count();
  for (const n of [1, 2]) {
    await waitForDemos(page);
    await page.click('#insert-identity');
    await page.waitForFunction((n) => /** @type {any} */ (window).resnetExplorer.network?.inserted.length === n, n, { timeout: 2 * MINUTE });
    await page.waitForFunction((count) => document.querySelectorAll('#diagram .block-node').length === count, blocks + n, { timeout: 10_000 });
  }
  await waitForDemos(page);
  for (const width of WIDTHS) {
    await resize(width);
    const d = await page.evaluate(() => {
      const svg = /** @type {SVGSVGElement} */ (/** @type {unknown} */ (document.getElementById('diagram')));
      const wrap = /** @type {HTMLElement} */ (svg.parentElement);
      const heights = [...svg.querySelectorAll('text.node-title, text.node-detail, text.edge-shape')].map((t) => t.getBoundingClientRect().height);
      return {
        minText: Math.min(...heights),
        texts: heights.length,
        scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
        wrapScrolls: wrap.scrollWidth > wrap.clientWidth,
        pageWidth: document.documentElement.scrollWidth,
      };
    });
    t.diagnostic(`${width} px: diagram scale ${d.scale.toFixed(2)}, smallest label ${d.minText.toFixed(1)} px, scrolls in its box: ${d.wrapScrolls}`);
    assert.ok(d.texts > 20, 'the diagram has its labels');
    assert.ok(d.minText >= 10, `at ${width} px the diagram's smallest label is ${d.minText.toFixed(1)} px high (scale ${d.scale.toFixed(2)})`);
    assert.ok(d.pageWidth <= width, `at ${width} px the diagram widens the page to ${d.pageWidth} px`);
    if (width === 390) assert.ok(d.wrapScrolls, 'at 390 px the diagram scrolls inside its box');
    // A window as tall as the diagram, so that the pinned header does not cover it in the picture.
    await page.setViewportSize({ width, height: 1400 });
    await page.locator('#network .diagram-wrap').screenshot({ path: path.join(ARTIFACTS, `layout-diagram-${width}.png`) });
  }
  // Back to the network as loaded, for the next tests.
  await waitForDemos(page);
  await page.click('#restore');
  await page.waitForFunction(() => /** @type {any} */ (window).resnetExplorer.network?.inserted.length === 0, null, { timeout: 2 * MINUTE });
});

test('the navigation bar: every link scrolls to its section, marks it current and leaves the hash alone', { timeout: 3 * MINUTE }, async () => {
  for (const width of [1024, 390]) {
    await resize(width);
    await page.evaluate(() => window.scrollTo(0, 0));
    const hash = await page.evaluate(() => location.hash);
    for (const id of SECTIONS) {
      const link = page.locator(`#section-nav a[href="#${id}"]`);
      if (id === 'identity') {
        await link.focus(); // by keyboard too
        await page.keyboard.press('Enter');
      } else await link.click();
      await page.waitForFunction(
        (id) => {
          const nav = /** @type {HTMLElement} */ (document.getElementById('section-nav'));
          const a = nav.querySelector(`a[href="#${id}"]`);
          const top = /** @type {HTMLElement} */ (document.getElementById(id)).getBoundingClientRect().top;
          const bar = nav.getBoundingClientRect().bottom;
          const atBottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
          return a?.getAttribute('aria-current') === 'true' && top >= bar - 1 && (top <= bar + 40 || atBottom);
        },
        id,
        { timeout: 10_000 },
      );
      const state = await page.evaluate(() => ({
        hash: location.hash,
        current: [...document.querySelectorAll('#section-nav [aria-current="true"]')].length,
        focus: document.activeElement?.closest('section')?.id ?? null,
        barTop: (/** @type {HTMLElement} */ (document.getElementById('section-nav')).getBoundingClientRect().top),
      }));
      assert.equal(state.hash, hash, 'a link keeps the settings in the hash');
      assert.equal(state.current, 1, 'one link is current');
      assert.equal(state.focus, id, 'the focus moves to the section');
      assert.ok(Math.abs(state.barTop) <= 1, `the bar stays at the top of the window (at ${state.barTop} px)`);
    }
  }
  await page.evaluate(() => window.scrollTo(0, 0));
});

test('presenter mode: the button toggles it and the hash, #present=1 opens in it', { timeout: 3 * MINUTE }, async () => {
  await resize(1440);
  const look = () =>
    page.evaluate(() => ({
      on: document.documentElement.classList.contains('presenter'),
      pressed: document.getElementById('presenter-toggle')?.getAttribute('aria-pressed'),
      hash: location.hash,
      rootFont: parseFloat(getComputedStyle(document.documentElement).fontSize),
      chart: /** @type {HTMLElement} */ (document.getElementById('chart')).getBoundingClientRect().height,
    }));
  const before = await look();
  assert.equal(before.on, false);
  assert.equal(before.pressed, 'false');
  await page.click('#presenter-toggle');
  const on = await look();
  assert.equal(on.on, true);
  assert.equal(on.pressed, 'true');
  assert.match(on.hash, /(^#|&)present=1(&|$)/);
  assert.match(on.hash, /preset=fast/, 'the other settings stay in the hash');
  assert.ok(on.rootFont >= before.rootFont * 1.35, `large type: ${before.rootFont} -> ${on.rootFont} px`);
  await page.waitForFunction((h) => /** @type {HTMLElement} */ (document.getElementById('chart')).getBoundingClientRect().height > h, before.chart);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, 'layout-presenter-1440.png'), fullPage: true });
  for (const width of [390, 1024]) {
    await resize(width);
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= width, `presenter mode at ${width} px: the page is ${w} px wide: ${(await overflowing()).join(', ')}`);
  }
  await resize(1440);
  await page.click('#presenter-toggle');
  const off = await look();
  assert.equal(off.on, false);
  assert.equal(off.pressed, 'false');
  assert.doesNotMatch(off.hash, /present=/);
  assert.match(off.hash, /preset=fast/);

  // A link with present=1 opens in it (a fresh page: the flag is read when the page starts).
  const other = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  try {
    await other.goto(new URL('index.html' + hashOf({ ...SETUP, present: '1' }), site.url).href);
    await other.waitForFunction(() => document.getElementById('presenter-toggle')?.getAttribute('aria-pressed') === 'true', null, { timeout: MINUTE });
    assert.equal(await other.evaluate(() => document.documentElement.classList.contains('presenter')), true);
  } finally {
    await other.close();
  }
  // ... and so does editing the address of an open page.
  await page.evaluate(() => (location.hash += '&present=1'));
  await page.waitForFunction(() => document.documentElement.classList.contains('presenter'));
  await page.evaluate(() => (location.hash = location.hash.replace(/&?present=1/, '')));
  await page.waitForFunction(() => !document.documentElement.classList.contains('presenter'));
});

test('every visible control has an accessible name', async () => {
  for (const presenter of [false, true]) {
    await page.evaluate((on) => on !== document.documentElement.classList.contains('presenter') && document.getElementById('presenter-toggle')?.click(), presenter);
    const controls = page.locator('input, select, textarea, button, [role="button"], a[href]');
    const unnamed = await controls.evaluateAll((els) =>
      els
        .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
        .filter((el) => {
          const text = (/** @type {string | null | undefined} */ s) => (s ?? '').replace(/\s+/g, ' ').trim();
          const labelledBy = (el.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean).map((id) => text(document.getElementById(id)?.textContent));
          const labels = 'labels' in el && el.labels ? [...(/** @type {NodeListOf<HTMLLabelElement>} */ (el.labels))].map((l) => text(l.textContent)) : [];
          const own = el instanceof HTMLInputElement ? [] : [text(el.textContent)];
          return ![...labelledBy, text(el.getAttribute('aria-label')), ...labels, ...own, text(el.getAttribute('title'))].some(Boolean);
        })
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unnamed, [], `controls without a name${presenter ? ' (presenter mode)' : ''}`);
  }
  await page.evaluate(() => document.documentElement.classList.contains('presenter') && document.getElementById('presenter-toggle')?.click());
});

test('text contrast is at least 4.5:1 (3:1 for large text), in both modes', async (t) => {
  await resize(1024);
  for (const presenter of [false, true]) {
    await page.evaluate((on) => on !== document.documentElement.classList.contains('presenter') && document.getElementById('presenter-toggle')?.click(), presenter);
    const { checked, low } = await page.evaluate(() => {
      /** @param {string} css @returns {number[]} r, g, b, a */
      const rgba = (css) => {
        const m = css.match(/rgba?\(([^)]+)\)/);
        if (!m) return [0, 0, 0, 0];
        const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p[3] ?? 1];
      };
      const lin = (/** @type {number} */ c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      const lum = (/** @type {number[]} */ c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
      const over = (/** @type {number[]} */ top, /** @type {number[]} */ under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
      /** The opaque colour behind `el` (null where a background image or a translucent parent makes it unknown, or the element is disabled). */
      const behind = (/** @type {Element | null} */ el) => {
        /** @type {number[][]} */
        const layers = [];
        for (; el; el = el.parentElement) {
          const s = getComputedStyle(el);
          if (s.backgroundImage !== 'none' || parseFloat(s.opacity) < 1) return null;
          const c = rgba(s.backgroundColor);
          if (c[3] > 0) layers.push(c);
          if (c[3] === 1) break;
        }
        return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
      };
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const seen = new Set();
      let checked = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || seen.has(el) || !node.textContent?.trim() || el.closest('svg, [hidden], :disabled, fieldset:disabled, option, optgroup, noscript')) continue;
        seen.add(el);
        if (el.getClientRects().length === 0) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || s.clipPath !== 'none' || s.clip !== 'auto') continue;
        const bg = behind(el);
        if (!bg) continue;
        checked++;
        const fg = over(rgba(s.color), bg);
        const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        const size = parseFloat(s.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} "${node.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}:1 (${s.color} on rgb(${bg.slice(0, 3).map(Math.round).join(' ')}))`);
      }
      return { checked, low: out };
    });
    t.diagnostic(`${presenter ? 'presenter mode' : 'normal'}: ${checked} elements with text checked`);
    assert.ok(checked > 100);
    assert.deepEqual(low, [], `text below the contrast minimum${presenter ? ' (presenter mode)' : ''}`);
  }
  await page.evaluate(() => document.documentElement.classList.contains('presenter') && document.getElementById('presenter-toggle')?.click());
});
