// @ts-check
// Building SVG by hand: an element with its attributes and children, a text node, an arrowhead.

const SVG = 'http://www.w3.org/2000/svg';

/**
 * @typedef {Record<string, string | number | boolean | null | undefined>} Attrs
 *   null, undefined and false leave the attribute out
 */

/**
 * An SVG element: `el('rect', {x: 0, y: 0, width: 10, height: 10, class: 'box'})`.
 * @param {string} tag @param {Attrs} [attrs] @param {Node | null | false | Array<Node | null | false>} [children]
 * @returns {SVGElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined && v !== false) node.setAttribute(k, String(v));
  for (const c of Array.isArray(children) ? children : [children]) if (c) node.append(c);
  return node;
}

/** A <text> at (x, y). @param {number} x @param {number} y @param {string} content @param {Attrs} [attrs] */
export function text(x, y, content, attrs = {}) {
  const t = el('text', { x, y, ...attrs });
  t.textContent = content;
  return t;
}

/** A <title> child: the tooltip (and accessible description) of its parent. @param {string} content */
export function title(content) {
  const t = el('title');
  t.textContent = content;
  return t;
}

/**
 * An arrowhead marker for `marker-end="url(#id)"`, its path styled by `className`.
 * @param {string} id @param {string} className
 */
export function arrowMarker(id, className) {
  return el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, [
    el('path', { d: 'M0,0 L10,5 L0,10 z', class: className }),
  ]);
}
