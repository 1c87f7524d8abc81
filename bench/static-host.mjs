// A static host for the page-weight benchmark (bench/site-weight.mjs): node:http, serving a folder
// under a URL prefix as a good plain static host would (GitHub Pages and the like):
//
// - no COOP/COEP headers (the site's service worker must isolate the page itself);
// - with `compress`: the precompressed `file.br` when the request accepts br, else `file.gz` when
//   it accepts gzip, else gzip on the fly for text and wasm (kept in memory, so only the first
//   request pays for it), else the raw bytes. Files that are themselves `.gz` (the Fashion-MNIST
//   data) go as they are, with no Content-Encoding;
// - Content-Type, Content-Length, Vary: Accept-Encoding; Last-Modified, an ETag and
//   `Cache-Control: max-age=600` (GitHub Pages' caching), with 304 on revalidation.
//
// `stats` has one entry per request: {path, status, encoding, bytes (body bytes written to the
// socket), start, end (Date.now() epoch ms; end null while in flight), ms}.
//
//   const host = await startStaticHost({ root: 'site', prefix: '/resnet/' });
//   // host.url is http://127.0.0.1:PORT/resnet/ ; await host.close()

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

import { MIME } from '../scripts/serve.mjs';

/** The repository server's content types, with .gz as a host sends a gzip file. */
const TYPES = { ...MIME, '.gz': 'application/gzip' };
/** What a host gzips on the fly: text and wasm. */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm|javascript)|image\/svg)/;

/** Which encodings a request accepts (q > 0). */
function accepted(header = '') {
  const out = new Set();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)).find(Boolean);
    if (name && (!q || Number(q[1]) > 0)) out.add(name);
  }
  return out;
}

/** On-the-fly gzip, once per file version, for every host of this process. */
const gzipped = new Map();
function gzipOf(file, info) {
  const key = `${file}:${info.size}:${info.mtimeMs}`;
  if (!gzipped.has(key)) gzipped.set(key, readFile(file).then((bytes) => promisify(zlib.gzip)(bytes)));
  return gzipped.get(key);
}

const exists = (file) => stat(file).then((s) => s.isFile(), () => false);

/** The file for a request path under `root` (null outside it), index.html for a directory. */
async function fileFor(root, relative) {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + relative));
  if (path.relative(root, file).startsWith('..')) return null;
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) return fileFor(root, path.posix.join(relative, 'index.html'));
  return info?.isFile() ? { file, info } : null;
}

export function startStaticHost({ root, prefix = '/resnet/', port = 0, compress = true }) {
  root = path.resolve(root);
  const stats = [];
  const server = createServer(async (req, res) => {
    const entry = { path: req.url, status: 0, encoding: null, bytes: 0, start: Date.now(), end: null, ms: null };
    stats.push(entry);
    // Count the body bytes as they are handed to the socket.
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    };
    res.end = (chunk, ...rest) => {
      if (chunk && typeof chunk !== 'function') entry.bytes += Buffer.byteLength(chunk);
      return end(chunk, ...rest);
    };
    res.on('close', () => {
      entry.end = Date.now();
      entry.ms = entry.end - entry.start;
    });
    try {
      const pathname = decodeURIComponent(new URL(req.url, 'http://host').pathname);
      const found = pathname.startsWith(prefix) && !pathname.includes('\0') ? await fileFor(root, pathname.slice(prefix.length)) : null;
      if (!found || (req.method !== 'GET' && req.method !== 'HEAD')) {
        entry.status = found ? 405 : 404;
        res.writeHead(entry.status, { 'Content-Type': 'text/plain' });
        return res.end(found ? 'method not allowed\n' : 'not found\n');
      }
      let { file, info } = found;
      const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      const headers = { 'Content-Type': type, 'Last-Modified': info.mtime.toUTCString(), ETag: etag, 'Cache-Control': 'max-age=600' };
      const encodable = compress && !file.endsWith('.gz');
      if (encodable) headers.Vary = 'Accept-Encoding';
      if (req.headers['if-none-match'] === etag) {
        entry.status = 304;
        res.writeHead(304, headers);
        return res.end();
      }
      const accepts = accepted(req.headers['accept-encoding']);
      let body = null; // a Buffer, or null to stream `file`
      if (encodable && accepts.has('br') && (await exists(file + '.br'))) [file, entry.encoding] = [file + '.br', 'br'];
      else if (encodable && accepts.has('gzip') && (await exists(file + '.gz'))) [file, entry.encoding] = [file + '.gz', 'gzip'];
      else if (encodable && accepts.has('gzip') && COMPRESSIBLE.test(type)) [body, entry.encoding] = [await gzipOf(file, info), 'gzip'];
      if (entry.encoding) headers['Content-Encoding'] = entry.encoding;
      headers['Content-Length'] = body ? body.length : (await stat(file)).size;
      entry.status = 200;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return res.end();
      if (body) return res.end(body);
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch (e) {
      entry.status = 500;
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}${prefix}`;
      const close = () =>
        new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      resolve({ url, close, stats });
    });
  });
}
