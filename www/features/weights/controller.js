// @ts-check
// The network in memory as a file, and the data: download its weights (ours, or .safetensors in
// the seed's PyTorch layout), upload a weights file of either kind,
// train and evaluate on the user's own IDX files instead of Fashion-MNIST. Where the network came
// from (`source`) is the worker's `network` event, which the page puts in the store; the page
// hands the worker's `notice` events (a network that could not be kept, ...) to `notice`.

import { demoReady, isActive } from '../../core/page-state.js';
import { MB } from '../../core/format.js';
import { basePreset } from '../../core/models.js';
import { idxKind, idxOrder, ownDataText, renderSource, saveFile, weightsElements } from './view.js';

/**
 * @typedef {import('../../core/store.js').Store<import('../../core/page-state.js').PageState>} PageStore
 * @typedef {import('../../core/page-state.js').PageState} PageState
 * @typedef {Pick<import('../../app/connection.js').Connection, 'call'>} Calls
 * @typedef {Error & {busy?: boolean, replaced?: boolean}} CallError
 * @typedef {import('./view.js').WeightsUi} WeightsUi
 * @typedef {{store: PageStore, connection: Calls, ui: WeightsUi}} Context
 */

/** Says why a request failed (a refusal while training says so itself; a replaced worker, nothing). */
function failed(/** @type {HTMLElement} */ el, /** @type {unknown} */ e, /** @type {string} */ text) {
  const err = /** @type {CallError} */ (e);
  if (!err.replaced) el.textContent = err.busy ? err.message : `${text}: ${err.message}`;
}

/**
 * Downloads the network in memory: ours (`rnxw`, the default), or the seed's PyTorch layout
 * (`safetensors`; Rust refuses a network that layout cannot hold, and says why).
 * @param {Context} ctx @param {'rnxw' | 'safetensors'} format
 */
async function downloadWeights({ store, connection, ui }, format) {
  const s = store.get();
  if (!demoReady(s) || !s.memory) return;
  const memory = s.memory;
  const name = `resnet-explorer-${basePreset(s.models, memory) ?? 'custom'}.${format}`;
  ui.message.textContent = 'Preparing the weights file\u2026';
  try {
    // The file's header is the worker's description of the weights it holds.
    const bytes = await connection.call('saveWeights', { format });
    saveFile(bytes, name);
    ui.message.textContent = `Downloaded ${name} (${MB(bytes.length)} MB).`;
  } catch (e) {
    failed(ui.message, e, 'The weights could not be saved');
  }
}

/** @param {Context} ctx @param {File | undefined} file */
async function uploadWeights({ connection, ui }, file) {
  if (!file) return;
  ui.message.textContent = `Loading ${file.name}\u2026`;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    await connection.call('loadWeights', { bytes, name: file.name }, [bytes.buffer]);
    ui.message.textContent = `Loaded ${file.name}.`;
  } catch (e) {
    failed(ui.message, e, `${file.name} could not be loaded`);
  } finally {
    ui.upload.value = '';
  }
}

/**
 * The user's own data: an image file and a label file (and optionally a test pair), told apart
 * by their IDX headers (or names, when gzipped) and by "test"/"t10k" in the name. Rust checks
 * everything else and names the file at fault.
 */
async function useOwnData(/** @type {Context} */ { store, connection, ui }, /** @type {FileList | null} */ fileList) {
  const files = [...(fileList ?? [])];
  if (!files.length) return;
  ui.dataMessage.textContent = `Reading ${files.map((f) => f.name).join(', ')}\u2026`;
  try {
    const kinds = await Promise.all(files.map(async (f) => idxKind(new Uint8Array(await f.slice(0, 4).arrayBuffer()), f.name)));
    const order = idxOrder(files, kinds);
    const parts = await Promise.all(order.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const sizes = await connection.call('useData', { files: parts }, parts.map((p) => p.bytes.buffer));
    ui.dataSource.textContent = ownDataText(order[0].name, sizes, files.length);
    ui.dataMessage.textContent = 'Loaded. The network in memory is kept; press Start to train on these images.';
    const n = store.get().demoRequest.n + 1;
    store.set({ ownData: true, demoRequest: { n, evaluate: true } });
  } catch (e) {
    failed(ui.dataMessage, e, 'These files cannot be used');
  } finally {
    ui.dataFiles.value = '';
  }
}

/**
 * @param {{store: PageStore, connection: Calls}} deps
 * @returns {{notice(message: string): void}}  for the worker's `notice` events
 */
export function initWeights({ store, connection }) {
  const ui = weightsElements();
  const ctx = { store, connection, ui };

  function renderControls(/** @type {PageState} */ s) {
    ui.download.disabled = ui.downloadTorch.disabled = !demoReady(s);
    ui.uploadButton.disabled = !s.opened || isActive(s);
    ui.dataButton.disabled = !s.opened || isActive(s);
  }

  store.subscribe(['source'], (s) => {
    renderSource(ui, s.source);
    // "Downloaded …" was about the network before; it would read as this one's.
    if (ui.message.textContent.startsWith('Downloaded ')) ui.message.textContent = '';
  });
  store.subscribe(['opened', 'memory', 'runState'], renderControls);

  ui.download.addEventListener('click', () => void downloadWeights(ctx, 'rnxw'));
  ui.downloadTorch.addEventListener('click', () => void downloadWeights(ctx, 'safetensors'));
  ui.uploadButton.addEventListener('click', () => ui.upload.click());
  ui.upload.addEventListener('change', () => void uploadWeights(ctx, ui.upload.files?.[0]));
  ui.dataButton.addEventListener('click', () => ui.dataFiles.click());
  ui.dataFiles.addEventListener('change', () => void useOwnData(ctx, ui.dataFiles.files));

  renderSource(ui, store.get().source);
  renderControls(store.get());
  return {
    /** The worker's `notice` (a network that could not be kept, ...), under the network in memory. */
    notice(/** @type {string} */ message) {
      ui.message.textContent = message;
      console.warn('[ResNet Explorer]', message);
    },
  };
}
