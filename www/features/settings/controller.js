// @ts-check
// The training form: its fields <-> the store (`settings`, `preset`, `selectedConfig`,
// `backendChoice`) and the page's keys in the URL hash (one schema, www/core/settings.js). A bad
// value typed is refused with its range; a bad value in a shared link is reported, not replaced
// silently.

import { INPUT_SIZE, LAB_SETTINGS, PRESENT, TRAINING, pageSettings, parseHash, stageProblem } from '../../core/settings.js';
import { checkNumber, refusals } from '../../core/fields.js';
import { configFor } from '../../core/models.js';
import { backendChoiceOf } from '../../core/backend.js';
import { isActive } from '../../core/page-state.js';
import { fillModelOptions, inputs, showProblems } from './view.js';

/** @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore */

/**
 * @typedef {{store: PageStore, ui: ReturnType<typeof inputs>, schema: () => ReturnType<typeof pageSettings>,
 *   models: () => import('../../core/page-state.js').PageState['models'], opening: string}} SettingsContext
 */

/**
 * `readLink()` registers the form's part of the link once the models are known (it reads the
 * link then); `writeHash()` writes the link from the form.
 * The model is also the command `choosePreset` (the zoo's table), which does what choosing it does.
 * @param {{store: PageStore, hash: import('../../core/hash.js').HashOwner, commands: import('../../core/commands.js').Commands}} deps
 * @returns {{readLink(): void, writeHash(): void, check(): Record<string, any> | null}}
 */
export function initSettings({ store, hash, commands }) {
  /** @type {SettingsContext} */
  // The link the page was opened with: the lab rewrites its own keys in the hash at once.
  const ctx = { store, ui: inputs(), schema: () => pageSettings([...store.get().models.keys()]), models: () => store.get().models, opening: hash.hash };
  const ui = ctx.ui;
  const check = () => checkFields(ctx);
  const writeHash = () => hash.write();
  let registered = false;
  let opened = false;
  const readLink = () => {
    if (registered) return;
    registered = true;
    hash.register(
      {
        schema: ctx.schema,
        read: (link) => {
          if (isActive(store.get())) return; // a run's settings stay as they are
          // The first read reports the opening link's lab and presenter values too, which
          // those parts have rewritten by now; a link changed later is read whole.
          if (opened) ctx.opening = link;
          opened = true;
          readLinkFields(ctx, link);
          check();
        },
        values: () => currentValues(ctx),
      },
      { first: true },
    );
  };
  function onInput(/** @type {Event} */ e) {
    if (e.target === ui.preset) applyDefaults(ctx, ui.preset.value);
    check();
    writeHash();
  }

  store.subscribe(['models'], (s) => fillModelOptions(ui.preset, [...s.models.values()]));
  // The link's stage can only be checked once the first network (and its stages) is known.
  const checkStage = store.subscribe(['memoryNet'], (s) => {
    if (!s.memoryNet?.stages) return;
    checkStage();
    const problem = stageProblem(ctx.opening, s.memoryNet.stages.map((/** @type {{label: string}} */ t) => t.label));
    if (problem) showProblems(ui.linkProblems, [...s.linkProblems, problem].join(' '));
  });
  store.subscribe(['block', 'mode', 'image', 'stage'], writeHash);
  // The form waits for the models (from the wasm module) and is locked while a run trains.
  store.subscribe(['runState', 'models'], (s) => (ui.fields.disabled = isActive(s) || s.models.size === 0));
  commands.register('choosePreset', (/** @type {string} */ name) => {
    if (ui.fields.disabled || ui.preset.value === name || !store.get().models.has(name)) return;
    ui.preset.value = name;
    applyDefaults(ctx, name);
    check();
    writeHash();
  });
  ui.form.addEventListener('input', onInput);
  ui.form.addEventListener('change', (e) => {
    if (e.target !== ui.preset) onInput(e); // the model is handled by 'input'
  });
  return { readLink, writeHash, check };
}

