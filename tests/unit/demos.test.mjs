// The demos' texts and pure logic (www/features/{identity,insertion,predictions,weights,zoo}):
// the sentences the page showed before the split, word for word.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { blockKindText, checkText, checksPlaceholder, diffText, explainIdentity, fmtDiff, zooIdentityText } from '../../www/features/identity/view.js';
import { insertingText, insertionText, stageText, zooNestedText } from '../../www/features/insertion/view.js';
import { galleryHint, loadingText, noPredictionsText, summaryText } from '../../www/features/predictions/view.js';
import { MB } from '../../www/core/format.js';
import { idxKind, idxOrder, ownDataText, sourceText } from '../../www/features/weights/view.js';
import { comparisonRows, measuredRun } from '../../www/features/zoo/controller.js';

const identityBlock = { label: 'b3.1', stage: 1, block: 1, stride: 1, inShape: [1, 32, 14, 14], outShape: [1, 32, 14, 14] };
const projection = { ...identityBlock, label: 'b3.0', block: 0, projection: true, stride: 2, inShape: [1, 16, 28, 28] };
const plain = { ...identityBlock, label: 'b3.2', plain: true };

test('differences: n/a, exact zero, 3 decimals, 2 significant digits when tiny', () => {
  assert.equal(fmtDiff(undefined), 'n/a');
  assert.equal(fmtDiff(null), 'n/a');
  assert.equal(fmtDiff(0), '0');
  assert.equal(fmtDiff(1.23456), '1.235');
  assert.equal(fmtDiff(0.01), '0.010');
  assert.equal(fmtDiff(0.000123456), '0.00012');
  assert.equal(diffText(0, true), '0 (exactly)');
  assert.equal(diffText(0), '0');
  assert.equal(diffText(undefined, true), 'not defined');
  assert.equal(diffText(2.5), '2.500');
  assert.equal(checkText(0), '0 \u2713');
  assert.equal(checkText(undefined), 'n/a');
  assert.equal(checkText(0.5), '0.500');
});

test('the selected block is named by its shortcut', () => {
  assert.equal(blockKindText(identityBlock, false), '(identity shortcut, 32\u00d714\u00d714)');
  assert.equal(blockKindText(projection, false), '(1\u00d71 conv shortcut, stride 2: 16\u00d728\u00d728 \u2192 32\u00d714\u00d714)');
  assert.equal(blockKindText({ ...projection, stride: 1 }, false), '(1\u00d71 conv shortcut: 16\u00d728\u00d728 \u2192 32\u00d714\u00d714)');
  assert.equal(blockKindText(plain, false), '(inserted plain block: no shortcut)');
  assert.equal(blockKindText(null, false), '');
  assert.equal(blockKindText(null, true), '(the network in memory has no residual blocks)');
});

test('the identity demo explains each case with its numbers', () => {
  const zeroed = { max_abs_diff: 0 };
  const asTrained = { max_abs_diff: 1.5 };
  assert.equal(
    explainIdentity(identityBlock, 'branch', zeroed, asTrained, 3),
    'With BN2\u2019s \u03b3 and \u03b2 set to 0 the residual branch outputs exactly 0, so the block computes ReLU(x + 0) = x (x is already \u2265 0: it comes out of a ReLU). On test image #3, max |out \u2212 in| = 0: the block is the identity. As trained, it changes its input by up to 1.500.',
  );
  assert.equal(
    explainIdentity(identityBlock, 'conv2', { max_abs_diff: 0.25 }, asTrained, 0),
    'd2l says: set the last weighted layer (conv2) to zero. But a BatchNorm follows conv2, and in eval mode it maps 0 to \u03b2 \u2212 \u03b3\u00b7\u03bc/\u221a(\u03c3\u00b2+\u03b5), a constant per channel, not 0. So the block adds that constant: max |out \u2212 in| = 0.250 on test image #0, not the identity. Zero BN2 (\u03b3 = \u03b2 = 0) instead.',
  );
  assert.match(explainIdentity(projection, 'branch', {}, {}, 0), /^This block\u2019s shortcut is itself a convolution \(1\u00d71, stride 2\): its output is 32\u00d714\u00d714 while its input is 16\u00d728\u00d728\. /);
  assert.match(explainIdentity(plain, 'branch', { max_abs_diff: 4 }, {}, 0), /is just the size of the input \(4\.000\)\. Everything after it sees zeros\.$/);
  assert.equal(explainIdentity(plain, 'conv2', {}, {}, 0), 'This inserted plain block has no shortcut, so no zeroing can make it pass its input through.');
});

