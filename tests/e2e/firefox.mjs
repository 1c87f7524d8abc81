// Headless Firefox ESR for the end-to-end tests: Debian's stock firefox-esr driven by
// puppeteer-core over WebDriver BiDi (no browser download). The Firefox counterpart of
// browser.mjs's withPage.
//
// FIREFOX_PATH overrides the browser (default /usr/bin/firefox-esr).
//
// What the page's console shows here: WebDriver BiDi's log.entryAdded reports console calls and
// uncaught errors (and unhandled rejections) of the page AND of its dedicated workers, nested
// workers included (the training worker and its rayon pool); puppeteer emits them all as the
// page's 'console' and 'pageerror' events. Firefox also reports its own errors about the page
// there, Content-Security-Policy violations among them (as page errors). Service and shared
// workers are not seen, nor the browser's warnings. 'requestfailed' fires for requests of the
// page and its workers that fail on the network (a reset connection), not for ones the browser
// refuses before sending (a bad port).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

import { CSP_VIOLATION } from './browser.mjs';
import { explainFailure, recentLines } from './failure-report.mjs';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

// puppeteer writes its own test profile (a fresh one per launch: update checks, telemetry, safe
// browsing and first-run pages off) and Firefox's remote agent adds its recommended prefs.
// Left over: Remote Settings, which polls firefox.settings.services.mozilla.com about ten
// times a second and ignores services.settings.server on release builds unless the environment
// has MOZ_DISABLE_NONLOCAL_CONNECTIONS=1. With that variable, any attempt to connect to a
// non-local address aborts Firefox ("FATAL ERROR: Non-local network connections are disabled",
// which withFirefox adds to the test's failure), so nothing leaves the machine unnoticed.
export const FIREFOX_PREFS = { 'services.settings.server': 'data:,#remote-settings-dummy/v1' };
export const FIREFOX_ENV = { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' };

/**
 * Opens a fresh Firefox (fresh profile), runs `fn(page, log, errors)` (errors: the console errors
 * and uncaught errors of the page and its workers), and always closes the browser; resolves to
 * what `fn` does. Any Content-Security-Policy violation fails the test, whatever `fn` checks.
 */
export async function withFirefox(label, fn) {
  assert.ok(existsSync(FIREFOX), `Firefox ESR not found at ${FIREFOX}: \`apt-get install firefox-esr\` (scripts/setup.sh does) or set FIREFOX_PATH`);
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: FIREFOX_PREFS,
    env: FIREFOX_ENV,
    timeout: 60_000,
  });
  const fatal = [];
  browser.process()?.stderr?.on('data', (chunk) => fatal.push(...String(chunk).split('\n').filter((l) => l.includes('FATAL ERROR'))));
  const errors = [];
  const violations = [];
  const recent = recentLines();
  const log = (line) => {
    recent.add(line);
    console.log(`[${label}] ${line}`);
  };
  let page;
  try {
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error' && msg.type() !== 'warn') return;
      const where = msg.location()?.url ?? '';
      const line = `console.${msg.type()}: ${msg.text()}${where ? ` (${where})` : ''}`;
      if (msg.type() === 'error') errors.push(line);
      if (CSP_VIOLATION.test(msg.text())) violations.push(line);
      log(line);
    });
    page.on('pageerror', (e) => {
      errors.push(`page error: ${e.message}`);
      if (CSP_VIOLATION.test(e.message)) violations.push(`page error: ${e.message}`);
      log(`page error: ${e.stack ?? e.message}`);
    });
    page.on('workercreated', (w) => log(`worker started: ${w.url()}`));
    page.on('requestfailed', (r) => log(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log(`HTTP ${r.status()} for ${r.url()}`);
    });
    const result = await fn(page, log, errors);
    assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
    return result;
  } catch (e) {
    if (fatal.length) e.message += `\nFirefox stopped: ${fatal.join('\n')}`;
    throw page ? await explainFailure(e, page, recent) : e;
  } finally {
    await browser.close();
  }
}
