// @ts-check
// The lesson panel: the step's title, text and actions, and the live view it points at.

import { STEPS } from './steps.js';
import { drawClasses } from './figure.js';
import { $ } from '../../dom/elements.js';

/** The panel's inside, built once (index.html holds the empty <aside>). */
function buildPanel(/** @type {HTMLElement} */ panel) {
  panel.innerHTML = `
    <div class="lesson-head">
      <span id="lesson-counter" class="lesson-counter"></span>
      <h2 id="lesson-title"></h2>
      <button type="button" id="lesson-close" class="small" aria-label="Leave the lesson">Leave the lesson</button>
    </div>
    <div class="lesson-body">
      <div id="lesson-text" class="lesson-text"></div>
      <figure id="lesson-figure-box" class="lesson-figure" hidden>
        <svg id="lesson-figure" role="img" aria-label="Function classes"></svg>
      </figure>
    </div>
    <div class="lesson-controls">
      <button type="button" id="lesson-prev" aria-keyshortcuts="ArrowLeft">\u2190 Back</button>
      <div id="lesson-actions" class="lesson-actions" role="group" aria-label="Try this"></div>
      <button type="button" id="lesson-next" class="primary" aria-keyshortcuts="ArrowRight">Next \u2192</button>
    </div>
    <p id="lesson-message" class="demo-message" aria-live="polite"></p>`;
}

export function lessonView() {
  buildPanel($('lesson'));
  const ui = {
    panel: $('lesson'),
    counter: $('lesson-counter'),
    title: $('lesson-title'),
    text: $('lesson-text'),
    figure: /** @type {SVGSVGElement} */ ($('lesson-figure')),
    figureBox: $('lesson-figure-box'),
    actions: $('lesson-actions'),
    message: $('lesson-message'),
    prev: $('lesson-prev'),
    next: $('lesson-next'),
    close: $('lesson-close'),
    open: $('lesson-open'),
  };
  /** @type {Element | null} */
  let target = null;
  let nested = true;
  // Presenter mode (or a narrower window) changes the navigation bar's height: the view the step
  // points at is brought back below it, not left under it.
  const nav = document.getElementById('section-nav');
  let navHeight = nav?.offsetHeight ?? 0;
  if (nav && typeof ResizeObserver === 'function') {
    new ResizeObserver(() => {
      if (nav.offsetHeight === navHeight) return;
      navHeight = nav.offsetHeight;
      if (target && !ui.panel.hidden && !target.closest('#lesson')) target.scrollIntoView({ block: 'start' });
    }).observe(nav);
  }

  return {
    ui,
    /**
     * Shows `step` (or hides the lesson with null), pointing at its view.
     * @param {string | null} id
     * @param {{onAction: (run: string) => void, scroll: boolean}} options
     */
    show(id, { onAction, scroll }) {
      target?.classList.remove('lesson-target');
      target = null;
      const index = STEPS.findIndex((s) => s.id === id);
      const step = STEPS[index];
      ui.panel.hidden = !step;
      document.body.classList.toggle('in-lesson', Boolean(step));
      ui.open.setAttribute('aria-expanded', String(Boolean(step)));
      if (!step) return;
      ui.panel.dataset.step = step.id;
      ui.counter.textContent = `Step ${index + 1} of ${STEPS.length}`;
      ui.title.textContent = step.title;
      ui.text.replaceChildren(...step.text.map((t) => Object.assign(document.createElement('p'), { textContent: t })));
      ui.figureBox.hidden = step.id !== 'classes';
      if (step.id === 'classes') drawClasses(ui.figure, nested);
      ui.actions.replaceChildren(
        ...step.actions.map((a) => {
          const b = Object.assign(document.createElement('button'), { type: 'button', textContent: a.label, className: 'lesson-action' });
          b.dataset.run = a.run;
          b.addEventListener('click', () => onAction(a.run));
          return b;
        }),
      );
      ui.prev.disabled = index === 0;
      ui.next.disabled = index === STEPS.length - 1;
      ui.message.textContent = '';
      target = document.querySelector(step.target);
      target?.classList.add('lesson-target');
      if (scroll && target && step.target !== '#lesson-figure') target.scrollIntoView({ block: 'start', behavior: 'smooth' });
    },
    toggleFigure() {
      nested = !nested;
      drawClasses(ui.figure, nested);
      const button = ui.actions.querySelector('[data-run="toggleFigure"]');
      if (button) button.textContent = nested ? 'Compare with non-nested classes' : 'Back to nested classes';
    },
    say(/** @type {string} */ text) {
      ui.message.textContent = text;
    },
  };
}
