// @ts-check
// Looking elements up in the page. No state.

/** The element with this id (typed loosely: each view knows what its elements are). */
export const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));

/** A <span> of `className` holding `text`. @param {string} className @param {string} text */
export function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}
