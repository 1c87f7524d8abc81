// @ts-check
// The race's controller: owns the lab's part of the page store (key `lab`, worked on as a store
// of its own through Store.slice: settings, the race and the one before it, the lesions, the
// message) and the two twins' workers (a connection each, made by the `connect` the
// page hands it: the page's own Connection class), and turns the buttons into worker messages
// and the workers' events into store changes (./race.js says how).
// No DOM: the views render from the store.
//
// The twins' workers never touch the networks saved in this browser (`keep: false`) and load no
// first network (`network: false`); they are kept from race to race unless one breaks or the
// backend changes.

import { exact } from '../../core/format.js';
import { testLimit } from '../../core/settings.js';
import {
  TWINS, failure, faulted, liveCounts, newRace, raceActive, raceOverText, raceStartText, trainRequest, twinActive, twinEvent, twinsText,
  withTwin,
} from './race.js';
import { lesionSeries } from './series.js';

/**
 * @typedef {import('../../app/connection.js').Connection} Connection
 * @typedef {(options: import('../../app/connection.js').ConnectionOptions) => Connection} Connect
 * @typedef {import('../../core/backend.js').BackendChoice} BackendChoice
 * @typedef {import('./race.js').Race} Race
 * @typedef {import('./race.js').TwinKey} TwinKey
 * @typedef {import('./race.js').Settings} Settings
 * @typedef {import('./race.js').Form} Form
 * @typedef {import('./series.js').TwinLesions} TwinLesions
 * @typedef {Pick<import('../../core/catalogue-module.js').CatalogueModule, 'labTwins' | 'shapes'>} LabWasm
 *   what the lab needs of the catalogue module
 * @typedef {{state: 'idle' | 'loading' | 'done' | 'error', results: TwinLesions[], note: string | null}} Lesions
 *   note: null keeps the page's own text
 * @typedef {{text: string, counts?: Record<TwinKey, number>, live?: boolean}} TwinsLine
 * @typedef {{
 *   form: Form, ready: boolean, race: Race | null, previous: Race | null, lesions: Lesions,
 *   message: {text: string, error: boolean}, workers: Record<TwinKey, boolean>, twins: TwinsLine,
 * }} LabState  ready: the wasm module is loaded; workers: which twins' workers are usable
 */

/**
 * A twin's `open`: half the cores (two twins train at once), the race's test images, no first
 * network. @param {Settings | null} s
 */
function twinOpening(s) {
  const threads = Math.max(1, Math.floor((globalThis.navigator?.hardwareConcurrency || 1) / 2));
  return { threads, testLimit: s ? testLimit(s.test) : null, network: false };
}

const NO_LESIONS = /** @type {Lesions} */ ({ state: 'idle', results: [], note: 'Available when both runs have finished or been stopped.' });

/** The race's controller; `store` is what the views render from. */
export class LabController {
  /**
   * @param {object} options
   * @param {Form} options.form  the settings the form holds at first
   * @param {() => BackendChoice} options.backendChoice  the page's backend setting
   * @param {Connect} options.connect  a connection to a worker of its own (tests give fake workers)
   * @param {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} options.store  the page's: the lab's state is its key `lab`
   */
  constructor({ form, backendChoice, connect, store }) {
    /** @type {import('../../core/store.js').Store<LabState>} */
    this.store = store.slice('lab', /** @type {LabState} */ ({
      form,
      ready: false,
      race: null,
      previous: null,
      lesions: { ...NO_LESIONS, note: null },
      message: { text: '', error: false },
      workers: { plain: false, residual: false },
      twins: { text: '' },
    }));
    this.backendChoice = backendChoice;
    /** @type {LabWasm | null} */
    this.wasm = null;
    this.raceId = 0;
    /** @type {Record<TwinKey, Connection>} one a twin; a worker starts at the first race */
    this.connections = { plain: this.connectTwin('plain', connect), residual: this.connectTwin('residual', connect) };
    /** @type {Map<string, Record<TwinKey, number>>} parameter counts from the layer tables, by settings */
    this.counted = new Map();
  }

