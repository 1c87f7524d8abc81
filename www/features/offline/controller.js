// @ts-check
// The static site's own lines (its deployment and its offline copy): the "new version" offer at the top of the page, and in the footer
// which deployment this is and whether it is kept for offline use. All from the store (set by
// www/app/service-worker.js's owner); the development server has none of them, so they stay hidden.

/** @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore */

/** What the footer says of the offline copy. @param {string | null} offline */
export function offlineText(offline) {
  if (offline === null || offline === 'unavailable') return '';
  if (offline === 'keeping') return 'Keeping this page for offline use\u2026';
  if (offline === 'kept') return 'Kept for offline use: this page, its network and the test images open without a connection; the training images once a run has used them.';
  return `This page could not be kept for offline use (${offline.replace(/^failed: /, '')}).`;
}

/** @param {{store: PageStore}} deps */
export function initOffline({ store }) {
  const banner = /** @type {HTMLElement} */ (document.getElementById('update-banner'));
  const reload = /** @type {HTMLButtonElement} */ (document.getElementById('update-reload'));
  const version = /** @type {HTMLElement} */ (document.getElementById('site-version'));
  const offline = /** @type {HTMLElement} */ (document.getElementById('site-offline'));

  const deployment = document.querySelector('meta[name="site-version"]')?.getAttribute('content');
  version.hidden = !deployment;
  version.textContent = deployment ? `Version ${deployment}.` : '';

  reload.addEventListener('click', () => {
    reload.disabled = true;
    store.get().update?.reload();
  });
  store.subscribe(['update'], (s) => {
    banner.hidden = !s.update;
  });
  store.subscribe(['offline'], (s) => {
    offline.textContent = offlineText(s.offline);
    offline.dataset.state = s.offline ?? '';
  });
}
