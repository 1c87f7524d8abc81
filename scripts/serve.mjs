#!/usr/bin/env node
// A tiny static file server for the ResNet Explorer page (node:http, no framework).
//
//   node scripts/serve.mjs [port]      (or PORT=8080 node scripts/serve.mjs)
//
// Serves the repository root on 127.0.0.1. `.gz` files are sent as the raw gzip bytes with no
// Content-Encoding header: the Rust code gunzips the Fashion-MNIST files itself.
// Chart.js is loaded from node_modules/ (run `npm install` once), so the page needs no internet.
// Every response carries the page's Content-Security-Policy (scripts/csp.mjs), as the built
// site's <meta> and _headers do.

import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { contentSecurityPolicy } from './csp.mjs';

/** The repository root (the parent of scripts/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Content types by extension (also bench/static-host.mjs's). */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.gz': 'application/octet-stream',
  '.rnxw': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** Maps a request URL to a file under `root`, or null when it would leave `root`. */
export function resolvePath(root, url) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(url, 'http://localhost').pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (pathname.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize(pathname));
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  // Never serve the git directory.
  if (rel === '.git' || rel.startsWith('.git' + path.sep)) return null;
  return file;
}

function send(res, status, text) {
  const body = Buffer.from(text + '\n');
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

// Cross-origin isolation: with these two headers the page (and its workers) get
// SharedArrayBuffer, which the threaded CPU build (pkg-threads/) needs for its Web Worker pool.
// Everything the page loads is same-origin, so require-corp blocks nothing.
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** The page's Content-Security-Policy (scripts/csp.mjs), from the root's index.html; null without one. */
function policyOf(root) {
  try {
    return contentSecurityPolicy(readFileSync(path.join(root, 'index.html'), 'utf8'), { header: true });
  } catch {
    return null;
  }
}

async function handle(root, req, res, isolated, csp) {
  if (isolated) for (const [name, value] of Object.entries(ISOLATION)) res.setHeader(name, value);
  if (csp) res.setHeader('Content-Security-Policy', csp);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed');
  }
  let file = resolvePath(root, req.url);
  if (!file) return send(res, 403, 'forbidden');
  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file);
    }
  } catch {
    return send(res, 404, 'not found');
  }
  if (!info.isFile()) return send(res, 404, 'not found');
  // Revalidation lets the browser reuse the wasm and data files it already has.
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000);
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  if (Number.isFinite(since) && lastModified.getTime() <= since) {
    res.writeHead(304, { 'Last-Modified': lastModified.toUTCString(), 'Cache-Control': 'no-cache' });
    return res.end();
  }
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Last-Modified': lastModified.toUTCString(),
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Starts the server. Resolves to `{ server, port, url }`; `port: 0` picks a free port.
 * `isolated: false` leaves out the cross-origin isolation headers (the page then trains on one
 * thread, as on a host that cannot send them). Close it with `server.close()`.
 */
export function startServer({ port = 8080, host = '127.0.0.1', root = ROOT, isolated = true } = {}) {
  const csp = policyOf(root);
  const server = createServer((req, res) => {
    handle(root, req, res, isolated, csp).catch((e) => {
      if (!res.headersSent) send(res, 500, String(e));
      else res.destroy();
    });
  });
  // Idle connections stay open longer than clients keep theirs (Node's agents: 5 s), so the client,
  // not the server, closes an idle one: no request is sent on a socket the server is closing.
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolve({ server, port: actual, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${process.argv[2] ?? process.env.PORT}`);
    process.exit(2);
  }
  const { url } = await startServer({ port });
  console.log(`ResNet Explorer: ${url}  (Ctrl+C to stop)`);
}
