import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  checkSource,
  checkSources,
  countLines,
  formatReport,
  frontEndFiles,
  inlineScripts,
  measureFunctions,
} from '../../scripts/check-sizes.mjs';

/** A function of exactly `n` lines (n >= 2): header, n - 2 body lines, closing brace. */
function fn(name, n, indent = '') {
  const body = Array.from({ length: n - 2 }, (_, i) => `${indent}  const v${i} = ${i};`);
  return [`${indent}function ${name}() {`, ...body, `${indent}}`].join('\n');
}

const LIMITS = { file: 400, fn: 80 };

test('countLines counts like wc -l for newline-terminated text', () => {
  assert.equal(countLines(''), 0);
  assert.equal(countLines('a\n'), 1);
  assert.equal(countLines('a\nb'), 2);
  assert.equal(countLines('a\nb\n'), 2);
});

test('a 90-line function fails, an 80-line one passes', () => {
  const long = checkSource('www/a.js', `// header\n${fn('tooLong', 90)}\n`, LIMITS);
  assert.deepEqual(long.violations, [{ file: 'www/a.js', line: 2, name: 'tooLong', lines: 90, limit: 80 }]);
  const ok = checkSource('www/b.js', `${fn('justRight', 80)}\n`, LIMITS);
  assert.deepEqual(ok.violations, []);
  assert.equal(ok.functions[0].lines, 80);
});

test('a nested 70-line function inside a 75-line one passes; each is measured', () => {
  const inner = fn('inner', 70, '  ');
  const outer = ['function outer() {', inner, '  inner();', '  return 1;', '}'].join('\n');
  const result = checkSource('www/n.js', `${outer}\n`, LIMITS);
  assert.deepEqual(result.violations, []);
  assert.deepEqual(
    result.functions.map((f) => [f.name, f.line, f.lines]),
    [
      ['outer', 1, 74],
      ['inner', 2, 70],
    ],
  );
});

test('a long function nested in a short file still fails, named and placed', () => {
  const src = ['export function wrap() {', '  return () => {', fn('deep', 85, '    '), '  };', '}', ''].join('\n');
  const names = checkSource('www/d.js', src, LIMITS).violations.map((v) => `${v.name}:${v.line}:${v.lines}`);
  assert.deepEqual(names, ['wrap:1:89', '<returned by wrap>:2:87', 'deep:3:85']);
});

test('arrow functions, methods, accessors and constructors are measured with readable names', () => {
  const src = [
    'const arrow = (x) => {',
    '  return x;',
    '};',
    'class Box {',
    '  constructor() {',
    '    this.v = 1;',
    '  }',
    '  get value() { return this.v; }',
    '  set value(v) { this.v = v; }',
    '  grow() {',
    '    this.v++;',
    '  }',
    '}',
    'const api = { run: function () {',
    '  return 1;',
    '} };',
    'button.addEventListener("click", () => {',
    '  go();',
    '});',
    'ready = () => 1;',
  ].join('\n');
  const found = measureFunctions(src).map((f) => `${f.name}@${f.line}+${f.lines}`);
  assert.deepEqual(found, [
    'arrow@1+3',
    'Box.constructor@5+3',
    'get Box.value@8+1',
    'set Box.value@9+1',
    'Box.grow@10+3',
    'run@14+3',
    '<callback of button.addEventListener>@17+3',
    'ready@20+1',
  ]);
});

test('a file over the line limit fails whatever its contents; CSS gets only the file check', () => {
  const css = Array.from({ length: 401 }, (_, i) => `.c${i} { color: red; }`).join('\n') + '\n';
  const result = checkSource('www/style.css', css, LIMITS);
  assert.deepEqual(result.functions, []);
  assert.deepEqual(result.violations, [{ file: 'www/style.css', line: 1, name: '(file)', lines: 401, limit: 400 }]);
  assert.deepEqual(checkSource('www/style.css', css, { file: 401, fn: 80 }).violations, []);
});

test('index.html: inline scripts are measured at their page lines; src= scripts and import maps are not', () => {
  const html = [
    '<!doctype html>',
    '<script type="importmap">{ "imports": {} }</script>',
    '<script type="module" src="www/app/main.js"></script>',
    '<script>',
    fn('pageLong', 82),
    '</script>',
    '',
  ].join('\n');
  assert.equal(inlineScripts(html).length, 1);
  const result = checkSource('index.html', html, LIMITS);
  assert.deepEqual(result.violations, [{ file: 'index.html', line: 5, name: 'pageLong', lines: 82, limit: 80 }]);
});

test('the report lists violations as file:line name length, then the longest functions and files', () => {
  const report = checkSources(
    [
      { file: 'www/big.js', text: `${fn('big', 90)}\n` },
      { file: 'www/small.js', text: `${fn('small', 3)}\n` },
    ],
    LIMITS,
  );
  const text = formatReport(report, LIMITS, 10);
  assert.match(text, /^1 over the limits/);
  assert.match(text, /\n {2}www\/big\.js:1 big 90\n/);
  assert.match(text, /longest functions \(limit 80\):\n\s+90 {2}www\/big\.js:1 big\n\s+3 {2}www\/small\.js:1 small/);
  assert.match(text, /longest files \(limit 400\):\n\s+90 {2}www\/big\.js\n\s+3 {2}www\/small\.js/);
  const clean = formatReport(checkSources([{ file: 'www/small.js', text: fn('small', 3) }], LIMITS), LIMITS);
  assert.match(clean, /^no file over 400 lines and no function over 80 \(1 files\)/);
});

test('the repository walk covers www/ and index.html but not data or weights', () => {
  const files = frontEndFiles();
  assert.ok(files.includes('index.html'));
  assert.ok(files.includes('www/app/main.js'));
  assert.ok(files.some((f) => f.endsWith('.css')));
  assert.ok(!files.some((f) => f.startsWith('www/data/') || f.startsWith('www/weights/')));
});