  /** @param {string} text */
  showMessage(text, error = false) {
    this.store.set({ message: { text, error } });
  }

  /**
   * The connection of twin `key`: the latest race's events, the twin's failures.
   * @param {TwinKey} key @param {Connect} connect
   */
  connectTwin(key, connect) {
    const connection = connect({
      runId: () => this.store.get().race?.id ?? 0,
      backendChoice: this.backendChoice,
      opening: () => twinOpening(this.store.get().form.settings),
      onFailure: (message) => this.onFailure(key, message),
      afterStuck: '; race again.',
    });
    connection.onEvery((event) => this.onEvent(key, event));
    return connection;
  }

  /** Which twins' workers are usable, in the store. */
  syncWorkers() {
    const usable = (/** @type {TwinKey} */ key) => Boolean(this.connections[key].client && !this.connections[key].broken);
    const now = this.store.get().workers;
    if (TWINS.some((t) => now[t.key] !== usable(t.key))) this.store.set({ workers: { plain: usable('plain'), residual: usable('residual') } });
  }

  /** A twin failed: the message stays on screen and in the console. @param {string} message */
  report(message, expected = false) {
    this.showMessage(message, true);
    // A diverging twin is a result of the race, not a fault of the page.
    if (expected) console.warn('[ResNet Explorer lab]', message);
    else console.error('[ResNet Explorer lab]', message);
  }

  /** [plain, residual] configurations from Rust, or throws Rust's message. @param {Settings} s */
  twinConfigs(s) {
    const [plain, residual] = /** @type {LabWasm} */ (this.wasm).labTwins(s.depth, s.width, s.zeroGamma);
    return { plain, residual };
  }

  /** @param {Settings} s @returns {Record<TwinKey, number>} */
  layerTableCounts(s) {
    const key = JSON.stringify(s);
    const known = this.counted.get(key);
    if (known) return known;
    const wasm = /** @type {LabWasm} */ (this.wasm);
    const configs = this.twinConfigs(s);
    const count = (/** @type {import('../../core/models.js').ModelConfig} */ config) => wasm.shapes(config).filter((r) => r.level === 0).reduce((n, r) => n + r.params, 0);
    const counts = { plain: count(configs.plain), residual: count(configs.residual) };
    this.counted.set(key, counts);
    return counts;
  }

  /** The twins line: the race's settings while it runs, else the form's. */
  refreshTwins() {
    const { race, form } = this.store.get();
    const settings = raceActive(race) ? /** @type {Race} */ (race).settings : form.settings;
    if (!settings) return this.store.set({ twins: { text: form.problems } });
    if (!this.wasm) return;
    const live = liveCounts(race, settings);
    try {
      const counts = live ?? this.layerTableCounts(settings);
      const from = live ? 'counted in the two networks being trained' : 'from the layer tables';
      this.store.set({ twins: { text: twinsText(settings, counts, from), counts, live: Boolean(live) } });
    } catch (e) {
      this.store.set({ twins: { text: `These twins cannot be built: ${/** @type {any} */ (e).message ?? e}` } });
    }
  }

  /** A new race state; when both twins have just stopped, says how the race ended. @param {Race} race */
  updateRace(race) {
    if (raceActive(this.store.get().race) && !raceActive(race)) {
      race = { ...race, stopping: false };
      const over = faulted(race) ? {} : { message: { text: raceOverText(race), error: false } };
      const note = 'Press \u201cLesion each block\u201d to remove each block of both trained networks in turn.';
      this.store.set({ race, lesions: { ...this.store.get().lesions, note }, ...over });
    } else this.store.set({ race });
  }

  /** One event of a twin's worker (its connection dropped those of a replaced race). @param {TwinKey} key @param {import('../../worker/protocol.js').WorkerEvent} event */
  onEvent(key, event) {
    const race = this.store.get().race;
    if (!race) return;
    const t = race.twins[key];
    const failed = failure(t, event);
    if (failed?.broken) this.connections[key].markBroken();
    this.updateRace(withTwin(race, twinEvent(t, event)));
    if (failed) this.report(failed.message, failed.expected);
    if (event.type === 'model') this.refreshTwins();
    this.syncWorkers();
  }

