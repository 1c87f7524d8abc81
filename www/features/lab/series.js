// @ts-check
// The lab's chart series from race data: training curves (the race before, faded), gradient
// norms by depth, residual magnitudes, lesion bars, each with the note under its chart and the
// counts the page and its tests read. Plain objects in Chart.js's dataset shape; pure (no DOM,
// no Chart.js), unit-tested in tests/unit/lab.test.mjs.

import { pct } from '../../core/format.js';
import { TWINS, raceActive, twinName } from './race.js';

/**
 * @typedef {import('./race.js').Race} Race
 * @typedef {import('./race.js').TwinRun} TwinRun
 * @typedef {import('./race.js').Twin} Twin
 * @typedef {import('./race.js').TwinKey} TwinKey
 * @typedef {import('./race.js').Probe} Probe
 * @typedef {{x: number, y: number | null, label?: string}} Point
 * @typedef {Record<string, any> & {label: string, data: any[], twin?: TwinKey}} Dataset
 * @typedef {{accuracy: number, blocks: {label: string, accuracy: number | null}[]}} LesionResult
 *   Rust's lesions: the intact accuracy and each block's (null: it cannot be removed)
 * @typedef {{key: TwinKey, name: string, result: LesionResult}} TwinLesions
 */

const LOSS_CAP = 4; // a loss far above ln 10 (a diverging twin) would squash the other curve
const twinOf = (/** @type {TwinKey} */ key) => /** @type {Twin} */ (TWINS.find((t) => t.key === key));
const finite = (/** @type {unknown} */ y) => Number.isFinite(y);
const sum = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0);

/**
 * A line of one twin in its colour, dash and point style.
 * @param {Twin} twin @param {string} label @param {Point[]} data
 * @param {{faded?: boolean, points?: boolean}} [style]  faded: the race before; points: markers only
 * @returns {Dataset}
 */
export function twinLine(twin, label, data, { faded = false, points = false } = {}) {
  return {
    label,
    twin: twin.key,
    data,
    borderColor: faded ? twin.fade : twin.color,
    backgroundColor: faded ? twin.fade : twin.color,
    borderDash: twin.dash,
    borderWidth: faded ? 1.5 : 2.5,
    pointRadius: points ? 5 : faded ? 0 : 2,
    pointStyle: twin.point,
    showLine: !points,
    tension: 0,
    clip: 8,
  };
}

/** The x axis of 0..epochs (d2l's reports are fifths of an epoch). */
export const epochAxis = (/** @type {number} */ epochs) => ({ max: Math.max(1, epochs), stepSize: epochs <= 2 ? 0.2 : epochs > 20 ? Math.ceil(epochs / 10) : 1 });

const zeroTag = (/** @type {Race} */ race, /** @type {Twin} */ twin) => race.settings.zeroGamma && twin.key === 'residual';

/**
 * The loss and accuracy charts: the race before (faded, its loss and train accuracy), then each
 * twin's loss, train accuracy and test accuracy (markers), and a cross where a twin diverged.
 * @param {Race} race @param {Race | null} previous
 */
