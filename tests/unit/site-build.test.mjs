// The static site's build: which files the page loads (scripts/site-files.mjs) and its
// index.html (scripts/build-site.mjs), on small trees written here.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { siteIndex } from '../../scripts/build-site.mjs';
import { contentSecurityPolicy } from '../../scripts/csp.mjs';
import { moduleReferences, pageModules, siteFiles } from '../../scripts/site-files.mjs';

const roots = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A tree from {path: text}. */
function tree(files) {
  const root = mkdtempSync(path.join(tmpdir(), 'rx-site-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

const INDEX = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="www/style.css">
<script type="importmap">{"imports": {"lib": "./node_modules/lib/index.js"}}</script>
<script type="module" src="www/main.js"></script></head>
<body><a href="#top">top</a> <a href="https://example.org/x">out</a> <a href="www/data/LICENSE">licence</a></body></html>`;

test('module references: static, dynamic and import.meta URLs; comments and JSDoc types ignored', () => {
  const refs = moduleReferences(`
    /** @typedef {import('./types.js').T} T */
    // import { x } from './commented.js';
    import { a } from './a.js';
    export { b } from '../b.js';
    import 'lib';
    const c = await import('./c.js');
    const wasm = new URL('mod_bg.wasm', import.meta.url);
    const other = new URL('https://example.org/');
  `);
  assert.deepEqual(refs.imports, ['./a.js', '../b.js', 'lib', './c.js']);
  assert.deepEqual(refs.urls, ['mod_bg.wasm']);
});

test('the site holds exactly what the page loads, following CSS, the import map, modules and data folders', () => {
  const root = tree({
    'index.html': INDEX,
    'www/style.css': '@import url("parts/a.css");',
    'www/parts/a.css': 'body { background: url(../img/bg.png); }',
    'www/img/bg.png': 'png',
    'www/main.js': "import { f } from './lib/f.js'; import 'lib'; const d = new URL('data/', import.meta.url);",
    'www/lib/f.js': "export const f = () => import('../../pkg/m.js');",
    'www/data/LICENSE': 'MIT',
    'www/data/set.gz': 'gz',
    'www/unused.js': 'nobody imports this',
    'pkg/m.js': "const w = new URL('m_bg.wasm', import.meta.url);",
    'pkg/m_bg.wasm': 'wasm',
    'node_modules/lib/index.js': "import './chunk.js';",
    'node_modules/lib/chunk.js': '',
    'node_modules/lib/README.md': 'not loaded',
  });
  assert.deepEqual(siteFiles(root), [
    'index.html',
    'node_modules/lib/chunk.js',
    'node_modules/lib/index.js',
    'pkg/m.js',
    'pkg/m_bg.wasm',
    'www/data/LICENSE',
    'www/data/set.gz',
    'www/img/bg.png',
    'www/lib/f.js',
    'www/main.js',
    'www/parts/a.css',
    'www/style.css',
  ]);
});

test("the page's own modules (to preload): its imports, not the workers and modules it builds URLs for", () => {
  const root = tree({
    'index.html': INDEX,
    'www/main.js': "import { f } from './f.js'; import 'lib'; const w = new URL('worker.js', import.meta.url);",
    'www/f.js': "export const f = () => import('./later.js');",
    'www/later.js': '',
    'www/worker.js': "import './worker-only.js';",
    'www/worker-only.js': '',
    'node_modules/lib/index.js': '',
  });
  assert.deepEqual(pageModules(root), ['node_modules/lib/index.js', 'www/f.js', 'www/later.js', 'www/main.js']);
  const html = siteIndex(INDEX, ['index.html', 'www/main.js', 'www/f.js', 'node_modules/lib/index.js'], 'v1', null, ['www/f.js', 'node_modules/lib/index.js']);
  assert.match(html, /<\/script>\n  <link rel="modulepreload" href="v\/v1\/www\/f\.js">\n  <link rel="modulepreload" href="v\/v1\/node_modules\/lib\/index\.js">/, 'after the import map');
});

test('a file the page imports that is missing fails the build, naming who imports it', () => {
  const root = tree({ 'index.html': INDEX, 'www/style.css': '', 'www/main.js': "import './gone.js';", 'node_modules/lib/index.js': '', 'www/data/LICENSE': '' });
  assert.throws(() => siteFiles(root), /www\/main\.js refers to www\/gone\.js, which is missing/);
  const bare = tree({ 'index.html': INDEX, 'www/style.css': '', 'www/main.js': "import '@kurkle/color';", 'node_modules/lib/index.js': '', 'www/data/LICENSE': '' });
  assert.throws(() => siteFiles(bare), /imports '@kurkle\/color', which index.html's import map does not name/);
});

test("the site's index.html points into the version folder and declares its policy and worker", () => {
  const files = ['index.html', 'www/style.css', 'www/main.js', 'www/data/LICENSE', 'node_modules/lib/index.js'];
  const html = siteIndex(INDEX, files, 'abc123', 'a "note"');
  assert.match(html, /href="v\/abc123\/www\/style\.css"/);
  assert.match(html, /src="v\/abc123\/www\/main\.js"/);
  assert.match(html, /href="v\/abc123\/www\/data\/LICENSE"/);
  assert.match(html, /"lib": "\.\/v\/abc123\/node_modules\/lib\/index\.js"/);
  assert.match(html, /href="#top"/);
  assert.match(html, /href="https:\/\/example\.org\/x"/);
  assert.match(html, /<meta name="service-worker" content="sw\.js">/);
  assert.match(html, /<meta name="site-version" content="abc123 · a &quot;note&quot;">/);
  // The policy allows the rewritten import map by its hash, and nothing inline else.
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, contentSecurityPolicy(html));
  assert.match(csp ?? '', /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp ?? '', /'unsafe-inline'|'unsafe-eval'/);
  assert.match(csp ?? '', /object-src 'none'; base-uri 'none'/);
  assert.doesNotMatch(csp ?? '', /frame-ancestors/, 'ignored (with a warning) in a <meta>');
  assert.match(contentSecurityPolicy(html, { header: true }), /base-uri 'none'; frame-ancestors \*$/, 'as a header: any page may frame it (embed=<view>)');
});
