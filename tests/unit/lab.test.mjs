// The lab's pure modules (www/features/lab/race.js, series.js) and its controller with fake
// workers: node --test tests/unit/lab.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TWINS, checkForm, depthLabel, failure, faulted, liveCounts, newRace, raceActive, raceOverText, raceStartText, statusText, trainRequest,
  twinEvent, twinName, twinsText, withTwin,
} from '../../www/features/lab/race.js';
import { curveSeries, epochAxis, gradientSeries, latestCommon, lesionSeries, magnitudeSeries, snapshotOf } from '../../www/features/lab/series.js';
import { labController } from '../../www/features/lab/controller.js';
import { Connection } from '../../www/app/connection.js';
import { Store } from '../../www/core/store.js';

const FIELDS = { 'lab-width': '4', 'lab-epochs': '2', 'lab-batch': '16', 'lab-train': '160', 'lab-test': '32', 'lab-lr': '0.1' };
const form = (over = {}, depth = '8', zero = false) => ({
  depth,
  zero,
  fields: Object.fromEntries(Object.entries({ ...FIELDS, ...over }).map(([k, text]) => [k, typeof text === 'string' ? { text } : text])),
});
const SETTINGS = checkForm(form()).settings;

/** Plays `events` into one twin of a new race. */
const play = (key, events, race = newRace(1, SETTINGS)) => events.reduce((r, e) => withTwin(r, twinEvent(r.twins[key], e)), race);
const report = (epoch, loss, acc) => ({ type: 'train', kind: 'report', epoch, train_loss: loss, train_acc: acc });
const probe = (epoch, norms, ratios = []) => ({
  type: 'lab_probe',
  epoch,
  gradients: norms.map((norm, i) => ({ depth: norms.length - i, label: `c${norms.length - i}`, norm })), // out of order on purpose
  magnitudes: ratios.map((ratio, i) => ({ label: `b${i}`, ratio })),
});

test('the form: checked settings, the values for the hash, each refusal with its range', () => {
  const ok = checkForm(form({ 'lab-width': ' 4 ' }, '8', true));
  assert.deepEqual(ok.settings, { depth: 8, width: 4, epochs: 2, batch: 16, train: 160, test: 32, lr: 0.1, zeroGamma: true });
  assert.equal(ok.problems, '');
  assert.deepEqual(ok.invalid, []);
  assert.equal(ok.values['lab-width'], '4', 'the text, trimmed, goes to the hash');
  assert.equal(ok.values['lab-zero'], true);

  const bad = checkForm(form({ 'lab-epochs': '500', 'lab-lr': { text: '', badInput: true } }, '9'));
  assert.equal(bad.settings, null);
  assert.deepEqual(bad.invalid, ['lab-depth', 'lab-epochs', 'lab-lr']);
  assert.match(bad.problems, /Depth takes 6n \+ 2 layers .* not 9\./);
  assert.match(bad.problems, /Epochs must be a whole number from 1 to 50 \(it is 500\)/);
  assert.match(bad.problems, /Learning rate: what was typed is not a number/);
  assert.equal(bad.values['lab-epochs'], '500');
});

test('twin names, depth labels, the start request', () => {
  assert.deepEqual(TWINS.map((t) => twinName(t, 56)), ['plain-56', 'ResNet-56']);
  assert.equal(depthLabel(8), '8 (n = 1)');
  const r = trainRequest(SETTINGS, { kind: 'x' });
  assert.deepEqual(r.train, { epochs: 2, batch_size: 16, lr: 0.1, momentum: 0.9, weight_decay: 1e-4, seed: 0 });
  assert.equal(r.train_limit, 160);
  assert.equal(trainRequest({ ...SETTINGS, train: 60000, test: 10000 }, null).test_limit, null, 'all the images: no limit');
});

