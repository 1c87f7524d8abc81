// The page: settings (kept in the URL hash), the worker's events, the training chart and the
// explorer views (diagram, layer table, identity demo, insertions, predictions, the chapter-7
// comparison). The model description always comes from Rust (`presets`, `zooModels`, `shapes`,
// and the worker's `model` event); the worker (www/worker.js) owns the network and does all the
// computing.

import { createTrainingChart } from './chart.js';
import { chw, defaultBlock, describeNetwork, exact, formatCount, renderDiagram, renderLayerTable } from './network-view.js';
import { renderConfusion, renderFeatureMaps, renderGallery } from './views.js';
import { initLab } from './features/lab/index.js';
import { MEASURED_KEY, loadMeasured, renderModelTable, saveMeasured } from './model-table.js';
import { checkLinkNumber, checkNumber, numberOrNull, refusals } from './core/fields.js';
import { downloadNote } from './core/networks.js';
import { networksController } from './features/networks/controller.js';
import { adapterName, cpuBackendLine, parseBackendChoice } from './core/backend.js';
import { LiveSpeed, formatSpeed } from './core/speed.js';

// The chapter-7 networks of seed 004 (the models themselves come from Rust's `zooModels()`):
// the seed's learning rate and batch size, 2 epochs instead of its 10. LeNet gets lr 0.9 (the
// seed: 1.0), the rate of the native run quoted under the comparison table.
const ZOO_TRAINING = {
  'lenet-bn': { epochs: 2, batch: 256, lr: 0.9 },
  'lenet-bn-scratch': { epochs: 2, batch: 256, lr: 0.9 },
  alexnet: { epochs: 2, batch: 128, lr: 0.01 },
  vgg11: { epochs: 2, batch: 128, lr: 0.05 },
  'vgg11-small': { epochs: 2, batch: 128, lr: 0.05 },
  nin: { epochs: 2, batch: 128, lr: 0.1 },
  googlenet: { epochs: 2, batch: 128, lr: 0.1 },
};
const ZOO_NOTES = {
  'lenet-bn': 'LeNet with batch normalization after every convolution and fully connected layer (burn\u2019s BatchNorm), sigmoid activations and average pooling, on the 28\u00d728 images themselves. Small and quick, even on the CPU.',
  'lenet-bn-scratch': 'The same LeNet with the seed\u2019s from-scratch batch_norm (moving mean and variance with momentum 0.9) written as a module of this project, instead of burn\u2019s BatchNorm.',
  alexnet: 'AlexNet for Fashion-MNIST: five convolutions (the first 11\u00d711 with stride 4), three max-pools, then two 4096-wide fully connected layers with dropout 0.5, which hold most of its parameters.',
  vgg11: 'VGG-11: five VGG blocks of 3\u00d73 convolutions and a 2\u00d72 max-pool (64 to 512 channels), then AlexNet\u2019s fully connected head. The heaviest network here: the seed trains only the \u00f74 version.',
  'vgg11-small': 'VGG-11 with every block\u2019s channels divided by 4 (16 to 128), as the seed trains it.',
  nin: 'Network in Network: each block is a convolution followed by two 1\u00d71 convolutions; no fully connected layer, a global average pool over 10 channels gives the class scores.',
  googlenet: 'GoogLeNet: two stem blocks (b1, b2), then nine Inception blocks in b3 to b5, each running 1\u00d71, 3\u00d73 and 5\u00d75 convolutions and a max-pool side by side and concatenating their channels.',
};
const isZoo = (name) => Object.hasOwn(ZOO_TRAINING, name);
// A chapter-7 model's input (square, pixels), up to the seed's largest, 224.
const INPUT_SIZE = { key: 'input', label: 'Input size', min: 8, max: 224, integer: true };
// Seed 004's ResNet-18 result (d2l's run: 96 px, 10 epochs, lr 0.05, batch 256); zooModels() has the others.
const RESNET_SEED_ACC = { d2l96: 0.915 };

// Training defaults for each model preset (the model itself comes from Rust's `presets()`).
const PRESET_TRAINING = {
  fast: { epochs: 2, batch: 128, lr: 0.1 },
  d2l96: { epochs: 10, batch: 256, lr: 0.05 },
  tiny: { epochs: 1, batch: 32, lr: 0.1 },
  ...ZOO_TRAINING,
};
const PRESET_NOTES = {
  fast: 'ResNet-18\u2019s layers (4 stages of 2 residual blocks) with a quarter of the channels, on the original 28\u00d728 images. Quick on a GPU; an epoch takes many minutes on the CPU.',
  d2l96: 'd2l\u2019s ResNet-18 exactly: 64 to 512 channels, images resized to 96\u00d796. Needs a real GPU; on the CPU it would take hours.',
  tiny: 'One residual block a stage and 8 to 32 channels. Trains in seconds to minutes anywhere, even on the CPU.',
  ...ZOO_NOTES,
};
const FULL = { train: 60000, test: 10000 };
const DEFAULT_PRESET = 'fast';
const GALLERY_SIZE = 24; // the worker sends (and Rust predicts) the first 24 test images
const CHECK_IMAGES = 16; // test images for the table of identity checks
const MAP_CHANNELS = 4; // feature-map channels shown
const MODE_NAMES = { branch: 'residual branch zeroed', conv2: 'conv2 zeroed', none: 'as trained' };

const $ = (id) => document.getElementById(id);
const ui = {
  form: $('settings'),
  fields: $('settings-fields'),
  preset: $('preset'),
  presetNote: $('preset-note'),
  inputSizeField: $('input-size-field'),
  inputSize: $('input-size'),
  inputSizeNote: $('input-size-note'),
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
  resumeBox: $('resume-box'),
  resumeMessage: $('resume-message'),
  resumeRun: $('resume-run'),
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
  chartCaption: $('chart-caption'),
  // weights
  weightsSource: $('weights-source'),
  download: $('download-weights'),
  uploadButton: $('upload-button'),
  upload: $('upload-weights'),
  dataButton: $('data-button'),
  dataFiles: $('data-files'),
  dataSource: $('dataset-source'),
  dataMessage: $('data-message'),
  savedList: $('saved-networks'),
  settingsProblems: $('settings-problems'),
  linkProblems: $('link-problems'),
  weightsMessage: $('weights-message'),
  // network
  modelSummary: $('model-summary'),
  networkNote: $('network-note'),
  networkNoteText: $('network-note-text'),
  networkSwitch: $('network-switch'),
  resnetLegend: $('resnet-legend'),
  zooLegend: $('zoo-legend'),
  diagram: $('diagram'),
  shapesTable: $('shapes-table'),
  expandAll: $('expand-all'),
  collapseAll: $('collapse-all'),
  // identity demo
  identityBlock: $('identity-block'),
  identityBlockKind: $('identity-block-kind'),
  identityImage: $('identity-image'),
  zeroBranch: $('zero-branch'),
  zeroConv2: $('zero-conv2'),
  identityResult: $('identity-result'),
  identityModeName: $('identity-mode-name'),
  identityDiff: $('identity-diff'),
  identityDiffNone: $('identity-diff-none'),
  identityExplain: $('identity-explain'),
  featureMaps: $('feature-maps'),
  checksBody: document.querySelector('#identity-checks tbody'),
  checksImages: $('checks-images'),
  identityMessage: $('identity-message'),
  identityZoo: $('identity-zoo'),
  identityZooText: $('identity-zoo-text'),
  loadResnet: $('load-resnet'),
  nestedZoo: $('nested-zoo'),
  // nested function classes
  insertStage: $('insert-stage'),
  insertIdentity: $('insert-identity'),
  insertPlain: $('insert-plain'),
  insertionResult: $('insertion-result'),
  accBefore: $('acc-before'),
  accAfter: $('acc-after'),
  changed: $('changed'),
  insertionExplain: $('insertion-explain'),
  keepTraining: $('keep-training'),
  restore: $('restore'),
  nestedMessage: $('nested-message'),
  // predictions
  predSummary: $('pred-summary'),
  galleryHint: $('gallery-hint'),
  gallery: $('gallery'),
  confusion: $('confusion'),
  // chapter 7 models
  zooBody: document.querySelector('#zoo-table tbody'),
  zooForget: $('zoo-forget'),
};

const chart = createTrainingChart($('chart'));

let wasm = null; // the wasm module on the main thread, only for presets() and shapes()
let presetConfigs = new Map(); // name -> ResNetConfig, from Rust
let zooInfo = new Map(); // name -> {name, title, default_input_size, config, parameters, macs, seed_test_acc}, from Rust

// ---------------------------------------------------------------------------------------------
// Explorer state (what the views show)

const view = {
  memory: null, // the latest `model` event: the network in the worker's memory
  memoryNet: null, // describeNetwork() of it
  training: false, // the network in memory is the one a run is training
  source: null, // the latest `network` event: where the weights came from
  saved: null, // the latest `saved_list` event: the networks kept in this browser
  showing: 'memory', // 'memory' or 'preview' (the selected preset, before training it)
  shownNet: null,
  collapsed: new Set(), // collapsed rows of the layer table
  seen: new Set(), // blocks drawn before (new ones start collapsed)
  gallery: null,
  predictions: null,
  predictionsFrom: '',
  checks: null,
  selected: null, // the selected block's label, e.g. 'b2.0'
  mode: 'branch', // the identity demo's zeroing
  image: 0, // the identity demo's test image
  insertStage: 0,
  insertion: null, // the last insertion event
  shownKind: null, // 'resnet' or the chapter-7 model drawn last (the layer table's collapsed rows belong to it)
  previewError: null, // why the selected model cannot be drawn (e.g. an input too small)
  ownData: false, // the user's IDX files replaced Fashion-MNIST
};

