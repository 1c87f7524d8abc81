// @ts-check
// The recorded degradation race (www/data/degradation-recorded.json, written by the native
// `resnet-explorer lab degradation --json`): plain and residual twins at two depths, drawn as soon
// as the page opens, before any live race. Pure (no DOM, no Chart.js): the file checked, its
// chart series and its caption, unit-tested in tests/unit/recorded-race.test.mjs.

import { pct } from '../../core/format.js';
import { TWINS } from './race.js';
import { epochAxis } from './series.js';

/**
 * @typedef {import('./series.js').Dataset} Dataset
 * @typedef {{name: string, depth: number, residual: boolean, params: number, diverged: boolean,
 *   seconds: number, curve: [number, number, number][], tests: [number, number][]}} RecordedRun
 *   curve: [epoch, training loss, training accuracy] at every report; tests: [epoch, test accuracy]
 * @typedef {{depths: number[], width: number, epochs: number, batch_size: number, lr: number,
 *   momentum: number, weight_decay: number, train_images: number, test_images: number,
 *   zero_gamma: boolean, seed: number, backend: string}} RecordedSettings
 * @typedef {{experiment: string, command: string, date: string, machine: string, seconds: number,
 *   settings: RecordedSettings, runs: RecordedRun[]}} Recorded
 */

/** Where the page finds the recorded race. */
export const RECORDED_URL = new URL('../../data/degradation-recorded.json', import.meta.url);

// The CLI's colours (src/cli/lab.rs): plain warm, residual cool; the deeper, the darker.
const COLORS = { plain: ['#e8590c', '#a61e1e'], residual: ['#4dabf7', '#1c3d8f'] };
const LOSS_CAP = 4; // as the live race: a diverging run would squash the others

/** Checks the parsed file; throws a sentence saying what is missing. @param {any} json @returns {Recorded} */
export function checkRecorded(json) {
  const fail = (/** @type {string} */ what) => {
    throw new Error(`the recorded race has no ${what}`);
  };
  if (!json || typeof json !== 'object') fail('data');
  for (const key of ['command', 'date', 'machine']) if (typeof json[key] !== 'string') fail(key);
  if (!json.settings || typeof json.settings !== 'object') fail('settings');
  if (!Array.isArray(json.runs) || !json.runs.length) fail('runs');
  for (const run of json.runs) {
    if (typeof run.name !== 'string' || !Number.isFinite(run.depth) || typeof run.residual !== 'boolean') fail('name, depth or kind for a run');
    if (!Array.isArray(run.curve) || !Array.isArray(run.tests)) fail(`curve for ${run.name}`);
  }
  return /** @type {Recorded} */ (json);
}

/** "plain-20", "ResNet-56" (the live race's names). @param {RecordedRun} run */
export const runName = (run) => `${run.residual ? 'ResNet' : 'plain'}-${run.depth}`;

/** The run's line style: its twin's dash and point, the colour by kind and depth. @param {RecordedRun} run @param {number[]} depths */
function style(run, depths) {
  const twin = TWINS[run.residual ? 1 : 0];
  const deep = depths.length > 1 && run.depth === Math.max(...depths);
  const color = COLORS[twin.key][deep ? 1 : 0];
  return { twin: twin.key, borderColor: color, backgroundColor: color, borderDash: twin.dash, pointStyle: twin.point, tension: 0, clip: 8 };
}

/** Runs in the legend's order: by depth, plain before residual. @param {Recorded} r */
const ordered = (r) => [...r.runs].sort((a, b) => a.depth - b.depth || Number(a.residual) - Number(b.residual));

/**
 * The two charts' datasets: training loss at every report, test accuracy at every epoch end, one
 * line per run; and the counts the page's tests read.
 * @param {Recorded} r
 */
