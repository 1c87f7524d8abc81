// @ts-check
// The page's side of the static site's service worker (the worker itself is
// www/service-worker.js, built into site/sw.js): registration, the one reload that isolates a
// first visit (the rule is www/core/isolation.js's), keeping the core for offline use once the
// demos are ready, and the "new version" offer. The development server declares no worker, so
// none of this runs there.

import { isolationPlan } from '../core/isolation.js';

const RELOADED = 'resnet-explorer-isolation-reload';
/** How long a first visit waits for its service worker to take control before going on without. */
const CONTROL_TIMEOUT_MS = 10_000;

/** sessionStorage without its exceptions (storage can be disabled). */
const session = {
  get: (/** @type {string} */ key) => {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (/** @type {string} */ key, /** @type {string | null} */ value) => {
    try {
      if (value === null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch {
      // Without storage a second reload could follow; the timeout still ends it.
    }
  },
};

/**
 * @typedef {{isolated: boolean, reason: string | null, registration: ServiceWorkerRegistration | null}} Isolation
 *   reason: why the page is not isolated (null when it is); registration: null without a worker
 */

/** @type {{reloading: boolean, settled: Promise<Isolation>} | null} */
let started = null;

/**
 * At open, before the page opens its worker (boot.js); later calls get the same answer.
 * `reloading`: this visit reloads once it is under its service worker, so the page should load
 * nothing heavy; `settled` resolves to the outcome (never, when the page reloads).
 * @returns {{reloading: boolean, settled: Promise<Isolation>}}
 */
export function startServiceWorker() {
  started ??= start();
  return started;
}

/** @returns {{reloading: boolean, settled: Promise<Isolation>}} */
function start() {
  const container = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
  const declared = document.querySelector('meta[name="service-worker"]')?.getAttribute('content') ?? null;
  const isolated = self.crossOriginIsolated;
  const plan = isolationPlan({ isolated, declared, supported: Boolean(container), controlled: Boolean(container?.controller), reloadedBefore: session.get(RELOADED) !== null });
  if (isolated) session.set(RELOADED, null);
  const settled = (async () => {
    if (!plan.register || !container || !declared) return { isolated, reason: plan.reason, registration: null };
    let registration;
    try {
      registration = await container.register(declared);
    } catch (e) {
      return { isolated, reason: isolated ? null : `its service worker could not be registered (${/** @type {Error} */ (e).message})`, registration: null };
    }
    if (!plan.reload) return { isolated, reason: plan.reason, registration };
    if (await controlled(container)) {
      session.set(RELOADED, '1');
      // The demos' data start downloading now, in the worker, which outlives this document.
      container.controller?.postMessage({ type: 'keep-opening' });
      location.reload();
      return new Promise(() => {});
    }
    return { isolated, reason: 'its service worker did not take control in time', registration };
  })();
  return { reloading: plan.reload, settled: /** @type {Promise<Isolation>} */ (settled) };
}

/** Resolves true once a service worker controls the page, false after CONTROL_TIMEOUT_MS. @param {ServiceWorkerContainer} container */
function controlled(container) {
  if (container.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), CONTROL_TIMEOUT_MS);
    container.addEventListener('controllerchange', () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}

/**
 * Asks the service worker to keep the core (the app, the weights, the test set) for offline use.
 * Resolves to its answer ('kept', or why not), or null without a controlling worker.
 * @returns {Promise<string | null>}
 */
export function keepForOffline() {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => resolve(String(data));
    worker.postMessage({ type: 'keep-core' }, [channel.port2]);
  });
}

/**
 * Calls `onReady(reload)` once a new deployment's worker has installed (its cache complete)
 * while this page runs the old one; `reload()` switches to it and reloads this tab only.
 * @param {ServiceWorkerRegistration} registration @param {(reload: () => void) => void} onReady
 */
export function watchForUpdates(registration, onReady) {
  const reload = () => {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    registration.waiting?.postMessage({ type: 'skip-waiting' });
  };
  const offer = () => {
    if (registration.waiting && navigator.serviceWorker.controller) onReady(reload);
  };
  registration.addEventListener('updatefound', () => {
    const installing = registration.installing;
    installing?.addEventListener('statechange', () => installing.state === 'installed' && offer());
  });
  offer();
}
