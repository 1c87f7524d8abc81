// Which files the page loads: the graph from index.html through its style sheets, its import
// map, every JavaScript module's imports (static and dynamic) and every `new URL('…',
// import.meta.url)` (the worker, the wasm modules, the weights, the data folder). The static
// site ships exactly these. A reference to a file that is not there is an error naming the file
// that refers to it, so a site with a hole is never built.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Relative references in index.html's attributes (style sheets, scripts, links to files). */
const HTML_REFS = /\s(?:href|src)="([^"#:]+)"/g;
/** @import and url(…) in a style sheet. */
const CSS_REFS = /@import\s+(?:url\()?\s*["']?([^"')\s]+)["']?\s*\)?|url\(\s*["']?([^"')]+)["']?\s*\)/g;

/** The string literal's text, if `node` is one. */
const literal = (node) => (node && ts.isStringLiteralLike(node) ? node.text : null);

/** Whether `node` is `import.meta.url`. */
function isImportMetaUrl(node) {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'url' && ts.isMetaProperty(node.expression) && node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

/** The specifiers a module imports and the URLs it builds from import.meta.url (comments ignored). */
export function moduleReferences(source, fileName = 'module.js') {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const imports = [];
  const urls = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) imports.push(literal(node.moduleSpecifier));
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && literal(node.arguments[0])) imports.push(literal(node.arguments[0]));
    else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2 && isImportMetaUrl(node.arguments[1]) && literal(node.arguments[0])) {
      urls.push(literal(node.arguments[0]));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { imports: imports.filter(Boolean), urls };
}

/** The import map of index.html: bare specifier -> path relative to the root. */
function importMap(html) {
  const found = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  return found ? JSON.parse(found[1]).imports ?? {} : {};
}

/**
 * Every file index.html loads, as paths relative to `root` (posix separators), sorted.
 * Throws naming the referring file when a referenced file is missing.
 */
export function siteFiles(root) {
  const found = new Set();
  const pending = [];
  const rel = (abs) => path.relative(root, abs).split(path.sep).join('/');
  const add = (abs, from) => {
    const name = rel(abs);
    if (name.startsWith('..')) throw new Error(`${from} refers to ${name}, outside the site`);
    if (found.has(name)) return;
    if (!existsSync(abs)) throw new Error(`${from} refers to ${name}, which is missing (is the site built? scripts/setup.sh builds pkg/, pkg-threads/ and pkg-catalogue/)`);
    if (statSync(abs).isDirectory()) {
      // A folder the code builds file URLs in (the data): every file in it.
      for (const entry of readdirSync(abs)) if (statSync(path.join(abs, entry)).isFile()) add(path.join(abs, entry), from);
      return;
    }
    found.add(name);
    pending.push(name);
  };
  const html = readFileSync(path.join(root, 'index.html'), 'utf8');
  const bare = importMap(html);
  found.add('index.html');
  for (const [, ref] of html.matchAll(HTML_REFS)) add(path.join(root, ref), 'index.html');
  for (const target of Object.values(bare)) add(path.join(root, target), 'index.html (import map)');
  while (pending.length) {
    const name = pending.pop();
    const abs = path.join(root, name);
    const dir = path.dirname(abs);
    if (name.endsWith('.css')) {
      const css = readFileSync(abs, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, imported, url] of css.matchAll(CSS_REFS)) {
        const ref = imported ?? url;
        if (!/^(data:|https?:|#)/.test(ref)) add(path.join(dir, ref), name);
      }
    } else if (/\.m?js$/.test(name)) {
      const { imports, urls } = moduleReferences(readFileSync(abs, 'utf8'), name);
      for (const spec of imports) {
        if (/^\.{0,2}\//.test(spec)) add(path.join(dir, spec), name);
        else if (bare[spec]) add(path.join(root, bare[spec]), `${name} (import '${spec}')`);
        else throw new Error(`${name} imports '${spec}', which index.html's import map does not name`);
      }
      for (const url of urls) add(path.join(dir, url), name);
    }
  }
  return [...found].sort();
}

/**
 * The modules the page's own thread imports, from index.html's module script through every
 * import (not the workers' and wasm modules it builds URLs for): what index.html can preload.
 * Paths relative to `root`, sorted.
 */
export function pageModules(root) {
  const html = readFileSync(path.join(root, 'index.html'), 'utf8');
  const bare = importMap(html);
  const rel = (abs) => path.relative(root, abs).split(path.sep).join('/');
  const found = new Set();
  const pending = [...html.matchAll(/<script type="module" src="([^"]+)"/g)].map(([, src]) => path.posix.normalize(src));
  while (pending.length) {
    const name = pending.pop();
    if (found.has(name)) continue;
    found.add(name);
    const dir = path.dirname(path.join(root, name));
    for (const spec of moduleReferences(readFileSync(path.join(root, name), 'utf8'), name).imports) {
      pending.push(/^\.{0,2}\//.test(spec) ? rel(path.join(dir, spec)) : path.posix.normalize(bare[spec]));
    }
  }
  return [...found].sort();
}