export function curveSeries(race, previous) {
  /** @type {Dataset[]} */
  const loss = [];
  /** @type {Dataset[]} */
  const acc = [];
  for (const twin of previous ? TWINS : []) {
    const t = /** @type {Race} */ (previous).twins[twin.key];
    const tag = `${t.name}${zeroTag(/** @type {Race} */ (previous), twin) ? ', zero-\u03b3' : ''}, earlier race`;
    const losses = t.curve.filter((p) => finite(p.loss)).map((p) => ({ x: p.x, y: p.loss }));
    if (!losses.length) continue;
    loss.push({ ...twinLine(twin, tag, losses, { faded: true }), previous: true });
    acc.push({ ...twinLine(twin, tag, t.curve.filter((p) => finite(p.acc)).map((p) => ({ x: p.x, y: p.acc })), { faded: true }), previous: true });
  }
  /** @type {Record<string, number>} */
  const lossPoints = {};
  /** @type {Record<string, number>} */
  const accPoints = {};
  for (const twin of TWINS) {
    const t = race.twins[twin.key];
    const name = `${twinName(twin, race.settings.depth)}${zeroTag(race, twin) ? ' (zero-\u03b3)' : ''}`;
    const losses = t.curve.filter((p) => finite(p.loss)).map((p) => ({ x: p.x, y: p.loss }));
    const train = t.curve.filter((p) => finite(p.acc)).map((p) => ({ x: p.x, y: p.acc }));
    loss.push(twinLine(twin, name, losses));
    acc.push(twinLine(twin, `${name}, train`, train), twinLine(twin, `${name}, test`, t.tests, { points: true }));
    lossPoints[twin.key] = losses.length;
    accPoints[twin.key] = train.length + t.tests.length;
  }
  for (const twin of TWINS) {
    const d = race.twins[twin.key].diverged;
    if (!d) continue;
    const value = finite(d.loss) ? /** @type {number} */ (d.loss) : null;
    loss.push({
      label: `${race.twins[twin.key].name} diverged (loss ${value === null ? 'NaN' : value.toFixed(1)})`,
      data: [{ x: d.epoch, y: Math.min(LOSS_CAP, value ?? LOSS_CAP) }],
      showLine: false,
      pointStyle: 'crossRot',
      pointRadius: 12,
      pointBorderWidth: 3,
      borderColor: twin.color,
      backgroundColor: twin.color,
    });
  }
  const top = Math.max(...loss.flatMap((ds) => ds.data.map((/** @type {Point} */ p) => p.y ?? 0)));
  const diverged = TWINS.find((twin) => race.twins[twin.key].diverged)?.key ?? null;
  const epochs = Math.max(race.settings.epochs, previous ? previous.settings.epochs : 0);
  return { loss, acc, lossMax: top > LOSS_CAP ? LOSS_CAP : undefined, axis: epochAxis(epochs), lossPoints, accPoints, diverged, earlier: loss.filter((ds) => ds.previous).length };
}

/** A probe's ||dL/dW|| by depth; a norm of exactly 0 has no place on a log scale (null). */
export const gradientPoints = (/** @type {Probe} */ probe) =>
  [...probe.gradients].sort((a, b) => a.depth - b.depth).map((g) => ({ x: g.depth, y: g.norm > 0 ? g.norm : null, label: g.label }));

/** ||dL/dW|| of the first and the last conv by depth in a twin's latest probe, or null. @param {TwinRun} t */
export function gradientEnds(t) {
  const last = t.probes[t.probes.length - 1];
  if (!last?.gradients?.length) return null;
  const sorted = [...last.gradients].sort((a, b) => a.depth - b.depth);
  return [sorted[0].norm, sorted[sorted.length - 1].norm];
}

/** The note on one twin's gradients: first and last conv, the exact zeros. @param {TwinRun} t */
export function gradientNote(t) {
  const first = t.probes[0];
  const last = t.probes[t.probes.length - 1];
  const sorted = [...last.gradients].sort((a, b) => a.depth - b.depth);
  const zero = sorted.filter((g) => !(g.norm > 0)).length;
  const [firstNorm, lastNorm] = gradientEnds(t) ?? [0, 0];
  let note = `${t.name}: ||dL/dW|| of the first conv ${firstNorm.toExponential(1)}, of the last ${lastNorm.toExponential(1)}`;
  if (firstNorm > 0 && lastNorm > 0) note += ` (ratio ${(firstNorm / lastNorm).toPrecision(2)})`;
  if (zero) note += `; ${zero} conv${zero === 1 ? ' has' : 's have'} a gradient of exactly 0, not drawn on the log scale`;
  const zeroAtInit = first.gradients.filter((g) => !(g.norm > 0)).length;
  if (zeroAtInit && first !== last) note += `; before training ${zeroAtInit} of ${first.gradients.length} had a gradient of exactly 0 (not drawn)`;
  if (zero || zeroAtInit) note += ' (zero-\u03b3: a branch scaled by \u03b3 = 0 passes no gradient to its convs until \u03b3 moves away from 0)';
  return note + '.';
}

/**
 * The gradient chart: per twin its latest probe and, faded, the one before training.
 * @param {Race} race
 */
