// @ts-check
// The nested-function-classes lab: the degradation race. A plain network and its residual twin
// (He et al. 2015's CIFAR-style family, the same layers and parameters, only the shortcut
// differs; from Rust's `labTwins`) train side by side in two workers of their own, on the same
// data order with the same settings. The page draws their training curves on shared axes, the
// gradient norm of every conv by depth (log scale) and the residual magnitudes ||F(x)||/||x||
// over training (from the worker's `lab_probe` events), and, once both have stopped, the test
// accuracy with each block removed in turn (Veit et al. 2016). Above it, a race recorded natively
// (plain and residual at two depths, ./recorded.js) is drawn as soon as the page opens.
//
// Here the pieces are wired: the form and the URL hash (the `lab-` keys of core/settings.js,
// written next to the page's own), the controller's store (./controller.js) and the views that
// render from it (./view.js, ./charts.js with the series of ./series.js).

import { LAB_SETTINGS, parseHash } from '../../core/settings.js';
import { loadCatalogueModule } from '../../core/catalogue-module.js';
import { createCharts, drawRecorded } from './charts.js';
import { labController } from './controller.js';
import { checkForm, raceActive } from './race.js';
import { RECORDED_URL, checkRecorded, recordedCaption, recordedSeries } from './recorded.js';
import { curveSeries, gradientSeries, lesionSeries, magnitudeSeries, snapshotOf } from './series.js';
import {
  fillForm, labElements, readForm, recordedElements, renderControls, renderMessage, renderRecordedCaption, renderStatus, renderTwins, renderValidity,
} from './view.js';

/**
 * @typedef {import('./controller.js').LabState} LabState
 * @typedef {import('./view.js').LabElements} LabElements
 * @typedef {{readonly state: string, snapshot(): ReturnType<typeof snapshotOf>}} LabApi
 */

/** Calls `draw` only when one of `deps` changed (by identity) since its last call. */
function memo() {
  /** @type {Map<string, unknown[]>} */
  const last = new Map();
  return (/** @type {string} */ name, /** @type {unknown[]} */ deps, /** @type {() => void} */ draw) => {
    const before = last.get(name);
    if (before && before.length === deps.length && before.every((d, i) => Object.is(d, deps[i]))) return;
    last.set(name, deps);
    draw();
  };
}

/**
 * Every view subscribes to the store keys it renders.
 * @param {LabElements} ui @param {import('../../core/store.js').Store<LabState>} store
 */
function subscribeViews(ui, store) {
  const charts = createCharts(ui);
  const once = memo();
  store.subscribe(['form'], (s) => renderValidity(ui, s.form));
  store.subscribe(['race'], (s) => renderStatus(ui, s.race));
  store.subscribe(['twins'], (s) => renderTwins(ui, s.twins));
  store.subscribe(['message'], (s) => renderMessage(ui, s.message));
  store.subscribe(['race', 'ready', 'lesions', 'workers'], (s) => {
    const active = raceActive(s.race);
    const lesionable = Boolean(s.race && !active && Object.values(s.race.twins).some((t) => t.trained && s.workers[t.key]));
    renderControls(ui, { active, ready: s.ready, lesioning: s.lesions.state === 'loading', lesionable, race: Boolean(s.race) });
  });
  store.subscribe(['race', 'previous'], ({ race, previous }) => {
    if (!race) return;
    const { plain, residual } = race.twins;
    once('curves', [race.id, previous, plain.curve, plain.tests, plain.diverged, residual.curve, residual.tests, residual.diverged], () =>
      charts.curves(curveSeries(race, previous)),
    );
    once('gradients', [race.id, plain.probes, plain.probeError, residual.probes, residual.probeError], () => {
      const g = gradientSeries(race);
      charts.gradients(g);
      ui.gradientNote.textContent = g.note;
    });
    once('magnitudes', [race.id, residual.probes], () => {
      const m = magnitudeSeries(race);
      charts.magnitudes(m);
      ui.magnitudeNote.textContent = m.note;
    });
  });
  store.subscribe(['lesions'], ({ lesions }) => {
    charts.lesions(lesionSeries(lesions.results), lesions.state);
    if (lesions.note !== null) ui.lesionNote.textContent = lesions.note;
  });
}

