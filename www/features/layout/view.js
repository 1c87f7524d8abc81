// @ts-check
// The DOM side of the layout: the header pinned so that only its navigation bar stays in view,
// the navigation links (smooth scroll, focus moved to the section's heading, the current
// section's link marked while scrolling) and the charts' type size in presenter mode.

import { Chart } from 'chart.js';

const CHART_FONT = { normal: 12, presenter: 17 };

/**
 * Pins the header so that, once scrolled, only the navigation bar stays at the top of the
 * window: the header sticks at minus the height above the bar. Sets `--nav-height` on the root
 * (sections scroll to just below the bar).
 * @param {HTMLElement} header @param {HTMLElement} nav
 */
export function pinHeader(header, nav) {
  const root = document.documentElement;
  const measure = () => {
    const above = nav.getBoundingClientRect().top - header.getBoundingClientRect().top;
    header.style.top = `${-Math.round(above)}px`;
    root.style.setProperty('--nav-height', `${Math.round(nav.getBoundingClientRect().height)}px`);
  };
  header.classList.add('pinned');
  measure();
  new ResizeObserver(measure).observe(header);
}

/**
 * The navigation links: each `a[href="#id"]` scrolls to its section (sections named in its
 * `data-also` count as its too) and moves the focus to the section's heading; the link of the
 * first section in the band under the bar gets aria-current="true".
 * @param {HTMLElement} nav
 */
export function navView(nav) {
  const links = /** @type {HTMLAnchorElement[]} */ ([...nav.querySelectorAll('a[href^="#"]')]);
  /** @type {Map<Element, HTMLAnchorElement>} */
  const linkOf = new Map();
  for (const link of links) {
    const ids = [link.hash.slice(1), ...(link.dataset.also ?? '').split(/\s+/).filter(Boolean)];
    for (const id of ids) {
      const section = document.getElementById(id);
      if (section) linkOf.set(section, link);
    }
    link.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const section = document.getElementById(link.hash.slice(1));
      if (!section) return;
      e.preventDefault(); // the hash holds the settings: leave it alone
      const smooth = !window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      section.scrollIntoView({ behavior: smooth ? 'smooth' : 'auto', block: 'start' });
      const heading = /** @type {HTMLElement | null} */ (section.querySelector('h2')) ?? section;
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
      mark(link);
    });
  }
  const sections = [...linkOf.keys()].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));

  /** @param {HTMLAnchorElement | null} current */
  function mark(current) {
    for (const link of links) {
      if (link === current) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
    if (!current) return;
    // Keep the current link visible in a bar that scrolls sideways (narrow windows).
    const list = /** @type {HTMLElement} */ (current.closest('ul') ?? nav);
    const left = current.offsetLeft - list.offsetLeft;
    if (left < list.scrollLeft || left + current.offsetWidth > list.scrollLeft + list.clientWidth) list.scrollTo({ left: Math.max(0, left - 16) });
  }

  /** @type {Set<Element>} */
  const inBand = new Set();
  /** @type {IntersectionObserver | null} */
  let observer = null;
  let barHeight = -1;
  const observe = () => {
    const height = Math.round(nav.getBoundingClientRect().height);
    if (height === barHeight) return;
    barHeight = height;
    observer?.disconnect();
    inBand.clear();
    // The band: from under the bar to 40 % of the window's height.
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) inBand.add(entry.target);
          else inBand.delete(entry.target);
        }
        const first = sections.find((s) => inBand.has(s));
        if (first) mark(linkOf.get(first) ?? null);
        else if (window.scrollY < 10) mark(null);
      },
      { rootMargin: `-${height + 1}px 0px -60% 0px` },
    );
    for (const section of sections) observer.observe(section);
  };
  observe();
  new ResizeObserver(observe).observe(nav);
}

/** The charts' type size, larger in presenter mode; every chart on the page is redrawn. @param {boolean} presenter */
export function chartFonts(presenter) {
  const size = presenter ? CHART_FONT.presenter : CHART_FONT.normal;
  if (Chart.defaults.font.size === size) return;
  Chart.defaults.font.size = size;
  for (const chart of Object.values(Chart.instances)) chart.update('none');
}