test('worker events change one twin, never the race they came from', () => {
  const race = newRace(3, SETTINGS);
  assert.equal(raceActive(race), true);
  const after = play('plain', [
    { type: 'backend', backend: 'cpu' },
    { type: 'model', parameters: 1234 },
    { type: 'state', state: 'running' },
    { type: 'step', batch: 4, total: 20 },
    report(0.2, 2.3, 0.1),
    report(0.4, NaN, 0.2),
    { type: 'train', kind: 'epoch', epoch: 1, test_acc: 0.5 },
    probe(0, [1, 2]),
    { type: 'lab_probe', epoch: 1, error: 'no probe' },
    { type: 'gallery' },
  ], race);
  assert.equal(race.twins.plain.state, 'loading', 'the old race is unchanged');
  const t = after.twins.plain;
  assert.equal(t.params, 1234);
  assert.equal(t.trained, true);
  assert.equal(t.phase, 'Building the network');
  assert.deepEqual([t.batch, t.total], [4, 20]);
  assert.equal(t.curve.length, 2);
  assert.deepEqual(t.tests, [{ x: 1, y: 0.5 }]);
  assert.equal(t.probes.length, 1);
  assert.equal(t.probeError, 'no probe');
  assert.equal(after.twins.residual, race.twins.residual);
  const done = play('residual', [{ type: 'state', state: 'finished' }], play('plain', [{ type: 'state', state: 'stopped' }], after));
  assert.equal(raceActive(done), false);
});

test('failures: a lost device fails the twin, a fatal error breaks the worker, a divergence is expected', () => {
  let race = play('plain', [{ type: 'state', state: 'running' }]);
  const t = race.twins.plain;
  const lost = failure(t, { type: 'device_lost', reason: 'destroyed', message: 'gone' });
  assert.deepEqual(lost, { message: 'plain-8: the GPU device was lost (destroyed: gone). Start the race again.', broken: true, expected: false });
  assert.equal(twinEvent(t, { type: 'device_lost', reason: 'destroyed', message: '' }).state, 'failed');
  assert.equal(failure(t, { type: 'error', message: 'x', fatal: true }).broken, true);
  race = play('plain', [{ type: 'diverged', epoch: 0.6, loss: null, kept_epoch: 0.4 }, { type: 'error', message: 'loss is NaN' }], race);
  const d = race.twins.plain;
  assert.equal(d.error, 'plain-8 diverged: loss is NaN');
  assert.equal(failure(d, { type: 'error', message: 'loss is NaN' }).expected, true);
  assert.equal(faulted(race), false, 'a divergence is a result, not a fault');
  assert.equal(faulted(play('residual', [{ type: 'error', message: 'boom' }], race)), true);
  assert.equal(failure(t, { type: 'step' }), null);
});

test('status lines', () => {
  assert.equal(statusText(null, null), 'not started');
  let race = newRace(1, SETTINGS);
  assert.equal(statusText(race.twins.plain, race), 'Starting the worker\u2026');
  race = play('plain', [{ type: 'backend', backend: 'wgpu' }, { type: 'state', state: 'running' }, { type: 'step', batch: 15, total: 20 }, report(1.4, 1.23456, 0.5)], race);
  race = { ...race, stopping: true };
  assert.equal(statusText(race.twins.plain, race), '(WebGPU) epoch 2 of 2, batch 15 of 20 \u00b7 stopping after this batch\u2026 \u00b7 loss 1.235 \u00b7 train acc 50.0 %');
  race = play('plain', [{ type: 'state', state: 'finished' }, { type: 'finished', examples_per_sec: 12.34 }, { type: 'train', kind: 'epoch', epoch: 2, test_acc: 0.6 }], race);
  assert.match(statusText(race.twins.plain, race), /^\(WebGPU\) finished 2 epochs .* test acc 60\.0 % \u00b7 12\.3 examples\/s$/);
  race = play('residual', [{ type: 'state', state: 'stopped' }], race);
  assert.equal(statusText(race.twins.residual, race), 'stopped before the first batch');
  race = play('residual', [{ type: 'diverged', epoch: 1.2, loss: 80, kept_epoch: 1 }, { type: 'state', state: 'failed' }], race);
  assert.equal(statusText(race.twins.residual, race), 'diverged at epoch 1.2');
});

