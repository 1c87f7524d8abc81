// @ts-check
// The predictions on the test images: drawn from the store (`predictions`, which the page fills
// from the worker's `predictions` event, `gallery`, `predictionsFrom`); a click on a gallery image
// picks it for the identity demo (`image`). While the demos' refresh evaluates the network in
// memory (`demoRequest` with `evaluate`), the summary says so.

import { demoReady } from '../../core/page-state.js';
import { loadingText, markPicked, predictionElements, renderPredictions, showLoading } from './view.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../core/page-state.js').PageState} PageState
 */

/** @param {{store: PageStore}} deps */
export function initPredictions({ store }) {
  const ui = predictionElements();
  const pickImage = (/** @type {number} */ index) => store.set({ image: index });

  function render(/** @type {PageState} */ s) {
    renderPredictions(ui, { predictions: s.predictions, gallery: s.gallery, from: s.predictionsFrom, image: s.image }, pickImage);
  }

  /** The demos' refresh asks the worker for the predictions (www/features/identity/controller.js). */
  function onDemoRequest(/** @type {PageState} */ s) {
    if (!s.demoRequest.evaluate || !demoReady(s)) return;
    const onCpu = Boolean(s.backend?.demos_on_cpu || s.backend?.backend === 'cpu');
    showLoading(ui, loadingText({ test: s.settings?.test, testImages: s.testImages, onCpu }));
  }

  store.subscribe(['predictions', 'gallery', 'predictionsFrom'], render);
  store.subscribe(['image'], (s) => markPicked(ui, s.image));
  store.subscribe(['demoRequest'], onDemoRequest);
  render(store.get());
}
