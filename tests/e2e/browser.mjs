// Shared helpers for the end-to-end tests: the static server, headless Chromium through
// playwright-core (no browser download) and a page with its console collected.
//
// CHROMIUM_PATH overrides the browser (default /usr/bin/chromium); E2E_SITE_ROOT serves another
// folder than the repository (e.g. one with a different pkg/ build). Screenshots go to
// tests/e2e/artifacts/.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { ROOT, startServer } from '../../scripts/serve.mjs';
import { explainFailure, recentLines } from './failure-report.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The folder to serve (holding index.html, www/, pkg/, node_modules/); default: the repository. */
export const SITE = process.env.E2E_SITE_ROOT ? path.resolve(process.env.E2E_SITE_ROOT) : ROOT;
export const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');
export const MINUTE = 60_000;
export const BASE_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const hashOf = (settings) => '#' + new URLSearchParams(settings).toString();

/**
 * Starts the static server on a free port; returns {url, close}. Checks the browser first.
 * `isolated: false` serves without the cross-origin isolation headers (no SharedArrayBuffer).
 */
export async function startSite({ isolated = true } = {}) {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}; set CHROMIUM_PATH`);
  assert.ok(existsSync(path.join(SITE, 'node_modules/chart.js/dist/chart.js')), 'node_modules/chart.js is missing: run `npm install`');
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', root: SITE, isolated });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    url,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export function requirePkg() {
  assert.ok(
    existsSync(path.join(SITE, 'pkg/resnet_explorer.js')) && existsSync(path.join(SITE, 'pkg/resnet_explorer_bg.wasm')),
    'pkg/ is missing: build it with `wasm-pack build --release --target web --out-dir pkg --no-typescript -- --features wgpu`',
  );
}

/** The threaded CPU build, which scripts/setup.sh builds beside pkg/. */
export function requireThreadedPkg() {
  assert.ok(
    existsSync(path.join(SITE, 'pkg-threads/resnet_explorer.js')) && existsSync(path.join(SITE, 'pkg-threads/resnet_explorer_bg.wasm')),
    'pkg-threads/ is missing: build it with scripts/setup.sh',
  );
}

/**
 * What a browser logs when the Content-Security-Policy blocks something (Chromium: "…violates
 * the following Content Security Policy directive…", Firefox: "Content-Security-Policy: The
 * page's settings blocked…"), and what REPORT_CSP_VIOLATIONS logs.
 */
export const CSP_VIOLATION = /Content[- ]Security[- ]Policy|blocked by CSP|securitypolicyviolation/i;
/** Reports every CSP violation of a document as a console error the test sees. */
export const REPORT_CSP_VIOLATIONS = () =>
  document.addEventListener('securitypolicyviolation', (e) => console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));

/**
 * Opens a fresh browser, runs `fn(page, log, errors)` (errors: the console errors of the page and
 * its workers), and always closes the browser; resolves to what `fn` does. Any Content-Security-
 * Policy violation fails the test, whatever `fn` checks.
 */
export async function withPage(label, extraArgs, fn) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...extraArgs] });
  const errors = [];
  const violations = [];
  const recent = recentLines();
  const log = (line) => {
    recent.add(line);
    console.log(`[${label}] ${line}`);
  };
  let page;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(REPORT_CSP_VIOLATIONS);
    page = await context.newPage();
    const onConsole = (where) => (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        const line = `${where} console.${msg.type()}: ${msg.text()}`;
        if (msg.type() === 'error') errors.push(line);
        if (CSP_VIOLATION.test(msg.text())) violations.push(line);
        log(line);
      }
    };
    page.on('console', onConsole('page'));
    page.on('pageerror', (e) => {
      errors.push(`page error: ${e.message}`);
      log(`page error: ${e.stack ?? e.message}`);
    });
    page.on('worker', (w) => {
      log(`worker started: ${w.url()}`);
      w.on?.('console', onConsole('worker'));
    });
    page.on('requestfailed', (r) => log(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) log(`HTTP ${r.status()} for ${r.url()}`);
    });
    const result = await fn(page, log, errors);
    assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
    return result;
  } catch (e) {
    throw page ? await explainFailure(e, page, recent) : e;
  } finally {
    await browser.close();
  }
}

/** Opens index.html with `settings` in the hash and waits for the page's wasm (Start enabled). */
export async function openPage(page, baseUrl, settings) {
  await page.goto(new URL('index.html' + hashOf(settings), baseUrl).href);
  await page.waitForFunction(
    () => !document.getElementById('start').disabled || !document.getElementById('error-box').hidden,
    null,
    { timeout: MINUTE },
  );
  const error = await page.evaluate(() => (document.getElementById('error-box').hidden ? null : document.getElementById('error-message').textContent));
  assert.equal(error, null, `the page failed to load: ${error}`);
}

/**
 * Serves www/worker/worker.js with `prelude` in front: fault injection at the browser API boundary
 * (the worker's own code stays as shipped).
 */
export async function injectIntoWorker(page, prelude) {
  await page.context().route('**/www/worker/worker.js', async (route) => {
    // Playwright keeps the connection alive and the server may close it as it is reused (ECONNRESET):
    // a transport race, not the page's, so it is retried.
    const response = await route.fetch({ maxRetries: 2 });
    await route.fulfill({ response, body: `${prelude}\n${await response.text()}` });
  });
}
