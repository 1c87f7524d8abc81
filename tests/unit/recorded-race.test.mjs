// The recorded degradation race (www/features/lab/recorded.js) and the file the page ships,
// www/data/degradation-recorded.json: node --test tests/unit/recorded-race.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { RECORDED_URL, checkRecorded, recordedCaption, recordedFindings, recordedSeries, runName } from '../../www/features/lab/recorded.js';

const run = (name, depth, residual, losses, tests, extra = {}) => ({
  name,
  depth,
  residual,
  params: 100,
  diverged: false,
  seconds: 10,
  curve: losses.map((loss, i) => [(i + 1) / 2, loss, 0.5]),
  tests: tests.map((acc, i) => [i + 1, acc]),
  ...extra,
});
const RECORDED = {
  experiment: 'degradation',
  command: 'resnet-explorer lab degradation --depths 8,14 --epochs 2',
  date: '2026-12-01',
  machine: 'Some CPU, 2 cores, linux, CPU backend (no GPU)',
  seconds: 125,
  settings: {
    depths: [8, 14], width: 4, epochs: 2, batch_size: 32, lr: 0.05, momentum: 0.9, weight_decay: 1e-4, train_images: 6000, test_images: 1000,
    zero_gamma: false, seed: 0, backend: 'cpu',
  },
  // Out of order on purpose: the legend goes by depth, plain first.
  runs: [
    run('resnet-14', 14, true, [2.0, 1.5, 1.0, 0.8], [0.6, 0.7]),
    run('plain-8', 8, false, [2.0, 1.2, 0.9, 0.7], [0.6, 0.72]),
    run('resnet-8', 8, true, [2.0, 1.1, 0.8, 0.6], [0.65, 0.75]),
    run('plain-14', 14, false, [2.2, 2.0, NaN, 1.4], [0.3, 0.5]),
  ],
};

test('the series: one loss and one test-accuracy line per run, ordered, coloured by kind and depth', () => {
  const s = recordedSeries(checkRecorded(RECORDED));
  assert.deepEqual(s.loss.map((d) => d.label), ['plain-8', 'ResNet-8', 'plain-14', 'ResNet-14']);
  assert.deepEqual(s.acc.map((d) => d.label), ['plain-8', 'ResNet-8', 'plain-14', 'ResNet-14']);
  assert.equal(s.series, 4);
  assert.deepEqual(s.loss[0].data, [{ x: 0.5, y: 2.0 }, { x: 1, y: 1.2 }, { x: 1.5, y: 0.9 }, { x: 2, y: 0.7 }]);
  assert.equal(s.loss[2].data.length, 3, 'a NaN loss is left out');
  assert.deepEqual(s.acc[1].data, [{ x: 1, y: 0.65 }, { x: 2, y: 0.75 }]);
  assert.equal(s.points, 4 + 4 + 3 + 4 + 4 * 2);
  // Plain dashed, residual solid (as the live race); the deeper of each kind darker.
  assert.ok(s.loss[0].borderDash.length > 0 && s.loss[1].borderDash.length === 0);
  assert.equal(new Set(s.loss.map((d) => d.borderColor)).size, 4);
  assert.deepEqual(s.axis, { max: 2, stepSize: 0.2 });
  assert.equal(s.lossMax, undefined);
});

test('a diverging run is capped and named', () => {
  const wild = { ...RECORDED, runs: [run('plain-8', 8, false, [2.0, 9.5], [0.1], { diverged: true }), RECORDED.runs[2]] };
  const s = recordedSeries(checkRecorded(wild));
  assert.equal(s.lossMax, 4);
  assert.equal(s.loss[0].label, 'plain-8 (diverged)');
  assert.equal(s.loss[0].data[1].y, 4);
});

test('the findings and the caption: final losses per depth, the degradation, the command and settings', () => {
  const r = checkRecorded(RECORDED);
  const f = recordedFindings(r);
  assert.deepEqual(f.map((x) => [x.depth, x.residualLower]), [[8, true], [14, true]]);
  assert.equal(f[1].text, 'at 14 layers, plain 1.40 against ResNet 0.80 (test accuracy 50.0 % against 70.0 %)');
  const c = recordedCaption(r);
  assert.match(c.summary, /^Recorded natively/);
  assert.match(c.summary, /at 8 layers, plain 0.70 against ResNet 0.60/);
  assert.match(c.summary, /degradation problem/, 'plain-14 ends above plain-8');
  assert.equal(c.command, RECORDED.command);
  assert.match(c.settings, /^6,000 training and 1,000 test images, 2 epochs, width 4, batch 32, SGD lr 0.05/);
  assert.match(c.settings, /2026-12-01, Some CPU, 2 cores, linux, CPU backend \(no GPU\), 2 min for all 4 networks\.$/);
  const noDegradation = { ...RECORDED, runs: RECORDED.runs.filter((x) => x.depth === 8) };
  assert.doesNotMatch(recordedCaption(checkRecorded(noDegradation)).summary, /degradation/);
  assert.equal(runName(RECORDED.runs[0]), 'ResNet-14');
});

test('a file without runs, command or curves is refused with a sentence', () => {
  assert.throws(() => checkRecorded(null), /no data/);
  assert.throws(() => checkRecorded({ ...RECORDED, command: undefined }), /no command/);
  assert.throws(() => checkRecorded({ ...RECORDED, runs: [] }), /no runs/);
  assert.throws(() => checkRecorded({ ...RECORDED, runs: [{ ...RECORDED.runs[0], curve: undefined }] }), /no curve for resnet-14/);
});

test('the shipped recording: plain and residual at two depths, the residual twin ahead at the deeper one', () => {
  const text = readFileSync(RECORDED_URL, 'utf8');
  assert.ok(text.length < 16_000, `small: ${text.length} bytes`);
  const r = checkRecorded(JSON.parse(text));
  assert.match(r.command, /^resnet-explorer lab degradation /);
  assert.match(r.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.match(r.machine, /cores/);
  const depths = [...new Set(r.runs.map((x) => x.depth))];
  assert.equal(depths.length, 2, 'two depths');
  assert.deepEqual(r.runs.map((x) => [x.depth, x.residual]).sort(), depths.flatMap((d) => [[d, false], [d, true]]).sort());
  for (const x of r.runs) {
    assert.equal(x.tests.length, r.settings.epochs, `${x.name}: a test accuracy per epoch`);
    assert.ok(x.curve.length >= r.settings.epochs, `${x.name}: reports`);
  }
  const s = recordedSeries(r);
  assert.equal(s.series, 4);
  const deep = recordedFindings(r).at(-1);
  assert.ok(deep?.residualLower, `the residual twin ends lower at ${deep?.depth} layers: ${deep?.text}`);
});