  /** The worker's script failed. @param {TwinKey} key @param {string} message */
  onFailure(key, message) {
    const race = this.store.get().race;
    const t = race?.twins[key];
    const text = `${t?.name ?? key}: ${message}`;
    if (race && t) {
      const failed = this.connections[key].broken && twinActive(t);
      this.updateRace(withTwin(race, { ...t, error: text, state: failed ? 'failed' : t.state }));
    }
    this.report(text);
    this.syncWorkers();
  }

  /** The wasm module is loaded: the twins can be built. @param {LabWasm} module */
  ready(module) {
    this.wasm = module;
    this.store.set({ ready: true });
    this.refreshTwins();
  }

  /** The form changed (or a link filled it). @param {Form} form */
  setForm(form) {
    this.store.set({ form });
    if (!raceActive(this.store.get().race)) this.refreshTwins();
  }

  /** Starts a race (a running one is replaced); false when the settings are refused. */
  start() {
    const { form, race: last, previous } = this.store.get();
    const settings = form.settings;
    if (!settings || !this.wasm) {
      this.showMessage(`Some settings are not valid. ${form.problems}`, true);
      return false;
    }
    let configs;
    try {
      configs = this.twinConfigs(settings);
    } catch (e) {
      this.showMessage(`The twins cannot be built: ${/** @type {any} */ (e).message ?? e}`, true);
      return true;
    }
    this.raceId += 1;
    const race = newRace(this.raceId, settings);
    // The race before, drawn faded: compare zero-gamma with the default initialisation, say.
    const before = last?.twins.plain.curve.length ? last : previous;
    this.store.set({ race, previous: before, lesions: NO_LESIONS, message: { text: raceStartText(race), error: false } });
    const backend = this.backendChoice();
    for (const twin of TWINS) {
      const request = trainRequest(settings, configs[twin.key]);
      const label = `${race.twins[twin.key].name} (lab race)`;
      this.connections[twin.key].ensure(backend, twinOpening(settings)).post({ type: 'start', run: race.id, request, backend, fresh: true, label, keep: false, probe: true });
    }
    this.syncWorkers();
    this.refreshTwins();
    return true;
  }

  /** Both twins stop between two batches. */
  stop() {
    const race = this.store.get().race;
    if (!race || !raceActive(race)) return;
    this.store.set({ race: { ...race, stopping: true } });
    for (const twin of TWINS) {
      if (twinActive(race.twins[twin.key])) this.connections[twin.key].client?.post({ type: 'stop' });
    }
  }

  /** Removes each block of both trained twins in turn (in their workers). */
  async lesion() {
    const { race, lesions } = this.store.get();
    if (!race || raceActive(race) || lesions.state === 'loading') return;
    const twins = TWINS.map((twin) => race.twins[twin.key]).filter((t) => t.trained);
    if (!twins.length) return;
    const blocks = 3 * ((race.settings.depth - 2) / 6);
    const note = `Removing each of the ${blocks} blocks in turn and measuring test accuracy on ${exact(race.settings.test)} test images, in both workers\u2026`;
    this.store.set({ lesions: { ...lesions, state: 'loading', note } });
    const calls = twins.map((t) => this.connections[t.key].client?.call('lesions') ?? Promise.reject(new Error('its worker is not running')));
    const settled = await Promise.allSettled(calls);
    /** @type {TwinLesions[]} */
    const results = [];
    const failed = [];
    for (const [i, r] of settled.entries()) {
      if (r.status === 'fulfilled') results.push({ key: twins[i].key, name: twins[i].name, result: r.value });
      else failed.push(`${twins[i].name}: ${r.reason?.message ?? r.reason}`);
    }
    const done = failed.length
      ? { state: 'error', note: `The lesions could not be measured for ${failed.join('; ')}` }
      : { state: 'done', note: lesionSeries(results).note };
    this.store.set({ lesions: /** @type {Lesions} */ ({ results, ...done }) });
    this.syncWorkers();
  }
}

/** @param {ConstructorParameters<typeof LabController>[0]} options */
export const labController = (options) => new LabController(options);
