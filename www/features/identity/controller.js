// @ts-check
// The identity-mapping demo: zero a block's residual branch (or only conv2) and compare its output
// with its input, for the selected block (`block`), zeroing (`mode`) and test image (`image`); the
// table of every block's checks (`checks`); and, when the network in memory changed
// (`demoRequest`), the demos' refresh: the predictions on the test images first (the worker
// answers `evaluate` with a `predictions` event, which the page puts in the store), then this
// demo and the checks. A chapter-7 network in memory has no residual blocks: the demo says so and
// offers the pretrained ResNet.

import { demoReady, isActive, selectedBlock } from '../../core/page-state.js';
import { GALLERY_SIZE } from '../../core/settings.js';
import { zooKind, zooName } from '../../core/models.js';
import {
  CHECK_IMAGES,
  MAP_CHANNELS,
  MODE_NAMES,
  TRAINING_TEXT,
  blockKindText,
  checksPlaceholder,
  clearIdentityDemo,
  identityElements,
  renderChecks,
  renderImageChoices,
  showIdentityResult,
  zooIdentityText,
} from './view.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../core/page-state.js').PageState} PageState
 * @typedef {Pick<import('../../app/connection.js').Connection, 'call'>} Calls
 * @typedef {Error & {busy?: boolean, replaced?: boolean}} CallError
 * @typedef {import('./view.js').IdentityUi} IdentityUi
 */

// The shipped pretrained network (www/weights/fast.rnxw).
const PRETRAINED = new URL('../../weights/fast.rnxw', import.meta.url);

/** The selected block and its shortcut. @param {IdentityUi} ui @param {PageState} s */
function renderHeader(ui, s) {
  const b = selectedBlock(s);
  ui.block.textContent = b ? b.label : '\u2013';
  ui.blockKind.textContent = blockKindText(b, Boolean(s.memoryNet?.zoo));
}

/** The buttons, and the note when the network in memory has no residual block to zero. @param {IdentityUi} ui @param {PageState} s */
function renderControls(ui, s) {
  const ready = demoReady(s);
  const zoo = Boolean(s.memoryNet?.zoo);
  for (const b of [ui.zeroBranch, ui.zeroConv2]) b.disabled = !ready || !selectedBlock(s);
  ui.zeroBranch.setAttribute('aria-pressed', String(s.mode === 'branch'));
  ui.zeroConv2.setAttribute('aria-pressed', String(s.mode === 'conv2'));
  ui.image.disabled = zoo;
  ui.zoo.hidden = !zoo;
  ui.loadResnet.disabled = !s.opened || isActive(s);
  if (zoo && s.memory) {
    ui.zoo.dataset.model = zooKind(s.memory.config) ?? '';
    ui.zooText.textContent = zooIdentityText(zooName(s.models, s.memory.config) ?? zooKind(s.memory.config) ?? '');
  }
}

/** @param {IdentityUi} ui @param {PageState} s @param {(label: string) => void} onSelect */
function drawChecks(ui, s, onSelect) {
  const zoo = s.memoryNet?.zoo ? (zooName(s.models, s.memory?.config ?? null) ?? '') : null;
  const placeholder = checksPlaceholder({ training: s.training, ready: demoReady(s) });
  renderChecks(ui, { checks: s.checks, blocks: s.memoryNet?.blocks ?? [], selected: s.block, zooName: zoo, placeholder }, onSelect);
}

/** The test-image picker (its options once the gallery is known). @param {IdentityUi} ui @param {PageState} s @param {Set<string> | null} changed */
function drawImages(ui, s, changed) {
  if (!changed || changed.has('gallery')) renderImageChoices(ui.image, s.gallery, GALLERY_SIZE);
  ui.image.value = String(Math.min(s.image, ui.image.options.length - 1));
}

/** The demo's requests to the worker; only the latest request's answers are shown. */
class IdentityDemo {
  /** @param {PageStore} store @param {Calls} connection @param {IdentityUi} ui */
  constructor(store, connection, ui) {
    this.store = store;
    this.connection = connection;
    this.ui = ui;
    this.demoGeneration = 0; // the latest feature-map request: older answers are dropped
    this.refreshGeneration = 0; // the latest refresh of the demos
    this.clearedForTraining = false; // the demo says "Training: ..." (a refresh says "Computing..." first)
  }

  /** Empties the demo, and drops the answer of any feature-map request still out. */
  clear(/** @type {string} */ message) {
    this.demoGeneration += 1;
    clearIdentityDemo(this.ui, message);
  }

  /** Feature maps and numbers for the selected block, image and zeroing. */
  async update() {
    const { ui, store } = this;
    const s = store.get();
    const b = selectedBlock(s);
    if (!b || !demoReady(s)) return;
    const generation = ++this.demoGeneration;
    const { mode, image } = s;
    ui.result.dataset.state = 'loading';
    ui.result.dataset.block = b.label;
    ui.result.dataset.mode = mode;
    ui.modeName.textContent = MODE_NAMES[mode];
    ui.message.textContent = '';
    try {
      const where = { stage: b.stage, block: b.block, image, channels: MAP_CHANNELS };
      const asTrained = await this.connection.call('featureMaps', { ...where, mode: 'none' });
      const zeroed = await this.connection.call('featureMaps', { ...where, mode });
      if (generation !== this.demoGeneration) return;
      showIdentityResult(ui, b, mode, image, asTrained, zeroed);
    } catch (e) {
      const err = /** @type {CallError} */ (e);
      if (generation !== this.demoGeneration || err.replaced) return;
      ui.result.dataset.state = 'error';
      ui.message.textContent = err.busy ? err.message : `The feature maps could not be computed: ${err.message}`;
    }
  }

