#!/usr/bin/env node
// Builds the static site a teacher can host anywhere (scripts/build-site.sh runs it after
// scripts/setup.sh has built the wasm modules):
//
//   node scripts/build-site.mjs [--out site] [--note TEXT]
//
// site/index.html   the page, every URL relative (it works under any path), with its
//                   Content-Security-Policy as a <meta>
// site/sw.js        the service worker (www/service-worker.js after this deployment's file list)
// site/v/<version>/ exactly the files the page loads (scripts/site-files.mjs), under one version
//                   folder named from their content, so a new deployment never mixes with a
//                   cached old one; .br and .gz beside each large text or wasm file
// site/_headers     COOP/COEP, the CSP and long caching of v/ for hosts that read the file
//
// `--note` is shown in the page's footer beside the version (default: the git commit).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import zlib from 'node:zlib';

import { contentSecurityPolicy } from './csp.mjs';
import { pageModules, siteFiles } from './site-files.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Compressed copies are kept by content hash here, so a rebuild compresses only what changed. */
const COMPRESSED_CACHE = process.env.SITE_COMPRESS_CACHE ?? path.join(homedir(), '.cache/resnet-explorer/compressed');
/** Worth compressing: text, wasm and the weights (9 % smaller); the data files are gzip already. */
const COMPRESSIBLE = /\.(html|m?js|css|json|wasm|svg|txt|map|rnxw)$|LICENSE$/;
const MIN_COMPRESS_BYTES = 1024;

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Files not on the page's graph that the site adds, and what is kept for offline at once. */
const isModule = (file) => /^pkg(-threads)?\//.test(file);
const isTrainingSet = (file) => /^www\/data\/train-/.test(file);
/** What the demos need at open besides the code: the test set and the shipped network (www/worker/data.js, networks.js). */
const isOpening = (file) => /^www\/data\/t10k-/.test(file) || file === 'www/weights/fast.rnxw';

/**
 * index.html for the site: its references into the version folder, the CSP and the service
 * worker declared in <meta>s (the page registers the worker only where one is declared), and
 * a modulepreload link for each of the page's modules (`preload`), so that the browser fetches
 * them all at once instead of one level of imports per round trip.
 */
export function siteIndex(html, files, version, note, preload = []) {
  const inVersion = (ref) => (files.includes(path.posix.normalize(ref)) ? `v/${version}/${path.posix.normalize(ref)}` : ref);
  let out = html.replace(/(\s(?:href|src)=")([^"#:]+)"/g, (_, attr, ref) => `${attr}${inVersion(ref)}"`);
  out = out.replace(/<script type="importmap">([\s\S]*?)<\/script>/, (_, map) => {
    const imports = JSON.parse(map).imports;
    for (const [name, target] of Object.entries(imports)) imports[name] = './' + inVersion(target.replace(/^\.\//, ''));
    const links = preload.map((p) => `\n  <link rel="modulepreload" href="${inVersion(p)}">`).join('');
    return `<script type="importmap">\n${JSON.stringify({ imports }, null, 2)}\n  </script>${links}`;
  });
  const metas = [
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(out)}">`,
    '<meta name="service-worker" content="sw.js">',
    `<meta name="site-version" content="${version}${note ? ' \u00b7 ' + escapeAttribute(note) : ''}">`,
  ];
  return out.replace(/(<meta charset="utf-8">)/, `$1\n  ${metas.join('\n  ')}`);
}

const escapeAttribute = (text) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The `_headers` file (Netlify, Cloudflare Pages and the like). */
function headersFile(csp) {
  return `/*
  Content-Security-Policy: ${csp}
  Cross-Origin-Opener-Policy: same-origin
  Cross-Origin-Embedder-Policy: require-corp
  X-Content-Type-Options: nosniff
/v/*
  Cache-Control: public, max-age=31536000, immutable
/index.html
  Cache-Control: no-cache
/sw.js
  Cache-Control: no-cache
`;
}

/** Writes `file.br` and `file.gz` where they save at least 5 %; from the cache when seen before. */
async function compress(file) {
  const bytes = readFileSync(file);
  if (bytes.length < MIN_COMPRESS_BYTES) return;
  const key = sha256(bytes);
  const codecs = {
    br: () => promisify(zlib.brotliCompress)(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    gz: () => promisify(zlib.gzip)(bytes, { level: 9 }),
  };
  for (const [ext, codec] of Object.entries(codecs)) {
    const cached = path.join(COMPRESSED_CACHE, `${key}.${ext}`);
    if (!existsSync(cached)) {
      mkdirSync(COMPRESSED_CACHE, { recursive: true });
      writeFileSync(cached + '.tmp', await codec());
      copyFileSync(cached + '.tmp', cached);
      rmSync(cached + '.tmp');
    }
    if (statSync(cached).size <= bytes.length * 0.95) copyFileSync(cached, `${file}.${ext}`);
  }
}

/** The commit the site is built from, for the footer (null outside a git checkout). */
function gitCommit(root) {
  try {
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ? '+' : '';
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() + dirty;
  } catch {
    return null;
  }
}

/** Builds the site from `root` into `out` (emptied first). Resolves to {version, files, bytes}. */
export async function buildSite({ root = ROOT, out = path.join(ROOT, 'site'), note = gitCommit(root) } = {}) {
  const files = siteFiles(root);
  const hashes = Object.fromEntries(files.map((f) => [f, sha256(readFileSync(path.join(root, f)))]));
  const version = sha256(JSON.stringify([hashes, note])).slice(0, 12);
  rmSync(out, { recursive: true, force: true });
  const siteHashes = {};
  for (const file of files.filter((f) => f !== 'index.html')) {
    const target = path.join(out, 'v', version, file);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(root, file), target);
    siteHashes[`v/${version}/${file}`] = hashes[file];
  }
  const index = siteIndex(readFileSync(path.join(root, 'index.html'), 'utf8'), files, version, note, pageModules(root));
  writeFileSync(path.join(out, 'index.html'), index);
  siteHashes['index.html'] = sha256(index);
  const inVersion = (p) => p.replace(/^v\/[^/]+\//, '');
  const core = Object.keys(siteHashes).filter((p) => !isModule(inVersion(p)) && !isTrainingSet(inVersion(p)));
  const opening = Object.keys(siteHashes).filter((p) => isOpening(inVersion(p)));
  const site = { version, files: siteHashes, core, opening };
  writeFileSync(path.join(out, 'sw.js'), `const SITE = ${JSON.stringify(site)};\n\n${readFileSync(path.join(root, 'www/service-worker.js'), 'utf8')}`);
  writeFileSync(path.join(out, '_headers'), headersFile(contentSecurityPolicy(index, { header: true })));
  writeFileSync(path.join(out, '.nojekyll'), '');
  const written = ['index.html', 'sw.js', ...Object.keys(siteHashes).filter((p) => p !== 'index.html')];
  // Two at a time: brotli at quality 11 is the slow part, one core each.
  const queue = written.filter((p) => COMPRESSIBLE.test(p));
  await Promise.all([0, 1].map(async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await compress(path.join(out, p));
  }));
  const bytes = written.reduce((n, p) => n + statSync(path.join(out, p)).size, 0);
  return { version, files: written, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'site') }, note: { type: 'string' } } });
  try {
    const started = Date.now();
    const { version, files, bytes } = await buildSite({ out: path.resolve(values.out), ...(values.note !== undefined && { note: values.note }) });
    console.log(`site built: ${path.relative(process.cwd(), path.resolve(values.out)) || '.'}/ version ${version}, ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB before compression, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`build-site: ${e.message}`);
    process.exit(1);
  }
}
