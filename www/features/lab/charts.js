// @ts-check
// The lab's five charts (Chart.js): created once, then each redrawn from the plain series of
// ./series.js; and the recorded race's two (./recorded.js), drawn once. The containers' data-
// attributes carry the counts the e2e test reads.

import { Chart, registerables } from 'chart.js';
import { lineOptions } from '../../dom/line-options.js';
import { pct } from '../../core/format.js';
import { DEFAULT_DEPTH } from './race.js';

Chart.register(...registerables);

/**
 * @typedef {import('./series.js').Dataset} Dataset
 * @typedef {ReturnType<typeof import('./series.js').curveSeries>} Curves
 * @typedef {ReturnType<typeof import('./series.js').gradientSeries>} Gradients
 * @typedef {ReturnType<typeof import('./series.js').magnitudeSeries>} Magnitudes
 * @typedef {ReturnType<typeof import('./series.js').lesionSeries>} Lesions
 * @typedef {{loss: HTMLElement, acc: HTMLElement, gradients: HTMLElement, magnitudes: HTMLElement,
 *   lesions: HTMLElement}} ChartElements  each holds a <canvas>
 */

/**
 * Draws the `reference` value of a dataset as a horizontal line across the whole plot (the
 * unlesioned accuracy, chance), in the dataset's colour and dash; the dataset itself has no data
 * and only shows in the legend.
 */
const referenceLines = {
  id: 'labReferenceLines',
  afterDatasetsDraw(/** @type {any} */ chart) {
    const { ctx, chartArea, scales } = chart;
    chart.data.datasets.forEach((/** @type {any} */ ds, /** @type {number} */ i) => {
      if (!Number.isFinite(ds.reference) || !chart.isDatasetVisible(i)) return;
      const y = scales.y.getPixelForValue(ds.reference);
      ctx.save();
      ctx.strokeStyle = ds.borderColor;
      ctx.lineWidth = ds.borderWidth ?? 2;
      ctx.setLineDash(ds.borderDash ?? []);
      ctx.beginPath();
      ctx.moveTo(chartArea.left, y);
      ctx.lineTo(chartArea.right, y);
      ctx.stroke();
      ctx.restore();
    });
  },
};

/** A line chart in `el`'s canvas. @param {HTMLElement} el @param {any} options @returns {any} */
const lineChart = (el, options) => new Chart(/** @type {HTMLCanvasElement} */ (el.querySelector('canvas')), { type: 'line', data: { datasets: [] }, options });

/** @param {HTMLElement} el @returns {any} */
function lesionChart(el) {
  const label = (/** @type {any} */ item) =>
    item.dataset.unremovable ? 'cannot be removed: the block changes the shape' : `${item.dataset.label}: ${pct(item.parsed.y)}`;
  return new Chart(/** @type {HTMLCanvasElement} */ (el.querySelector('canvas')), {
    type: 'bar',
    plugins: [referenceLines],
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'block removed' } },
        y: { min: 0, max: 1, title: { display: true, text: 'test accuracy' } },
      },
      plugins: {
        legend: { position: 'top', labels: { boxWidth: 26, boxHeight: 8 } },
        tooltip: { callbacks: { label } },
      },
    },
  });
}

/** Sets an x axis to 0..max with its tick step. @param {any} axis @param {{max: number, stepSize: number}} a */
const setAxis = (axis, a) => {
  axis.max = a.max;
  axis.ticks = { stepSize: a.stepSize };
};

/** @param {ChartElements} el */
export function createCharts(el) {
  const loss = lineChart(el.loss, lineOptions({ xTitle: 'epoch', yTitle: 'training loss' }));
  const acc = lineChart(el.acc, lineOptions({ xTitle: 'epoch', yTitle: 'training and test accuracy' }));
  acc.options.scales.y.max = 1;
  const gradients = lineChart(el.gradients, lineOptions({ xTitle: 'depth of the conv (weighted layers from the input)', yTitle: '||dL/dW|| (log scale)', log: true, xMax: DEFAULT_DEPTH }));
  gradients.options.scales.x.min = 1;
  gradients.options.plugins.tooltip = {
    callbacks: { label: (/** @type {any} */ item) => `${item.dataset.label}: ${item.raw.label} ${item.parsed.y.toExponential(2)}` },
  };
  const magnitudes = lineChart(el.magnitudes, lineOptions({ xTitle: 'epoch', yTitle: '||F(x)|| / ||x||' }));
  magnitudes.options.plugins.tooltip = { callbacks: { label: (/** @type {any} */ item) => `${item.dataset.label}: ${item.parsed.y.toFixed(3)}` } };
  const lesions = lesionChart(el.lesions);

  return {
    /** @param {Curves} c */
    curves(c) {
      loss.data.datasets = c.loss;
      acc.data.datasets = c.acc;
      setAxis(loss.options.scales.x, c.axis);
      setAxis(acc.options.scales.x, c.axis);
      loss.options.scales.y.max = c.lossMax;
      loss.update('none');
      acc.update('none');
      for (const [box, counts] of /** @type {const} */ ([[el.loss, c.lossPoints], [el.acc, c.accPoints]])) {
        box.dataset.plainPoints = String(counts.plain);
        box.dataset.residualPoints = String(counts.residual);
      }
      if (c.diverged) el.loss.dataset.diverged = c.diverged;
      else delete el.loss.dataset.diverged;
    },
    /** @param {Gradients} g */
    gradients(g) {
      gradients.data.datasets = g.datasets;
      gradients.options.scales.x.max = g.xMax;
      gradients.update('none');
      el.gradients.dataset.plainPoints = String(g.points.plain);
      el.gradients.dataset.residualPoints = String(g.points.residual);
      el.gradients.dataset.series = String(g.series);
    },
    /** @param {Magnitudes} m */
    magnitudes(m) {
      magnitudes.data.datasets = m.datasets;
      setAxis(magnitudes.options.scales.x, m.axis);
      magnitudes.update('none');
      el.magnitudes.dataset.points = String(m.points);
    },
    /** @param {Lesions} l @param {string} state  idle, loading, done or error */
    lesions(l, state) {
      lesions.data.labels = l.labels;
      lesions.data.datasets = l.datasets;
      lesions.update('none');
      el.lesions.dataset.state = state;
      el.lesions.dataset.bars = String(l.bars);
      el.lesions.dataset.plainBars = String(l.barsOf.plain ?? 0);
      el.lesions.dataset.residualBars = String(l.barsOf.residual ?? 0);
      el.lesions.dataset.unremovable = String(l.unremovable);
    },
  };
}

/**
 * The recorded race's two charts (training loss by report, test accuracy by epoch end), drawn once
 * from ./recorded.js's series; the container gets data-state="drawn" and the counts.
 * @param {{root: HTMLElement, loss: HTMLElement, acc: HTMLElement}} el
 * @param {ReturnType<typeof import('./recorded.js').recordedSeries>} s
 */
export function drawRecorded(el, s) {
  const loss = lineChart(el.loss, lineOptions({ xTitle: 'epoch', yTitle: 'training loss' }));
  const acc = lineChart(el.acc, lineOptions({ xTitle: 'epoch', yTitle: 'test accuracy' }));
  loss.data.datasets = s.loss;
  acc.data.datasets = s.acc;
  setAxis(loss.options.scales.x, s.axis);
  setAxis(acc.options.scales.x, s.axis);
  loss.options.scales.y.max = s.lossMax;
  acc.options.scales.y.max = 1;
  loss.update('none');
  acc.update('none');
  el.root.dataset.series = String(s.series);
  el.root.dataset.points = String(s.points);
  el.root.dataset.state = 'drawn';
}
