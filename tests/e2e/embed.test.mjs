// One view embedded in a slide (issue 26): `embed=<view>` shows that view alone, scaled to fit
// its frame whole (each view at 480 x 320: nothing else shown, no overflow); the Embed dialog
// gives the <iframe> with the page's settings; and the page works inside a real iframe.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, MINUTE, hashOf, openPage, requirePkg, startSite, withPage } from './browser.mjs';

const VIEWS = { identity: ['identity'], insertion: ['nested'], race: ['lab'], diagram: ['network'], chart: ['setup', 'training'], picture: ['picture'] };
const SETTINGS = { backend: 'cpu', test: '200' };

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

const demosDone = () => window.resnetExplorer?.demosReady && document.getElementById('pred-summary').dataset.state === 'done';

/** What an embedded page shows: the sections displayed, the header's display, the overflow. */
const layout = () => {
  const shown = (el) => el && getComputedStyle(el).display !== 'none';
  const target = document.querySelector('main');
  const r = target?.getBoundingClientRect();
  return {
    embed: document.documentElement.dataset.embed,
    sections: [...document.querySelectorAll('main > section')].filter(shown).map((s) => s.id),
    header: shown(document.querySelector('.site-header')),
    footer: shown(document.querySelector('.site-footer')),
    overflow: [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight],
    box: r && { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width },
    viewport: [innerWidth, innerHeight],
  };
};

test('each embed view alone at 480x320, the Embed dialog, and the page in an iframe', { timeout: 6 * MINUTE }, async () => {
  requirePkg();
  await withPage('embed', [], async (page, log, errors) => {
    await page.setViewportSize({ width: 480, height: 320 });
    await openPage(page, site.url, { ...SETTINGS, embed: 'identity' });
    await page.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    for (const [view, id] of Object.entries(VIEWS)) {
      await page.evaluate((v) => {
        const params = new URLSearchParams(location.hash.slice(1));
        params.set('embed', v);
        location.hash = params.toString();
      }, view);
      await page.waitForFunction((v) => document.documentElement.dataset.embed === v, view);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const seen = await page.evaluate(layout);
      log(`${view}: ${JSON.stringify(seen)}`);
      assert.deepEqual(seen.sections, id, `${view}: only its sections`);
      assert.equal(seen.header || seen.footer, false, `${view}: no header or footer`);
      assert.ok(seen.overflow[0] <= 0 && seen.overflow[1] <= 0, `${view}: no overflow (${seen.overflow})`);
      assert.ok(seen.box.left >= 0 && seen.box.top >= 0 && seen.box.right <= 480.5 && seen.box.bottom <= 320.5, `${view}: inside the frame`);
      const scale = seen.box.width / 760; // laid out 760 px wide (features/layout/embed.js), then scaled
      log(`${view}: scaled to ${scale.toFixed(2)}`);
      assert.ok(scale >= 0.2, `${view}: still readable (scaled to ${scale.toFixed(2)}; the narrow-window rules undone, the long texts hidden)`);
      await page.screenshot({ path: path.join(ARTIFACTS, `embed-${view}.png`) });
    }

    // The whole page again, and the Embed dialog's <iframe> for a view with these settings.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate(() => {
      const params = new URLSearchParams(location.hash.slice(1));
      params.delete('embed');
      location.hash = params.toString();
    });
    await page.waitForFunction(() => !document.documentElement.classList.contains('embedded'));
    await page.click('#embed-open');
    await page.selectOption('#embed-view', 'insertion');
    const snippet = await page.inputValue('#embed-snippet');
    log(snippet);
    assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/index\.html#.*backend=cpu.*&amp;embed=insertion" width="640" height="420"/);
    await page.click('#embed-close');

    // The page inside an iframe of another page: the identity view, working.
    const src = `${site.url}index.html${hashOf({ ...SETTINGS, embed: 'identity' })}`;
    await page.setContent(`<!doctype html><title>A slide</title><iframe src="${src}" width="480" height="320"></iframe>`);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    await frame.waitForFunction(demosDone, null, { timeout: 3 * MINUTE });
    const framed = await frame.evaluate(layout);
    log(`in an iframe: ${JSON.stringify(framed)}`);
    assert.deepEqual(framed.sections, ['identity']);
    assert.deepEqual(framed.viewport, [480, 320]);
    assert.ok(framed.overflow[0] <= 0 && framed.overflow[1] <= 0);
    assert.deepEqual(errors, [], 'no console errors');
  });
});
