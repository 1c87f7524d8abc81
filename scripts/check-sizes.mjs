#!/usr/bin/env node
// Size check for the front end (issue 12's "Done means": no front-end file over about 400 lines,
// no function over about 80). Run by scripts/test.sh step 1:
//
//   node scripts/check-sizes.mjs [--max-file N] [--max-function N] [--top N]
//
// It walks www/**/*.js, www/**/*.css and index.html (not www/data/, www/weights/ or vendored and
// generated files), counts each file's lines, and measures every function's line span with the
// TypeScript compiler's parser (function declarations and expressions, arrow functions, methods,
// accessors, constructors; a nested function is measured on its own and also counts towards the
// one around it). Functions in index.html's inline scripts are measured too. It prints every
// violation as `file:line name length`, then the longest functions and files, and exits 1 when
// something is over a limit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LIMITS = Object.freeze({ file: 400, fn: 80 });

/** Paths (relative to the root, with `/`) that are data, weights, vendored or generated code. */
const SKIP = [/^www\/(data|weights)\//, /(^|\/)(vendor|vendored|generated|node_modules)\//, /\.min\.(js|css)$/];

/** @param {string} text */
export function countLines(text) {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** A readable name for a function node: its own, or the binding or property it is assigned to. */
function functionName(node, sf) {
  if (ts.isConstructorDeclaration(node)) return `${className(node.parent, sf)}.constructor`;
  const own = node.name ? node.name.getText(sf) : undefined;
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const prefix = ts.isGetAccessorDeclaration(node) ? 'get ' : ts.isSetAccessorDeclaration(node) ? 'set ' : '';
    const owner = ts.isClassLike(node.parent) ? `${className(node.parent, sf)}.` : '';
    return `${prefix}${owner}${own ?? '<computed>'}`;
  }
  if (own) return own;
  let parent = node.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  if (!parent) return '<anonymous>';
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText(sf);
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    return parent.left.getText(sf);
  }
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const callee = parent.expression.getText(sf).replace(/\s+/g, '');
    return `<callback of ${callee.length > 40 ? `${callee.slice(0, 37)}...` : callee}>`;
  }
  if (ts.isExportAssignment(parent)) return 'default';
  if (ts.isReturnStatement(parent)) {
    let outer = parent.parent;
    while (outer && !isFunctionNode(outer)) outer = outer.parent;
    return outer ? `<returned by ${functionName(outer, sf)}>` : '<returned>';
  }
  return '<anonymous>';
}

function className(node, sf) {
  return node && node.name ? node.name.getText(sf) : '<class>';
}

