// @ts-check
// The training form: its fields <-> the store (`settings`, `preset`, `selectedConfig`,
// `backendChoice`) and the page's keys in the URL hash (one schema, www/core/settings.js). A bad
// value typed is refused with its range; a bad value in a shared link is reported, not replaced
// silently.

import { INPUT_SIZE, TRAINING, hashOf, pageSettings, parseHash } from '../../core/settings.js';
import { checkNumber, refusals } from '../../core/fields.js';
import { configFor } from '../../core/models.js';
import { isActive } from '../../app/state.js';
import { fillModelOptions, inputs, showProblems } from './view.js';

/** @typedef {import('../../core/store.js').Store<import('../../app/state.js').PageState>} PageStore */

/**
 * @param {{store: PageStore}} deps
 * @returns {{readLink(): void, writeHash(): void, check(): Record<string, any> | null}}
 */
export function initSettings({ store }) {
  const ui = inputs();
  const schema = () => pageSettings([...store.get().models.keys()]);
  const models = () => store.get().models;

  /** The selected model's training defaults, and a chapter-7 model's own input size. */
  function applyDefaults(/** @type {string} */ name) {
    const m = models().get(name);
    if (!m) return;
    ui.presetNote.textContent = m.notes;
    ui.number.epochs.value = String(m.training.epochs);
    ui.number.batch.value = String(m.training.batch);
    ui.number.lr.value = String(m.training.lr);
    ui.inputSizeField.hidden = m.family !== 'zoo';
    ui.inputSize.value = m.family === 'zoo' ? String(m.defaultInput) : '';
    ui.inputSize.removeAttribute('aria-invalid');
  }

  /** Sets the fields and the demo choices from the URL hash; says what the link had wrong. */
  function readLink() {
    // The model first: the other fields' defaults are its training defaults.
    const preset = String(parseHash(location.hash, schema().slice(0, 1)).values.preset ?? schema()[0].default);
    const m = models().get(preset);
    const fallback = m ? { ...m.training, input: m.family === 'zoo' ? m.defaultInput : null } : {};
    const { values, problems } = parseHash(location.hash, schema(), fallback);
    ui.preset.value = preset;
    applyDefaults(preset);
    ui.number.train.value = String(TRAINING[3].default);
    ui.number.test.value = String(TRAINING[4].default);
    for (const spec of TRAINING) if (values[spec.key] !== undefined) ui.number[spec.key].value = String(values[spec.key]);
    if (models().get(preset)?.family === 'zoo' && values.input !== undefined) ui.inputSize.value = String(values.input);
    ui.backendChoice.value = String(values.backend ?? 'auto');
    showProblems(ui.linkProblems, problems.join(' '));
    store.set({
      block: /** @type {string | null} */ (values.block ?? null),
      mode: values.mode === 'conv2' ? 'conv2' : 'branch',
      image: /** @type {number} */ (values.image ?? 0),
      stage: /** @type {number} */ (values.stage ?? 0),
    });
    check();
  }

  /**
   * Reads and checks every field; marks the invalid ones and says what is wrong with each (and
   * its range) under the form. The store gets the values, or `settings: null` when one is invalid.
   */
  function check() {
    const name = ui.preset.value;
    const zoo = models().get(name)?.family === 'zoo';
    /** @type {Record<string, any>} */
    const out = { preset: name, backend: ui.backendChoice.value };
    const checks = [];
    for (const spec of TRAINING) {
      const input = ui.number[spec.key];
      const checked = checkNumber(input.value, spec, { badInput: input.validity?.badInput });
      input.setAttribute('aria-invalid', String(!checked.ok));
      checks.push(checked);
      out[spec.key] = checked.ok ? checked.value : null;
    }
    let input = null;
    let inRange = null; // the diagram's preview says why an input in range is still too small
    if (zoo) {
      let checked = checkNumber(ui.inputSize.value, INPUT_SIZE, { badInput: ui.inputSize.validity?.badInput });
      if (checked.ok) inRange = checked.value;
      // Big enough for every layer: Rust says at which layer the image vanishes.
      const wasm = store.get().wasm;
      if (checked.ok && wasm) {
        try {
          wasm.shapes({ kind: name, input_size: checked.value });
        } catch (e) {
          checked = { ok: false, message: `Input size ${checked.value}: ${/** @type {Error} */ (e).message ?? e}` };
        }
      }
      ui.inputSize.setAttribute('aria-invalid', String(!checked.ok));
      checks.push(checked);
      input = checked.ok ? checked.value : null;
      out.input = input;
    }
    const problems = refusals(checks);
    showProblems(ui.settingsProblems, problems);
    // The same values keep the same object: subscribers hear of changes only.
    const before = store.get().settings;
    const settings = problems ? null : before && JSON.stringify(before) === JSON.stringify(out) ? before : out;
    store.set({ settings, preset: name, backendChoice: ui.backendChoice.value, selectedConfig: configFor(models(), name, inRange), settingsProblems: problems });
    return settings;
  }

  /** The page's keys as the fields and the store have them; the lab's keys are kept. */
  function currentHash() {
    const s = store.get();
    const values = {
      preset: ui.preset.value,
      input: models().get(ui.preset.value)?.family === 'zoo' ? ui.inputSize.value.trim() : null,
      ...Object.fromEntries(TRAINING.map((spec) => [spec.key, ui.number[spec.key].value.trim()])),
      backend: ui.backendChoice.value,
      block: s.block,
      mode: s.mode,
      image: s.image,
      stage: s.stage,
    };
    return hashOf(values, schema(), location.hash);
  }

  function writeHash() {
    const hash = currentHash();
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  function onInput(/** @type {Event} */ e) {
    if (e.target === ui.preset) applyDefaults(ui.preset.value);
    check();
    writeHash();
  }

  store.subscribe(['models'], (s) => fillModelOptions(ui.preset, [...s.models.values()]));
  store.subscribe(['block', 'mode', 'image', 'stage'], writeHash);
  // The form waits for the models (from the wasm module) and is locked while a run trains.
  store.subscribe(['runState', 'models'], (s) => (ui.fields.disabled = isActive(s) || s.models.size === 0));
  ui.form.addEventListener('input', onInput);
  ui.form.addEventListener('change', (e) => {
    if (e.target !== ui.preset) onInput(e); // the model is handled by 'input'
  });
  window.addEventListener('hashchange', () => {
    if (isActive(store.get()) || location.hash === currentHash()) return;
    readLink();
  });
  return { readLink, writeHash, check };
}
