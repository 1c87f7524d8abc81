// @ts-check
// One view of the page alone, for a slide or a course page (`embed=<view>` in the link): the
// other sections, the header and the footer hidden, the view laid out at a readable width and
// scaled to fit its frame whole (no scrolling inside a slide). And the "Embed" dialog that gives
// the <iframe> snippet for a view with the page's current settings.

import { EMBED_VIEWS } from '../../core/settings.js';

/** The width a view is laid out at before it is scaled to its frame. */
const LAYOUT_WIDTH = 760;

/** @type {{observer: ResizeObserver, fit: () => void} | null} the embedded view's scaling */
let fitting = null;

/**
 * Shows only `view`'s sections (null: the whole page again), scaled to the window.
 * @param {string | null} view  a key of EMBED_VIEWS
 */
export function showEmbedded(view) {
  const root = document.documentElement;
  const main = /** @type {HTMLElement} */ (document.querySelector('main'));
  fitting?.observer.disconnect();
  if (fitting) window.removeEventListener('resize', fitting.fit);
  fitting = null;
  for (const s of document.querySelectorAll('.embed-target')) s.classList.remove('embed-target');
  main.style.removeProperty('transform');
  main.style.removeProperty('width');
  const sections = (view ? EMBED_VIEWS[view] ?? [] : []).map((id) => document.getElementById(id)).filter((s) => s !== null);
  root.classList.toggle('embedded', sections.length > 0);
  if (!sections.length) return void delete root.dataset.embed;
  root.dataset.embed = /** @type {string} */ (view);
  for (const s of sections) s.classList.add('embed-target');
  // A transform does not change the layout, so its size can be watched without a loop.
  const fit = () => {
    const width = Math.max(window.innerWidth, LAYOUT_WIDTH);
    main.style.width = `${width}px`;
    const scale = Math.min(1, window.innerWidth / width, window.innerHeight / Math.max(1, main.offsetHeight));
    main.style.transform = `scale(${scale})`;
  };
  fitting = { observer: new ResizeObserver(fit), fit };
  fitting.observer.observe(main);
  window.addEventListener('resize', fit);
  fit();
}

/**
 * The "Embed" dialog: a view, and the <iframe> snippet for it with the settings of `hash()`.
 * @param {HTMLButtonElement} button @param {() => string} hash  the page's link's hash now
 */
export function embedDialog(button, hash) {
  const dialog = document.createElement('dialog');
  dialog.id = 'embed-dialog';
  dialog.className = 'embed-dialog';
  dialog.setAttribute('aria-labelledby', 'embed-title');
  const views = Object.keys(EMBED_VIEWS).map((v) => `<option value="${v}">${v}</option>`).join('');
  dialog.innerHTML = `<h2 id="embed-title">Embed a view in a slide or a course page</h2>
    <label class="inline-field">View <select id="embed-view">${views}</select></label>
    <textarea id="embed-snippet" rows="4" readonly aria-label="The iframe to paste"></textarea>
    <div class="buttons"><button type="button" id="embed-copy" class="primary">Copy</button>
    <button type="button" id="embed-close">Close</button> <span id="embed-copied" class="muted" aria-live="polite"></span></div>`;
  document.body.append(dialog);
  const select = /** @type {HTMLSelectElement} */ (dialog.querySelector('#embed-view'));
  const snippet = /** @type {HTMLTextAreaElement} */ (dialog.querySelector('#embed-snippet'));
  const copied = /** @type {HTMLElement} */ (dialog.querySelector('#embed-copied'));
  const update = () => {
    snippet.value = iframeSnippet(window.location.href.split('#')[0], hash(), select.value);
    copied.textContent = '';
  };
  select.addEventListener('change', update);
  button.addEventListener('click', () => {
    update();
    dialog.showModal();
  });
  /** @type {HTMLElement} */ (dialog.querySelector('#embed-close')).addEventListener('click', () => dialog.close());
  /** @type {HTMLElement} */ (dialog.querySelector('#embed-copy')).addEventListener('click', async () => {
    snippet.select();
    const ok = await navigator.clipboard?.writeText(snippet.value).then(() => true, () => false);
    copied.textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C (\u2318C) to copy.';
  });
}

/**
 * The <iframe> for `view` of the page at `base` with the settings of `hash`.
 * @param {string} base @param {string} hash @param {string} view
 */
export function iframeSnippet(base, hash, view) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('embed');
  params.delete('lesson');
  params.set('embed', view);
  const src = `${base}#${params.toString()}`.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return `<iframe src="${src}" width="640" height="420" style="border: 0" title="ResNet Explorer: ${view}" loading="lazy"></iframe>`;
}
