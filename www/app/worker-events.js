// @ts-check
// The worker's events about the network in memory and the worker itself, into the store. The
// events of a training run (state, step, train, ...) go to the training feature.

import { describeNetwork } from '../core/network-model.js';
import { isActive, demoReady } from '../core/page-state.js';
import { sameConfig } from '../core/models.js';

/** @typedef {import('../core/store.js').Store<import('../core/page-state.js').PageState>} PageStore */

/**
 * @param {{store: PageStore, connection: import('./connection.js').Connection, onNotice: (message: string) => void}} deps
 */
export function routeWorkerEvents({ store, connection, onNotice }) {
  const on = connection.on.bind(connection);
  on('adapter', (event) => store.set({ adapter: event }));
  on('backend', (event) => store.set({ backend: event }));
  on('kernels', (event) => store.set({ kernels: event }));
  on('backend_measure', (event) => store.set({ backendMeasure: event.measure }));
  on('opened', (event) => {
    store.set({ opened: Boolean(event.ok) });
    if (event.ok && store.get().memory && !isActive(store.get())) requestDemos(store, true);
  });
  on('gallery', (event) => store.set({ gallery: event }));
  on('network', (event) => store.set({ source: event })); // no network could be loaded
  on('saved_list', (event) => store.set({ saved: event }));
  on('notice', (event) => onNotice(event.message));
  on('data_ready', (event) => {
    if (event.run === undefined) store.set({ testImages: event.test });
  });
  on('predictions', (event) => {
    const s = store.get();
    const e = s.run?.lastEpoch;
    const memory = event.kept ? 'network in memory; computed on an earlier visit, kept in this browser' : 'network in memory';
    store.set({ predictions: event, predictionsFrom: event.run !== undefined && e ? `after epoch ${e.epoch} of run ${s.runId}` : memory });
  });
  on('insertion', () => {}); // shown from the reply to `insert`
  on('model', (event) => {
    const s = store.get();
    const first = !s.memory; // the worker's first network (saved or shipped)
    const training = event.run !== undefined && isActive(s);
    // A link to a chapter-7 model (#preset=googlenet&input=96) keeps showing that model when the
    // first network arrives; anything else shows the network in memory.
    const keepPreview = first && !training && s.models.get(s.preset)?.family === 'zoo' && !sameConfig(s.selectedConfig, event.config);
    store.set({
      memory: event,
      // Where the network came from is the worker's to say, with the weights (never apart).
      source: { ...event.origin, note: event.note },
      memoryNet: describeNetwork({ config: event.config, layers: event.layers, inserted: event.inserted }),
      training,
      showing: keepPreview ? 'preview' : 'memory',
      checks: null,
    });
    if (!training && s.opened) requestDemos(store, true);
  });
}

/** The network in memory (or the test data) changed: the demos recompute. */
export function requestDemos(/** @type {PageStore} */ store, evaluate = true) {
  if (!demoReady(store.get())) return;
  store.set({ demoRequest: { n: store.get().demoRequest.n + 1, evaluate } });
}
