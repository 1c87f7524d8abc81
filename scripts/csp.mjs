// The page's Content-Security-Policy, one definition for the built site (a <meta> in
// site/index.html, a header in site/_headers) and for scripts/serve.mjs (a header). It allows
// what the page truly loads: its own files, WebAssembly ('wasm-unsafe-eval': compiling a module,
// not eval), the one inline script (the import map, by its hash), the favicon's data: URL, and
// workers from blob: URLs (wasm-bindgen-rayon starts the threaded module's pool from a blob of
// its own same-origin script; only the page's own code can make such a URL). No
// 'unsafe-inline', no 'unsafe-eval', no plugins, no <base>. As a header it also lets any page
// frame it (`frame-ancestors *`: a teacher's slides embed one view, `embed=identity`); a <meta>
// cannot say that (browsers ignore frame-ancestors there, with a warning), and framing is the
// default anyway.

import { createHash } from 'node:crypto';

/** The text of index.html's one inline script, its import map. */
export function importMapText(html) {
  const found = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (!found) throw new Error('index.html has no <script type="importmap">');
  return found[1];
}

/** The policy for a page whose index.html is `html` (`header`: sent as an HTTP header). */
export function contentSecurityPolicy(html, { header = false } = {}) {
  const hash = createHash('sha256').update(importMapText(html)).digest('base64');
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`,
    "img-src 'self' data:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    ...(header ? ['frame-ancestors *'] : []),
  ].join('; ');
}