/** The selected model's training defaults, and a chapter-7 model's own input size. @param {SettingsContext} ctx @param {string} name */
function applyDefaults({ ui, models }, name) {
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

/** Sets the fields and the demo choices from a link; says what it had wrong. @param {SettingsContext} ctx @param {string} link */
function readLinkFields(ctx, link) {
  const { store, ui, schema, models } = ctx;
  // The model first: the other fields' defaults are its training defaults.
  const preset = String(parseHash(link, schema().slice(0, 1)).values.preset ?? schema()[0].default);
  const m = models().get(preset);
  const fallback = m ? { ...m.training, input: m.family === 'zoo' ? m.defaultInput : null } : {};
  const { values, problems } = parseHash(link, schema(), fallback);
  // The lab's and the presenter's keys are theirs to use, but a bad one is reported here too,
  // with the rest of the link.
  problems.push(...parseHash(ctx.opening, [...LAB_SETTINGS, ...PRESENT]).problems);
  ui.preset.value = preset;
  applyDefaults(ctx, preset);
  ui.number.train.value = String(TRAINING[3].default);
  ui.number.test.value = String(TRAINING[4].default);
  for (const spec of TRAINING) if (values[spec.key] !== undefined) ui.number[spec.key].value = String(values[spec.key]);
  if (models().get(preset)?.family === 'zoo' && values.input !== undefined) ui.inputSize.value = String(values.input);
  ui.backendChoice.value = String(values.backend ?? 'auto');
  showProblems(ui.linkProblems, problems.join(' '));
  store.set({
    linkProblems: problems,
    block: /** @type {string | null} */ (values.block ?? null),
    mode: values.mode === 'conv2' ? 'conv2' : 'branch',
    image: /** @type {number} */ (values.image ?? 0),
    stage: /** @type {number} */ (values.stage ?? 0),
  });
}

/**
 * Reads and checks every field; marks the invalid ones and says what is wrong with each (and
 * its range) under the form. The store gets the values, or `settings: null` when one is invalid.
 * @param {SettingsContext} ctx
 */
function checkFields({ store, ui, models }) {
  const name = ui.preset.value;
  const zoo = models().get(name)?.family === 'zoo';
  /** @type {Record<string, any>} */
  const out = { preset: name }; // the backend choice is the store's `backendChoice`
  const checks = [];
  for (const spec of TRAINING) {
    const input = ui.number[spec.key];
    const checked = checkNumber(input.value, spec, { badInput: input.validity?.badInput });
    input.setAttribute('aria-invalid', String(!checked.ok));
    checks.push(checked);
    out[spec.key] = checked.ok ? checked.value : null;
  }
  let inRange = null; // the diagram's preview says why an input in range is still too small
  if (zoo) {
    const size = checkInputSize(ui.inputSize, name, store.get().wasm);
    inRange = size.inRange;
    checks.push(size.checked);
    out.input = size.checked.ok ? size.checked.value : null;
  }
  const problems = refusals(checks);
  showProblems(ui.settingsProblems, problems);
  // The same values keep the same object: subscribers hear of changes only.
  const before = store.get().settings;
  const settings = problems ? null : before && JSON.stringify(before) === JSON.stringify(out) ? before : out;
  store.set({ settings, preset: name, backendChoice: backendChoiceOf(ui.backendChoice.value), selectedConfig: configFor(models(), name, inRange), settingsProblems: problems });
  return settings;
}

/**
 * A chapter-7 model's input size: in range, and big enough for every layer (Rust says at which
 * layer the image vanishes). Marks the field; `inRange` is the size when only its range was met.
 * @param {any} field @param {string} kind @param {any} wasm
 */
function checkInputSize(field, kind, wasm) {
  let checked = checkNumber(field.value, INPUT_SIZE, { badInput: field.validity?.badInput });
  const inRange = checked.ok ? checked.value : null;
  if (checked.ok && wasm) {
    try {
      wasm.shapes({ kind, input_size: checked.value });
    } catch (e) {
      checked = { ok: false, message: `Input size ${checked.value}: ${/** @type {Error} */ (e).message ?? e}` };
    }
  }
  field.setAttribute('aria-invalid', String(!checked.ok));
  return { checked, inRange };
}

/** The page's keys as the fields and the store have them. @param {SettingsContext} ctx @returns {import('../../core/settings.js').Values} */
function currentValues({ store, ui, models }) {
  const s = store.get();
  return {
    preset: ui.preset.value,
    input: models().get(ui.preset.value)?.family === 'zoo' ? ui.inputSize.value.trim() : null,
    ...Object.fromEntries(TRAINING.map((spec) => [spec.key, ui.number[spec.key].value.trim()])),
    backend: ui.backendChoice.value,
    kernels: s.kernelChoice,
    block: s.block,
    mode: s.mode,
    image: s.image,
    stage: s.stage,
  };
}
