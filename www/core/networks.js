// @ts-check
// What the list of networks kept in this browser says about each: pure, unit-tested in
// tests/unit/networks.test.mjs (the list itself: www/features/networks/view.js).

/**
 * @typedef {{id: number, name: string, note: string, savedAt: string, epochs: number | null,
 *   done: number | null, trained?: number | null}} SavedEntry  as the worker lists them (www/worker/persistence.js's listSaved)
 */

/** "1 Dec 2026, 20:30" (the same on every machine: tests and screenshots compare it). */
export function savedDate(/** @type {string} */ iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'an unknown date';
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The line under an entry's name: its training progress and when it was saved. */
export function entryDetails(/** @type {SavedEntry} */ e) {
  const trained = Math.max(e.done ?? 0, e.trained ?? 0);
  const shown = Number.isInteger(trained) ? String(trained) : trained.toFixed(1);
  const progress = e.epochs ? `${shown} of ${e.epochs} epoch${e.epochs === 1 ? '' : 's'}` : null;
  const unfinished = e.epochs && (e.done ?? 0) < e.epochs ? ' (unfinished: it can be resumed)' : '';
  return [progress ? progress + unfinished : null, `saved ${savedDate(e.savedAt)}`].filter(Boolean).join(', ');
}

/** A name typed for an entry, trimmed and at most 80 characters; null when empty. */
export function cleanName(/** @type {string} */ text) {
  const name = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return name === '' ? null : name;
}