/**
 * The recorded race (www/data/degradation-recorded.json), drawn as soon as it is fetched, without
 * waiting for the wasm; "Race them live" takes the keyboard to the live race's Start.
 * @param {LabElements} ui
 */
function showRecorded(ui) {
  const el = recordedElements();
  if (!el) return;
  el.live.addEventListener('click', () => {
    const target = ui.start.disabled ? ui.depth : ui.start;
    ui.form.scrollIntoView({ behavior: 'smooth', block: 'center' });
    target.focus({ preventScroll: true });
  });
  (async () => {
    try {
      const response = await fetch(RECORDED_URL);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const recorded = checkRecorded(await response.json());
      drawRecorded(el, recordedSeries(recorded));
      renderRecordedCaption(el.caption, recordedCaption(recorded));
    } catch (e) {
      el.root.dataset.state = 'error';
      el.caption.textContent = `The recorded race (www/data/degradation-recorded.json) could not be shown: ${/** @type {any} */ (e).message ?? e}`;
    }
  })();
}

/**
 * Sets up the lab section. `backendChoice()` gives the page's backend setting, which the race's
 * workers are opened with. Returns the race as plain data for tests (also `window.resnetLab`),
 * or null when the page has no lab.
 * Its keys in the link are its part of `hash` (www/app/hash.js).
 * "Race" is also the lesson's command `raceLive`.
 * @param {{hash: import('../../core/hash.js').HashOwner, commands: import('../../core/commands.js').Commands, backendChoice: () => import('../../core/backend.js').BackendChoice,
 *   connect: import('./controller.js').Connect, store: import('../../core/store.js').Store<import('../../core/page-state.js').PageState>}} options
 * @returns {LabApi | null}
 */
export function initLab({ hash, commands, backendChoice, connect, store: pageStore }) {
  const ui = labElements();
  if (!ui) return null;
  const link = parseHash(hash.hash, LAB_SETTINGS);
  fillForm(ui, link.values);
  const lab = labController({ form: checkForm(readForm(ui)), backendChoice, connect, store: pageStore });
  const { store } = lab;
  showRecorded(ui);
  subscribeViews(ui, store);

  const writeHash = () => hash.write();
  store.subscribe(['form'], writeHash);
  const onForm = () => lab.setForm(checkForm(readForm(ui)));
  ui.form.addEventListener('input', onForm);
  ui.form.addEventListener('change', onForm);
  const race = () => {
    if (!lab.start()) /** @type {HTMLElement | null} */ (ui.form.querySelector('[aria-invalid="true"]'))?.focus();
  };
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    race();
  });
  commands.register('raceLive', () => {
    ui.start.scrollIntoView({ block: 'center' });
    if (!ui.start.disabled) race();
  });
  ui.stop.addEventListener('click', () => lab.stop());
  ui.lesion.addEventListener('click', () => lab.lesion());
  // The link was read above (the form fills before the controller starts); later links here.
  let opened = false;
  hash.register({
    schema: () => LAB_SETTINGS,
    read: (changed) => {
      if (!opened || raceActive(store.get().race)) return;
      const { values, problems } = parseHash(changed, LAB_SETTINGS);
      fillForm(ui, values);
      lab.setForm(checkForm(readForm(ui)));
      if (problems.length) lab.showMessage(problems.join(' '), true);
    },
    values: () => store.get().form.values,
  });
  opened = true;

  if (link.problems.length) lab.showMessage(link.problems.join(' '), true);
  writeHash();
  // The first render of every view.
  const first = store.get();
  renderControls(ui, { active: false, ready: false, lesioning: false, lesionable: false, race: false });
  renderStatus(ui, null);
  renderTwins(ui, first.twins);

  (async () => {
    try {
      lab.ready(await loadCatalogueModule());
    } catch (e) {
      lab.showMessage(`The lab needs the WebAssembly package pkg-catalogue/, which could not be loaded: ${/** @type {any} */ (e).message ?? e}`, true);
    }
  })();

  /** @type {LabApi} */
  const api = {
    get state() {
      return snapshotOf(store.get()).state;
    },
    snapshot: () => snapshotOf(store.get()),
  };
  /** @type {any} */ (window).resnetLab = api;
  return api;
}