export function gradientSeries(race) {
  /** @type {Dataset[]} */
  const datasets = [];
  const notes = [];
  /** @type {Record<string, number>} */
  const points = {};
  let series = 0;
  for (const twin of TWINS) {
    const t = race.twins[twin.key];
    points[twin.key] = 0;
    if (t.probeError) notes.push(`${t.name}: the gradients could not be measured: ${t.probeError}`);
    if (!t.probes.length) continue;
    const first = t.probes[0];
    const last = t.probes[t.probes.length - 1];
    if (t.probes.length > 1) datasets.push({ ...twinLine(twin, `${t.name}, before training`, gradientPoints(first), { faded: true }), pointRadius: 1.5 });
    const latest = gradientPoints(last);
    datasets.push({ ...twinLine(twin, `${t.name}, epoch ${last.epoch.toFixed(1)}`, latest), latest: true });
    points[twin.key] = latest.filter((p) => p.y !== null && p.y > 0).length;
    series += 1;
    notes.push(gradientNote(t));
  }
  const note = series
    ? notes.join(' ') + ' Probe batch: the first 64 test images, the same at every report.'
    : notes.join(' ') || 'The first probe comes before the first batch.';
  return { datasets, note, points, series, xMax: race.settings.depth - 1 };
}

/**
 * ||F(x)||/||x|| of every block of the residual twin by epoch: a thin line per block (lighter:
 * earlier), the mean bold.
 * @param {Race} race
 */
export function magnitudeSeries(race) {
  const t = race.twins.residual;
  const axis = epochAxis(race.settings.epochs);
  if (!t.probes.length) return { datasets: [], note: '', points: 0, axis };
  const labels = t.probes[0].magnitudes.map((m) => m.label);
  /** @type {Dataset[]} */
  const datasets = labels.map((label, i) => {
    const shade = labels.length > 1 ? i / (labels.length - 1) : 0;
    const color = `hsl(${210 + 20 * shade}, 70%, ${72 - 40 * shade}%)`;
    const data = t.probes.map((p) => ({ x: p.epoch, y: p.magnitudes[i]?.ratio })).filter((p) => finite(p.y));
    return { label, data, borderColor: color, backgroundColor: color, borderWidth: 1, pointRadius: 0, tension: 0, hideLegend: true };
  });
  const mean = t.probes.map((p) => {
    const values = p.magnitudes.map((m) => m.ratio).filter(finite);
    return { x: p.epoch, y: sum(values) / Math.max(1, values.length) };
  });
  const label = `mean of the ${labels.length} blocks (lighter: earlier blocks)`;
  datasets.push({ label, data: mean, borderColor: '#0b2e6b', backgroundColor: '#0b2e6b', borderWidth: 3, pointRadius: 2, tension: 0 });
  const last = t.probes[t.probes.length - 1];
  const ratios = last.magnitudes.map((m) => m.ratio).filter(finite);
  let note = '';
  if (ratios.length) {
    const below = ratios.filter((r) => r < 1).length;
    const range = `from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)} (mean ${mean[mean.length - 1].y.toFixed(2)})`;
    note = `${t.name} at epoch ${last.epoch.toFixed(1)}: ||F(x)||/||x|| ${range}; ${below} of ${ratios.length} blocks change their input by less than its own size.`;
  }
  return { datasets, note, points: mean.length, axis };
}

/** A horizontal reference line (drawn by the chart's plugin; the dataset shows in the legend). */
const reference = (/** @type {string} */ label, /** @type {number} */ value, /** @type {string} */ color, /** @type {number[]} */ dash, width = 2) => ({
  type: 'line',
  label,
  reference: value,
  data: [],
  borderColor: color,
  backgroundColor: color,
  borderDash: dash,
  borderWidth: width,
});

/**
 * The lesion chart: per twin a bar for each removable block, its intact accuracy and chance as
 * lines, and a cross under the blocks that no twin could remove.
 * @param {TwinLesions[]} results
 */
