// @ts-check
// The page's layout: the sticky navigation bar over the sections (the link of the section being
// read is marked aria-current) and presenter mode (large type, bigger charts, more contrast),
// kept in the URL hash as `present=1` (its part of the link: www/app/hash.js) so a link opens in it,
// and one view alone in a frame (`embed=<view>`, ./embed.js).

import { EMBED, PRESENT, parseHash } from '../../core/settings.js';
import { chartFonts, navView, pinHeader } from './view.js';
import { embedDialog, showEmbedded } from './embed.js';

/**
 * Wires the navigation bar and the presenter toggle (#presenter-toggle).
 * @param {{hash: import('../../core/hash.js').HashOwner}} deps
 * @returns {{presenter: () => boolean, setPresenter: (on: boolean) => void}}
 */
export function initLayout({ hash }) {
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
    if (writeHash) hash.write();
  }

  toggle.addEventListener('click', () => setPresenter(!presenter()));
  // A bad value (present=2) is reported with the rest of the link by the form.
  hash.register({
    schema: () => PRESENT,
    read: (link) => {
      const on = parseHash(link, PRESENT).values.present === true;
      if (on !== presenter()) setPresenter(on, { writeHash: false });
    },
    values: () => ({ present: presenter() ? true : null }),
  });
  // One view alone in a frame (embed=identity, ...); the Embed button gives its <iframe>.
  let embedded = 'page';
  hash.register({
    schema: () => EMBED,
    read: (link) => {
      embedded = String(parseHash(link, EMBED).values.embed ?? 'page');
      showEmbedded(embedded === 'page' ? null : embedded);
    },
    values: () => ({ embed: embedded === 'page' ? null : embedded }),
  });
  embedDialog(/** @type {HTMLButtonElement} */ (document.getElementById('embed-open')), () => hash.hash);
  return { presenter, setPresenter };
}