test('the checks table says why it is empty', () => {
  assert.equal(checksPlaceholder({ training: true, ready: false }), 'Computed when training stops.');
  assert.equal(checksPlaceholder({ training: false, ready: true }), 'Computing\u2026');
  assert.equal(checksPlaceholder({ training: false, ready: false }), 'Waiting for the network\u2026');
  assert.match(zooIdentityText('GoogLeNet at 96\u00d796'), /^The network in memory, GoogLeNet at 96\u00d796, has no residual blocks: /);
});

test('insertions: what changed, and where', () => {
  const check = { insertion: 'identity', stage: 1, accuracy_before: 0.9123, accuracy_after: 0.9123, changed_predictions: 0, images: 10000 };
  assert.equal(
    insertionText('identity', check),
    'An identity block (residual branch zeroed) at the end of stage b3: 0 predictions changed on 10000 test images. The bigger network contains the old one; training can only start from here.',
  );
  assert.match(insertionText('identity', { ...check, changed_predictions: 1 }), /: 1 prediction changed on/);
  assert.equal(
    insertionText('plain', { ...check, stage: 0, accuracy_after: 0.1 }),
    'A plain block (no shortcut) zeroed the same way at the end of stage b2 outputs 0: everything after it sees zeros, and the network guesses one class for every image (chance is 10 %). Accuracy 91.2 % \u2192 10.0 %.',
  );
  assert.equal(insertingText('plain', 'b3'), 'Inserting a plain block at the end of b3 and comparing the predictions\u2026');
  assert.equal(stageText({ label: 'b3', row: { shape: [1, 32, 14, 14] }, blocks: [1, 2] }), 'b3 (32 channels, 2 blocks)');
  assert.equal(stageText({ label: 'b2', row: { shape: [1, 8, 28, 28] }, blocks: [1] }), 'b2 (8 channels, 1 block)');
  assert.match(zooNestedText('googLeNet at 96\u00d796'), /^GoogLeNet at 96\u00d796 has no residual stages to insert a block into: /);
});

test('the predictions summary counts the test images and the misclassified ones', () => {
  const p = {
    accuracy: 0.875,
    confusion: [
      [600, 400],
      [100, 9000],
    ],
    per_class: [0.6, 0.99],
    samples: [
      { index: 0, label: 0, predicted: 0 },
      { index: 1, label: 1, predicted: 0 },
      { index: 2, label: 1, predicted: 1 },
    ],
  };
  assert.equal(summaryText(p, 'network in memory'), 'Test accuracy 87.5 % on 10,100 test images (network in memory). 1 of the 3 images below are misclassified.');
  assert.equal(loadingText({ test: 10000, testImages: null, onCpu: false }), 'Computing the predictions on 10,000 test images\u2026');
  assert.equal(loadingText({ test: 64, testImages: 10000, onCpu: true }), 'Computing the predictions on 64 test images on the CPU\u2026');
  assert.equal(loadingText({ test: null, testImages: 500, onCpu: false }), 'Computing the predictions on 500 test images\u2026');
  assert.equal(galleryHint(true), '(red: misclassified; click one to use it in the identity demo)');
  assert.equal(galleryHint(false), '(click one to use it in the identity demo)');
  assert.equal(noPredictionsText(false), 'No predictions yet.');
  assert.equal(noPredictionsText(true), 'Predictions appear when a network is loaded or trained.');
});

test('where the network in memory came from', () => {
  assert.equal(sourceText(null), 'Loading the pretrained network\u2026');
  assert.equal(sourceText({ source: 'shipped', note: 'fast, 2 epochs' }), 'Pretrained weights: fast, 2 epochs');
  assert.equal(sourceText({ source: 'uploaded', note: 'n', name: 'a.rnxw' }), 'Uploaded a.rnxw: n');
  assert.equal(sourceText({ source: 'trained', note: 'n', name: 'run 1' }), 'Trained here: n (kept in this browser as \u201crun 1\u201d)');
  assert.equal(sourceText({ source: 'trained', note: 'n' }), 'Trained here: n');
  assert.equal(sourceText({ source: 'saved', note: 'n', id: 3 }), 'Your network saved in this browser as \u201cnetwork\u201d: n');
  assert.equal(sourceText({ source: 'saved', note: 'n', id: null, name: 'a' }), 'Your network \u201ca\u201d (no longer kept in this browser): n');
  assert.equal(sourceText({ source: 'none' }), 'No network loaded: train one or upload weights.');
  assert.equal(MB(1234567), '1.2');
});

