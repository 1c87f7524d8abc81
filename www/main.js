// The page: settings (kept in the URL hash), the training worker's events, the chart and the
// model's shape table. The model description always comes from Rust (`presets`, `shapes`, and
// the worker's `model` event); training runs in www/worker.js.

import { createTrainingChart } from './chart.js';

// Training defaults for each model preset (the model itself comes from Rust's `presets()`).
const PRESET_TRAINING = {
  fast: { epochs: 2, batch: 128, lr: 0.1 },
  d2l96: { epochs: 10, batch: 256, lr: 0.05 },
  tiny: { epochs: 1, batch: 32, lr: 0.1 },
};
const PRESET_NOTES = {
  fast: 'ResNet-18\u2019s layers (4 stages of 2 residual blocks) with a quarter of the channels, on the original 28\u00d728 images. Quick on a GPU; an epoch takes many minutes on the CPU.',
  d2l96: 'd2l\u2019s ResNet-18 exactly: 64 to 512 channels, images resized to 96\u00d796. Needs a real GPU; on the CPU it would take hours.',
  tiny: 'One residual block a stage and 8 to 32 channels. Trains in seconds to minutes anywhere, even on the CPU.',
};
const FULL = { train: 60000, test: 10000 };
const DEFAULT_PRESET = 'fast';

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('settings'),
  fields: $('settings-fields'),
  preset: $('preset'),
  presetNote: $('preset-note'),
  epochs: $('epochs'),
  batch: $('batch'),
  lr: $('lr'),
  train: $('train-limit'),
  test: $('test-limit'),
  backendChoice: $('backend-choice'),
  start: $('start'),
  pause: $('pause'),
  stop: $('stop'),
  copyLink: $('copy-link'),
  copyResult: $('copy-result'),
  backend: $('backend'),
  cpuBanner: $('cpu-banner'),
  cpuReason: $('cpu-reason'),
  errorBox: $('error-box'),
  errorMessage: $('error-message'),
  dataProgress: $('data-progress'),
  dataLabel: $('data-label'),
  trainProgress: $('train-progress'),
  trainLabel: $('train-label'),
  status: $('status'),
  speed: $('stat-speed'),
  loss: $('stat-loss'),
  trainAcc: $('stat-train-acc'),
  testAcc: $('stat-test-acc'),
  log: $('log'),
  modelSummary: $('model-summary'),
  arch: $('arch'),
  shapesBody: document.querySelector('#shapes-table tbody'),
};

const chart = createTrainingChart($('chart'));

let wasm = null; // the wasm module on the main thread, only for presets() and shapes()
let presetConfigs = new Map(); // name -> ResNetConfig, from Rust

// ---------------------------------------------------------------------------------------------
// Settings <-> URL hash

/** The hash parameters and the inputs they drive, with their valid ranges. */
const NUMERIC = [
  { key: 'epochs', input: ui.epochs, min: 1, max: 100, integer: true },
  { key: 'batch', input: ui.batch, min: 1, max: 4096, integer: true },
  { key: 'lr', input: ui.lr, min: 1e-4, max: 10, integer: false },
  { key: 'train', input: ui.train, min: 1, max: FULL.train, integer: true },
  { key: 'test', input: ui.test, min: 1, max: FULL.test, integer: true },
];

function parseNumber(text, { min, max, integer }) {
  if (text === null || text === undefined || String(text).trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}

function applyPresetDefaults(preset) {
  const d = PRESET_TRAINING[preset];
  ui.presetNote.textContent = PRESET_NOTES[preset];
  ui.epochs.value = d.epochs;
  ui.batch.value = d.batch;
  ui.lr.value = d.lr;
}

/** Sets the controls from the URL hash; anything missing or invalid gets its default. */
function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const preset = params.get('preset');
  ui.preset.value = preset in PRESET_TRAINING ? preset : DEFAULT_PRESET;
  applyPresetDefaults(ui.preset.value);
  ui.train.value = FULL.train;
  ui.test.value = FULL.test;
  for (const spec of NUMERIC) {
    const value = parseNumber(params.get(spec.key), spec);
    if (value !== null) spec.input.value = String(value);
  }
  ui.presetNote.textContent = PRESET_NOTES[ui.preset.value];
  ui.backendChoice.value = params.get('backend') === 'cpu' ? 'cpu' : 'auto';
}

