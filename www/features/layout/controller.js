// @ts-check
// The page's layout: the sticky navigation bar over the sections (the link of the section being
// read is marked aria-current) and presenter mode (large type, bigger charts, more contrast),
// kept in the URL hash as `present=1` so a link opens in it. The presenter flag has its own small
// schema; the page's and the lab's writers keep keys they do not own, so the three never clash.

import { PRESENT, hashOf, parseHash } from '../../core/settings.js';
import { chartFonts, navView, pinHeader } from './view.js';

/** Whether `hash` asks for presenter mode (`present=1`). @param {string} hash */
export function presentIn(hash) {
  return parseHash(hash, PRESENT).values.present === true;
}

/**
 * `hash` with presenter mode on (`present=1`) or off (the key left out); the other keys kept.
 * @param {string} hash @param {boolean} on
 */
export function withPresent(hash, on) {
  return hashOf({ present: on ? true : null }, PRESENT, hash);
}

/**
 * Wires the navigation bar and the presenter toggle (#presenter-toggle).
 * @returns {{presenter: () => boolean, setPresenter: (on: boolean) => void}}
 */
export function initLayout() {
  const root = document.documentElement;
  const toggle = /** @type {HTMLButtonElement} */ (document.getElementById('presenter-toggle'));
  const header = /** @type {HTMLElement} */ (document.querySelector('.site-header'));
  const nav = /** @type {HTMLElement} */ (document.getElementById('section-nav'));

  pinHeader(header, nav);
  navView(nav);

  const presenter = () => root.classList.contains('presenter');
  /** @param {boolean} on @param {{writeHash?: boolean}} [options] */
  function setPresenter(on, { writeHash = true } = {}) {
    root.classList.toggle('presenter', on);
    toggle.setAttribute('aria-pressed', String(on));
    chartFonts(on);
    if (writeHash) {
      const hash = withPresent(location.hash, on);
      if (hash !== location.hash && !(hash === '#' && !location.hash)) history.replaceState(null, '', hash === '#' ? location.pathname + location.search : hash);
    }
  }

  toggle.addEventListener('click', () => setPresenter(!presenter()));
  window.addEventListener('hashchange', () => {
    const on = presentIn(location.hash);
    if (on !== presenter()) setPresenter(on, { writeHash: false });
  });
  if (presentIn(location.hash)) setPresenter(true, { writeHash: false });
  return { presenter, setPresenter };
}
