// @ts-check
// The chapter-7 comparison: every chapter-7 model and ResNet preset with its parameters, MACs,
// the seed's test accuracy and the accuracy of its last run from scratch in this browser (kept in
// localStorage: a finished run (`finishedRun`) records it, another tab's record shows here too).
// Picking a model sets the training form's model, as if chosen there.

import { isActive } from '../../core/page-state.js';
import { presetOf } from '../../core/models.js';
import { MEASURED_KEY, loadMeasured, renderModelTable, saveMeasured } from './model-table.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../core/page-state.js').PageState} PageState
 * @typedef {import('../../core/models.js').ModelEntry} ModelEntry
 * @typedef {import('./model-table.js').ModelRow} ModelRow
 * @typedef {import('./model-table.js').Measured} Measured
 */

/**
 * The table's rows: the chapter-7 models, then the ResNet presets, in the catalogue's order;
 * null while the catalogue is not loaded.
 * @param {Map<string, ModelEntry>} models
 * @returns {ModelRow[] | null}
 */
export function comparisonRows(models) {
  if (models.size === 0) return null;
  const row = (/** @type {ModelEntry} */ m) => ({
    name: m.name,
    title: m.title,
    family: m.family,
    input: m.family === 'resnet' ? m.config.input_size : m.defaultInput,
    params: m.params,
    macs: m.macs,
    seed: m.seedAcc ?? null,
  });
  const all = [...models.values()];
  return [...all.filter((m) => m.family === 'zoo'), ...all.filter((m) => m.family === 'resnet')].map(row);
}

/**
 * What a finished run records for its model ("measured here"): a run from scratch (or a resumed
 * one) of a catalogue model; null for anything else (keep training, a custom ResNet).
 * @param {Map<string, ModelEntry>} models
 * @param {{lastEpoch?: any, request?: any, fresh?: boolean, resumed?: boolean, trainImages?: number | null,
 *   testImages?: number | null, backend?: string | null, ownData?: boolean} | null} run
 * @param {string} at  when (ISO 8601)
 * @returns {{name: string, entry: Measured} | null}
 */
export function measuredRun(models, run, at) {
  const e = run?.lastEpoch;
  const model = run?.request?.model;
  if (!run || !e || !model || !(run.fresh || run.resumed)) return null;
  const name = presetOf(models, model);
  if (!name) return null;
  const entry = {
    accuracy: e.test_acc,
    input: model.input_size,
    epochs: e.epoch,
    train: run.trainImages ?? null,
    test: run.testImages ?? null,
    batch: run.request.train.batch_size,
    lr: run.request.train.lr,
    backend: run.backend ?? null,
    data: run.ownData ? 'your own IDX files' : 'Fashion-MNIST',
    at,
  };
  return { name, entry: /** @type {Measured} */ (/** @type {unknown} */ (entry)) };
}

/** @param {{store: PageStore, commands: import('../../core/commands.js').Commands}} deps */
export function initZoo({ store, commands }) {
  const tbody = /** @type {HTMLTableSectionElement} */ (document.querySelector('#zoo-table tbody'));
  const forget = /** @type {HTMLButtonElement} */ (document.getElementById('zoo-forget'));
  let measured = loadMeasured(); // model name -> the last finished run of it from scratch here
  /** @type {[Map<string, ModelEntry> | null, ModelRow[] | null]} */
  let rows = [null, null]; // the rows of this catalogue

  /** Picks a model from the table, as if chosen in the training form. */
  function pickModel(/** @type {string} */ name) {
    if (isActive(store.get())) return;
    commands.run('choosePreset', name);
    document.getElementById('model-title')?.scrollIntoView({ block: 'start' });
  }

  function render() {
    const s = store.get();
    if (rows[0] !== s.models) rows = [s.models, comparisonRows(s.models)];
    renderModelTable(tbody, rows[1], { current: s.preset, disabled: isActive(s), measured, onPick: pickModel });
    forget.hidden = Object.keys(measured).length === 0;
  }

  /** A finished run: its test accuracy is the one measured here for its model. */
  function record(/** @type {PageState} */ s) {
    const r = measuredRun(s.models, { ownData: s.ownData, ...s.finishedRun }, new Date().toISOString());
    if (!r) return;
    measured = loadMeasured(); // another tab may have added some
    measured[r.name] = r.entry;
    saveMeasured(measured);
    render();
  }

  store.subscribe(['models', 'preset', 'runState'], render);
  store.subscribe(['finishedRun'], record);
  forget.addEventListener('click', () => {
    measured = {};
    saveMeasured(measured);
    render();
  });
  window.addEventListener('storage', (e) => {
    if (e.key !== MEASURED_KEY) return;
    measured = loadMeasured();
    render();
  });
  render();
}
