// A live training chart in the style of d2l's Animator: epochs on the x axis and train loss,
// train accuracy and test accuracy on one shared y axis. Chart.js is served from node_modules
// (see the import map in index.html), so the page works offline.

import { Chart, registerables } from 'chart.js';

Chart.register(...registerables);

// d2l's Animator formats: '-', 'm--', 'g-.'
const SERIES = [
  { key: 'train_loss', label: 'train loss', color: '#1f77b4', dash: [] },
  { key: 'train_acc', label: 'train acc', color: '#c026d3', dash: [7, 4] },
  { key: 'test_acc', label: 'test acc', color: '#15803d', dash: [9, 4, 2, 4] },
];

/**
 * Chart.js options for a live line chart over epochs (this chart's and the lab's): no animation,
 * pre-parsed points, a linear or logarithmic y axis.
 */
export function lineOptions({ xTitle, yTitle, log = false, xMax = 1, legend = true }) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    scales: {
      x: { type: 'linear', min: 0, max: xMax, title: { display: true, text: xTitle } },
      y: log
        ? { type: 'logarithmic', title: { display: true, text: yTitle } }
        : { type: 'linear', beginAtZero: true, title: { display: true, text: yTitle } },
    },
    plugins: {
      legend: {
        display: legend,
        position: 'top',
        labels: { boxWidth: 26, boxHeight: 2, filter: (item, data) => !data.datasets[item.datasetIndex].hideLegend },
      },
    },
  };
}

/** d2l's Animator: whole epochs on x, loss and accuracies on one y axis from 0. */
function trainingOptions() {
  const options = lineOptions({ xTitle: 'epoch', yTitle: 'loss / accuracy' });
  options.scales.x.ticks = { stepSize: 1 };
  options.scales.y.suggestedMax = 1;
  options.plugins.tooltip = {
    callbacks: {
      title: (items) => `epoch ${items[0].parsed.x.toFixed(1)}`,
      label: (item) => `${item.dataset.label}: ${item.parsed.y.toFixed(4)}`,
    },
  };
  return options;
}

/**
 * Creates the chart inside `container` (which must hold a <canvas>). The container's
 * `data-points` attribute always holds the total number of plotted points.
 */
export function createTrainingChart(container) {
  const canvas = container.querySelector('canvas');
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: SERIES.map((s) => ({
        label: s.label,
        data: [],
        borderColor: s.color,
        backgroundColor: s.color,
        borderDash: s.dash,
        borderWidth: 2,
        pointRadius: s.key === 'test_acc' ? 4 : 2.5,
        clip: 8, // keep the points at the last epoch whole
        pointHoverRadius: 5,
        tension: 0,
      })),
    },
    options: trainingOptions(),
  });

  let points = 0;
  const update = () => {
    container.dataset.points = String(points);
    chart.update('none');
  };
  const add = (key, x, y) => {
    if (!Number.isFinite(y)) return;
    const series = chart.data.datasets[SERIES.findIndex((s) => s.key === key)];
    series.data.push({ x, y });
    points += 1;
  };

  return {
    /** Clears all series and sets the x axis to 0..epochs. */
    reset(epochs) {
      chart.data.datasets.length = SERIES.length; // drops a divergence marker
      for (const series of chart.data.datasets) series.data = [];
      delete container.dataset.diverged;
      points = 0;
      chart.options.scales.x.max = Math.max(1, epochs);
      // d2l's report points are fifths of an epoch: show them when there are few epochs.
      chart.options.scales.x.ticks.stepSize = epochs <= 2 ? 0.2 : epochs > 20 ? Math.ceil(epochs / 10) : 1;
      update();
    },
    /** A `{type:'train', kind:'report'}` event: running train loss and accuracy. */
    addReport(event) {
      add('train_loss', event.epoch, event.train_loss);
      add('train_acc', event.epoch, event.train_acc);
      // The loss can start above 1: let the axis grow with it.
      update();
    },
    /** A `{type:'diverged'}` event: a red cross where the run stopped (the loss itself may be
     * far off the axis, so the cross sits at the top of the accuracy range). */
    markDiverged(event) {
      chart.data.datasets.push({
        // A NaN loss arrives as null (JSON has no NaN).
        label: `diverged (loss ${Number.isFinite(event.loss) ? event.loss.toFixed(2) : 'NaN'})`,
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
    /** A `{type:'train', kind:'epoch'}` event: test accuracy at the end of the epoch. */
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
