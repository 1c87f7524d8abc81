// @ts-check
// A live training chart in the style of d2l's Animator: epochs on the x axis and train loss,
// train accuracy and test accuracy on one shared y axis. Chart.js is served from node_modules
// (the import map in index.html maps 'chart.js' there), so the page works offline; tsc reads
// its types from node_modules too.

import { Chart, registerables } from 'chart.js';
import { lineOptions } from '../../dom/line-options.js';

Chart.register(...registerables);

// d2l's Animator formats: '-', 'm--', 'g-.'
const SERIES = [
  { key: 'train_loss', label: 'train loss', color: '#1f77b4', dash: [] },
  { key: 'train_acc', label: 'train acc', color: '#c026d3', dash: [7, 4] },
  { key: 'test_acc', label: 'test acc', color: '#15803d', dash: [9, 4, 2, 4] },
];

/**
 * @typedef {import('chart.js').ChartOptions<'line'>} LineOptions
 * @typedef {{epoch: number, train_loss: number, train_acc: number}} ReportEvent  `{type:'train', kind:'report'}`
 * @typedef {{epoch: number, test_acc: number}} EpochEvent  `{type:'train', kind:'epoch'}`
 * @typedef {{epoch: number, loss: number | null}} DivergedEvent  `{type:'diverged'}`; a NaN loss arrives as null
 * @typedef {object} TrainingChart
 * @property {(epochs: number) => void} reset  clears all series and sets the x axis to 0..epochs
 * @property {(event: ReportEvent) => void} addReport  running train loss and accuracy
 * @property {(event: EpochEvent) => void} addEpoch  test accuracy at the end of an epoch
 * @property {(event: DivergedEvent) => void} markDiverged  a red cross where the run stopped
 * @property {number} points  how many points are plotted
 * @property {() => void} resize
 */

/** d2l's Animator: whole epochs on x, loss and accuracies on one y axis from 0. @returns {LineOptions} */
function trainingOptions() {
  const options = lineOptions({ xTitle: 'epoch', yTitle: 'loss / accuracy' });
  const { x, y } = /** @type {{x: {ticks?: {stepSize: number}}, y: {suggestedMax?: number}}} */ (options.scales);
  x.ticks = { stepSize: 1 };
  y.suggestedMax = 1;
  options.plugins = {
    ...options.plugins,
    tooltip: {
      callbacks: {
        title: (items) => `epoch ${(items[0].parsed.x ?? NaN).toFixed(1)}`,
        label: (item) => `${item.dataset.label}: ${(item.parsed.y ?? NaN).toFixed(4)}`,
      },
    },
  };
  return options;
}

/** The chart's series, one dataset each. */
const datasets = () =>
  SERIES.map((s) => ({
    label: s.label,
    /** @type {{x: number, y: number}[]} */
    data: [],
    borderColor: s.color,
    backgroundColor: s.color,
    borderDash: s.dash,
    borderWidth: 2,
    pointRadius: s.key === 'test_acc' ? 4 : 2.5,
    clip: 8, // keep the points at the last epoch whole
    pointHoverRadius: 5,
    tension: 0,
  }));

/**
 * Creates the chart inside `container` (which must hold a <canvas>). The container's
 * `data-points` attribute always holds the total number of plotted points, and `data-diverged`
 * the epoch where a run diverged.
 * @param {HTMLElement} container
 * @returns {TrainingChart}
 */
export function createTrainingChart(container) {
  const canvas = /** @type {HTMLCanvasElement} */ (container.querySelector('canvas'));
  const chart = new Chart(canvas, { type: 'line', data: { datasets: datasets() }, options: trainingOptions() });
  /** The x axis's options, changed by reset. */
  const xAxis = () => /** @type {{max?: number, ticks: {stepSize?: number}}} */ (chart.options.scales?.x);

  let points = 0;
  const update = () => {
    container.dataset.points = String(points);
    chart.update('none');
  };
  const add = (/** @type {string} */ key, /** @type {number} */ x, /** @type {number} */ y) => {
    if (!Number.isFinite(y)) return;
    const series = chart.data.datasets[SERIES.findIndex((s) => s.key === key)];
    series.data.push({ x, y });
    points += 1;
  };

  return {
    reset(epochs) {
      chart.data.datasets.length = SERIES.length; // drops a divergence marker
      for (const series of chart.data.datasets) series.data = [];
      delete container.dataset.diverged;
      points = 0;
      xAxis().max = Math.max(1, epochs);
      // d2l's report points are fifths of an epoch: show them when there are few epochs.
      xAxis().ticks.stepSize = epochs <= 2 ? 0.2 : epochs > 20 ? Math.ceil(epochs / 10) : 1;
      update();
    },
    addReport(event) {
      add('train_loss', event.epoch, event.train_loss);
      add('train_acc', event.epoch, event.train_acc);
      // The loss can start above 1: let the axis grow with it.
      update();
    },
    // The loss itself may be far off the axis, so the cross sits at the top of the accuracy range.
    markDiverged(event) {
      chart.data.datasets.push({
        label: `diverged (loss ${Number.isFinite(event.loss) ? /** @type {number} */ (event.loss).toFixed(2) : 'NaN'})`,
        data: [{ x: event.epoch, y: 1 }],
        showLine: false,
        pointStyle: 'crossRot',
        pointRadius: 12,
        pointBorderWidth: 3,
        borderColor: '#dc2626',
        backgroundColor: '#dc2626',
      });
      container.dataset.diverged = String(event.epoch);
      update();
    },
    addEpoch(event) {
      add('test_acc', event.epoch, event.test_acc);
      update();
    },
    get points() {
      return points;
    },
    resize() {
      chart.resize();
    },
  };
}
