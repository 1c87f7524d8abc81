// @ts-check
// The lesson's first figure (after d2l's figure 8.6.1): function classes of growing size, nested
// (each contains the last, so the best function can only get closer to the truth f*) or not.

import { el, text } from '../../dom/svg.js';

// Each class: an ellipse (cx, cy, rx, ry); the star is the truth f*; the dots the best function
// in each class. Non-nested: bigger classes drift away from f*.
const NESTED = [
  [70, 92, 30, 22, 70, 92],
  [86, 86, 50, 36, 110, 80],
  [104, 80, 72, 52, 150, 70],
];
const NOT_NESTED = [
  [70, 92, 30, 22, 88, 84],
  [112, 104, 46, 32, 128, 88],
  [86, 60, 66, 40, 124, 46],
];
const TRUTH = [170, 62];

/**
 * Draws the figure into `svg`.
 * @param {SVGSVGElement} svg
 * @param {boolean} nested
 */
export function drawClasses(svg, nested) {
  const classes = nested ? NESTED : NOT_NESTED;
  svg.setAttribute('viewBox', '0 0 220 150');
  svg.dataset.nested = String(nested);
  svg.setAttribute('aria-label', nested
    ? 'Nested function classes: F1 inside F2 inside F3; the best function in each gets closer to the truth f*.'
    : 'Non-nested function classes: F3 is bigger than F1 but does not contain it, and its best function is farther from the truth f*.');
  const parts = classes.flatMap(([cx, cy, rx, ry, bx, by], i) => [
    el('ellipse', { cx, cy, rx, ry, class: `fclass fclass-${i + 1}` }),
    // At the top of its own ellipse: the left edges of nested classes crowd together.
    text(cx, cy - ry + 10, `F${i + 1}`, { class: 'fclass-label', 'text-anchor': 'middle' }),
    el('circle', { cx: bx, cy: by, r: 3, class: 'fclass-best' }),
  ]);
  const [tx, ty] = TRUTH;
  parts.push(text(tx, ty, '\u2605', { class: 'ftruth', 'text-anchor': 'middle', 'dominant-baseline': 'middle' }));
  parts.push(text(tx + 8, ty - 8, 'f*', { class: 'fclass-label' }));
  parts.push(text(110, 144, nested ? 'nested: F\u2081 \u2286 F\u2082 \u2286 F\u2083' : 'not nested', { class: 'fclass-caption', 'text-anchor': 'middle' }));
  svg.replaceChildren(...parts);
}
