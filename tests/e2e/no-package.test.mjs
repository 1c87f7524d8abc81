// A site without the wasm packages (pkg-catalogue/, pkg/ not built): the page says how to build it, and that
// message stands: the worker, which opens at once and fails on the same files, is ended.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { startServer } from '../../scripts/serve.mjs';
import { MINUTE, SITE, withPage } from './browser.mjs';

test('without the wasm packages the page says how to build it, and nothing overwrites that', { timeout: 2 * MINUTE }, async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'rx-no-pkg-'));
  for (const entry of ['index.html', 'www', 'node_modules']) symlinkSync(path.join(SITE, entry), path.join(root, entry));
  const { server, url } = await startServer({ port: 0, host: '127.0.0.1', root });
  try {
    await withPage('no-package', [], async (page, log) => {
      await page.goto(new URL('index.html', url).href);
      await page.waitForFunction(() => !document.getElementById('error-box').hidden, null, { timeout: MINUTE });
      // The worker (opened at once, failing on the same files) is ended, so no later failure of
      // its own can replace this message.
      await Promise.all(page.workers().map((worker) => worker.waitForEvent('close', { timeout: MINUTE })));
      const message = await page.textContent('#error-message');
      log(message);
      assert.match(message, /The WebAssembly package pkg-catalogue\/ could not be loaded/);
      assert.match(message, /build the page with `scripts\/setup\.sh`/);
      assert.equal(await page.textContent('#status'), 'Not ready: the WebAssembly package could not be loaded.');
    });
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
    rmSync(root, { recursive: true, force: true });
  }
});