test('own IDX files are told apart by header, gzip name and test name', () => {
  assert.equal(idxKind(new Uint8Array([0, 0, 8, 3]), 'x'), 3);
  assert.equal(idxKind(new Uint8Array([0, 0, 8, 1]), 'x'), 1);
  assert.equal(idxKind(new Uint8Array([0x1f, 0x8b, 8, 0]), 'train-labels-idx1-ubyte.gz'), 1);
  assert.equal(idxKind(new Uint8Array([0x1f, 0x8b, 8, 0]), 'train-images-idx3-ubyte.gz'), 3);
  const f = (/** @type {string} */ name) => ({ name });
  const two = [f('labels'), f('images')];
  assert.deepEqual(idxOrder(two, [1, 3]).map((x) => x.name), ['images', 'labels']);
  const four = [f('t10k-labels'), f('train-images'), f('test-images'), f('train-labels')];
  assert.deepEqual(idxOrder(four, [1, 3, 3, 1]).map((x) => x.name), ['train-images', 'train-labels', 'test-images', 't10k-labels']);
  assert.throws(() => idxOrder([f('a')], [3]), { message: 'choose 2 files (images and labels) or 4 (a training and a test pair), not 1' });
  assert.throws(() => idxOrder(two, [3, 3]), /^Error: could not tell the image files from the label files/);
  assert.throws(() => idxOrder([f('a'), f('b'), f('c'), f('d')], [3, 1, 3, 1]), /the test pair needs "test" or "t10k" in its names/);
  assert.equal(
    ownDataText('my-images', { train: 50000, test: 10000 }, 2),
    'Your data: my-images, 50,000 training and 10,000 test images (the last sixth of the file, held out). Reload the page to go back to Fashion-MNIST.',
  );
  assert.doesNotMatch(ownDataText('x', { train: 1, test: 1 }, 4), /held out/);
});

const fast = { widths: [16, 32, 64, 128], blocks: [2, 2, 2, 2], plain_blocks: [], input_size: 28 };
const models = new Map([
  ['fast', { name: 'fast', title: 'ResNet-18, \u00bc width, 28 px (fast)', family: 'resnet', config: fast, defaultInput: 28, params: 700000, macs: 9e6, seedAcc: null }],
  ['googlenet', { name: 'googlenet', title: 'GoogLeNet', family: 'zoo', config: { kind: 'googlenet', input_size: 96 }, defaultInput: 96, params: 6e6, macs: 1.5e9, seedAcc: 0.9 }],
]);

test('the comparison lists the chapter-7 models first, then the ResNet presets', () => {
  assert.equal(comparisonRows(new Map()), null);
  assert.deepEqual(comparisonRows(/** @type {any} */ (models)), [
    { name: 'googlenet', title: 'GoogLeNet', family: 'zoo', input: 96, params: 6e6, macs: 1.5e9, seed: 0.9 },
    { name: 'fast', title: 'ResNet-18, \u00bc width, 28 px (fast)', family: 'resnet', input: 28, params: 700000, macs: 9e6, seed: null },
  ]);
});

test('a finished run from scratch is measured for its model; keep training is not', () => {
  const run = {
    fresh: true,
    lastEpoch: { epoch: 2, test_acc: 0.91 },
    request: { model: { kind: 'googlenet', input_size: 64 }, train: { batch_size: 128, lr: 0.1 } },
    trainImages: 60000,
    testImages: 10000,
    backend: 'wgpu',
    ownData: false,
  };
  assert.deepEqual(measuredRun(/** @type {any} */ (models), run, 'T'), {
    name: 'googlenet',
    entry: { accuracy: 0.91, input: 64, epochs: 2, train: 60000, test: 10000, batch: 128, lr: 0.1, backend: 'wgpu', data: 'Fashion-MNIST', at: 'T' },
  });
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, ownData: true }, 'T')?.entry.data, 'your own IDX files');
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, fresh: false }, 'T'), null);
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, fresh: false, resumed: true }, 'T')?.name, 'googlenet');
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, request: { ...run.request, model: { ...fast, widths: [8, 8, 8, 8] } } }, 'T'), null);
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, request: { ...run.request, model: fast } }, 'T')?.name, 'fast');
  assert.equal(measuredRun(/** @type {any} */ (models), { ...run, lastEpoch: null }, 'T'), null);
});

