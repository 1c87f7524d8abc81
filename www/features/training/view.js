// @ts-check
// The training panel: status, progress bars, live figures, the log, the error box, the backend
// line and the offer to resume a saved run. Renders what it is given; no state of its own.

import { adapterName, cpuBackendLine, measureSentence } from '../../core/backend.js';
import { MB, pct } from '../../core/format.js';
import { formatSpeed } from '../../core/speed.js';
import { $ } from '../../dom/elements.js';

/** The live figures under the status line: their ids and names. */
const STATS = [
  ['stat-speed', 'Examples / sec'],
  ['stat-loss', 'Train loss'],
  ['stat-train-acc', 'Train acc'],
  ['stat-test-acc', 'Test acc'],
];

/** The panel's elements (the figures' <dl> filled first). */
function trainingElements() {
  $('stats').replaceChildren(
    ...STATS.map(([id, name]) => {
      const item = document.createElement('div');
      item.append(Object.assign(document.createElement('dt'), { textContent: name }), Object.assign(document.createElement('dd'), { id, textContent: '\u2013' }));
      return item;
    }),
  );
  return {
    start: $('start'),
    pause: $('pause'),
    stop: $('stop'),
    status: $('status'),
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
    speed: $('stat-speed'),
    loss: $('stat-loss'),
    trainAcc: $('stat-train-acc'),
    testAcc: $('stat-test-acc'),
    log: $('log'),
    chartCaption: $('chart-caption'),
  };
}

/** @typedef {ReturnType<typeof trainingElements>} TrainingElements */

export function trainingView() {
  const ui = trainingElements();
  return { ui, ...runControls(ui), ...figures(ui), ...dataAndBackend(ui) };
}

/** The buttons, the status line, the error box, the log and the resume offer. @param {TrainingElements} ui */
function runControls(ui) {
  return {
    /** The buttons and the status line for a run state. */
    showState(/** @type {string} */ state, /** @type {{active: boolean, ready: boolean, pauseRequested: boolean, text: string}} */ s) {
      document.body.dataset.state = state;
      ui.status.dataset.state = state;
      ui.status.textContent = s.text;
      ui.start.disabled = !s.ready;
      ui.start.textContent = s.active ? 'Restart' : 'Start';
      ui.pause.disabled = !s.active;
      ui.stop.disabled = !s.active;
      ui.pause.textContent = s.pauseRequested ? 'Resume' : 'Pause';
      ui.pause.setAttribute('aria-pressed', String(s.pauseRequested));
    },
    showError(/** @type {string} */ message) {
      ui.errorMessage.textContent = message;
      ui.errorBox.hidden = false;
      console.error('[ResNet Explorer]', message);
    },
    /** A new run: empty figures, log and error box. */
    reset(/** @type {string} */ caption, /** @type {boolean} */ fresh) {
      ui.errorBox.hidden = true;
      ui.errorMessage.textContent = '';
      ui.trainProgress.value = 0;
      ui.trainProgress.max = 1;
      ui.trainLabel.textContent = '\u2013';
      for (const el of [ui.speed, ui.loss, ui.trainAcc, ui.testAcc]) el.textContent = '\u2013';
      ui.log.textContent = '';
      ui.log.hidden = true;
      ui.chartCaption.textContent = caption;
      ui.chartCaption.dataset.fresh = String(fresh);
    },
    appendLog(/** @type {string} */ line) {
      ui.log.hidden = false;
      ui.log.textContent += line + '\n';
    },
    /** Shows (or, with null, hides) the offer to resume the unfinished run saved in this browser. */
    showResumable(/** @type {{done: number, epochs: number} | null} */ saved, /** @type {boolean} */ disabled) {
      ui.resumeBox.hidden = !saved;
      if (saved) ui.resumeMessage.textContent = `An unfinished run is saved in this browser: ${saved.done} of ${saved.epochs} epochs done.`;
      ui.resumeRun.disabled = disabled;
    },
  };
}

/** The progress bar and the live figures of a run. @param {TrainingElements} ui */
function figures(ui) {
  return {
    showSpeed(/** @type {number | null} */ value) {
      if (value !== null && Number.isFinite(value)) ui.speed.textContent = formatSpeed(value);
    },
    showStep(/** @type {{batch: number, total: number}} */ e) {
      ui.trainProgress.max = e.total;
      ui.trainProgress.value = e.batch;
      ui.trainLabel.textContent = `${e.batch} / ${e.total}`;
    },
    showTrain(/** @type {any} */ e) {
      ui.loss.textContent = e.train_loss.toFixed(4);
      ui.trainAcc.textContent = pct(e.train_acc);
      if (e.kind === 'epoch') ui.testAcc.textContent = pct(e.test_acc);
    },
  };
}

/** The data line (download progress, then the image counts) and the backend line. @param {TrainingElements} ui */
function dataAndBackend(ui) {
  return {
    /** @param {{loaded: number, total: number, known: boolean}} p */
    showDataProgress(p) {
      if (p.known) {
        ui.dataProgress.max = p.total;
        ui.dataProgress.value = p.loaded;
        ui.dataLabel.textContent = `${MB(p.loaded)} / ${MB(p.total)} MB`;
      } else {
        ui.dataProgress.removeAttribute('value'); // indeterminate
        ui.dataLabel.textContent = `${MB(p.loaded)} MB`;
      }
    },
    showDataReady(/** @type {{train: number, test: number}} */ e) {
      ui.dataLabel.textContent = `${ui.dataLabel.textContent.replace(/ \u00b7.*$/, '')} \u00b7 ${e.train.toLocaleString('en-US')} train / ${e.test.toLocaleString('en-US')} test images`;
      if (ui.dataProgress.max <= 1) {
        ui.dataProgress.max = 1;
        ui.dataProgress.value = 1;
      }
    },
    /**
     * @param {import('../../core/page-state.js').BackendInfo} info @param {any} adapter
     * @param {string | null} notIsolated  why the page is not cross-origin isolated, if it is not
     * @param {import('../../generated/rust.js').KernelReport | null} [kernels]  the latest run's kernel choice
     * @param {import('../../core/backend.js').BackendMeasure | null} [measure]  WebGPU timed against the CPU
     */
    showBackend(info, adapter, notIsolated, kernels = null, measure = null) {
      ui.backend.dataset.backend = info.backend;
      if (info.backend === 'wgpu') {
        const name = adapter ? adapterName(adapter) : '';
        const software = adapter?.software ? ' (a software renderer: slow; chosen by hand)' : '';
        const demos = info.demos_on_cpu ? '. The demos compute on the CPU, which is faster here' : '';
        const chosen = kernels ? `. Kernels: ${kernels.summary}` : '';
        const measured = measure ? `. ${measureSentence(measure)}` : '';
        if (kernels) ui.backend.dataset.kernels = kernels.setting;
        ui.backend.textContent = `Backend: WebGPU${name ? ' \u2014 ' + name : ''}${software}${demos}${measured}${chosen}.`;
        ui.cpuBanner.hidden = true;
      } else {
        ui.backend.textContent = cpuBackendLine(info.threads, notIsolated) + (measure ? `. ${measureSentence(measure)}.` : '');
        ui.cpuReason.textContent = info.fallback_reason ?? 'WebGPU could not be used.';
        ui.cpuBanner.hidden = false;
      }
    },
  };
}