function isFunctionNode(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

/**
 * Every function in a JavaScript source with its first line (1-based, plus `lineOffset`) and its
 * length in lines (first to last line inclusive). Declarations without a body are skipped.
 * @param {string} source
 * @param {string} [fileName]
 * @param {number} [lineOffset]
 * @returns {{ name: string, line: number, lines: number }[]}
 */
export function measureFunctions(source, fileName = 'source.js', lineOffset = 0) {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  /** @type {{ name: string, line: number, lines: number }[]} */
  const found = [];
  const visit = (node) => {
    if (isFunctionNode(node) && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ name: functionName(node, sf), line: start + 1 + lineOffset, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * The inline classic and module scripts of an HTML page (not `src=` ones, not import maps or
 * JSON), each with the number of lines before its first line.
 * @param {string} html
 */
export function inlineScripts(html) {
  const scripts = [];
  const re = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;
  for (let m; (m = re.exec(html)); ) {
    const attrs = m[1];
    if (/\bsrc\s*=/i.test(attrs)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attrs)?.[1]?.toLowerCase();
    if (type && !['module', 'text/javascript', 'application/javascript'].includes(type)) continue;
    const bodyStart = m.index + m[0].indexOf('>') + 1;
    scripts.push({ source: m[2], lineOffset: html.slice(0, bodyStart).split('\n').length - 1 });
  }
  return scripts;
}

/**
 * Checks one file's text.
 * @param {string} file the path shown in messages
 * @param {string} text
 * @param {{ file: number, fn: number }} [limits]
 * @returns {{ file: string, lines: number, functions: { name: string, line: number, lines: number }[],
 *   violations: { file: string, line: number, name: string, lines: number, limit: number }[] }}
 */
export function checkSource(file, text, limits = LIMITS) {
  const lines = countLines(text);
  let functions = [];
  if (/\.(m?js)$/.test(file)) functions = measureFunctions(text, file);
  else if (/\.html?$/.test(file)) {
    functions = inlineScripts(text).flatMap((s) => measureFunctions(s.source, file, s.lineOffset));
  }
  const violations = [];
  if (lines > limits.file) violations.push({ file, line: 1, name: '(file)', lines, limit: limits.file });
  for (const f of functions) {
    if (f.lines > limits.fn) violations.push({ file, line: f.line, name: f.name, lines: f.lines, limit: limits.fn });
  }
  return { file, lines, functions, violations };
}

/** The front-end files under `root`, relative paths with `/`, sorted. */
export function frontEndFiles(root = ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (SKIP.some((re) => re.test(entry.isDirectory() ? `${rel}/` : rel))) continue;
      if (entry.isDirectory()) walk(rel);
      else if (/\.(m?js|css)$/.test(entry.name)) out.push(rel);
    }
  };
  if (fs.existsSync(path.join(root, 'www'))) walk('www');
  if (fs.existsSync(path.join(root, 'index.html'))) out.push('index.html');
  return out.sort();
}

/**
 * Checks every file; returns the per-file results and all violations.
 * @param {{ file: string, text: string }[]} sources
 * @param {{ file: number, fn: number }} [limits]
 */
export function checkSources(sources, limits = LIMITS) {
  const results = sources.map(({ file, text }) => checkSource(file, text, limits));
  return { results, violations: results.flatMap((r) => r.violations) };
}

/** The report printed by the command line: violations, then the longest functions and files. */
export function formatReport({ results, violations }, limits = LIMITS, top = 10) {
  const out = [];
  const pad = (s, n) => String(s).padStart(n);
  if (violations.length) {
    out.push(`${violations.length} over the limits (file ${limits.file} lines, function ${limits.fn} lines):`);
    for (const v of violations) out.push(`  ${v.file}:${v.line} ${v.name} ${v.lines}`);
  } else {
    out.push(`no file over ${limits.file} lines and no function over ${limits.fn} (${results.length} files)`);
  }
  const fns = results.flatMap((r) => r.functions.map((f) => ({ ...f, file: r.file })));
  fns.sort((a, b) => b.lines - a.lines);
  out.push('', `longest functions (limit ${limits.fn}):`);
  for (const f of fns.slice(0, top)) out.push(`  ${pad(f.lines, 4)}  ${f.file}:${f.line} ${f.name}`);
  const files = [...results].sort((a, b) => b.lines - a.lines);
  out.push('', `longest files (limit ${limits.file}):`);
  for (const r of files.slice(0, top)) out.push(`  ${pad(r.lines, 4)}  ${r.file}`);
  return out.join('\n');
}

function parseArgs(argv) {
  const opts = { file: LIMITS.file, fn: LIMITS.fn, top: 10 };
  const names = { '--max-file': 'file', '--max-function': 'fn', '--top': 'top' };
  for (let i = 0; i < argv.length; i++) {
    const key = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value < 0) {
      throw new Error(`usage: node scripts/check-sizes.mjs [--max-file N] [--max-function N] [--top N] (at ${argv[i]})`);
    }
    opts[key] = value;
    i++;
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const limits = { file: opts.file, fn: opts.fn };
  const sources = frontEndFiles().map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));
  const report = checkSources(sources, limits);
  console.log(formatReport(report, limits, opts.top));
  process.exit(report.violations.length ? 1 : 0);
}
