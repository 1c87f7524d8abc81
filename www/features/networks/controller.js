// @ts-check
// The networks kept in this browser: maps the page's state to the list (./view.js) and the
// list's actions to worker requests (loadSaved, loadShipped, renameSaved, deleteSaved: typed in
// www/worker/protocol.js, handled in www/worker/networks.js). The worker answers with `saved_list` and `network` events, which the page
// stores and hands back through `render`.

import { renderSavedNetworks } from './view.js';

/**
 * @typedef {import('./view.js').SavedState} SavedState
 * @typedef {{
 *   list: HTMLElement, message: HTMLElement,
 *   call: <M extends import('../../worker/protocol.js').MethodName>(method: M, args?: import('../../worker/protocol.js').Methods[M]['args']) => Promise<unknown>,
 *   state: () => SavedState,
 *   onLoaded: () => void,
 * }} Wiring  state: what the list shows now; onLoaded: another network is in memory
 */

/** @param {Wiring} w */
export function networksController(w) {
  let shown = ''; // what the list shows, so that a rename being typed survives other renders

  /** Reports a failed request, unless a newer page state replaced it. */
  const failed = (/** @type {any} */ e, /** @type {string} */ what) => {
    if (!e.replaced) w.message.textContent = e.busy ? e.message : `The network could not be ${what}: ${e.message}`;
  };

  const actions = {
    /** Loads a kept network (`id`) or the shipped one (null); the page opens with it from now on. */
    async load(/** @type {number | null} */ id) {
      w.message.textContent = 'Loading the network\u2026';
      try {
        await (id == null ? w.call('loadShipped') : w.call('loadSaved', { id }));
        w.message.textContent = '';
        w.onLoaded();
      } catch (e) {
        failed(e, 'loaded');
      }
    },
    async rename(/** @type {number} */ id, /** @type {string} */ name) {
      try {
        await w.call('renameSaved', { id, name });
      } catch (e) {
        failed(e, 'renamed');
      }
    },
    /** Forgets a kept network at once; if it is the one in memory, the shipped network replaces it. */
    async remove(/** @type {number} */ id) {
      const before = w.state();
      const entry = before.entries.find((e) => e.id === id);
      try {
        await w.call('deleteSaved', { id });
        w.message.textContent = `Forgot \u201c${entry?.name ?? 'the network'}\u201d.`;
        if (before.current === id) w.onLoaded();
      } catch (e) {
        failed(e, 'forgotten');
      }
    },
  };

  return {
    render() {
      const state = w.state();
      const key = JSON.stringify(state);
      if (key === shown) return;
      shown = key;
      renderSavedNetworks(w.list, state, actions);
    },
  };
}
