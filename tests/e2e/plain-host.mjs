// The static site as a teacher would host it: built by scripts/build-site.mjs into a folder
// `resnet/` and served by python3's `http.server` (no special headers, no compression), so the
// page lives under the subpath /resnet/. The server's request log tells which files were fetched.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildSite } from '../../scripts/build-site.mjs';

/** A folder for one test's site; the site itself goes in `<dir>/resnet`. */
export function siteFolder() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rx-site-e2e-'));
  return { dir, site: path.join(dir, 'resnet'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds the site into `site` with `note` in its footer; resolves to its version. */
export async function buildInto(site, note) {
  const { version } = await buildSite({ out: site, note });
  return version;
}

/**
 * Serves `dir` with `python3 -m http.server` on `port` (0: any free one). Resolves to
 * {url, port, requests, stop}: `url` is the site's (…/resnet/), `requests` the paths requested so
 * far (from the server's log), `stop()` ends the server (the network is then gone for the page).
 */
export function startPlainHost(dir, port = 0) {
  const server = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const requests = [];
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why) => reject(new Error(`python3 -m http.server did not start: ${why}\n${output}`));
    server.on('error', (e) => fail(e.message));
    server.on('exit', (code) => fail(`exited with ${code}`));
    server.stderr.on('data', (chunk) => {
      for (const [, request] of String(chunk).matchAll(/"GET ([^ ]+) HTTP/g)) requests.push(decodeURIComponent(request));
    });
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const found = /port (\d+)/.exec(output);
      if (!found) return;
      server.removeAllListeners('exit');
      const actual = Number(found[1]);
      resolve({
        url: `http://127.0.0.1:${actual}/resnet/`,
        port: actual,
        requests,
        stop: () =>
          new Promise((done) => {
            if (server.exitCode !== null) return done(undefined);
            server.once('exit', () => done(undefined));
            server.kill();
          }),
      });
    });
  });
}

/** The requests among `requests` for files whose path matches `pattern`. */
export function requestsFor(requests, pattern) {
  assert.ok(Array.isArray(requests));
  return requests.filter((r) => pattern.test(r));
}