export function lesionSeries(results) {
  if (!results.length) return { labels: [], datasets: [], bars: 0, barsOf: {}, unremovable: 0, note: 'No block could be removed.' };
  const labels = results[0]?.result.blocks.map((b) => b.label) ?? [];
  /** @type {Dataset[]} */
  const bars = [];
  /** @type {Dataset[]} */
  const references = [];
  const summary = [];
  /** @type {Record<string, number>} */
  const barsOf = {};
  for (const { key, name, result } of results) {
    const twin = twinOf(key);
    const accs = result.blocks.map((b) => (b.accuracy == null ? null : b.accuracy));
    bars.push({ type: 'bar', label: `${name} with the block removed`, twin: key, lesion: true, data: accs, backgroundColor: twin.bar, borderColor: twin.color, borderWidth: 1 });
    references.push(reference(`${name} unlesioned: ${pct(result.accuracy)}`, result.accuracy, twin.color, twin.dash));
    const removable = /** @type {number[]} */ (accs.filter((a) => a != null));
    barsOf[key] = removable.length;
    if (removable.length) {
      const mean = sum(removable) / removable.length;
      summary.push(`${name}: ${pct(result.accuracy)} intact; removing one block leaves ${pct(mean)} on average (worst ${pct(Math.min(...removable))})`);
    }
  }
  const datasets = [...bars, ...references, reference('chance (10 %)', 0.1, '#9aa3ae', [2, 3], 1)];
  const fixed = labels.filter((_, i) => results.every(({ result }) => result.blocks[i].accuracy == null));
  if (fixed.length) {
    datasets.push({
      type: 'line',
      label: '\u2715 cannot be removed (the block halves the size and doubles the channels)',
      unremovable: true,
      data: labels.map((l) => (fixed.includes(l) ? 0.03 : null)),
      showLine: false,
      pointStyle: 'crossRot',
      pointRadius: 9,
      pointBorderWidth: 3,
      borderColor: '#444',
      backgroundColor: '#444',
    });
  }
  return {
    labels: labels.map((l) => (fixed.includes(l) ? `${l} \u2715` : l)),
    datasets,
    bars: sum(Object.values(barsOf)),
    barsOf,
    unremovable: fixed.length,
    note: summary.length ? summary.join('. ') + '.' : 'No block could be removed.',
  };
}

/**
 * Both twins' training loss at the latest report both have made (null before), and whether the
 * residual twin's is the lower: the race has separated.
 * @param {Race} race
 */
export function latestCommon(race) {
  const losses = (/** @type {TwinRun} */ t) => new Map(t.curve.filter((p) => finite(p.loss)).map((p) => [p.x, p.loss]));
  const [plain, residual] = [losses(race.twins.plain), losses(race.twins.residual)];
  const common = [...plain.keys()].filter((x) => residual.has(x));
  if (!common.length) return null;
  const x = Math.max(...common);
  const [p, r] = [/** @type {number} */ (plain.get(x)), /** @type {number} */ (residual.get(x))];
  return { epoch: x, plain: p, residual: r, residualBelow: r < p };
}

/**
 * The race as plain numbers, for the page's tests (`window.resnetLab.snapshot()`).
 * @param {{race: Race | null, previous: Race | null, ready: boolean, workers: Record<TwinKey, boolean>,
 *   lesions: {state: string, results: TwinLesions[]}}} s
 */
export function snapshotOf(s) {
  const { race } = s;
  const curves = race ? curveSeries(race, s.previous) : null;
  const gradients = race ? gradientSeries(race) : null;
  const lesions = lesionSeries(s.lesions.results);
  /** @type {Record<string, object | null>} */
  const twins = {};
  for (const twin of TWINS) {
    const t = race?.twins[twin.key];
    twins[twin.key] = t
      ? {
          name: t.name,
          state: t.state,
          params: t.params,
          batch: t.batch,
          total: t.total,
          error: t.error,
          diverged: Boolean(t.diverged),
          probes: t.probes.length,
          lossPoints: curves?.lossPoints[twin.key] ?? 0,
          accPoints: curves?.accPoints[twin.key] ?? 0,
          gradientPoints: gradients?.points[twin.key] ?? 0,
          // ||dL/dW|| of the first and the last conv in the latest probe: what the note's ratio says.
          gradientEnds: gradientEnds(t),
          lesionBars: lesions.barsOf[twin.key] ?? 0,
        }
      : null;
  }
  return {
    state: raceActive(race) ? 'running' : race ? 'done' : 'idle',
    lesioning: s.lesions.state === 'loading',
    ready: s.ready,
    gradientSeries: gradients?.series ?? 0,
    earlierSeries: curves?.earlier ?? 0,
    magnitudePoints: race ? magnitudeSeries(race).points : 0,
    lesionBlocks: lesions.labels.length,
    latest: race ? latestCommon(race) : null,
    unremovable: lesions.unremovable,
    workers: { ...s.workers },
    twins,
  };
}