// The networks kept in this browser: the list under "Network in memory".
const networks = networksController({
  list: ui.savedList,
  message: ui.weightsMessage,
  call,
  state: () => ({
    entries: view.saved?.entries ?? [],
    current: view.saved?.current ?? null,
    shippedInMemory: view.source?.source === 'shipped',
    busy: !demoReady(),
  }),
  onLoaded: resetInsertionDisplay,
});

// ---------------------------------------------------------------------------------------------
// Settings <-> URL hash

/** The hash parameters and the inputs they drive, with their valid ranges. */
const NUMERIC = [
  { key: 'epochs', label: 'Epochs', input: ui.epochs, min: 1, max: 100, integer: true },
  { key: 'batch', label: 'Batch size', input: ui.batch, min: 1, max: 4096, integer: true },
  { key: 'lr', label: 'Learning rate', input: ui.lr, min: 1e-4, max: 10, integer: false },
  { key: 'train', label: 'Training images', input: ui.train, min: 1, max: FULL.train, integer: true },
  { key: 'test', label: 'Test images', input: ui.test, min: 1, max: FULL.test, integer: true },
];
const IMAGE = { key: 'image', label: 'Test image', min: 0, max: GALLERY_SIZE - 1, integer: true };
const STAGE = { key: 'stage', label: 'Insertion stage', min: 0, max: 15, integer: true };

function applyPresetDefaults(preset) {
  const d = PRESET_TRAINING[preset];
  ui.presetNote.textContent = PRESET_NOTES[preset];
  ui.epochs.value = d.epochs;
  ui.batch.value = d.batch;
  ui.lr.value = d.lr;
  // A chapter-7 model starts at the seed's input size (known once the wasm module is loaded).
  ui.inputSizeField.hidden = !isZoo(preset);
  ui.inputSize.value = isZoo(preset) ? String(zooInfo.get(preset)?.default_input_size ?? '') : '';
  ui.inputSize.removeAttribute('aria-invalid');
}

/**
 * Sets the controls from the URL hash. Anything missing gets its default; anything invalid too,
 * and the page says so (under the settings), naming the link's value and the range.
 */
function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const problems = [];
  const preset = params.get('preset');
  ui.preset.value = preset in PRESET_TRAINING ? preset : DEFAULT_PRESET;
  if (preset !== null && !(preset in PRESET_TRAINING)) problems.push(`The link's preset=${preset} is not a model here; ${DEFAULT_PRESET} is used instead.`);
  applyPresetDefaults(ui.preset.value);
  ui.train.value = FULL.train;
  ui.test.value = FULL.test;
  const fromLink = (spec, fallback) => {
    const checked = checkLinkNumber(params, spec, fallback);
    if (checked && !checked.ok) problems.push(checked.message);
    return checked?.ok ? checked.value : null;
  };
  for (const spec of NUMERIC) {
    const value = fromLink(spec, spec.input.value);
    if (value !== null) spec.input.value = String(value);
  }
  if (isZoo(ui.preset.value)) {
    const input = fromLink(INPUT_SIZE, ui.inputSize.value || 'the model\u2019s own size');
    if (input !== null) ui.inputSize.value = String(input);
  }
  ui.presetNote.textContent = PRESET_NOTES[ui.preset.value];
  const backend = params.get('backend');
  ui.backendChoice.value = parseBackendChoice(backend) ?? 'auto';
  if (backend !== null && !parseBackendChoice(backend)) problems.push(`The link's backend=${backend} is not auto, wgpu or cpu; auto is used instead.`);
  // The explorer's controls.
  const block = params.get('block');
  view.selected = block && /^b\d+\.\d+$/.test(block) ? block : null;
  view.mode = params.get('mode') === 'conv2' ? 'conv2' : 'branch';
  view.image = fromLink(IMAGE, 0) ?? 0;
  view.insertStage = fromLink(STAGE, 0) ?? 0;
  ui.linkProblems.textContent = problems.join(' ');
  ui.linkProblems.hidden = problems.length === 0;
}

