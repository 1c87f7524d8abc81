// @ts-check
// The guided lesson over the live page: one step at a time, in the URL hash (`lesson=identity`)
// so a teacher can share a link to a step; buttons and the arrow keys move between steps, Escape
// leaves. Each step's actions are the page's own (commands the other features registered), so
// the lesson shows the real thing.

import { demoReady } from '../../core/page-state.js';
import { LESSON, STEPS, move, stepFromHash } from './steps.js';
import { lessonView } from './view.js';

/** @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore */

/**
 * Runs `fn` once the demos can ask the worker (it may still be loading the network).
 * @param {PageStore} store @param {{say(text: string): void}} view @param {() => void} fn
 */
function whenReady(store, view, fn) {
  if (store.get().memoryNet?.zoo) {
    view.say('The network in memory has no residual blocks: press \u201cLoad the pretrained fast ResNet\u201d in the Identity section first.');
    return;
  }
  if (demoReady(store.get())) return fn();
  view.say('Waiting for the network in memory\u2026');
  const off = store.subscribe(null, (s) => {
    if (!demoReady(s)) return;
    off();
    view.say('');
    fn();
  });
}

/** @param {{store: PageStore, hash: import('../../core/hash.js').HashOwner, commands: import('../../core/commands.js').Commands}} deps */
export function initLesson({ store, hash, commands }) {
  const view = lessonView();
  /** @type {string | null} */
  let step = null;

  const ready = (/** @type {() => void} */ fn) => whenReady(store, view, fn);
  /** What a step's action does: the page's own controls, once they can act. */
  const ACTIONS = /** @type {Record<string, () => void>} */ ({
    toggleFigure: () => view.toggleFigure(),
    selectIdentityBlock: () => {
      const block = store.get().memoryNet?.blocks?.find((/** @type {any} */ b) => !b.projection && !b.plain);
      if (block) store.set({ block: block.label });
      else view.say('The network in memory has no residual block with an identity shortcut: load the pretrained ResNet first.');
    },
    zeroBranch: () => ready(() => commands.run('zeroBranch')),
    zeroConv2: () => ready(() => commands.run('zeroConv2')),
    insertIdentity: () => ready(() => commands.run('insertIdentity')),
    insertPlain: () => ready(() => commands.run('insertPlain')),
    restore: () => ready(() => commands.run('restore')),
    raceLive: () => commands.run('raceLive'),
    showGradients: () => document.getElementById('lab-gradients')?.scrollIntoView({ block: 'center', behavior: 'smooth' }),
    trainYourself: () => {
      go(null);
      document.getElementById('settings')?.scrollIntoView({ block: 'start' });
      // Start, not the model picker: an arrow key pressed next (to go on with the lesson, say)
      // would change the model there, one press from the slowest one.
      /** @type {HTMLElement | null} */ (document.getElementById('start'))?.focus({ preventScroll: true });
    },
  });

  /**
   * Runs a step's action. Focus comes back to the panel if the action moved it elsewhere (a
   * form field would take the arrow keys), unless the action left the lesson.
   * @param {string} run
   */
  function act(run) {
    ACTIONS[run]?.();
    if (step && !view.ui.panel.contains(document.activeElement)) view.ui.panel.focus({ preventScroll: true });
  }

  /** Shows `next` (null: leaves the lesson) and keeps the hash in step. */
  function go(/** @type {string | null} */ next, scroll = true) {
    step = next;
    view.show(step, { onAction: (run) => act(run), scroll });
    hash.write();
  }

  view.ui.open.addEventListener('click', () => go(step ?? STEPS[0].id));
  view.ui.prev.addEventListener('click', () => step && go(move(step, -1)));
  view.ui.next.addEventListener('click', () => step && go(move(step, 1)));
  view.ui.close.addEventListener('click', () => go(null));
  document.addEventListener('keydown', (e) => {
    if (!step || e.altKey || e.ctrlKey || e.metaKey) return;
    const inField = e.target instanceof HTMLElement && e.target.closest('input, select, textarea, [contenteditable="true"]');
    if (e.key === 'Escape') go(null);
    else if (inField) return;
    else if (e.key === 'ArrowRight') go(move(step, 1));
    else if (e.key === 'ArrowLeft') go(move(step, -1));
    else return;
    e.preventDefault();
  });
  hash.register({
    schema: () => [LESSON],
    read: (link) => {
      const { step: linked, problem } = stepFromHash(link);
      if (linked !== step) go(linked);
      if (problem) view.say(problem);
    },
    values: () => ({ lesson: step }),
  });
  return { go, get step() {
    return step;
  } };
}
