// @ts-check
// Looking elements up in the page. No state.

/** The element with this id (typed loosely: each view knows what its elements are). */
export const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