function settingsHash() {
  const params = new URLSearchParams();
  params.set('preset', ui.preset.value);
  if (isZoo(ui.preset.value)) params.set('input', ui.inputSize.value.trim());
  for (const { key, input } of NUMERIC) params.set(key, input.value.trim());
  params.set('backend', ui.backendChoice.value);
  if (view.selected) params.set('block', view.selected);
  params.set('mode', view.mode);
  params.set('image', String(view.image));
  params.set('stage', String(view.insertStage));
  // Keys owned by other modules (the lab's `lab-` keys, www/lab.js) are kept as they are.
  for (const [key, value] of new URLSearchParams(location.hash.replace(/^#/, ''))) if (key.startsWith('lab-')) params.set(key, value);
  return '#' + params.toString();
}

function writeHash() {
  const hash = settingsHash();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/**
 * Reads and checks every setting; marks invalid fields and says under the settings what is wrong
 * with each (and its range). Returns null when one is invalid.
 */
function readSettings() {
  const out = { preset: ui.preset.value, backend: ui.backendChoice.value };
  const checks = [];
  for (const spec of NUMERIC) {
    const checked = checkNumber(spec.input.value, spec, { badInput: spec.input.validity?.badInput });
    spec.input.setAttribute('aria-invalid', String(!checked.ok));
    checks.push(checked);
    out[spec.key] = checked.ok ? checked.value : null;
  }
  if (isZoo(out.preset)) {
    // The input size: in range, and big enough for every layer (Rust says which layer it vanishes at).
    let checked = checkNumber(ui.inputSize.value, INPUT_SIZE, { badInput: ui.inputSize.validity?.badInput });
    if (checked.ok && wasm) {
      try {
        wasm.shapes({ kind: out.preset, input_size: checked.value });
      } catch (e) {
        checked = { ok: false, message: `Input size ${checked.value}: ${e.message ?? e}` };
      }
    }
    ui.inputSize.setAttribute('aria-invalid', String(!checked.ok));
    checks.push(checked);
    out.input = checked.ok ? checked.value : null;
  }
  const problems = refusals(checks);
  ui.settingsProblems.textContent = problems;
  ui.settingsProblems.hidden = problems === '';
  return problems ? null : out;
}

function testLimitSetting() {
  const value = numberOrNull(ui.test.value, NUMERIC[4]);
  return value === null || value >= FULL.test ? null : value;
}

/** How many test images the demos use, for the progress text. */
function testImagesText() {
  return Math.min(testLimitSetting() ?? Infinity, wk?.testImages ?? FULL.test).toLocaleString('en-US');
}

// ---------------------------------------------------------------------------------------------
// The network: diagram and layer table, from Rust

const sameConfig = (a, b) =>
  Boolean(a && b) && (a.kind || b.kind ? a.kind === b.kind && a.input_size === b.input_size : JSON.stringify(a) === JSON.stringify(b));

/** The preset a configuration is (a chapter-7 model: its name), or null. */
function presetOf(config) {
  if (config?.kind) return config.kind;
  for (const [name, c] of presetConfigs) if (sameConfig(c, config)) return name;
  return null;
}

/** The configuration the model picker (and, for a chapter-7 model, the input size) describes, or null. */
function selectedConfig() {
  const name = ui.preset.value;
  if (!isZoo(name)) return presetConfigs.get(name) ?? null;
  const size = numberOrNull(ui.inputSize.value, INPUT_SIZE);
  return size === null ? null : { kind: name, input_size: size };
}

const zooTitle = (kind) => zooInfo.get(kind)?.title ?? kind;

/** "GoogLeNet at 96×96" for a chapter-7 configuration, null for a ResNet. */
function zooName(config) {
  return config?.kind ? `${zooTitle(config.kind)} at ${config.input_size}\u00d7${config.input_size}` : null;
}

/** What the model picker has selected, for sentences: "the fast preset", "GoogLeNet at 96×96". */
function selectionName() {
  const name = ui.preset.value;
  if (!isZoo(name)) return `the ${name} preset`;
  const config = selectedConfig();
  return config ? zooName(config) : zooTitle(name);
}

const capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** The preset a network in memory was made from (its configuration before any insertion), or null. */
function basePreset(model) {
  if (model.config.kind) return model.config.kind;
  // Inserted blocks (identity or plain) are counted in `config.blocks`; plain ones are listed.
  const blocks = model.config.blocks.map((n, s) => n - model.inserted.filter((x) => x.stage === s).length);
  return presetOf({ ...model.config, blocks, plain_blocks: [] });
}

function describeMemory(model) {
  return describeNetwork({ config: model.config, layers: model.layers, inserted: model.inserted });
}

function previewNet() {
  view.previewError = null;
  const config = selectedConfig();
  if (!wasm) return null;
  if (!config) {
    if (isZoo(ui.preset.value)) view.previewError = `the input size must be a whole number of pixels from ${INPUT_SIZE.min} to ${INPUT_SIZE.max}`;
    return null;
  }
  try {
    return describeNetwork({ config, layers: wasm.shapes(config), inserted: [] });
  } catch (e) {
    view.previewError = e.message ?? String(e);
    ui.modelSummary.textContent = `The model description failed: ${view.previewError}`;
    return null;
  }
}

/** The selected model has no network to draw (an input size too small): empty views that say why. */
function showNoPreview(reason) {
  view.shownNet = null;
  ui.diagram.replaceChildren();
  ui.diagram.dataset.view = 'preview';
  ui.diagram.dataset.model = '';
  ui.shapesTable.tBodies[0].replaceChildren();
  ui.shapesTable.tFoot?.replaceChildren();
  ui.networkNote.dataset.view = 'preview';
  ui.networkNoteText.textContent = `No network to draw for ${selectionName()}: ${reason}.`;
  ui.networkSwitch.textContent = 'Show the network in memory';
  ui.networkSwitch.hidden = !view.memoryNet;
  ui.modelSummary.textContent = '';
}

/** The input-size note of a chapter-7 model: the seed's size and what this one costs. */
function renderInputNote() {
  const name = ui.preset.value;
  ui.inputSizeField.hidden = !isZoo(name);
  const info = zooInfo.get(name);
  if (!isZoo(name) || !info || !wasm) {
    ui.inputSizeNote.textContent = '';
    return;
  }
  const seed = info.default_input_size;
  const fits = (size) => {
    try {
      wasm.shapes({ kind: name, input_size: size });
      return true;
    } catch {
      return false;
    }
  };
  const parts = [seed === 28 ? 'Built for the images\u2019 own 28\u00d728 pixels.' : `The seed resizes the 28\u00d728 images to ${seed}\u00d7${seed}.`];
  const config = selectedConfig();
  if (!config) {
    parts.push(`Choose a size from ${INPUT_SIZE.min} to ${INPUT_SIZE.max} pixels.`);
  } else {
    try {
      const { macs } = totalsOf(config);
      const ratio = config.input_size === seed ? '' : ` (${(macs / totalsOf(info.config).macs).toFixed(2)}\u00d7 the seed\u2019s ${seed} px)`;
      parts.push(`At ${config.input_size} px: ${formatCount(macs)} MACs an image${ratio}.`);
    } catch (e) {
      parts.push(`${capitalise(String(e.message ?? e))}.`);
    }
  }
  const smaller = [96, 64].find((size) => size < seed && fits(size));
  if (smaller) parts.push(`Smaller inputs train much faster in a browser: try ${smaller}.`);
  ui.inputSizeNote.textContent = parts.join(' ');
}

function summaryText(net) {
  if (net.zoo) {
    const groups = net.top.filter((r) => net.children.has(r.label)).length;
    const parts = [`Input ${chw(net.input)}`, `${net.top.length} top-level layers${groups ? `, ${groups} of them blocks of layers` : ''}`];
    if (net.inceptions) parts.push(`${net.inceptions} Inception blocks of 4 parallel paths`);
    parts.push(`no residual blocks`, `${exact(net.totals.params)} trainable parameters`, `${formatCount(net.totals.macs)} multiply-accumulates an image`);
    return `${zooTitle(net.kind)}: ${parts.join(' \u00b7 ')}.`;
  }
  const stages = net.stages.length;
  const parts = [];
  if (net.config) parts.push(`Input ${net.config.in_channels}\u00d7${net.config.input_size}\u00d7${net.config.input_size}`);
  parts.push(`${stages} residual stage${stages === 1 ? '' : 's'} with ${net.blocks.length} residual blocks`);
  if (net.config) parts.push(`channels ${net.config.widths.join(' \u2192 ')}`);
  parts.push(`${exact(net.totals.params)} trainable parameters`);
  parts.push(`${formatCount(net.totals.macs)} multiply-accumulates an image`);
  return parts.join(' \u00b7 ') + '.';
}

function sourceName() {
  switch (view.source?.source) {
    case 'shipped':
      return 'the shipped pretrained weights';
    case 'saved':
      return 'the network saved in this browser';
    case 'uploaded':
      return `the uploaded file ${view.source.name ?? ''}`.trim();
    case 'trained':
      return 'the network trained here';
    default:
      return 'the network in memory';
  }
}

const RESNET_DIAGRAM_LABEL = ui.diagram.getAttribute('aria-label');

/** Redraws the diagram, table and summary for what is shown (memory or preset preview). */
function renderNetwork() {
  const preview = view.showing === 'preview' || !view.memoryNet;
  const net = preview ? previewNet() : view.memoryNet;
  if (!net) {
    if (preview && view.previewError) showNoPreview(view.previewError);
    return;
  }
  view.shownNet = net;
  const interactive = !preview && !net.zoo;
  if (interactive && !net.blocks.some((b) => b.label === view.selected)) view.selected = defaultBlock(net);
  const title = zooName(net.config);
  renderDiagram(ui.diagram, net, { selected: interactive ? view.selected : null, interactive, onSelect: selectBlock, title: net.zoo ? zooTitle(net.kind) : '' });
  ui.diagram.dataset.view = preview ? 'preview' : 'memory';
  ui.diagram.dataset.model = net.zoo ? net.kind : (presetOf(net.config) ?? 'resnet');
  ui.diagram.setAttribute('aria-label', net.zoo ? `Architecture diagram of ${title}: its layers from left to right, with the output shape on every arrow.` : RESNET_DIAGRAM_LABEL);
  ui.resnetLegend.hidden = Boolean(net.zoo);
  ui.zooLegend.hidden = !net.zoo;
  // Residual blocks (ResNet) or the layer groups below the top level (an Inception block and its
  // paths) start collapsed; the choice is kept while the same kind of network is shown.
  const kind = net.zoo ? net.kind : 'resnet';
  if (view.shownKind !== kind) {
    view.shownKind = kind;
    view.collapsed.clear();
    view.seen.clear();
  }
  const collapsible = net.zoo ? net.groups.filter((r) => r.level > 0).map((r) => r.label) : net.blocks.map((b) => b.label);
  for (const label of collapsible) {
    if (!view.seen.has(label)) view.collapsed.add(label);
    view.seen.add(label);
  }
  renderLayerTable(ui.shapesTable, net, view.collapsed);
  ui.modelSummary.textContent = summaryText(net);

  // Which network this is.
  const chosen = selectionName();
  ui.networkNote.dataset.view = preview ? 'preview' : 'memory';
  ui.networkSwitch.hidden = true;
  if (preview) {
    ui.networkNoteText.textContent = view.memoryNet
      ? `Preview of ${chosen}: Start trains this network from scratch. The demos below use the network in memory.`
      : `${capitalise(chosen)}${view.source?.source === 'none' ? '' : ' (the network in memory is still loading)'}.`;
    if (view.memoryNet) {
      ui.networkSwitch.textContent = 'Show the network in memory';
      ui.networkSwitch.hidden = false;
    }
  } else {
    const inserted = view.memory.inserted.length;
    let note;
    if (view.training) note = 'The network being trained.';
    else if (net.zoo) note = `The network in memory (${sourceName()}): ${title}. It has no residual blocks, so the identity and insertion demos need a ResNet; training, predictions and weights work as for any network.`;
    else note = `The network in memory (${sourceName()})${inserted ? `, with ${inserted} inserted block${inserted === 1 ? '' : 's'}` : ''}: click a block to use it in the identity demo.`;
    const memPreset = presetOf(view.memory.config);
    if (!view.training && !sameConfig(selectedConfig(), view.memory.config)) {
      note += isZoo(ui.preset.value) ? ` Start trains a new ${chosen.replace(/^the /, '')} network.` : ` Start trains a new ${ui.preset.value} network.`;
      ui.networkSwitch.textContent = `Preview ${chosen}`;
      ui.networkSwitch.hidden = false;
    } else if (memPreset && !net.zoo) {
      note += ` (${memPreset} preset)`;
    }
    ui.networkNoteText.textContent = note;
  }
  renderInsertStages();
  renderIdentityHeader();
}

function showPresetPreview() {
  // The selected model is the network in memory: nothing to preview.
  view.showing = view.memory && sameConfig(selectedConfig(), view.memory.config) ? 'memory' : 'preview';
  renderNetwork();
}

function selectBlock(label) {
  if (!view.memoryNet?.blocks.some((b) => b.label === label)) return;
  view.selected = label;
  writeHash();
  for (const g of ui.diagram.querySelectorAll('.block-node')) {
    const on = g.dataset.block === label;
    g.classList.toggle('selected', on);
    if (g.hasAttribute('aria-pressed')) g.setAttribute('aria-pressed', String(on));
  }
  renderIdentityHeader();
  renderChecks();
  updateIdentityDemo();
}

// ---------------------------------------------------------------------------------------------
// Worker, requests and run state

let worker = null;
let workerBackend = null; // the backend choice the current worker was started with
let workerBroken = false;
let wk = null; // the current worker's facts: {opened, backend, adapter, files}
let runId = 0;
let state = 'idle';
let pauseRequested = false;
let run = null; // bookkeeping for the current run
let callId = 0;
const pending = new Map(); // id -> {resolve, reject, worker}

const ACTIVE = new Set(['loading', 'running', 'paused']);
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const pct = (x) => (x * 100).toFixed(1) + ' %';

function newRunInfo(settings, fresh) {
  return {
    settings,
    fresh,
    phase: 'Starting',
    batch: 0,
    total: 0,
    lastEpoch: null,
    totalEpochs: settings.epochs, // a resumed run: the whole run's, counted from its first epoch
    epochOffset: 0,
    speed: new LiveSpeed(), // examples/sec between batch events (Rust's figure comes 5 times an epoch)
  };
}

function ensureWorker(backendChoice) {
  if (worker && (workerBroken || workerBackend !== backendChoice)) {
    // A worker initialises its device once; switching backends needs a fresh one.
    worker.terminate();
    for (const [id, p] of pending) {
      if (p.worker === worker) {
        pending.delete(id);
        p.reject(Object.assign(new Error('the worker was replaced'), { replaced: true }));
      }
    }
    worker = null;
  }
  if (worker) return worker;
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker = w;
  workerBackend = backendChoice;
  workerBroken = false;
  wk = { opened: false, backend: null, adapter: null, files: new Map() };
  view.memory = null;
  view.memoryNet = null;
  view.checks = null;
  view.predictions = null;
  w.onmessage = ({ data }) => {
    if (w === worker) onWorkerEvent(data);
  };
  w.onerror = (e) => {
    if (w !== worker) return;
    e.preventDefault();
    workerBroken = true;
    const detail = e.message ? `: ${e.message}` : ' (its script could not be loaded; is pkg/ built?)';
    showError(`The worker failed${detail}`);
    if (ACTIVE.has(state)) setState('failed');
  };
  w.onmessageerror = () => showError('A message from the worker could not be read.');
  w.postMessage({ type: 'open', backend: backendChoice, testLimit: testLimitSetting() });
  renderStatus();
  renderDemoControls();
  return w;
}

/** A request to the worker's Explorer; resolves with its result. Errors carry `busy`. */
function call(method, args = {}, transfer = []) {
  const w = ensureWorker(ui.backendChoice.value);
  return new Promise((resolve, reject) => {
    const id = ++callId;
    pending.set(id, { resolve, reject, worker: w });
    w.postMessage({ type: 'call', id, method, args }, transfer);
  });
}

function onReply(event) {
  const p = pending.get(event.id);
  if (!p) return;
  pending.delete(event.id);
  if (event.ok) p.resolve(event.result);
  else p.reject(Object.assign(new Error(event.error), { busy: Boolean(event.busy) }));
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
  renderDemoControls();
}

function renderStatus() {
  const r = run;
  const where = r && r.total ? `batch ${r.batch} of ${r.total}` : '';
  let text;
  switch (state) {
    case 'idle':
      if (!wasm) text = 'Loading the WebAssembly module\u2026';
      else if (wk && !wk.opened) text = 'Ready to train. Loading the data and the pretrained network for the demos\u2026';
      else if (wk?.warmed === 'running') text = 'Ready. Compiling the GPU kernels in the background, so the first batch starts sooner\u2026';
      else text = 'Ready. Choose a set-up and press Start, or explore the network below.';
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
        const epoch = Math.min(r.settings.epochs, Math.floor(r.batch / perEpoch) + 1) + (r.epochOffset ?? 0);
        text = `Training: epoch ${epoch} of ${r.totalEpochs}, ${where}.`;
        if (r.batch === 0 && wk?.backend?.backend === 'wgpu') {
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
  ui.trainProgress.value = 0;
  ui.trainProgress.max = 1;
  ui.trainLabel.textContent = '\u2013';
  for (const el of [ui.speed, ui.loss, ui.trainAcc, ui.testAcc]) el.textContent = '\u2013';
  ui.log.textContent = '';
  ui.log.hidden = true;
  chart.reset(settings.epochs);
}

/** What the worker needs to train `config` with `settings` (Rust's StartRequest). */
function trainingRequest(settings, config) {
  return {
    model: config,
    train: { epochs: settings.epochs, batch_size: settings.batch, lr: settings.lr, momentum: 0, weight_decay: 0, seed: 0 },
    train_limit: settings.train >= FULL.train ? null : settings.train,
    test_limit: settings.test >= FULL.test ? null : settings.test,
  };
}

/**
 * On WebGPU, a throwaway run (3 steps) of the selected set-up once the demos are ready: the GPU
 * kernels then compile while the user reads, not in the first batch after Start (about 10 s
 * on a software adapter). Start simply queues behind it.
 */
async function warmUpGpu() {
  const settings = readSettings();
  const config = selectedConfig();
  if (wk?.backend?.backend !== 'wgpu' || wk.warmed || !settings || !config || ACTIVE.has(state)) return;
  wk.warmed = 'running';
  renderStatus();
  const t0 = performance.now();
  try {
    await call('warmUp', { request: trainingRequest(settings, config) });
  } catch (e) {
    if (!e.busy && !e.replaced) console.warn('[ResNet Explorer] warming the GPU kernels up failed:', e.message);
  }
  if (wk) [wk.warmed, wk.warmUpSeconds] = ['done', (performance.now() - t0) / 1000];
  renderStatus();
}

/** Starts a run: a new network from the preset (`fresh`) or the network in memory trained further. */
function start(fresh = true) {
  const settings = readSettings();
  const config = fresh ? selectedConfig() : view.memory?.config;
  if (!settings || !config) {
    ui.form.querySelector('[aria-invalid="true"]')?.focus();
    showError(settings ? 'There is no network in memory to keep training.' : `Some settings are not valid. ${ui.settingsProblems.textContent}`);
    return;
  }
  writeHash();
  const request = trainingRequest(settings, config);
  const inserted = view.memory?.inserted ?? [];
  const label = fresh
    ? (zooName(config) ?? `${settings.preset} preset`)
    : `${zooName(config) ?? basePreset(view.memory) ?? 'custom'} network${inserted.length ? ` with ${inserted.length} inserted block${inserted.length === 1 ? '' : 's'}` : ''}`;
  runId += 1;
  pauseRequested = false;
  run = newRunInfo(settings, fresh);
  run.request = request;
  resetRunDisplay(settings);
  ui.chartCaption.textContent = fresh
    ? `Run ${runId}: a new ${zooName(config) ?? settings.preset} network, trained from scratch.`
    : `Run ${runId}: keep training the network in memory (${label}); the chart starts again at epoch 0.`;
  ui.chartCaption.dataset.fresh = String(fresh);
  resetInsertionDisplay();
  ui.nestedMessage.textContent = '';
  offerResume(null); // this run's checkpoints replace the saved one
  setState('loading');
  // Keep training needs the worker that holds the network, whatever the backend setting says now.
  const backend = fresh || !worker ? settings.backend : workerBackend;
  ensureWorker(backend).postMessage({ type: 'start', run: runId, request, backend, fresh, label });
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
  wk.backend = info;
  ui.backend.dataset.backend = info.backend;
  if (info.backend === 'wgpu') {
    const a = wk.adapter;
    const name = a ? adapterName(a) : '';
    const software = a?.software ? ' (a software renderer: slow; chosen by hand)' : '';
    const demos = info.demos_on_cpu ? '. The demos compute on the CPU, which is faster here.' : '';
    ui.backend.textContent = `Backend: WebGPU${name ? ' \u2014 ' + name : ''}${software}${demos}`;
    ui.cpuBanner.hidden = true;
  } else {
    ui.backend.textContent = cpuBackendLine(info.threads);
    ui.cpuReason.textContent = info.fallback_reason ?? 'WebGPU could not be used.';
    ui.cpuBanner.hidden = false;
  }
}

function showDataProgress(event) {
  wk.files.set(event.file, event);
  let loaded = 0;
  let total = 0;
  let known = true;
  for (const f of wk.files.values()) {
    loaded += f.loaded;
    total += f.total;
    if (!f.total) known = false;
  }
  const complete = wk.files.size === 4 && known && loaded >= total;
  if (known && total > 0) {
    ui.dataProgress.max = total;
    ui.dataProgress.value = loaded;
    ui.dataLabel.textContent = `${MB(loaded)} / ${MB(total)} MB`;
  } else {
    ui.dataProgress.removeAttribute('value'); // indeterminate
    ui.dataLabel.textContent = `${MB(loaded)} MB`;
  }
  if (run && state === 'loading') {
    run.phase = complete ? 'Decoding the images and building the model' : 'Downloading Fashion-MNIST';
    renderStatus();
  }
}

function showSpeed(value) {
  if (Number.isFinite(value)) ui.speed.textContent = formatSpeed(value);
}

function appendLog(line) {
  ui.log.hidden = false;
  ui.log.textContent += line + '\n';
}

function onWorkerEvent(event) {
  if (event.type === 'reply') return onReply(event);
  if (event.type === 'state') {
    if (event.run !== runId) return; // a late message from a replaced run
    if (event.state === 'paused') pauseRequested = true;
    if (run && event.state !== state) run.speed.reset(); // the live speed skips pauses
    if (event.state === 'running' && state === 'paused') pauseRequested = false;
    const ended = ACTIVE.has(state) && !ACTIVE.has(event.state);
    setState(event.state);
    if (ended) onRunEnded(event.state);
    return;
  }
  // Events of a run carry its id; those of replaced runs are dropped.
  if (event.run !== undefined && event.run !== runId) return;
  switch (event.type) {
    case 'adapter':
      wk.adapter = event;
      break;
    case 'backend':
      showBackend(event);
      if (run && state === 'loading') {
        run.phase = 'Downloading Fashion-MNIST';
        renderStatus();
      }
      break;
    case 'data_progress':
      showDataProgress(event);
      break;
    case 'gallery':
      view.gallery = event;
      renderImageChoices();
      renderPredictions();
      break;
    case 'model':
      onModel(event);
      break;
    case 'network':
      view.source = event;
      renderWeights();
      if (view.memoryNet) renderNetwork();
      break;
    case 'history':
      // The chart of the run whose network was saved in this browser: restored after a reload,
      // and again when that run is resumed (event.run set).
      if (ACTIVE.has(state) && event.run === undefined) break;
      offerResume(event.run === undefined && event.request && event.done < event.epochs ? event : null);
      if (event.run !== undefined && run) {
        // This run goes on from the checkpoint: its own settings, epochs counted on from there.
        run.settings = { ...run.settings, epochs: event.epochs - event.done, batch: event.request.train.batch_size };
        run.epochOffset = event.done;
        run.totalEpochs = event.epochs;
        run.request = event.request;
      }
      chart.reset(event.epochs);
      for (const e of event.events) {
        if (e.kind === 'report') chart.addReport(e);
        else if (e.kind === 'epoch') chart.addEpoch(e);
      }
      appendLog(`restored the chart of the saved run (${event.events.filter((e) => e.kind === 'epoch').length} epochs)`);
      break;
    case 'saved_list':
      view.saved = event;
      networks.render();
      renderWeights();
      break;
    case 'notice':
      ui.weightsMessage.textContent = event.message;
      console.warn('[ResNet Explorer]', event.message);
      break;
    case 'opened':
      wk.opened = event.ok;
      renderStatus();
      renderDemoControls();
      if (event.ok && view.memory && !ACTIVE.has(state)) refreshDemos({ evaluate: true }).then(warmUpGpu);
      else if (event.ok) warmUpGpu();
      break;
    case 'data_ready':
      if (run && event.run !== undefined) [run.trainImages, run.testImages] = [event.train, event.test];
      if (wk && event.run === undefined) wk.testImages = event.test;
      ui.dataLabel.textContent = `${ui.dataLabel.textContent.replace(/ \u00b7.*$/, '')} \u00b7 ${event.train.toLocaleString('en-US')} train / ${event.test.toLocaleString('en-US')} test images`;
      if (ui.dataProgress.max <= 1) {
        ui.dataProgress.max = 1;
        ui.dataProgress.value = 1;
      }
      break;
    case 'step':
      if (!run) break;
      showSpeed(run.speed.add(performance.now(), event.batch, run.settings.batch) ?? NaN);
      run.batch = event.batch;
      run.total = event.total;
      ui.trainProgress.max = event.total;
      ui.trainProgress.value = event.batch;
      ui.trainLabel.textContent = `${event.batch} / ${event.total}`;
      renderStatus();
      break;
    case 'train':
      if (!run) break;
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
    case 'predictions':
      view.predictions = event;
      view.predictionsFrom = event.run !== undefined && run?.lastEpoch ? `after epoch ${run.lastEpoch.epoch} of run ${runId}` : 'network in memory';
      renderPredictions();
      break;
    case 'insertion':
      break; // shown from the reply to `insert`
    case 'finished': {
      showSpeed(event.examples_per_sec);
      const on = wk?.backend?.backend === 'wgpu' ? 'WebGPU' : 'the CPU';
      appendLog(`${event.examples_per_sec.toFixed(1)} examples/sec on ${on}`);
      break;
    }
    case 'diverged':
      if (!run) break;
      chart.markDiverged(event);
      appendLog(`diverged at epoch ${event.epoch.toFixed(1)} (loss ${Number.isFinite(event.loss) ? event.loss.toFixed(3) : 'NaN'}): stopped, weights of epoch ${event.kept_epoch.toFixed(1)} kept`);
      break;
    case 'device_lost': {
      // The worker's device is gone for good: a fresh worker (and device) resumes from the
      // checkpoint its run kept at the last epoch end.
      workerBroken = true;
      const e = run?.lastEpoch;
      const lost = `The GPU device was lost (${event.reason}${event.message ? `: ${event.message}` : ''}), so training stopped.`;
      showError(e ? `${lost} The checkpoint of epoch ${e.epoch} is saved in this browser: Resume training goes on from it.` : `${lost} No epoch had finished, so there is no checkpoint of this run: press Start to train again.`);
      if (e && run && e.epoch < run.totalEpochs) offerResume({ done: e.epoch, epochs: run.totalEpochs });
      if (ACTIVE.has(state)) setState('failed');
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

function onModel(event) {
  const first = !view.memory; // the worker's first network (saved or shipped), not one trained or loaded now
  view.memory = event;
  view.memoryNet = describeMemory(event);
  view.training = event.run !== undefined && ACTIVE.has(state);
  // A link to a chapter-7 model (#preset=googlenet&input=96) keeps showing that model when the
  // first network arrives; anything else shows the network in memory.
  const keepPreview = first && !view.training && isZoo(ui.preset.value) && !sameConfig(selectedConfig(), event.config);
  view.showing = keepPreview ? 'preview' : 'memory';
  view.checks = null;
  renderNetwork();
  renderChecks();
  if (view.training) {
    clearIdentityDemo('Training: the demos come back when the run stops or finishes.');
  } else {
    if (view.memoryNet.zoo) {
      clearIdentityDemo(''); // no residual blocks: the numbers of an earlier ResNet would mislead
      resetInsertionDisplay();
    }
    if (wk?.opened) refreshDemos({ evaluate: true });
  }
}

function onRunEnded(final) {
  if (final === 'finished') recordMeasured(run);
  view.training = false;
  if (view.memoryNet) renderNetwork();
  if (workerBroken) return;
  // The (partly) trained network is the one in memory now. A run that finished already sent
  // the predictions of its last epoch.
  renderChecks();
  ui.identityExplain.textContent = view.memoryNet?.zoo ? '' : 'Computing\u2026';
  refreshDemos({ evaluate: final !== 'finished' });
}

function resetInsertionDisplay() {
  ui.insertionResult.dataset.state = 'idle';
  delete ui.insertionResult.dataset.insertion;
  ui.insertionResult.classList.remove('dropped');
  for (const el of [ui.accBefore, ui.accAfter, ui.changed]) setNumber(el, null, '\u2013');
  ui.insertionExplain.textContent = '';
}

// ---------------------------------------------------------------------------------------------
// Demo controls

function demoReady() {
  return Boolean(wk?.opened && view.memory && !ACTIVE.has(state));
}

function renderDemoControls() {
  const ready = demoReady();
  const selected = selectedBlock();
  // A chapter-7 network in memory has no residual block to zero and no stage to insert one into.
  const zoo = Boolean(view.memoryNet?.zoo);
  for (const b of [ui.zeroBranch, ui.zeroConv2]) b.disabled = !ready || !selected;
  ui.zeroBranch.setAttribute('aria-pressed', String(view.mode === 'branch'));
  ui.zeroConv2.setAttribute('aria-pressed', String(view.mode === 'conv2'));
  ui.insertIdentity.disabled = !ready || zoo;
  ui.insertPlain.disabled = !ready || zoo;
  ui.insertStage.disabled = zoo;
  ui.identityImage.disabled = zoo;
  renderZooDemoNotes(zoo);
  for (const b of ui.zooBody.querySelectorAll('.model-pick')) b.disabled = ACTIVE.has(state);
  ui.keepTraining.disabled = !ready || !wasm;
  ui.restore.disabled = !ready || !(view.memory?.inserted.length > 0);
  ui.download.disabled = !ready;
  ui.uploadButton.disabled = !(wk?.opened) || ACTIVE.has(state);
  ui.dataButton.disabled = !(wk?.opened) || ACTIVE.has(state);
  ui.resumeRun.disabled = ACTIVE.has(state) || !wasm;
  networks.render();
}

function selectedBlock() {
  return view.memoryNet?.blocks.find((b) => b.label === view.selected) ?? null;
}

/** Says why the identity and insertion demos are off when the network in memory has no residual blocks. */
function renderZooDemoNotes(zoo) {
  ui.identityZoo.hidden = !zoo;
  ui.nestedZoo.hidden = !zoo;
  ui.loadResnet.disabled = !wk?.opened || ACTIVE.has(state);
  if (!zoo) return;
  const name = zooName(view.memory.config);
  ui.identityZoo.dataset.model = view.memory.config.kind;
  ui.identityZooText.textContent = `The network in memory, ${name}, has no residual blocks: there is no residual branch to zero, so the identity demo needs a residual network. Train a ResNet preset, or load the pretrained one.`;
  ui.nestedZoo.textContent = `${capitalise(name)} has no residual stages to insert a block into: train a ResNet preset (or load the pretrained one above) to try the insertions.`;
}

/** Puts the shipped pretrained ResNet (www/weights/fast.rnxw) in memory, as if uploaded. */
async function loadPretrainedResnet() {
  if (!wk?.opened || ACTIVE.has(state)) return;
  ui.identityMessage.textContent = 'Loading the pretrained fast ResNet\u2026';
  try {
    const response = await fetch(new URL('./weights/fast.rnxw', import.meta.url));
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    await call('loadWeights', { bytes, name: 'fast.rnxw' }, [bytes.buffer]);
    ui.identityMessage.textContent = 'Loaded the pretrained fast ResNet (www/weights/fast.rnxw).';
    resetInsertionDisplay();
  } catch (e) {
    if (!e.replaced) ui.identityMessage.textContent = e.busy ? e.message : `The pretrained ResNet could not be loaded: ${e.message}`;
  }
}

function renderIdentityHeader() {
  const b = selectedBlock();
  ui.identityBlock.textContent = b ? b.label : '\u2013';
  ui.identityBlockKind.textContent = view.memoryNet?.zoo
    ? '(the network in memory has no residual blocks)'
    : b
    ? b.plain
      ? '(inserted plain block: no shortcut)'
      : b.projection
        ? `(1\u00d71 conv shortcut${b.stride > 1 ? `, stride ${b.stride}` : ''}: ${chw(b.inShape)} \u2192 ${chw(b.outShape)})`
        : `(identity shortcut, ${chw(b.outShape)})`
    : '';
  renderDemoControls();
}

function renderImageChoices() {
  const g = view.gallery;
  ui.identityImage.replaceChildren();
  const n = g ? g.images.length : GALLERY_SIZE;
  for (let i = 0; i < n; i++) {
    const option = document.createElement('option');
    option.value = String(i);
    option.textContent = g ? `#${i}: ${g.class_names[g.labels[i]]}` : `#${i}`;
    ui.identityImage.append(option);
  }
  ui.identityImage.value = String(Math.min(view.image, n - 1));
}

function renderInsertStages() {
  const net = view.memoryNet;
  const current = ui.insertStage.value;
  ui.insertStage.replaceChildren();
  if (!net) return;
  for (const s of net.stages) {
    const option = document.createElement('option');
    option.value = String(s.index);
    option.textContent = `${s.label} (${s.row.shape[1]} channels, ${s.blocks.length} block${s.blocks.length === 1 ? '' : 's'})`;
    ui.insertStage.append(option);
  }
  const wanted = Math.min(view.insertStage, net.stages.length - 1);
  ui.insertStage.value = String(current !== '' && Number(current) === view.insertStage ? current : wanted);
  view.insertStage = Number(ui.insertStage.value);
}

const fmtDiff = (v) => (v == null ? 'n/a' : v === 0 ? '0' : v >= 0.01 ? v.toFixed(3) : v.toPrecision(2));

function setNumber(el, value, text) {
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.textContent = text;
}

function clearIdentityDemo(message) {
  ui.identityResult.dataset.state = 'idle';
  setNumber(ui.identityDiff, null, '\u2013');
  setNumber(ui.identityDiffNone, null, '\u2013');
  ui.identityExplain.textContent = message ?? '';
  ui.featureMaps.replaceChildren();
}

let demoGeneration = 0;

/** Feature maps and numbers for the selected block, image and mode. */
async function updateIdentityDemo() {
  const b = selectedBlock();
  renderDemoControls();
  if (!b || !demoReady()) return;
  const generation = ++demoGeneration;
  const mode = view.mode;
  ui.identityResult.dataset.state = 'loading';
  ui.identityResult.dataset.block = b.label;
  ui.identityResult.dataset.mode = mode;
  ui.identityModeName.textContent = MODE_NAMES[mode];
  ui.identityMessage.textContent = '';
  try {
    const asTrained = await call('featureMaps', { stage: b.stage, block: b.block, mode: 'none', image: view.image, channels: MAP_CHANNELS });
    const zeroed = await call('featureMaps', { stage: b.stage, block: b.block, mode, image: view.image, channels: MAP_CHANNELS });
    if (generation !== demoGeneration) return;
    const diff = zeroed.max_abs_diff;
    // Rust's None arrives as undefined (serde-wasm-bindgen), hence `== null`.
    setNumber(ui.identityDiff, diff, diff == null ? 'not defined' : diff === 0 ? '0 (exactly)' : fmtDiff(diff));
    setNumber(ui.identityDiffNone, asTrained.max_abs_diff, asTrained.max_abs_diff == null ? 'not defined' : fmtDiff(asTrained.max_abs_diff));
    ui.identityExplain.textContent = explainIdentity(b, mode, zeroed, asTrained);
    renderFeatureMaps(
      ui.featureMaps,
      [
        { title: `input x (${chw(b.inShape)})`, side: asTrained.side_in, data: asTrained.input },
        { title: 'output, as trained', side: asTrained.side_out, data: asTrained.output },
        { title: `output, ${MODE_NAMES[mode]}`, side: zeroed.side_out, data: zeroed.output },
      ],
      zeroed.channels,
    );
    ui.featureMaps.dataset.block = b.label;
    ui.identityResult.dataset.state = 'done';
  } catch (e) {
    if (generation !== demoGeneration || e.replaced) return;
    ui.identityResult.dataset.state = 'error';
    ui.identityMessage.textContent = e.busy ? e.message : `The feature maps could not be computed: ${e.message}`;
  }
}

function explainIdentity(b, mode, zeroed, asTrained) {
  const image = `test image #${view.image}`;
  if (b.plain) {
    return mode === 'branch'
      ? `This inserted plain block has no shortcut: with its branch zeroed it outputs 0 whatever its input, so max |out \u2212 in| is just the size of the input (${fmtDiff(zeroed.max_abs_diff)}). Everything after it sees zeros.`
      : `This inserted plain block has no shortcut, so no zeroing can make it pass its input through.`;
  }
  if (b.projection) {
    return `This block\u2019s shortcut is itself a convolution (1\u00d71${b.stride > 1 ? `, stride ${b.stride}` : ''}): its output is ${chw(b.outShape)} while its input is ${chw(b.inShape)}. No setting of the residual branch gives the identity: with the branch zeroed the block still computes ReLU(conv1\u00d71(x)), a different shape. Only blocks with an identity shortcut can become f(x) = x.`;
  }
  if (mode === 'branch') {
    return `With BN2\u2019s \u03b3 and \u03b2 set to 0 the residual branch outputs exactly 0, so the block computes ReLU(x + 0) = x (x is already \u2265 0: it comes out of a ReLU). On ${image}, max |out \u2212 in| = ${fmtDiff(zeroed.max_abs_diff)}: the block is the identity. As trained, it changes its input by up to ${fmtDiff(asTrained.max_abs_diff)}.`;
  }
  return `d2l says: set the last weighted layer (conv2) to zero. But a BatchNorm follows conv2, and in eval mode it maps 0 to \u03b2 \u2212 \u03b3\u00b7\u03bc/\u221a(\u03c3\u00b2+\u03b5), a constant per channel, not 0. So the block adds that constant: max |out \u2212 in| = ${fmtDiff(zeroed.max_abs_diff)} on ${image}, not the identity. Zero BN2 (\u03b3 = \u03b2 = 0) instead.`;
}

function renderChecks() {
  ui.checksBody.replaceChildren();
  ui.checksImages.textContent = view.checks ? `(first ${CHECK_IMAGES} test images)` : '';
  if (view.memoryNet?.zoo) {
    const td = ui.checksBody.insertRow().insertCell();
    td.colSpan = 4;
    td.className = 'muted';
    td.textContent = `No residual blocks in ${zooName(view.memory.config)}.`;
    return;
  }
  if (!view.checks) {
    const tr = ui.checksBody.insertRow();
    const td = tr.insertCell();
    td.colSpan = 4;
    td.className = 'muted';
    td.textContent = view.training ? 'Computed when training stops.' : demoReady() ? 'Computing\u2026' : 'Waiting for the network\u2026';
    return;
  }
  const blocks = new Map((view.memoryNet?.blocks ?? []).map((b) => [b.label, b]));
  for (const c of view.checks) {
    const b = blocks.get(c.label);
    const tr = ui.checksBody.insertRow();
    tr.dataset.block = c.label;
    if (c.label === view.selected) tr.classList.add('selected');
    const name = tr.insertCell();
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'row-toggle';
    button.textContent = c.label;
    button.setAttribute('aria-label', `Select block ${c.label}`);
    button.addEventListener('click', () => selectBlock(c.label));
    name.append(button);
    tr.insertCell().textContent = b?.plain ? 'none (plain)' : c.projection ? '1\u00d71 conv' : 'identity';
    for (const v of [c.zero_branch, c.zero_conv2]) {
      const td = tr.insertCell();
      td.className = 'num';
      td.dataset.value = v == null ? '' : String(v); // None arrives as undefined
      td.textContent = v == null ? 'n/a' : v === 0 ? '0 \u2713' : fmtDiff(v);
      if (v == null) td.title = 'The shortcut is a 1\u00d71 convolution: the output has another shape than the input.';
      if (v === 0) td.classList.add('exact-zero');
    }
  }
}

let refreshGeneration = 0;

/** After the network in memory changed: predictions, identity checks, feature maps. */
async function refreshDemos({ evaluate }) {
  if (!demoReady()) return;
  const generation = ++refreshGeneration;
  try {
    if (evaluate) {
      ui.predSummary.dataset.state = 'loading';
      ui.predSummary.textContent = `Computing the predictions on ${testImagesText()} test images${wk?.backend?.demos_on_cpu || wk?.backend?.backend === 'cpu' ? ' on the CPU' : ''}\u2026`;
      await call('evaluate');
    }
    if (generation !== refreshGeneration) return;
    if (view.memoryNet?.zoo) return; // no residual blocks: nothing for the identity demo
    updateIdentityDemo();
    view.checks = await call('identityChecks', { images: CHECK_IMAGES });
    if (generation !== refreshGeneration) return;
    renderChecks();
  } catch (e) {
    if (e.busy || e.replaced || generation !== refreshGeneration) return;
    ui.identityMessage.textContent = `The identity checks could not be computed: ${e.message}`;
  }
}

// Insertion, keep training, restore.

async function insertBlock(insertion) {
  if (!demoReady()) return;
  const stage = Number(ui.insertStage.value);
  ui.insertionResult.dataset.state = 'loading';
  ui.nestedMessage.textContent = `Inserting a ${insertion} block at the end of ${view.memoryNet.stages[stage]?.label} and comparing the predictions\u2026`;
  for (const b of [ui.insertIdentity, ui.insertPlain]) b.disabled = true;
  try {
    const check = await call('insert', { insertion, stage });
    view.insertion = check;
    ui.insertionResult.dataset.state = 'done';
    ui.insertionResult.dataset.insertion = insertion;
    setNumber(ui.accBefore, check.accuracy_before, pct(check.accuracy_before));
    setNumber(ui.accAfter, check.accuracy_after, pct(check.accuracy_after));
    setNumber(ui.changed, check.changed_predictions, `${check.changed_predictions} of ${check.images}`);
    ui.insertionResult.classList.toggle('dropped', check.accuracy_after < check.accuracy_before);
    const where = `at the end of stage b${check.stage + 2}`;
    ui.insertionExplain.textContent =
      insertion === 'identity'
        ? `An identity block (residual branch zeroed) ${where}: ${check.changed_predictions} prediction${check.changed_predictions === 1 ? '' : 's'} changed on ${check.images} test images. The bigger network contains the old one; training can only start from here.`
        : `A plain block (no shortcut) zeroed the same way ${where} outputs 0: everything after it sees zeros, and the network guesses one class for every image (chance is 10 %). Accuracy ${pct(check.accuracy_before)} \u2192 ${pct(check.accuracy_after)}.`;
    ui.nestedMessage.textContent = 'Press Restore to go back to the original network, or Keep training to train the bigger one.';
  } catch (e) {
    ui.insertionResult.dataset.state = 'error';
    if (!e.replaced) ui.nestedMessage.textContent = e.busy ? e.message : `The block could not be inserted: ${e.message}`;
  } finally {
    renderDemoControls();
  }
}

async function restoreNetwork() {
  if (!demoReady()) return;
  try {
    await call('restore');
    ui.nestedMessage.textContent = 'Restored the network from before the first insertion.';
    resetInsertionDisplay();
  } catch (e) {
    if (!e.replaced) ui.nestedMessage.textContent = e.busy ? e.message : `Restore failed: ${e.message}`;
  }
}

// Predictions.

function renderPredictions() {
  const p = view.predictions;
  // "Red" means misclassified only once there are predictions to compare with the labels.
  ui.galleryHint.textContent = p ? '(red: misclassified; click one to use it in the identity demo)' : '(click one to use it in the identity demo)';
  renderGallery(ui.gallery, view.gallery, p, { selected: view.image, onPick: pickImage });
  renderConfusion(ui.confusion, p, view.gallery?.class_names ?? null);
  if (!p) {
    ui.predSummary.textContent = view.gallery ? 'Predictions appear when a network is loaded or trained.' : 'No predictions yet.';
    return;
  }
  const images = p.confusion.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  const wrong = p.samples.filter((s) => s.label !== s.predicted).length;
  ui.predSummary.dataset.state = 'done';
  ui.predSummary.dataset.accuracy = String(p.accuracy);
  ui.predSummary.textContent = `Test accuracy ${pct(p.accuracy)} on ${images.toLocaleString('en-US')} test images (${view.predictionsFrom}). ${wrong} of the ${p.samples.length} images below are misclassified.`;
}

function pickImage(index) {
  view.image = index;
  ui.identityImage.value = String(index);
  writeHash();
  for (const item of ui.gallery.querySelectorAll('.gallery-item')) item.setAttribute('aria-pressed', String(Number(item.dataset.index) === index));
  updateIdentityDemo();
}

// Weights: download, upload, saved copy.

function renderWeights() {
  const s = view.source;
  let text;
  switch (s?.source) {
    case 'shipped':
      text = `Pretrained weights: ${s.note}`;
      break;
    case 'saved':
      text = `Your network saved in this browser as “${s.name ?? 'network'}”${s.savedAt ? ` on ${new Date(s.savedAt).toLocaleString()}` : ''}: ${s.note}`;
      break;
    case 'uploaded':
      text = `Uploaded ${s.name ?? 'file'}: ${s.note}`;
      break;
    case 'trained':
      text = `Trained here: ${s.note}${s.name ? ` (kept in this browser as “${s.name}”)` : ''}`;
      break;
    case 'none':
      text = 'No network loaded: train one or upload weights.';
      break;
    default:
      text = 'Loading the pretrained network\u2026';
  }
  ui.weightsSource.textContent = text;
  ui.weightsSource.dataset.source = s?.source ?? '';
  renderDemoControls();
}

async function downloadWeights() {
  if (!demoReady()) return;
  const name = `resnet-explorer-${basePreset(view.memory) ?? 'custom'}.rnxw`;
  ui.weightsMessage.textContent = 'Preparing the weights file\u2026';
  try {
    // A run's note already names the blocks it was trained with; any other source predates them.
    const sourceNote = view.source?.note || view.memory.note;
    const note = view.source?.source === 'trained' ? sourceNote || 'saved from ResNet Explorer' : downloadNote(sourceNote, view.memory.inserted);
    const bytes = await call('saveWeights', { note });
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    ui.weightsMessage.textContent = `Downloaded ${name} (${MB(bytes.length)} MB).`;
  } catch (e) {
    if (!e.replaced) ui.weightsMessage.textContent = e.busy ? e.message : `The weights could not be saved: ${e.message}`;
  }
}

async function uploadWeights(file) {
  if (!file) return;
  ui.weightsMessage.textContent = `Loading ${file.name}\u2026`;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    await call('loadWeights', { bytes, name: file.name }, [bytes.buffer]);
    ui.weightsMessage.textContent = `Loaded ${file.name}.`;
    resetInsertionDisplay();
  } catch (e) {
    if (!e.replaced) ui.weightsMessage.textContent = e.busy ? e.message : `${file.name} could not be loaded: ${e.message}`;
  } finally {
    ui.upload.value = '';
  }
}

/** Shows (or, with null, hides) the offer to resume the unfinished run saved in this browser. */
function offerResume(saved) {
  view.resumable = saved;
  ui.resumeBox.hidden = !saved;
  if (saved) {
    ui.resumeMessage.textContent = `An unfinished run is saved in this browser: ${saved.done} of ${saved.epochs} epochs done.`;
  }
  renderDemoControls();
}

/** Goes on with the saved unfinished run: its weights, settings and chart, the remaining epochs. */
function resumeSaved() {
  const settings = readSettings();
  if (!settings || !view.resumable) return;
  const backend = settings.backend;
  runId += 1;
  pauseRequested = false;
  run = newRunInfo(settings, false);
  run.resumed = true;
  resetRunDisplay(settings);
  ui.chartCaption.textContent = `Run ${runId}: the run saved in this browser, resumed from its checkpoint after epoch ${view.resumable.done}.`;
  offerResume(null);
  setState('loading');
  ensureWorker(backend).postMessage({ type: 'start', run: runId, request: null, backend, fresh: false, resume: true });
}

/** Reads the header of an IDX file: 3 for images, 1 for labels (gzip is left to the worker). */
async function idxKind(file) {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  if (head[0] === 0x1f && head[1] === 0x8b) return /label|idx1/i.test(file.name) ? 1 : 3;
  return head[3];
}

/**
 * The user's own data: an image file and a label file (and optionally a test pair), told apart
 * by their IDX headers (or names, when gzipped) and by "test"/"t10k" in the name. Rust checks
 * everything else and names the file at fault.
 */
async function useOwnData(fileList) {
  const files = [...(fileList ?? [])];
  if (!files.length) return;
  ui.dataMessage.textContent = `Reading ${files.map((f) => f.name).join(', ')}…`;
  try {
    if (files.length !== 2 && files.length !== 4) throw new Error(`choose 2 files (images and labels) or 4 (a training and a test pair), not ${files.length}`);
    const isTest = (f) => /t10k|test/i.test(f.name);
    const kinds = await Promise.all(files.map(idxKind));
    const pick = (test, kind) => files.find((f, i) => kinds[i] === kind && (files.length === 2 || isTest(f) === test));
    const order = files.length === 2 ? [pick(false, 3), pick(false, 1)] : [pick(false, 3), pick(false, 1), pick(true, 3), pick(true, 1)];
    if (order.some((f) => !f)) throw new Error('could not tell the image files from the label files (an image file starts with 0 0 8 3, a label file with 0 0 8 1; the test pair needs "test" or "t10k" in its names)');
    const parts = await Promise.all(order.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const sizes = await call('useData', { files: parts }, parts.map((p) => p.bytes.buffer));
    const held = files.length === 2 ? ' (the last sixth of the file, held out)' : '';
    ui.dataSource.textContent = `Your data: ${order[0].name}, ${sizes.train.toLocaleString('en-US')} training and ${sizes.test.toLocaleString('en-US')} test images${held}. Reload the page to go back to Fashion-MNIST.`;
    ui.dataMessage.textContent = 'Loaded. The network in memory is kept; press Start to train on these images.';
    view.ownData = true;
    refreshDemos({ evaluate: true });
  } catch (e) {
    if (!e.replaced) ui.dataMessage.textContent = e.busy ? e.message : `These files cannot be used: ${e.message}`;
  } finally {
    ui.dataFiles.value = '';
  }
}

/** The list of networks kept in this browser (www/features/networks/view.js). */
// ---------------------------------------------------------------------------------------------
// Chapter 7 models: the comparison table

let measured = loadMeasured(); // model name -> the last finished run of it from scratch here

/** After a run finished: its test accuracy is the one "measured here" for its model (a run from scratch only). */
function recordMeasured(r) {
  const e = r?.lastEpoch;
  const model = r?.request?.model;
  if (!e || !model || !(r.fresh || r.resumed)) return;
  const name = presetOf(model);
  if (!name) return; // a custom ResNet
  measured = loadMeasured(); // another tab may have added some
  measured[name] = {
    accuracy: e.test_acc,
    input: model.input_size,
    epochs: e.epoch,
    train: r.trainImages ?? null,
    test: r.testImages ?? null,
    batch: r.request.train.batch_size,
    lr: r.request.train.lr,
    backend: wk?.backend?.backend ?? null,
    data: view.ownData ? 'your own IDX files' : 'Fashion-MNIST',
    at: new Date().toISOString(),
  };
  saveMeasured(measured);
  renderZooTable();
}

let comparison = null; // the table's rows, computed once from Rust

/** Parameters and MACs of one image: the layer table's totals. */
function totalsOf(config) {
  const top = wasm.shapes(config).filter((r) => r.level === 0);
  return { params: top.reduce((sum, r) => sum + r.params, 0), macs: top.reduce((sum, r) => sum + r.macs, 0) };
}

/** Every chapter-7 model and ResNet preset: name, title, input size, parameters, MACs, the seed's accuracy. */
function comparisonRows() {
  if (comparison || !wasm) return comparison;
  const rows = [...zooInfo.values()].map((m) => ({
    name: m.name,
    title: m.title,
    family: 'zoo',
    input: m.default_input_size,
    params: m.parameters, // zooModels() has the totals already (no layer tables at start-up)
    macs: m.macs,
    seed: m.seed_test_acc ?? null,
  }));
  for (const [name, config] of presetConfigs) {
    rows.push({
      name,
      title: ui.preset.querySelector(`option[value="${name}"]`)?.textContent ?? name,
      family: 'resnet',
      input: config.input_size,
      ...totalsOf(config),
      seed: RESNET_SEED_ACC[name] ?? null,
    });
  }
  comparison = rows;
  return rows;
}

function renderZooTable() {
  renderModelTable(ui.zooBody, comparisonRows(), {
    current: ui.preset.value,
    disabled: ACTIVE.has(state),
    measured,
    onPick: pickModel,
  });
  ui.zooForget.hidden = Object.keys(measured).length === 0;
}

/** Picks a model from the comparison table, as if chosen in the set-up. */
function pickModel(name) {
  if (ACTIVE.has(state)) return;
  if (ui.preset.value !== name) {
    ui.preset.value = name;
    onSettingsChanged({ target: ui.preset });
  }
  document.getElementById('model-title').scrollIntoView({ block: 'start' });
}

// ---------------------------------------------------------------------------------------------
// Wiring

let testLimitTimer = null;

function onSettingsChanged(e) {
  if (e?.target === ui.preset) applyPresetDefaults(ui.preset.value);
  const settings = readSettings(); // also refreshes the invalid marks
  writeHash();
  if (settings && chart.points === 0 && !ACTIVE.has(state)) chart.reset(settings.epochs); // x axis 0..epochs
  if (e?.target === ui.preset || e?.target === ui.inputSize) {
    renderInputNote();
    showPresetPreview();
    renderZooTable();
  }
  if (e?.target === ui.backendChoice && !ACTIVE.has(state) && wasm) ensureWorker(ui.backendChoice.value);
  if (e?.target === ui.test && settings && demoReady()) {
    // The demos evaluate on the same test images as training.
    clearTimeout(testLimitTimer);
    testLimitTimer = setTimeout(async () => {
      try {
        await call('setTestLimit', { limit: testLimitSetting() });
        refreshDemos({ evaluate: true });
      } catch (err) {
        if (!err.busy && !err.replaced) console.warn(err);
      }
    }, 700);
  }
}

ui.form.addEventListener('input', onSettingsChanged);
ui.form.addEventListener('change', (e) => {
  if (e.target !== ui.preset) onSettingsChanged(e); // the preset is handled by 'input'
});
ui.form.addEventListener('submit', (e) => {
  e.preventDefault();
  start(true);
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
ui.networkSwitch.addEventListener('click', () => {
  view.showing = view.showing === 'preview' ? 'memory' : 'preview';
  renderNetwork();
});
ui.expandAll.addEventListener('click', () => {
  view.collapsed.clear();
  if (view.shownNet) renderLayerTable(ui.shapesTable, view.shownNet, view.collapsed);
});
ui.collapseAll.addEventListener('click', () => {
  for (const b of view.shownNet?.blocks ?? []) view.collapsed.add(b.label);
  for (const r of view.shownNet?.groups ?? []) view.collapsed.add(r.label); // a chapter-7 network's groups
  if (view.shownNet) renderLayerTable(ui.shapesTable, view.shownNet, view.collapsed);
});
for (const [button, mode] of [
  [ui.zeroBranch, 'branch'],
  [ui.zeroConv2, 'conv2'],
]) {
  button.addEventListener('click', () => {
    view.mode = mode;
    writeHash();
    updateIdentityDemo();
  });
}
ui.identityImage.addEventListener('change', () => pickImage(Number(ui.identityImage.value)));
ui.insertStage.addEventListener('change', () => {
  view.insertStage = Number(ui.insertStage.value);
  writeHash();
});
ui.insertIdentity.addEventListener('click', () => insertBlock('identity'));
ui.insertPlain.addEventListener('click', () => insertBlock('plain'));
ui.keepTraining.addEventListener('click', () => start(false));
ui.restore.addEventListener('click', restoreNetwork);
ui.download.addEventListener('click', downloadWeights);
ui.uploadButton.addEventListener('click', () => ui.upload.click());
ui.upload.addEventListener('change', () => uploadWeights(ui.upload.files?.[0]));
ui.resumeRun.addEventListener('click', resumeSaved);
ui.dataButton.addEventListener('click', () => ui.dataFiles.click());
ui.dataFiles.addEventListener('change', () => useOwnData(ui.dataFiles.files));
ui.loadResnet.addEventListener('click', loadPretrainedResnet);
ui.zooForget.addEventListener('click', () => {
  measured = {};
  saveMeasured(measured);
  renderZooTable();
});
window.addEventListener('storage', (e) => {
  if (e.key !== MEASURED_KEY) return;
  measured = loadMeasured();
  renderZooTable();
});

window.addEventListener('hashchange', () => {
  if (ACTIVE.has(state) || location.hash === settingsHash()) return;
  const before = { block: view.selected, mode: view.mode, image: view.image, preset: ui.preset.value, stage: view.insertStage, input: ui.inputSize.value };
  readHash();
  if (chart.points === 0) chart.reset(Number(ui.epochs.value));
  renderInputNote();
  if (before.preset !== ui.preset.value) renderZooTable();
  if (before.preset !== ui.preset.value || before.input !== ui.inputSize.value) showPresetPreview();
  else renderNetwork(); // the selected block or stage may have changed
  renderImageChoices();
  if (before.block !== view.selected || before.mode !== view.mode || before.image !== view.image) updateIdentityDemo();
});

readHash();
writeHash();
setState('idle');
chart.reset(Number(ui.epochs.value));
renderImageChoices();
renderChecks();
renderPredictions();
renderWeights();
renderZooTable();

async function loadWasm() {
  try {
    const module = await import('../pkg/resnet_explorer.js');
    await module.default();
    presetConfigs = new Map(module.presets());
    zooInfo = new Map(module.zooModels().map((m) => [m.name, m]));
    wasm = module;
  } catch (e) {
    showError(
      `The WebAssembly package pkg/resnet_explorer.js could not be loaded: ${e.message ?? e}. ` +
        'If pkg/ is missing, build it with `wasm-pack build --release --target web --out-dir pkg --no-typescript -- --features wgpu` and reload.',
    );
    ui.status.textContent = 'Not ready: the WebAssembly package could not be loaded.';
    return;
  }
  // A chapter-7 model from the URL without an input size gets the seed's.
  if (isZoo(ui.preset.value) && ui.inputSize.value.trim() === '') ui.inputSize.value = String(zooInfo.get(ui.preset.value)?.default_input_size ?? '');
  renderInputNote();
  setState(state);
  renderNetwork();
  writeHash();
  renderZooTable();
  ensureWorker(ui.backendChoice.value);
}

loadWasm();
initLab({ backendChoice: () => ui.backendChoice.value });

// For tests and curious users: the current run state and the explorer's.
window.resnetExplorer = {
  get state() {
    return state;
  },
  /** The number of the latest run started in this page (1, 2, ...; 0 before the first). */
  get run() {
    return runId;
  },
  get chartPoints() {
    return chart.points;
  },
  get demosReady() {
    return demoReady();
  },
  /** On WebGPU: 'running' or 'done' once the kernels were compiled in the background; else undefined. */
  get warmUp() {
    return wk?.warmed;
  },
  get warmUpSeconds() {
    return wk?.warmUpSeconds ?? null;
  },
  get backend() {
    return wk?.backend?.backend ?? null;
  },
  get network() {
    return view.memory ? { config: view.memory.config, inserted: view.memory.inserted, source: view.source?.source ?? null } : null;
  },
  /** The worker's wasm memory in bytes (the soak benchmark samples it). */
  memory: () => call('memory'),
};
