// @ts-check
// The options every live line chart of the page shares (the training chart's and the lab's), so
// the two features draw alike without importing each other.

/** @typedef {import('chart.js').ChartOptions<'line'>} LineOptions */

/**
 * Chart.js options for a live line chart over epochs (this chart's and the lab's): no animation,
 * pre-parsed points, a linear or logarithmic y axis. A dataset with `hideLegend: true` stays out
 * of the legend.
 * @param {{xTitle: string, yTitle: string, log?: boolean, xMax?: number, legend?: boolean}} options
 * @returns {LineOptions}
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
        labels: {
          boxWidth: 26,
          boxHeight: 2,
          filter: (item, data) => !(/** @type {{hideLegend?: boolean}} */ (data.datasets[item.datasetIndex ?? 0])).hideLegend,
        },
      },
    },
  };
}
