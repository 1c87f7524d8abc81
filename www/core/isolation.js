// @ts-check
// Cross-origin isolation, which the threaded CPU module needs (SharedArrayBuffer): the pure
// decision of what the page does at open, unit-tested in tests/unit/isolation.test.mjs. The
// facts are gathered, and the decision carried out, by www/app/service-worker.js.
//
// A host that sends COOP/COEP isolates the page itself. The static site declares its service
// worker (<meta name="service-worker">, from scripts/build-site.mjs), which adds those headers to
// what it serves; it only can once it controls the page, so a first visit reloads once, before
// anything heavy is downloaded. Where none of that works, the page trains on one thread and the
// backend line says why.

/**
 * @typedef {object} IsolationFacts
 * @property {boolean} isolated         self.crossOriginIsolated
 * @property {string | null} declared   the service worker the page declares (null: none, as on the development server)
 * @property {boolean} supported        navigator.serviceWorker exists (not in Firefox's private windows)
 * @property {boolean} controlled       a service worker controls this page
 * @property {boolean} reloadedBefore   this tab already reloaded once to be isolated
 *
 * @typedef {{register: boolean, reload: boolean, reason: string | null}} IsolationPlan
 *   reason: why the page is not isolated (null when it is, or will be after the reload)
 */

/** @param {IsolationFacts} f @returns {IsolationPlan} */
export function isolationPlan(f) {
  const register = Boolean(f.declared && f.supported);
  if (f.isolated) return { register, reload: false, reason: null };
  if (!f.declared) return { register, reload: false, reason: 'the server sends no cross-origin isolation headers (COOP/COEP)' };
  if (!f.supported) return { register, reload: false, reason: 'this window allows no service worker (a private window?), and the host sends no isolation headers' };
  if (f.controlled) return { register, reload: false, reason: 'the browser did not isolate the page under its service worker' };
  if (f.reloadedBefore) return { register, reload: false, reason: 'the service worker did not take control of the page after a reload' };
  return { register, reload: true, reason: null };
}
