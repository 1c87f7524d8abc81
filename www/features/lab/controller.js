// @ts-check
// The race's controller: owns the lab's store (settings, the race and the one before it, the
// lesions, the message) and the two twins' workers (one WorkerClient each), and turns the
// buttons into worker messages and the workers' events into store changes (./race.js says how).
// No DOM: the views render from the store.
//
// The twins' workers never touch the networks saved in this browser (`keep: false`) and load no
// first network (`network: false`); they are kept from race to race unless one breaks or the
// backend changes.

import { Store } from '../../core/store.js';
import { WorkerClient } from '../../worker/client.js';
import {
  TWINS, exact, failure, faulted, liveCounts, newRace, raceActive, raceOverText, raceStartText, trainRequest, twinEvent, twinsText, withTwin,
} from './race.js';
import { lesionSeries } from './series.js';

/**
 * @typedef {import('./race.js').Race} Race
 * @typedef {import('./race.js').TwinKey} TwinKey
 * @typedef {import('./race.js').Settings} Settings
 * @typedef {import('./race.js').Form} Form
 * @typedef {import('./series.js').TwinLesions} TwinLesions
 * @typedef {{labTwins(depth: number, width: number, zeroGamma: boolean): unknown[],
 *   shapes(config: unknown): {level: number, params: number}[]}} LabWasm  what the lab needs of pkg/
 * @typedef {{state: 'idle' | 'loading' | 'done' | 'error', results: TwinLesions[], note: string | null}} Lesions
 *   note: null keeps the page's own text
 * @typedef {{text: string, counts?: Record<TwinKey, number>, live?: boolean}} TwinsLine
 * @typedef {{
 *   form: Form, ready: boolean, race: Race | null, previous: Race | null, lesions: Lesions,
 *   message: {text: string, error: boolean}, workers: Record<TwinKey, boolean>, twins: TwinsLine,
 * }} LabState  ready: the wasm module is loaded; workers: which twins' workers are usable
 */

const NO_LESIONS = /** @type {Lesions} */ ({ state: 'idle', results: [], note: 'Available when both runs have finished or been stopped.' });

/**
 * @param {object} options
 * @param {Form} options.form  the settings the form holds at first
 * @param {() => string} options.backendChoice  the page's backend setting
 * @param {() => import('../../worker/client.js').WorkerLike} [options.spawn]  tests pass a fake
 */