test('the twins line and the race messages', () => {
  const same = twinsText(SETTINGS, { plain: 1000, residual: 1000 }, 'from the layer tables');
  assert.match(same, /^plain-8 and ResNet-8: 8 weighted layers each \(a 3\u00d73 stem conv, 3 stages of 1 block of two 3\u00d73 convs with 4, 8 and 16 channels/);
  assert.match(same, /1,000 parameters each \(from the layer tables\): the shortcut adds none\.$/);
  assert.match(twinsText({ ...SETTINGS, zeroGamma: true }, { plain: 1, residual: 2 }, 'x'), /Parameters \(x\): plain 1, ResNet 2\. Zero-\u03b3/);

  let race = newRace(2, SETTINGS);
  assert.equal(liveCounts(race, SETTINGS), null, 'not built yet');
  race = play('residual', [{ type: 'model', parameters: 7 }], play('plain', [{ type: 'model', parameters: 7 }], race));
  assert.deepEqual(liveCounts(race, SETTINGS), { plain: 7, residual: 7 });
  assert.equal(liveCounts(race, { ...SETTINGS, width: 5 }), null, 'other settings: counted from the tables');

  assert.equal(raceStartText(race), 'Race 2: plain-8 against ResNet-8, 2 epochs on 160 images, batch 16, lr 0.1, the same data order.');
  race = play('plain', [report(2, 0.9, 0.7)], play('residual', [report(2, 0.5, 0.8)], race));
  assert.equal(raceOverText(race), 'Race 2 over. Final training loss: plain-8 0.900, ResNet-8 0.500. ResNet-8 ended lower on the training set.');
  race = play('plain', [{ type: 'diverged', epoch: 1.5, loss: null, kept_epoch: 1.4 }], race);
  assert.match(raceOverText(race), /plain-8 diverged, ResNet-8 0\.500\. plain-8 diverged at epoch 1\.5 \(running loss NaN\); its weights of epoch 1\.4 are kept/);
});

test('curves: the race before faded, finite points only, a capped loss axis, a cross where a twin diverged', () => {
  const previous = play('plain', [report(0.5, 2, 0.3), report(1, 1.5, 0.4)], newRace(1, { ...SETTINGS, epochs: 5 }));
  let race = play('plain', [report(0.2, 2.2, 0.1), report(0.4, NaN, 0.2), { type: 'train', kind: 'epoch', epoch: 1, test_acc: 0.3 }], newRace(2, SETTINGS));
  let c = curveSeries(race, previous);
  assert.equal(c.earlier, 1, 'only the previous twin with a curve is drawn');
  assert.equal(c.loss[0].previous, true);
  assert.equal(c.loss[0].borderColor, TWINS[0].fade);
  assert.deepEqual(c.lossPoints, { plain: 1, residual: 0 });
  assert.deepEqual(c.accPoints, { plain: 3, residual: 0 });
  assert.deepEqual(c.axis, { max: 5, stepSize: 1 }, 'the longer of the two races');
  assert.equal(c.lossMax, undefined);
  assert.equal(c.diverged, null);
  race = play('residual', [report(0.2, 9, 0.1), { type: 'diverged', epoch: 0.3, loss: 50, kept_epoch: 0.2 }], race);
  c = curveSeries(race, null);
  assert.equal(c.lossMax, 4);
  assert.equal(c.diverged, 'residual');
  const cross = c.loss.at(-1);
  assert.equal(cross.label, 'ResNet-8 diverged (loss 50.0)');
  assert.deepEqual(cross.data, [{ x: 0.3, y: 4 }]);
  assert.equal(cross.twin, undefined, 'the cross is not a twin\u2019s series');
  assert.deepEqual(epochAxis(2), { max: 2, stepSize: 0.2 });
  assert.deepEqual(epochAxis(40), { max: 40, stepSize: 4 });
});

test('gradients: sorted by depth, zeros left off the log scale and noted', () => {
  let race = newRace(1, SETTINGS);
  assert.equal(gradientSeries(race).note, 'The first probe comes before the first batch.');
  race = play('plain', [probe(0, [0, 2, 4]), probe(0.4, [1, 0.5, 0.1])], race);
  const g = gradientSeries(race);
  assert.equal(g.series, 1);
  assert.deepEqual(g.points, { plain: 3, residual: 0 });
  assert.equal(g.xMax, 7);
  assert.equal(g.datasets.length, 2, 'before training (faded) and the latest');
  assert.deepEqual(g.datasets[0].data.map((p) => p.y), [4, 2, null]);
  assert.deepEqual(g.datasets[1].data.map((p) => p.x), [1, 2, 3]);
  assert.equal(g.datasets[1].latest, true);
  assert.match(g.note, /^plain-8: \|\|dL\/dW\|\| of the first conv 1\.0e-1, of the last 1\.0e\+0 \(ratio 0\.10\); before training 1 of 3 had a gradient of exactly 0/);
  assert.match(g.note, /Probe batch: the first 64 test images/);
  race = play('residual', [{ type: 'lab_probe', epoch: 0, error: 'not a ResNet' }], race);
  assert.match(gradientSeries(race).note, /ResNet-8: the gradients could not be measured: not a ResNet/);
});

test('residual magnitudes: a line per block and their mean', () => {
  const race = play('residual', [probe(0, [1], [0.5, 1.5]), probe(1, [1], [0.2, 0.6])]);
  const m = magnitudeSeries(race);
  assert.equal(m.points, 2);
  assert.equal(m.datasets.length, 3);
  assert.deepEqual(m.datasets[2].data, [{ x: 0, y: 1 }, { x: 1, y: 0.4 }]);
  assert.equal(m.note, 'ResNet-8 at epoch 1.0: ||F(x)||/||x|| from 0.20 to 0.60 (mean 0.40); 2 of 2 blocks change their input by less than its own size.');
  assert.equal(magnitudeSeries(newRace(1, SETTINGS)).points, 0);
});

const LESIONS = [
  { key: 'plain', name: 'plain-8', result: { accuracy: 0.5, blocks: [{ label: 'b2.0', accuracy: 0.1 }, { label: 'b3.0', accuracy: null }] } },
  { key: 'residual', name: 'ResNet-8', result: { accuracy: 0.6, blocks: [{ label: 'b2.0', accuracy: 0.55 }, { label: 'b3.0', accuracy: null }] } },
];

test('lesions: bars for removable blocks, references, the unremovable marked', () => {
  const l = lesionSeries(LESIONS);
  assert.deepEqual(l.labels, ['b2.0', 'b3.0 \u2715']);
  assert.equal(l.bars, 2);
  assert.deepEqual(l.barsOf, { plain: 1, residual: 1 });
  assert.equal(l.unremovable, 1);
  assert.deepEqual(l.datasets.filter((d) => d.reference !== undefined).map((d) => d.reference), [0.5, 0.6, 0.1]);
  assert.equal(l.note, 'plain-8: 50.0 % intact; removing one block leaves 10.0 % on average (worst 10.0 %). ResNet-8: 60.0 % intact; removing one block leaves 55.0 % on average (worst 55.0 %).');
  assert.equal(lesionSeries([]).note, 'No block could be removed.');
});

test('the snapshot the page tests read', () => {
  const idle = snapshotOf({ race: null, previous: null, ready: false, workers: { plain: false, residual: false }, lesions: { state: 'idle', results: [] } });
  assert.equal(idle.state, 'idle');
  assert.deepEqual(idle.twins, { plain: null, residual: null });
  const race = play('plain', [{ type: 'state', state: 'finished' }, report(0.5, 1, 0.5), probe(0, [1, 2])], play('residual', [{ type: 'state', state: 'stopped' }]));
  const s = snapshotOf({ race, previous: null, ready: true, workers: { plain: true, residual: true }, lesions: { state: 'done', results: LESIONS } });
  assert.equal(s.state, 'done');
  assert.deepEqual(s.twins.plain, {
    name: 'plain-8', state: 'finished', params: null, batch: 0, total: 0, error: null, diverged: false, probes: 1, lossPoints: 1, accPoints: 1, gradientPoints: 2, lesionBars: 1,
    gradientEnds: [2, 1], // by depth: the first conv's norm, then the last's
  });
  assert.deepEqual([s.gradientSeries, s.lesionBlocks, s.unremovable, s.lesioning], [1, 2, 1, false]);
  assert.equal(s.latest, null, 'the residual twin has no report yet');
});

test('the latest common report: both losses there, and whether the residual twin is below', () => {
  assert.equal(latestCommon(newRace(1, SETTINGS)), null);
  const ahead = play('residual', [report(0.2, 2.2, 0.1), report(0.4, 1.5, 0.4), report(0.6, 1.2, 0.5)], play('plain', [report(0.2, 2.1, 0.1), report(0.4, 1.9, 0.3)]));
  assert.deepEqual(latestCommon(ahead), { epoch: 0.4, plain: 1.9, residual: 1.5, residualBelow: true }, 'the plain twin has not reached 0.6 yet');
  const behind = play('residual', [report(0.2, 2.2, 0.1)], play('plain', [report(0.2, 2.1, 0.1), report(0.4, NaN, 0.3)]));
  assert.deepEqual(latestCommon(behind), { epoch: 0.2, plain: 2.1, residual: 2.2, residualBelow: false });
});

/** Two fake workers and a controller over them. */
function setUp() {
  const sent = [];
  const workers = [];
  const spawn = () => {
    const w = { sent: [], onmessage: null, onerror: null, onmessageerror: null, terminated: false };
    w.postMessage = (msg) => {
      w.sent.push(msg);
      if (msg.type === 'call') queueMicrotask(() => w.onmessage({ data: { type: 'reply', id: msg.id, ok: true, result: LESIONS[workers.indexOf(w)].result } }));
    };
    w.terminate = () => (w.terminated = true);
    workers.push(w);
    return w;
  };
  const lab = labController({ form: checkForm(form()), backendChoice: () => 'cpu', connect: (options) => new Connection({ ...options, spawn }), store: new Store({ lab: null }) });
  lab.ready({ labTwins: () => [{ plain: true }, { residual: true }], shapes: () => [{ level: 0, params: 40 }, { level: 1, params: 99 }, { level: 0, params: 2 }] });
  const emit = (i, data) => workers[i].onmessage({ data });
  return { lab, workers, emit, sent };
}

test('the controller: a race in two workers, to its end, stopped, lesioned', async () => {
  const { lab, workers, emit } = setUp();
  const { store } = lab;
  assert.deepEqual(store.get().twins.counts, { plain: 42, residual: 42 });
  assert.match(store.get().twins.text, /42 parameters each \(from the layer tables\)/);

  assert.equal(lab.start(), true);
  assert.equal(workers.length, 2);
  assert.deepEqual(workers.map((w) => w.sent.map((m) => m.type)), [['open', 'start'], ['open', 'start']]);
  const [open, start] = workers[0].sent;
  assert.equal(open.network, false);
  assert.equal(open.testLimit, 32);
  assert.deepEqual([start.run, start.keep, start.probe, start.label, start.request.model], [1, false, true, 'plain-8 (lab race)', { plain: true }]);
  assert.match(store.get().message.text, /^Race 1: plain-8 against ResNet-8/);
  assert.deepEqual(store.get().workers, { plain: true, residual: true });

  emit(0, { type: 'state', state: 'running', run: 1 });
  emit(0, { type: 'model', parameters: 42, run: 1 });
  emit(1, { type: 'state', state: 'running', run: 1 });
  emit(1, { type: 'model', parameters: 42, run: 1 });
  assert.match(store.get().twins.text, /counted in the two networks being trained/);
  assert.equal(store.get().twins.live, true);
  emit(0, { type: 'state', state: 'finished', run: 0 }); // an earlier run's: dropped
  assert.equal(store.get().race.twins.plain.state, 'running');

  lab.stop();
  assert.equal(store.get().race.stopping, true);
  assert.deepEqual(workers.map((w) => w.sent.at(-1)), [{ type: 'stop' }, { type: 'stop' }]);
  emit(0, { type: 'state', state: 'stopped', run: 1 });
  emit(1, { type: 'state', state: 'stopped', run: 1 });
  assert.equal(store.get().race.stopping, false);
  assert.match(store.get().message.text, /^Race 1 over\./);
  assert.match(store.get().lesions.note, /Press \u201cLesion each block\u201d/);

  const lesioning = lab.lesion();
  assert.equal(store.get().lesions.state, 'loading');
  await lesioning;
  assert.equal(store.get().lesions.state, 'done');
  assert.equal(store.get().lesions.results.length, 2);
  assert.match(store.get().lesions.note, /^plain-8: 50\.0 % intact/);

  // A second race reuses both workers; the first one's curves become the faded earlier race.
  emit(0, { type: 'train', kind: 'report', epoch: 0.2, train_loss: 2, train_acc: 0.1, run: 1 });
  lab.start();
  assert.equal(workers.length, 2, 'the same workers');
  assert.equal(store.get().previous.id, 1);
  assert.equal(store.get().race.id, 2);
  assert.equal(store.get().lesions.state, 'idle');
});

test('the controller: a refused form, a broken worker replaced at the next race', () => {
  const { lab, workers } = setUp();
  const problems = checkForm(form({ 'lab-batch': '0' }));
  lab.setForm(problems);
  assert.equal(lab.start(), false);
  assert.match(lab.store.get().message.text, /^Some settings are not valid\. Batch size must be a whole number from 1 to 1,024/);
  assert.equal(lab.store.get().twins.text, problems.problems);
  lab.setForm(checkForm(form()));
  lab.start();
  const original = console.error;
  console.error = () => {};
  try {
    workers[1].onerror({ message: 'boom', preventDefault() {} });
  } finally {
    console.error = original;
  }
  const s = lab.store.get();
  assert.equal(s.race.twins.residual.state, 'failed');
  assert.equal(s.race.twins.residual.error, 'ResNet-8: The worker failed: boom');
  assert.deepEqual(s.workers, { plain: true, residual: false });
  assert.equal(raceActive(s.race), true, 'the plain twin still runs');
  lab.start();
  assert.equal(workers.length, 3, 'a fresh worker for the residual twin');
  assert.equal(workers[1].terminated, true);
});