  /** After the network in memory (or the test data) changed: predictions, feature maps, checks. */
  async refresh() {
    const { ui, store } = this;
    const s = store.get();
    if (!demoReady(s)) return;
    const generation = ++this.refreshGeneration;
    const memory = s.memory;
    const stale = () => generation !== this.refreshGeneration || store.get().memory !== memory;
    if (this.clearedForTraining) {
      // The run that was training stopped or finished: its network is the one in memory now.
      this.clearedForTraining = false;
      ui.explain.textContent = s.memoryNet?.zoo ? '' : 'Computing\u2026';
    }
    try {
      if (s.demoRequest.evaluate) await this.connection.call('evaluate');
      if (stale()) return;
      if (store.get().memoryNet?.zoo) return; // no residual blocks: nothing for the identity demo
      this.update();
      const checks = await this.connection.call('identityChecks', { images: CHECK_IMAGES });
      if (stale()) return;
      store.set({ checks });
    } catch (e) {
      const err = /** @type {CallError} */ (e);
      if (err.busy || err.replaced || generation !== this.refreshGeneration) return;
      ui.message.textContent = `The identity checks could not be computed: ${err.message}`;
    }
  }

  /** Puts the shipped pretrained ResNet in memory, as if uploaded. */
  async loadPretrainedResnet() {
    const { ui } = this;
    const s = this.store.get();
    if (!s.opened || isActive(s)) return;
    ui.message.textContent = 'Loading the pretrained fast ResNet\u2026';
    try {
      const response = await fetch(PRETRAINED);
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      await this.connection.call('loadWeights', { bytes, name: 'fast.rnxw' }, [bytes.buffer]);
      ui.message.textContent = 'Loaded the pretrained fast ResNet (www/weights/fast.rnxw).';
    } catch (e) {
      const err = /** @type {CallError} */ (e);
      if (!err.replaced) ui.message.textContent = err.busy ? err.message : `The pretrained ResNet could not be loaded: ${err.message}`;
    }
  }

  /** A block chosen in the checks table (choosing the selected one again recomputes it). */
  selectBlock(/** @type {string} */ label) {
    const s = this.store.get();
    if (!s.memoryNet?.blocks?.some((/** @type {any} */ b) => b.label === label)) return;
    if (s.block === label) this.update();
    else this.store.set({ block: label });
  }

  setMode(/** @type {'branch' | 'conv2'} */ mode) {
    if (this.store.get().mode === mode) this.update();
    else this.store.set({ mode });
  }

  /** Another network in memory (or training began): its checks are to come; the old demo goes. */
  onNetwork(/** @type {PageState} */ s, /** @type {Set<string>} */ changed) {
    if (changed.has('memory') && s.checks) this.store.set({ checks: null });
    if (s.training) {
      this.clear(TRAINING_TEXT);
      this.clearedForTraining = true;
    } else if (changed.has('memory') && s.memoryNet?.zoo) {
      this.clear(''); // no residual blocks: the numbers of an earlier ResNet would mislead
    }
  }

  /** The block, zeroing or image changed by hand (or by the link): recompute the demo. */
  onChoice(/** @type {PageState} */ _s, /** @type {Set<string>} */ changed) {
    if (['memory', 'memoryNet', 'demoRequest'].some((k) => changed.has(k))) return; // the refresh does it
    this.update();
  }
}

/**
 * Draws the demo from the store and asks the worker when the choices or the network change.
 * Its buttons' actions are also commands (the lesson's), which do what a press does.
 * @param {{store: PageStore, connection: Calls, commands: import('../../core/commands.js').Commands}} deps
 */
export function initIdentity({ store, connection, commands }) {
  const ui = identityElements();
  const demo = new IdentityDemo(store, connection, ui);
  const select = (/** @type {string} */ label) => demo.selectBlock(label);

  store.subscribe(['memory', 'training'], (s, changed) => demo.onNetwork(s, changed));
  store.subscribe(['memoryNet', 'block'], (s) => renderHeader(ui, s));
  store.subscribe(['opened', 'memory', 'memoryNet', 'runState', 'block', 'mode', 'models'], (s) => renderControls(ui, s));
  store.subscribe(['checks', 'memoryNet', 'training', 'opened', 'runState', 'block', 'models'], (s) => drawChecks(ui, s, select));
  store.subscribe(['gallery', 'image'], (s, changed) => drawImages(ui, s, changed));
  store.subscribe(['block', 'mode', 'image'], (s, changed) => demo.onChoice(s, changed));
  store.subscribe(['demoRequest'], () => void demo.refresh());

  const zero = (/** @type {HTMLButtonElement} */ button, /** @type {'branch' | 'conv2'} */ mode) => {
    const press = () => !button.disabled && demo.setMode(mode);
    button.addEventListener('click', press);
    return press;
  };
  commands.register('zeroBranch', zero(ui.zeroBranch, 'branch'));
  commands.register('zeroConv2', zero(ui.zeroConv2, 'conv2'));
  ui.image.addEventListener('change', () => store.set({ image: Number(ui.image.value) }));
  ui.loadResnet.addEventListener('click', () => void demo.loadPretrainedResnet());

  const s = store.get();
  drawImages(ui, s, null);
  renderHeader(ui, s);
  renderControls(ui, s);
  drawChecks(ui, s, select);
}