export function labController({ form, backendChoice, spawn }) {
  /** @type {Store<LabState>} */
  const store = new Store(/** @type {LabState} */ ({
    form,
    ready: false,
    race: null,
    previous: null,
    lesions: { ...NO_LESIONS, note: null },
    message: { text: '', error: false },
    workers: { plain: false, residual: false },
    twins: { text: '' },
  }));
  /** @type {LabWasm | null} */
  let wasm = null;
  let raceId = 0;
  /** @type {Record<TwinKey, WorkerClient | null>} */
  const workers = { plain: null, residual: null };
  /** @type {Map<string, Record<TwinKey, number>>} */
  const counted = new Map(); // parameter counts from the layer tables, by settings

  const showMessage = (/** @type {string} */ text, error = false) => store.set({ message: { text, error } });
  const usable = (/** @type {TwinKey} */ key) => Boolean(workers[key] && !workers[key]?.broken);

  function syncWorkers() {
    const now = store.get().workers;
    if (TWINS.some((t) => now[t.key] !== usable(t.key))) store.set({ workers: { plain: usable('plain'), residual: usable('residual') } });
  }

  /** A twin failed: the message stays on screen and in the console. */
  function report(/** @type {string} */ message, expected = false) {
    showMessage(message, true);
    // A diverging twin is a result of the race, not a fault of the page.
    if (expected) console.warn('[ResNet Explorer lab]', message);
    else console.error('[ResNet Explorer lab]', message);
  }

  /** [plain, residual] configurations from Rust, or throws Rust's message. @param {Settings} s */
  function twinConfigs(s) {
    const [plain, residual] = /** @type {LabWasm} */ (wasm).labTwins(s.depth, s.width, s.zeroGamma);
    return { plain, residual };
  }

  /** @param {Settings} s @returns {Record<TwinKey, number>} */
  function layerTableCounts(s) {
    const key = JSON.stringify(s);
    const known = counted.get(key);
    if (known) return known;
    const configs = twinConfigs(s);
    const count = (/** @type {unknown} */ config) => (/** @type {LabWasm} */ (wasm).shapes(config).filter((r) => r.level === 0).reduce((n, r) => n + r.params, 0));
    const counts = { plain: count(configs.plain), residual: count(configs.residual) };
    counted.set(key, counts);
    return counts;
  }

  /** The twins line: the race's settings while it runs, else the form's. */
  function refreshTwins() {
    const { race, form } = store.get();
    const settings = raceActive(race) ? /** @type {Race} */ (race).settings : form.settings;
    if (!settings) return store.set({ twins: { text: form.problems } });
    if (!wasm) return;
    const live = liveCounts(race, settings);
    try {
      const counts = live ?? layerTableCounts(settings);
      const from = live ? 'counted in the two networks being trained' : 'from the layer tables';
      store.set({ twins: { text: twinsText(settings, counts, from), counts, live: Boolean(live) } });
    } catch (e) {
      store.set({ twins: { text: `These twins cannot be built: ${/** @type {any} */ (e).message ?? e}` } });
    }
  }

  /** A new race state; when both twins have just stopped, says how the race ended. @param {Race} race */
  function updateRace(race) {
    if (raceActive(store.get().race) && !raceActive(race)) {
      race = { ...race, stopping: false };
      const over = faulted(race) ? {} : { message: { text: raceOverText(race), error: false } };
      const note = 'Press \u201cLesion each block\u201d to remove each block of both trained networks in turn.';
      store.set({ race, lesions: { ...store.get().lesions, note }, ...over });
    } else store.set({ race });
  }

  /** One event of a twin's worker; those of a replaced race are dropped. @param {TwinKey} key @param {any} event */
  function onEvent(key, event) {
    const race = store.get().race;
    if (!race || (event.run !== undefined && event.run !== race.id)) return;
    const t = race.twins[key];
    const failed = failure(t, event);
    if (failed?.broken && workers[key]) /** @type {WorkerClient} */ (workers[key]).broken = true;
    updateRace(withTwin(race, twinEvent(t, event)));
    if (failed) report(failed.message, failed.expected);
    if (event.type === 'model') refreshTwins();
    syncWorkers();
  }

  /** The worker's script failed. @param {TwinKey} key @param {string} message */
  function onFailure(key, message) {
    const race = store.get().race;
    const t = race?.twins[key];
    const text = `${t?.name ?? key}: ${message}`;
    if (race && t) {
      const broken = workers[key]?.broken && ['loading', 'running', 'paused'].includes(t.state);
      updateRace(withTwin(race, { ...t, error: text, state: broken ? 'failed' : t.state }));
    }
    report(text);
    syncWorkers();
  }

  /** The twin's worker for `backend`: the one it has, or a fresh one. @param {TwinKey} key @param {string} backend @param {Settings} s */
  function ensureWorker(key, backend, s) {
    const old = workers[key];
    if (old && (old.broken || old.backend !== backend)) {
      old.terminate();
      workers[key] = null;
    }
    if (workers[key]) return /** @type {WorkerClient} */ (workers[key]);
    // Two twins train at once: each gets half the cores.
    const threads = Math.max(1, Math.floor((globalThis.navigator?.hardwareConcurrency || 1) / 2));
    const open = { type: 'open', backend, threads, testLimit: trainRequest(s, null).test_limit, network: false };
    const client = new WorkerClient({ open, onEvent: (e) => onEvent(key, e), onFailure: (m) => onFailure(key, m), ...(spawn ? { spawn } : {}) });
    workers[key] = client;
    return client;
  }

  const actions = {
    store,
    /** The wasm module is loaded: the twins can be built. @param {LabWasm} module */
    ready(module) {
      wasm = module;
      store.set({ ready: true });
      refreshTwins();
    },
    /** The form changed (or a link filled it). @param {Form} form */
    setForm(form) {
      store.set({ form });
      if (!raceActive(store.get().race)) refreshTwins();
    },
    showMessage,
    /** Starts a race (a running one is replaced); false when the settings are refused. */
    start() {
      const { form, race: last, previous } = store.get();
      const settings = form.settings;
      if (!settings || !wasm) {
        showMessage(`Some settings are not valid. ${form.problems}`, true);
        return false;
      }
      let configs;
      try {
        configs = twinConfigs(settings);
      } catch (e) {
        showMessage(`The twins cannot be built: ${/** @type {any} */ (e).message ?? e}`, true);
        return true;
      }
      raceId += 1;
      const race = newRace(raceId, settings);
      // The race before, drawn faded: compare zero-gamma with the default initialisation, say.
      store.set({ race, previous: last?.twins.plain.curve.length ? last : previous, lesions: NO_LESIONS, message: { text: raceStartText(race), error: false } });
      const backend = backendChoice();
      for (const twin of TWINS) {
        const t = race.twins[twin.key];
        const request = trainRequest(settings, configs[twin.key]);
        const label = `${t.name} (lab race)`;
        ensureWorker(twin.key, backend, settings).post({ type: 'start', run: race.id, request, backend, fresh: true, label, keep: false, probe: true });
      }
      syncWorkers();
      refreshTwins();
      return true;
    },
    /** Both twins stop between two batches. */
    stop() {
      const race = store.get().race;
      if (!race || !raceActive(race)) return;
      store.set({ race: { ...race, stopping: true } });
      for (const twin of TWINS) {
        if (['loading', 'running', 'paused'].includes(race.twins[twin.key].state)) workers[twin.key]?.post({ type: 'stop' });
      }
    },
    /** Removes each block of both trained twins in turn (in their workers). */
    async lesion() {
      const { race, lesions } = store.get();
      if (!race || raceActive(race) || lesions.state === 'loading') return;
      const twins = TWINS.map((twin) => race.twins[twin.key]).filter((t) => t.trained);
      if (!twins.length) return;
      const blocks = 3 * ((race.settings.depth - 2) / 6);
      const note = `Removing each of the ${blocks} blocks in turn and measuring test accuracy on ${exact(race.settings.test)} test images, in both workers\u2026`;
      store.set({ lesions: { ...lesions, state: 'loading', note } });
      const settled = await Promise.allSettled(twins.map((t) => workers[t.key]?.call('lesions') ?? Promise.reject(new Error('its worker is not running'))));
      /** @type {TwinLesions[]} */
      const results = [];
      const failed = [];
      for (const [i, r] of settled.entries()) {
        if (r.status === 'fulfilled') results.push({ key: twins[i].key, name: twins[i].name, result: r.value });
        else failed.push(`${twins[i].name}: ${r.reason?.message ?? r.reason}`);
      }
      const done = failed.length ? { state: 'error', note: `The lesions could not be measured for ${failed.join('; ')}` } : { state: 'done', note: lesionSeries(results).note };
      store.set({ lesions: /** @type {Lesions} */ ({ results, ...done }) });
      syncWorkers();
    },
  };
  return actions;
}
/** @typedef {ReturnType<typeof labController>} LabController */