function settingsHash() {
  const params = new URLSearchParams();
  params.set('preset', ui.preset.value);
  for (const { key, input } of NUMERIC) params.set(key, input.value.trim());
  params.set('backend', ui.backendChoice.value);
  return '#' + params.toString();
}

function writeHash() {
  const hash = settingsHash();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/** Reads and checks every setting; marks invalid fields. Returns null when one is invalid. */
function readSettings() {
  const out = { preset: ui.preset.value, backend: ui.backendChoice.value };
  let ok = true;
  for (const spec of NUMERIC) {
    const value = parseNumber(spec.input.value, spec);
    spec.input.setAttribute('aria-invalid', String(value === null));
    if (value === null) ok = false;
    out[spec.key] = value;
  }
  return ok ? out : null;
}

// ---------------------------------------------------------------------------------------------
// The network: stage diagram and shape table, from Rust

const fmtShape = (shape) => shape.join(' \u00d7 ');
const fmtChw = (shape) => fmtShape(shape.slice(1));

function describeStage(layer, children, config, index) {
  if (layer.kind === 'Sequential' && index === 0 && config) {
    const s = config.stem;
    return `${s.kernel}\u00d7${s.kernel} conv (stride ${s.stride}), batch norm, ReLU, ${s.pool_kernel}\u00d7${s.pool_kernel} max-pool (stride ${s.pool_stride})`;
  }
  if (layer.kind === 'Sequential') {
    const proj = children.filter((c) => c.projection).length;
    const n = children.length;
    return `${n} residual block${n === 1 ? '' : 's'}${proj ? `, first with a 1\u00d71 conv shortcut` : ''}`;
  }
  return { AdaptiveAvgPool2d: 'global average pooling', Flatten: 'flatten', Linear: 'fully connected: one score per class' }[layer.kind] ?? layer.kind;
}

function renderModel(layers, config, parameters) {
  // Diagram: input, then every top-level layer with its output shape.
  ui.arch.replaceChildren();
  const addStage = (title, detail, shape, cls) => {
    const li = document.createElement('li');
    li.className = `stage ${cls}`;
    const name = document.createElement('span');
    name.className = 'stage-name';
    name.textContent = title;
    const what = document.createElement('span');
    what.className = 'stage-detail';
    what.textContent = detail;
    const out = document.createElement('span');
    out.className = 'stage-shape';
    out.textContent = shape;
    li.append(name, what, out);
    ui.arch.append(li);
  };
  if (config) {
    const detail = config.input_size === 28 ? 'grey-scale image' : 'grey-scale image, resized from 28 \u00d7 28';
    addStage('input', detail, `${config.in_channels} \u00d7 ${config.input_size} \u00d7 ${config.input_size}`, 'stage-input');
  }
  const top = layers.filter((l) => l.level === 0);
  top.forEach((layer, i) => {
    const children = layers.filter((l) => l.level === 1 && l.label.startsWith(layer.label + '.'));
    const cls = layer.kind === 'Sequential' ? (i === 0 ? 'stage-stem' : 'stage-res') : 'stage-head';
    addStage(layer.label, describeStage(layer, children, config, i), fmtChw(layer.shape), cls);
  });

  // Table: every row, blocks indented under their stage.
  ui.shapesBody.replaceChildren();
  for (const layer of layers) {
    const tr = document.createElement('tr');
    tr.className = `level-${layer.level}`;
    const shortcut = layer.kind === 'Residual' ? (layer.projection ? '1\u00d71 conv' : 'identity') : '';
    for (const text of [layer.label, layer.kind, `(${layer.shape.join(', ')})`, shortcut]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    ui.shapesBody.append(tr);
  }

  const blocks = layers.filter((l) => l.kind === 'Residual').length;
  const stages = top.filter((l) => l.kind === 'Sequential').length - 1;
  const parts = [];
  if (config) parts.push(`Input ${config.in_channels}\u00d7${config.input_size}\u00d7${config.input_size}`);
  parts.push(`${stages} residual stage${stages === 1 ? '' : 's'} with ${blocks} residual blocks`);
  if (config) parts.push(`channels ${config.widths.join(' \u2192 ')}`);
  parts.push(parameters ? `${parameters.toLocaleString('en-US')} trainable parameters` : 'parameters counted when training starts');
  ui.modelSummary.textContent = parts.join(' \u00b7 ') + '.';
}

function showSelectedModel() {
  const config = presetConfigs.get(ui.preset.value);
  if (!wasm || !config) return;
  try {
    renderModel(wasm.shapes(config), config, null);
  } catch (e) {
    ui.modelSummary.textContent = `The model description failed: ${e.message ?? e}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Run state and the worker

let worker = null;
let workerBackend = null; // the backend choice the current worker was started with
let workerBroken = false;
let runId = 0;
let accepting = false; // true once the worker confirmed the current run
let state = 'idle';
let pauseRequested = false;
let run = null; // bookkeeping for the current run

const ACTIVE = new Set(['loading', 'running', 'paused']);
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const pct = (x) => (x * 100).toFixed(1) + ' %';

function newRunInfo(settings) {
  return {
    settings,
    files: new Map(),
    phase: 'Starting',
    batch: 0,
    total: 0,
    backend: null,
    adapter: null,
    lastEpoch: null,
    recent: [], // [time, batch] of the latest steps, for a live examples/sec
  };
}

function ensureWorker(backendChoice) {
  if (worker && (workerBroken || workerBackend !== backendChoice)) {
    // A worker initialises its device once; switching backends needs a fresh one.
    worker.terminate();
    worker = null;
  }
  if (worker) return worker;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  workerBackend = backendChoice;
  workerBroken = false;
  worker.onmessage = ({ data }) => onWorkerEvent(data);
  worker.onerror = (e) => {
    e.preventDefault();
    workerBroken = true;
    const detail = e.message ? `: ${e.message}` : ' (its script could not be loaded; is pkg/ built?)';
    showError(`The training worker failed${detail}`);
    setState('failed');
  };
  worker.onmessageerror = () => showError('A message from the training worker could not be read.');
  return worker;
}

function showError(message) {
  ui.errorMessage.textContent = message;
  ui.errorBox.hidden = false;
  console.error('[ResNet Explorer]', message);
}

function setState(next) {
  state = next;
  const active = ACTIVE.has(state);
  document.body.dataset.state = state;
  ui.status.dataset.state = state;
  ui.fields.disabled = active;
  ui.start.disabled = !wasm;
  ui.start.textContent = active ? 'Restart' : 'Start';
  ui.pause.disabled = !active;
  ui.stop.disabled = !active;
  if (state !== 'paused' && state !== 'running' && state !== 'loading') pauseRequested = false;
  ui.pause.textContent = pauseRequested ? 'Resume' : 'Pause';
  ui.pause.setAttribute('aria-pressed', String(pauseRequested));
  renderStatus();
}

function renderStatus() {
  const r = run;
  const where = r && r.total ? `batch ${r.batch} of ${r.total}` : '';
  let text;
  switch (state) {
    case 'idle':
      text = wasm ? 'Ready. Choose a set-up and press Start.' : 'Loading the WebAssembly module\u2026';
      break;
    case 'loading':
      text = `${r?.phase ?? 'Starting'}\u2026`;
      break;
    case 'running': {
      if (r?.stopping) {
        text = 'Stopping after the current batch\u2026';
      } else if (pauseRequested) {
        text = 'Pausing after the current batch\u2026';
      } else if (r && r.total) {
        const perEpoch = r.total / r.settings.epochs;
        const epoch = Math.min(r.settings.epochs, Math.floor(r.batch / perEpoch) + 1);
        text = `Training: epoch ${epoch} of ${r.settings.epochs}, ${where}.`;
        if (r.batch === 0 && r.backend?.backend === 'wgpu') {
          text = 'Training: the first batch compiles the GPU kernels and can take a while\u2026';
        }
      } else {
        text = 'Training\u2026';
      }
      break;
    }
    case 'paused':
      if (r?.stopping) {
        text = 'Stopping\u2026';
        break;
      }
      text = `Paused${where ? ' after ' + where : ''}. Press Resume to continue.`;
      break;
    case 'stopped':
      text = `Stopped${where ? ' after ' + where : ''}.`;
      break;
    case 'finished':
      text = r?.lastEpoch
        ? `Finished: test accuracy ${pct(r.lastEpoch.test_acc)} after ${r.lastEpoch.epoch} epoch${r.lastEpoch.epoch === 1 ? '' : 's'}.`
        : 'Finished.';
      break;
    case 'failed':
      text = 'Stopped by an error (see above).';
      break;
    default:
      text = state;
  }
  ui.status.textContent = text;
}

function resetRunDisplay(settings) {
  ui.errorBox.hidden = true;
  ui.errorMessage.textContent = '';
  ui.dataProgress.value = 0;
  ui.dataProgress.max = 1;
  ui.dataLabel.textContent = 'starting';
  ui.trainProgress.value = 0;
  ui.trainProgress.max = 1;
  ui.trainLabel.textContent = '\u2013';
  for (const el of [ui.speed, ui.loss, ui.trainAcc, ui.testAcc]) el.textContent = '\u2013';
  ui.log.textContent = '';
  ui.log.hidden = true;
  chart.reset(settings.epochs);
}

function start() {
  const settings = readSettings();
  const config = presetConfigs.get(ui.preset.value);
  if (!settings || !config) {
    ui.form.querySelector('[aria-invalid="true"]')?.focus();
    showError('Some settings are out of range; check the highlighted fields.');
    return;
  }
  writeHash();
  const request = {
    model: config,
    train: { epochs: settings.epochs, batch_size: settings.batch, lr: settings.lr, momentum: 0, weight_decay: 0, seed: 0 },
    train_limit: settings.train >= FULL.train ? null : settings.train,
    test_limit: settings.test >= FULL.test ? null : settings.test,
  };
  runId += 1;
  accepting = false;
  pauseRequested = false;
  run = newRunInfo(settings);
  resetRunDisplay(settings);
  setState('loading');
  ensureWorker(settings.backend).postMessage({ type: 'start', run: runId, request, backend: settings.backend });
}

function togglePause() {
  if (!worker || !ACTIVE.has(state)) return;
  pauseRequested = !pauseRequested;
  worker.postMessage({ type: pauseRequested ? 'pause' : 'resume' });
  setState(state); // show the new button label at once; the worker confirms between batches
}

function stop() {
  if (!worker || !ACTIVE.has(state)) return;
  worker.postMessage({ type: 'stop' });
  run.stopping = true;
  renderStatus();
}

function showBackend(info) {
  run.backend = info;
  ui.backend.dataset.backend = info.backend;
  if (info.backend === 'wgpu') {
    const a = run.adapter;
    const name = a ? [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') : '';
    ui.backend.textContent = `Backend: WebGPU${name ? ' \u2014 ' + name : ''}${a?.fallback ? ' (software adapter: slow)' : ''}`;
    ui.cpuBanner.hidden = true;
  } else {
    ui.backend.textContent = 'Backend: CPU \u2014 burn\u2019s CPU backend compiled to WebAssembly';
    ui.cpuReason.textContent = info.fallback_reason ?? 'WebGPU could not be used.';
    ui.cpuBanner.hidden = false;
  }
}

function showDataProgress(event) {
  run.files.set(event.file, event);
  let loaded = 0;
  let total = 0;
  let known = true;
  for (const f of run.files.values()) {
    loaded += f.loaded;
    total += f.total;
    if (!f.total) known = false;
  }
  const complete = run.files.size === 4 && known && loaded >= total;
  if (known && total > 0) {
    ui.dataProgress.max = total;
    ui.dataProgress.value = loaded;
    ui.dataLabel.textContent = `${MB(loaded)} / ${MB(total)} MB${event.cached && complete ? ' (cached)' : ''}`;
  } else {
    ui.dataProgress.removeAttribute('value'); // indeterminate
    ui.dataLabel.textContent = `${MB(loaded)} MB`;
  }
  if (!complete) run.phase = 'Downloading Fashion-MNIST';
  else run.phase = 'Decoding the images and building the model';
  renderStatus();
}

function showSpeed(value) {
  if (Number.isFinite(value)) ui.speed.textContent = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** Examples/sec over the last few seconds of steps (Rust's figure only comes 5 times an epoch). */
function showLiveSpeed(batch) {
  const now = performance.now();
  const recent = run.recent;
  recent.push([now, batch]);
  while (recent.length > 2 && now - recent[0][0] > 10000) recent.shift();
  if (recent.length < 3) return;
  const [t0, b0] = recent[0];
  const examples = (batch - b0) * run.settings.batch;
  if (now > t0 && examples > 0) showSpeed((examples * 1000) / (now - t0));
}

function appendLog(line) {
  ui.log.hidden = false;
  ui.log.textContent += line + '\n';
}

function onWorkerEvent(event) {
  if (event.type === 'state') {
    if (event.run !== runId) return; // a late message from a replaced run
    accepting = true;
    if (event.state === 'paused') pauseRequested = true;
    if (run && event.state !== state) run.recent = []; // the live speed skips pauses
    if (event.state === 'running' && state === 'paused') pauseRequested = false;
    setState(event.state);
    return;
  }
  if (!accepting) return;
  switch (event.type) {
    case 'adapter':
      run.adapter = event;
      break;
    case 'backend':
      showBackend(event);
      run.phase = 'Downloading Fashion-MNIST';
      renderStatus();
      break;
    case 'data_progress':
      showDataProgress(event);
      break;
    case 'model':
      renderModel(event.layers, run.settings && presetConfigs.get(run.settings.preset), event.parameters);
      break;
    case 'data_ready':
      ui.dataLabel.textContent = `${ui.dataLabel.textContent.replace(/ \u00b7.*$/, '')} \u00b7 ${event.train.toLocaleString('en-US')} train / ${event.test.toLocaleString('en-US')} test images`;
      if (ui.dataProgress.max <= 1) {
        ui.dataProgress.max = 1;
        ui.dataProgress.value = 1;
      }
      break;
    case 'step':
      showLiveSpeed(event.batch);
      run.batch = event.batch;
      run.total = event.total;
      ui.trainProgress.max = event.total;
      ui.trainProgress.value = event.batch;
      ui.trainLabel.textContent = `${event.batch} / ${event.total}`;
      renderStatus();
      break;
    case 'train':
      ui.loss.textContent = event.train_loss.toFixed(4);
      ui.trainAcc.textContent = pct(event.train_acc);
      if (event.kind === 'report') {
        chart.addReport(event);
      } else if (event.kind === 'epoch') {
        run.lastEpoch = event;
        ui.testAcc.textContent = pct(event.test_acc);
        chart.addEpoch(event);
        appendLog(`epoch ${event.epoch}: loss ${event.train_loss.toFixed(3)}, train acc ${event.train_acc.toFixed(3)}, test acc ${event.test_acc.toFixed(3)}`);
      }
      break;
    case 'finished': {
      showSpeed(event.examples_per_sec);
      const on = run.backend?.backend === 'wgpu' ? 'WebGPU' : 'the CPU';
      appendLog(`${event.examples_per_sec.toFixed(1)} examples/sec on ${on}`);
      break;
    }
    case 'error':
      if (event.fatal) workerBroken = true;
      showError(event.message);
      break;
    default:
      console.warn('unknown worker event', event);
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

function onSettingsChanged(e) {
  if (e?.target === ui.preset) applyPresetDefaults(ui.preset.value);
  const settings = readSettings(); // also refreshes the invalid marks
  writeHash();
  if (settings && chart.points === 0 && !ACTIVE.has(state)) chart.reset(settings.epochs); // x axis 0..epochs
  if (e?.target === ui.preset) showSelectedModel();
}

ui.form.addEventListener('input', onSettingsChanged);
ui.form.addEventListener('change', (e) => {
  if (e.target !== ui.preset) onSettingsChanged(e); // the preset is handled by 'input'
});
ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  start();
});
ui.pause.addEventListener('click', togglePause);
ui.stop.addEventListener('click', stop);
ui.copyLink.addEventListener('click', async () => {
  writeHash();
  try {
    await navigator.clipboard.writeText(location.href);
    ui.copyResult.textContent = 'Link copied.';
  } catch {
    ui.copyResult.textContent = 'Copy the address bar to share this set-up.';
  }
  setTimeout(() => (ui.copyResult.textContent = ''), 4000);
});
window.addEventListener('hashchange', () => {
  if (ACTIVE.has(state) || location.hash === settingsHash()) return;
  readHash();
  if (chart.points === 0) chart.reset(Number(ui.epochs.value));
  showSelectedModel();
});

readHash();
writeHash();
setState('idle');
chart.reset(Number(ui.epochs.value));

async function loadWasm() {
  try {
    const module = await import('../pkg/resnet_explorer.js');
    await module.default();
    presetConfigs = new Map(module.presets());
    wasm = module;
  } catch (e) {
    showError(
      `The WebAssembly package pkg/resnet_explorer.js could not be loaded: ${e.message ?? e}. ` +
        'If pkg/ is missing, build it with `wasm-pack build --release --target web --out-dir pkg --no-typescript -- --features wgpu` and reload.',
    );
    ui.status.textContent = 'Not ready: the WebAssembly package could not be loaded.';
    return;
  }
  setState(state);
  showSelectedModel();
}

loadWasm();

// For tests and curious users: the current run state.
window.resnetExplorer = {
  get state() {
    return state;
  },
  get chartPoints() {
    return chart.points;
  },
};