export function recordedSeries(r) {
  const depths = [...new Set(r.runs.map((run) => run.depth))];
  /** @type {Dataset[]} */
  const loss = [];
  /** @type {Dataset[]} */
  const acc = [];
  let points = 0;
  for (const run of ordered(r)) {
    const s = style(run, depths);
    const name = runName(run) + (run.diverged ? ' (diverged)' : '');
    const losses = run.curve.filter((p) => Number.isFinite(p[1])).map(([x, y]) => ({ x, y: Math.min(y, LOSS_CAP) }));
    const tests = run.tests.filter((p) => Number.isFinite(p[1])).map(([x, y]) => ({ x, y }));
    loss.push({ label: name, data: losses, ...s, borderWidth: 2.5, pointRadius: 0 });
    acc.push({ label: name, data: tests, ...s, borderWidth: 2, pointRadius: 4 });
    points += losses.length + tests.length;
  }
  const top = Math.max(0, ...r.runs.flatMap((run) => run.curve.map((p) => p[1]).filter(Number.isFinite)));
  return { loss, acc, axis: epochAxis(r.settings.epochs), lossMax: top > LOSS_CAP ? LOSS_CAP : undefined, series: loss.length, points };
}

/** The run's last report, or null. @param {RecordedRun | undefined} run */
const last = (run) => (run?.curve.length ? run.curve[run.curve.length - 1] : null);

/**
 * Per depth, both twins' final training loss and test accuracy, and whether the residual twin ends
 * lower: "at 56 layers: plain 1.24 against ResNet 0.77 (test 55.0 % against 69.9 %)".
 * @param {Recorded} r
 */
export function recordedFindings(r) {
  const depths = [...new Set(r.runs.map((run) => run.depth))].sort((a, b) => a - b);
  return depths.map((depth) => {
    const plain = r.runs.find((run) => run.depth === depth && !run.residual);
    const residual = r.runs.find((run) => run.depth === depth && run.residual);
    const [p, q] = [last(plain), last(residual)];
    const lossOf = (/** @type {number[] | null} */ x) => (x && Number.isFinite(x[1]) ? x[1].toFixed(2) : 'none');
    const testOf = (/** @type {RecordedRun | undefined} */ run) => (run?.tests.length ? pct(run.tests[run.tests.length - 1][1]) : 'none');
    const residualLower = Boolean(p && q && q[1] < p[1]);
    const text = `at ${depth} layers, plain ${lossOf(p)} against ResNet ${lossOf(q)} (test accuracy ${testOf(plain)} against ${testOf(residual)})`;
    return { depth, residualLower, text };
  });
}

/**
 * The caption's parts: what the chart shows and found, the command, and the settings, machine and date.
 * @param {Recorded} r
 */
export function recordedCaption(r) {
  const s = r.settings;
  const findings = recordedFindings(r);
  const plainLoss = (/** @type {number} */ depth) => last(r.runs.find((run) => run.depth === depth && !run.residual))?.[1];
  const [shallow, deep] = [findings[0]?.depth, findings[findings.length - 1]?.depth];
  const degraded = findings.length > 1 && (plainLoss(deep) ?? 0) > (plainLoss(shallow) ?? Infinity);
  const summary =
    `Recorded natively, before you opened this page: final training loss ${findings.map((f) => f.text).join('; ')}.` +
    (degraded ? ` The deeper plain network trains worse than the shallower one (the degradation problem); its residual twin does not suffer as much.` : '') +
    ' The training loss is the running average since the start of each epoch (d2l\u2019s), hence the steps at epoch ends.';
  const minutes = Math.max(1, Math.round(r.seconds / 60));
  const settings =
    `${s.train_images.toLocaleString('en-US')} training and ${s.test_images.toLocaleString('en-US')} test images, ${s.epochs} epochs, width ${s.width}, ` +
    `batch ${s.batch_size}, SGD lr ${s.lr}, momentum ${s.momentum}, weight decay ${s.weight_decay}, seed ${s.seed}` +
    `${s.zero_gamma ? ', zero-\u03b3' : ''}; ${r.date}, ${r.machine}, ${minutes} min for all ${r.runs.length} networks.`;
  return { summary, command: r.command, settings };
}