// ---------------------------------------------------------------------------------------------
// The identity and insertion controllers against a store, a fake worker connection and a
// minimal fake DOM: only the latest request's answers are shown.

import { Store } from '../../www/core/store.js';
import { initialState } from '../../www/core/page-state.js';
import { createCommands } from '../../www/core/commands.js';

class FakeElement {
  constructor() {
    this.dataset = /** @type {Record<string, string>} */ ({});
    this.textContent = '';
    this.value = '';
    this.hidden = false;
    this.disabled = false;
    this.children = /** @type {FakeElement[]} */ ([]);
    this.listeners = /** @type {Record<string, Function[]>} */ ({});
    const classes = new Set();
    this.classList = { add: (/** @type {string} */ c) => classes.add(c), remove: (/** @type {string} */ c) => classes.delete(c), toggle: (/** @type {string} */ c, /** @type {boolean} */ on) => (on ? classes.add(c) : classes.delete(c)), contains: (/** @type {string} */ c) => classes.has(c) };
    this.style = { setProperty() {} };
  }
  get options() {
    return this.children;
  }
  append(/** @type {FakeElement[]} */ ...nodes) {
    this.children.push(...nodes);
  }
  replaceChildren(/** @type {FakeElement[]} */ ...nodes) {
    this.children = nodes;
  }
  setAttribute() {}
  addEventListener(/** @type {string} */ type, /** @type {Function} */ fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  click() {
    for (const fn of this.listeners.click ?? []) fn();
  }
  insertRow() {
    const row = new FakeElement();
    this.children.push(row);
    return Object.assign(row, { insertCell: () => row.insertRow() });
  }
  querySelectorAll() {
    return [];
  }
}

function fakeDocument() {
  const elements = new Map();
  const byId = (/** @type {string} */ id) => elements.get(id) ?? elements.set(id, new FakeElement()).get(id);
  globalThis.document = /** @type {any} */ ({ getElementById: byId, querySelector: byId, createElement: () => new FakeElement() });
  return byId;
}

/** A worker whose answers the test releases one by one: `answer(method, value)`. */
function fakeConnection() {
  /** @type {{method: string, args: any, resolve: Function, reject: Function}[]} */
  const calls = [];
  return {
    calls,
    call: (/** @type {string} */ method, /** @type {any} */ args) => new Promise((resolve, reject) => calls.push({ method, args, resolve, reject })),
    on() {},
    /** Answers the oldest open call of `method`. */
    async answer(/** @type {string} */ method, /** @type {any} */ value) {
      const i = calls.findIndex((c) => c.method === method);
      assert.ok(i >= 0, `no open ${method} call`);
      calls.splice(i, 1)[0].resolve(value);
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const net = {
  zoo: false,
  blocks: [identityBlock],
  stages: [{ index: 0, label: 'b2', row: { shape: [1, 32, 14, 14] }, blocks: [identityBlock] }],
};
const maps = (/** @type {number} */ diff) => ({ max_abs_diff: diff, side_in: 1, side_out: 1, input: [0], output: [0], channels: 0 });

async function identityPage() {
  const $ = fakeDocument();
  const { initIdentity } = await import('../../www/features/identity/controller.js');
  const store = new Store({ ...initialState(), opened: true, memory: /** @type {any} */ ({ config: fast, layers: [], inserted: [] }), memoryNet: net, block: 'b3.1' });
  const connection = fakeConnection();
  initIdentity({ store, connection, commands: createCommands() });
  return { $, store, connection };
}

test('the demos refresh: predictions, then the block, then the checks', async () => {
  const { $, store, connection } = await identityPage();
  store.set({ demoRequest: { n: 1, evaluate: true } });
  assert.deepEqual(connection.calls.map((c) => c.method), ['evaluate']);
  await connection.answer('evaluate', null);
  assert.deepEqual(connection.calls.map((c) => c.method), ['featureMaps', 'identityChecks']);
  assert.equal($('identity-result').dataset.state, 'loading');
  await connection.answer('featureMaps', maps(1.5));
  await connection.answer('featureMaps', maps(0));
  assert.equal($('identity-result').dataset.state, 'done');
  assert.equal($('identity-diff').textContent, '0 (exactly)');
  assert.equal($('identity-diff-none').textContent, '1.500');
  await connection.answer('identityChecks', [{ label: 'b3.1', zero_branch: 0, zero_conv2: 0.2 }]);
  assert.equal(store.get().checks?.length, 1);
});

test('an older refresh\u2019s answers are dropped; training clears the demo', async () => {
  const { $, store, connection } = await identityPage();
  store.set({ demoRequest: { n: 1, evaluate: false } });
  const memory = { config: fast, layers: [], inserted: [{ insertion: 'identity', stage: 0 }] };
  store.set({ memory: /** @type {any} */ (memory), memoryNet: { ...net }, demoRequest: { n: 2, evaluate: false } });
  // Both refreshes asked for maps and checks; the first one's checks arrive late and are dropped.
  await connection.answer('identityChecks', [{ label: 'old' }]);
  assert.equal(store.get().checks, null);
  await connection.answer('identityChecks', [{ label: 'b3.1' }]);
  assert.equal(store.get().checks?.[0].label, 'b3.1');
  // A run starts training the network: the demo says so, and late feature maps do not come back.
  store.set({ runState: 'running', training: true, memory: /** @type {any} */ ({ ...memory }) });
  assert.equal($('identity-explain').textContent, 'Training: the demos come back when the run stops or finishes.');
  assert.equal(store.get().checks, null);
  for (let i = 0; i < 4; i++) await connection.answer('featureMaps', maps(0));
  assert.equal($('identity-result').dataset.state, 'idle');
  assert.equal($('identity-explain').textContent, 'Training: the demos come back when the run stops or finishes.');
  // The run stops: the refresh says it is computing.
  store.set({ runState: 'stopped', training: false });
  assert.equal($('#identity-checks tbody').children[0].children[0].textContent, 'Computing\u2026');
  store.set({ demoRequest: { n: 3, evaluate: true } });
  assert.equal($('identity-explain').textContent, 'Computing\u2026');
});

test('the insertion shown goes when another network is loaded or a run starts', async () => {
  const $ = fakeDocument();
  const { initInsertion } = await import('../../www/features/insertion/controller.js');
  const store = new Store({ ...initialState(), opened: true, wasm: {}, memory: /** @type {any} */ ({ config: fast, layers: [], inserted: [] }), memoryNet: net });
  const connection = fakeConnection();
  const commands = createCommands();
  initInsertion({ store, connection, commands });
  assert.equal($('insert-identity').disabled, false);
  assert.equal($('restore').disabled, true);
  assert.equal($('insert-stage').value, '0');
  commands.run('restore'); // the lesson's command does what a press does: nothing while Restore is disabled
  assert.equal(connection.calls.length, 0);
  commands.run('insertIdentity');
  assert.equal($('insert-identity').disabled, true);
  assert.deepEqual(connection.calls[0].args, { insertion: 'identity', stage: 0 });
  $('insert-identity').click(); // pressed again while inserting: nothing more
  assert.equal(connection.calls.length, 1);
  store.set({ memory: /** @type {any} */ ({ config: fast, layers: [], inserted: [{ insertion: 'identity', stage: 0 }] }) });
  await connection.answer('insert', { insertion: 'identity', stage: 0, accuracy_before: 0.9, accuracy_after: 0.9, changed_predictions: 0, images: 100 });
  assert.equal($('insertion-result').dataset.state, 'done');
  assert.equal($('insertion-result').dataset.insertion, 'identity');
  assert.equal($('changed').textContent, '0 of 100');
  assert.equal($('restore').disabled, false);
  store.set({ source: { source: 'uploaded', note: '' } });
  assert.equal($('insertion-result').dataset.state, 'idle');
  assert.equal($('changed').textContent, '\u2013');
  $('nested-message').textContent = 'x';
  store.set({ runState: 'loading' });
  assert.equal($('nested-message').textContent, '');
  assert.equal($('insert-identity').disabled, true);
  assert.equal($('keep-training').disabled, true);
});
