// The nested-function-classes lab: the degradation race. A plain network and its residual twin
// (He et al. 2015's CIFAR-style family, the same layers and parameters, only the shortcut
// differs; from Rust's `labTwins`) train side by side in two workers of their own, on the same
// data order with the same settings. The page draws their training curves on shared axes, the
// gradient norm of every conv by depth (log scale) and the residual magnitudes ||F(x)||/||x||
// over training (from the worker's `lab_probe` events), and, once both have stopped, the test
// accuracy with each block removed in turn (Veit et al. 2016).
//
// The lab's workers never touch the network saved in this browser (`keep: false`) and load no
// first network (`network: false`). Every control is kept in the URL hash under `lab-` keys,
// next to the page's own (main.js keeps keys it does not own).

import { Chart, registerables } from 'chart.js';
import { lineOptions } from './chart.js';
import { checkLinkNumber, checkNumber, refusals } from './core/fields.js';

Chart.register(...registerables);

const FULL = { train: 60000, test: 10000 };
const DEPTHS = [20, 32, 56];
// He et al.'s CIFAR-10 recipe: SGD, momentum 0.9, weight decay 1e-4, lr 0.1, batch 128.
const MOMENTUM = 0.9;
const WEIGHT_DECAY = 1e-4;
const SEED = 0; // both twins: the same data order
const TWINS = [
  { key: 'plain', title: 'plain', color: '#d9480f', fade: 'rgba(217, 72, 15, 0.3)', dash: [7, 4], point: 'triangle' },
  { key: 'residual', title: 'ResNet', color: '#1c64c8', fade: 'rgba(28, 100, 200, 0.3)', dash: [], point: 'circle' },
];
const ACTIVE = new Set(['loading', 'running', 'paused']);
const pct = (x) => (x * 100).toFixed(1) + ' %';
const exact = (n) => n.toLocaleString('en-US');

/** Hash keys, their inputs and ranges. `depth` and `zero` are handled apart. */
const NUMERIC = [
  { key: 'lab-width', label: 'Width', id: 'lab-width', min: 1, max: 64, integer: true, def: 8 },
  { key: 'lab-epochs', label: 'Epochs', id: 'lab-epochs', min: 1, max: 50, integer: true, def: 3 },
  { key: 'lab-batch', label: 'Batch size', id: 'lab-batch', min: 1, max: 1024, integer: true, def: 32 },
  { key: 'lab-train', label: 'Training images', id: 'lab-train', min: 1, max: FULL.train, integer: true, def: 1000 },
  { key: 'lab-test', label: 'Test images', id: 'lab-test', min: 1, max: FULL.test, integer: true, def: 500 },
  { key: 'lab-lr', label: 'Learning rate', id: 'lab-lr', min: 1e-4, max: 10, integer: false, def: 0.1 },
];
const DEFAULT_DEPTH = 20;

const $ = (id) => document.getElementById(id);

/** 6n + 2 layers, n >= 1 (20, 32, 56; 8 for quick tests). */
const validDepth = (d) => Number.isInteger(d) && d >= 8 && d <= 200 && (d - 2) % 6 === 0;

// ---------------------------------------------------------------------------------------------
// Charts

function twinLine(twin, label, { faded = false, points = false } = {}) {
  return {
    label,
    twin: twin.key,
    data: [],
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

/**
 * Draws the `reference` value of a dataset as a horizontal line across the whole plot (the
 * unlesioned accuracy, chance), in the dataset's colour and dash; the dataset itself has no data
 * and only shows in the legend.
 */
const referenceLines = {
  id: 'labReferenceLines',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    chart.data.datasets.forEach((ds, i) => {
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

/** Axis ticks for 0..epochs (d2l's reports are fifths of an epoch). */
function epochAxis(axis, epochs) {
  axis.max = Math.max(1, epochs);
  axis.ticks = { stepSize: epochs <= 2 ? 0.2 : epochs > 20 ? Math.ceil(epochs / 10) : 1 };
}

// ---------------------------------------------------------------------------------------------
// The lab

/**
 * Sets up the lab section. `backendChoice()` gives the page's backend setting ('auto' or
 * 'cpu'), which the race's workers are opened with.
 */
export function initLab({ backendChoice } = {}) {
  const root = $('lab');
  if (!root) return null;
  const ui = {
    form: $('lab-settings'),
    fields: $('lab-fields'),
    depth: $('lab-depth'),
    zero: $('lab-zero'),
    start: $('lab-start'),
    stop: $('lab-stop'),
    twins: $('lab-twins'),
    message: $('lab-message'),
    status: { plain: $('lab-status-plain'), residual: $('lab-status-residual') },
    loss: $('lab-loss'),
    acc: $('lab-acc'),
    gradients: $('lab-gradients'),
    gradientNote: $('lab-gradient-note'),
    magnitudes: $('lab-magnitudes'),
    magnitudeNote: $('lab-magnitude-note'),
    lesion: $('lab-lesion'),
    lesions: $('lab-lesions'),
    lesionNote: $('lab-lesion-note'),
  };
  const inputs = Object.fromEntries(NUMERIC.map((s) => [s.key, $(s.id)]));
  const getBackend = backendChoice ?? (() => ($('backend-choice')?.value === 'cpu' ? 'cpu' : 'auto'));

  let wasm = null; // the wasm module on this thread, for labTwins() and shapes()
  let raceId = 0;
  let race = null; // the current (or last) race: {id, settings, twins: {plain, residual}}
  let problems = ''; // what is wrong with the settings (readSettings), '' when nothing
  let linkProblems = ''; // what the link's lab- keys had wrong (readLabHash)
  let previous = null; // the race before it, drawn faded on the curves
  let lesioning = false;
  let callId = 0;
  const workers = { plain: null, residual: null }; // {w, backend, broken, pending}

  // --- charts ---------------------------------------------------------------------------------

  const lossChart = new Chart(ui.loss.querySelector('canvas'), {
    type: 'line',
    data: { datasets: [] },
    options: lineOptions({ xTitle: 'epoch', yTitle: 'training loss' }),
  });
  const accChart = new Chart(ui.acc.querySelector('canvas'), {
    type: 'line',
    data: { datasets: [] },
    options: lineOptions({ xTitle: 'epoch', yTitle: 'training and test accuracy' }),
  });
  accChart.options.scales.y.max = 1;
  const gradChart = new Chart(ui.gradients.querySelector('canvas'), {
    type: 'line',
    data: { datasets: [] },
    options: lineOptions({ xTitle: 'depth of the conv (weighted layers from the input)', yTitle: '||dL/dW|| (log scale)', log: true, xMax: DEFAULT_DEPTH }),
  });
  gradChart.options.scales.x.min = 1;
  gradChart.options.plugins.tooltip = {
    callbacks: { label: (item) => `${item.dataset.label}: ${item.raw.label} ${item.parsed.y.toExponential(2)}` },
  };
  const magChart = new Chart(ui.magnitudes.querySelector('canvas'), {
    type: 'line',
    data: { datasets: [] },
    options: lineOptions({ xTitle: 'epoch', yTitle: '||F(x)|| / ||x||' }),
  });
  magChart.options.plugins.tooltip = { callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y.toFixed(3)}` } };
  const lesionChart = new Chart(ui.lesions.querySelector('canvas'), {
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
        tooltip: {
          callbacks: {
            label: (item) =>
              item.dataset.unremovable ? 'cannot be removed: the block changes the shape' : `${item.dataset.label}: ${pct(item.parsed.y)}`,
          },
        },
      },
    },
  });

  // --- settings and the hash ------------------------------------------------------------------

  function ensureDepthOption(depth) {
    if ([...ui.depth.options].some((o) => Number(o.value) === depth)) return;
    const option = document.createElement('option');
    option.value = String(depth);
    option.textContent = `${depth} (n = ${(depth - 2) / 6})`;
    ui.depth.append(option);
  }

  function readLabHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const depth = Number(params.get('lab-depth'));
    if (validDepth(depth)) ensureDepthOption(depth);
    ui.depth.value = String(validDepth(depth) ? depth : DEFAULT_DEPTH);
    const problems = [];
    for (const spec of NUMERIC) {
      const checked = checkLinkNumber(params, spec, spec.def);
      if (checked && !checked.ok) problems.push(checked.message);
      inputs[spec.key].value = String(checked?.ok ? checked.value : spec.def);
      inputs[spec.key].setAttribute('aria-invalid', 'false');
    }
    ui.zero.checked = params.get('lab-zero') === '1';
    linkProblems = problems.join(' ');
  }

  function labParams() {
    const out = [['lab-depth', ui.depth.value]];
    for (const spec of NUMERIC) out.push([spec.key, inputs[spec.key].value.trim()]);
    out.push(['lab-zero', ui.zero.checked ? '1' : '0']);
    return out;
  }

  /** Writes the lab's keys into the hash, keeping everyone else's. */
  function writeLabHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    for (const [key, value] of labParams()) params.set(key, value);
    const hash = '#' + params.toString();
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }

  /** The settings, or null when one is invalid; `problems` then says which and their ranges. */
  function readSettings() {
    const out = { depth: Number(ui.depth.value), zeroGamma: ui.zero.checked };
    const checks = [];
    for (const spec of NUMERIC) {
      const input = inputs[spec.key];
      const checked = checkNumber(input.value, spec, { badInput: input.validity?.badInput });
      input.setAttribute('aria-invalid', String(!checked.ok));
      checks.push(checked);
      out[spec.key.slice(4)] = checked.ok ? checked.value : null;
    }
    problems = refusals(checks);
    return problems || !validDepth(out.depth) ? null : out;
  }

  // --- the twins (from Rust) ------------------------------------------------------------------

  const twinName = (twin, depth) => `${twin.title}-${depth}`;

  function parameterCount(config) {
    return wasm.shapes(config).filter((r) => r.level === 0).reduce((total, r) => total + r.params, 0);
  }

  /** [plain, residual] configurations and their parameter counts, or throws Rust's message. */
  function twinConfigs(settings) {
    const [plain, residual] = wasm.labTwins(settings.depth, settings.width, settings.zeroGamma);
    return { plain, residual, params: { plain: parameterCount(plain), residual: parameterCount(residual) } };
  }

  /** The line under the controls: what the two networks are, and their parameter counts. */
  function renderTwins() {
    const settings = race && raceActive() ? race.settings : readSettings();
    if (!wasm || !settings) {
      if (!settings) ui.twins.textContent = problems;
      return;
    }
    let counts;
    let from;
    const live =
      race && race.twins.plain.params != null && race.twins.residual.params != null && JSON.stringify(race.settings) === JSON.stringify(settings);
    if (live) {
      counts = { plain: race.twins.plain.params, residual: race.twins.residual.params };
      from = 'counted in the two networks being trained';
    } else {
      try {
        counts = twinConfigs(settings).params;
        from = 'from the layer tables';
      } catch (e) {
        ui.twins.textContent = `These twins cannot be built: ${e.message ?? e}`;
        return;
      }
    }
    const d = settings.depth;
    const n = (d - 2) / 6;
    const w = settings.width;
    const same = counts.plain === counts.residual;
    ui.twins.dataset.plainParams = String(counts.plain);
    ui.twins.dataset.residualParams = String(counts.residual);
    ui.twins.dataset.live = String(live);
    ui.twins.textContent =
      `plain-${d} and ResNet-${d}: ${d} weighted layers each (a 3\u00d73 stem conv, 3 stages of ${n} block${n === 1 ? '' : 's'} of two 3\u00d73 convs with ${w}, ${2 * w} and ${4 * w} channels, a linear head). ` +
      (same
        ? `${exact(counts.plain)} parameters each (${from}): the shortcut adds none.`
        : `Parameters (${from}): plain ${exact(counts.plain)}, ResNet ${exact(counts.residual)}.`) +
      (settings.zeroGamma ? ' Zero-\u03b3: every ResNet block starts as the identity; the plain twin keeps the default initialisation (a plain block with \u03b3 = 0 would output zeros).' : '');
  }

  // --- workers --------------------------------------------------------------------------------

  function failPending(entry, message) {
    for (const [id, p] of entry.pending) {
      entry.pending.delete(id);
      p.reject(new Error(message));
    }
  }

  function ensureWorker(key, backend) {
    const name = race ? twinName(TWINS.find((t) => t.key === key), race.settings.depth) : key;
    let entry = workers[key];
    if (entry && (entry.broken || entry.backend !== backend)) {
      entry.w.terminate();
      failPending(entry, 'the worker was replaced');
      entry = workers[key] = null;
    }
    if (entry) return entry.w;
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    entry = workers[key] = { w, backend, broken: false, pending: new Map() };
    w.onmessage = ({ data }) => {
      if (workers[key] === entry) onWorkerEvent(key, data);
    };
    w.onerror = (e) => {
      if (workers[key] !== entry) return;
      e.preventDefault();
      entry.broken = true;
      const detail = e.message ? `: ${e.message}` : ' (its script could not be loaded; is pkg/ built?)';
      failPending(entry, `the worker failed${detail}`);
      twinError(key, `The worker of ${name} failed${detail}`);
      const t = race?.twins[key];
      if (t && ACTIVE.has(t.state)) setTwinState(key, 'failed');
    };
    w.onmessageerror = () => twinError(key, `A message from the worker of ${name} could not be read.`);
    // Two twins train at once: each gets half the cores.
    const threads = Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / 2));
    w.postMessage({ type: 'open', backend, threads, testLimit: race?.settings.test >= FULL.test ? null : race?.settings.test ?? null, network: false });
    return w;
  }

  /** A request to one twin's worker (see METHODS in worker.js). */
  function callTwin(key, method, args = {}) {
    const entry = workers[key];
    if (!entry || entry.broken) return Promise.reject(new Error('its worker is not running'));
    return new Promise((resolve, reject) => {
      const id = ++callId;
      entry.pending.set(id, { resolve, reject });
      entry.w.postMessage({ type: 'call', id, method, args });
    });
  }

  // --- race state -----------------------------------------------------------------------------

  function newTwinRun(twin, settings) {
    return {
      key: twin.key,
      twin,
      name: twinName(twin, settings.depth),
      state: 'loading',
      phase: 'Starting the worker',
      backend: null,
      params: null,
      batch: 0,
      total: 0,
      report: null,
      epoch: null,
      speed: null,
      diverged: null,
      error: null,
      trained: false, // a network exists in the worker (training started)
      probes: [], // {epoch, gradients, magnitudes}
      probeError: null,
    };
  }

  const raceActive = () => Boolean(race && Object.values(race.twins).some((t) => ACTIVE.has(t.state)));

  function twinError(key, message, { expected = false } = {}) {
    const t = race?.twins[key];
    if (t) t.error = message;
    showMessage(message, true);
    // A diverging twin is a result of the race, not a fault of the page.
    if (expected) console.warn('[ResNet Explorer lab]', message);
    else console.error('[ResNet Explorer lab]', message);
    renderStatus();
  }

  function showMessage(text, error = false) {
    ui.message.textContent = text;
    ui.message.classList.toggle('lab-error', error);
  }

  function setTwinState(key, state) {
    const t = race.twins[key];
    const wasActive = raceActive();
    t.state = state;
    if (wasActive && !raceActive()) onRaceEnded();
    renderControls();
    renderStatus();
  }

  function renderControls() {
    const active = raceActive();
    ui.fields.disabled = active;
    ui.start.disabled = !wasm || lesioning;
    ui.start.textContent = active ? 'Restart the race' : 'Start the race';
    ui.stop.disabled = !active;
    const lesionable = race && !active && Object.values(race.twins).some((t) => t.trained && !workers[t.key]?.broken);
    ui.lesion.disabled = !lesionable || lesioning;
    root.dataset.state = active ? 'running' : race ? 'done' : 'idle';
  }

  function renderStatus() {
    for (const twin of TWINS) {
      const el = ui.status[twin.key];
      const t = race?.twins[twin.key];
      if (!t) {
        el.dataset.state = 'idle';
        el.querySelector('.lab-status-text').textContent = 'not started';
        continue;
      }
      el.dataset.state = t.state;
      el.querySelector('.lab-status-name').textContent = t.name;
      const parts = [];
      const on = t.backend ? (t.backend.backend === 'wgpu' ? 'WebGPU' : 'CPU') : null;
      const epochs = race.settings.epochs;
      switch (t.state) {
        case 'loading':
          parts.push(`${t.phase}\u2026`);
          break;
        case 'running':
        case 'paused':
          parts.push(t.total ? `epoch ${Math.min(epochs, Math.floor((t.batch * epochs) / t.total) + 1)} of ${epochs}, batch ${t.batch} of ${t.total}` : 'training\u2026');
          if (race.stopping) parts.push('stopping after this batch\u2026');
          break;
        case 'finished':
          parts.push(`finished ${epochs} epoch${epochs === 1 ? '' : 's'}`);
          break;
        case 'stopped':
          parts.push(t.total ? `stopped at batch ${t.batch} of ${t.total}` : 'stopped before the first batch');
          break;
        case 'failed':
          parts.push(t.diverged ? `diverged at epoch ${t.diverged.epoch.toFixed(1)}` : 'stopped by an error');
          break;
        default:
          parts.push(t.state);
      }
      if (t.report) parts.push(`loss ${t.report.train_loss.toFixed(3)}`, `train acc ${pct(t.report.train_acc)}`);
      if (t.epoch) parts.push(`test acc ${pct(t.epoch.test_acc)}`);
      if (t.speed) parts.push(`${t.speed >= 100 ? Math.round(t.speed) : t.speed.toFixed(1)} examples/s`);
      el.querySelector('.lab-status-text').textContent = (on ? `(${on}) ` : '') + parts.join(' \u00b7 ');
    }
  }

  // --- starting and stopping ------------------------------------------------------------------

  function resetCharts(settings) {
    lossChart.data.datasets = [];
    accChart.data.datasets = [];
    // The previous race, faded: compare zero-gamma with the default initialisation, say.
    if (previous) {
      for (const twin of TWINS) {
        const t = previous.twins[twin.key];
        const tag = `${t.name}${previous.settings.zeroGamma && twin.key === 'residual' ? ', zero-\u03b3' : ''}, earlier race`;
        const loss = twinLine(twin, tag, { faded: true });
        loss.data = t.curve.map((p) => ({ x: p.x, y: p.loss }));
        const acc = twinLine(twin, tag, { faded: true });
        acc.data = t.curve.map((p) => ({ x: p.x, y: p.acc }));
        for (const ds of [loss, acc]) ds.previous = true;
        if (loss.data.length) {
          lossChart.data.datasets.push(loss);
          accChart.data.datasets.push(acc);
        }
      }
    }
    for (const twin of TWINS) {
      const name = `${twinName(twin, settings.depth)}${settings.zeroGamma && twin.key === 'residual' ? ' (zero-\u03b3)' : ''}`;
      lossChart.data.datasets.push(twinLine(twin, name));
      accChart.data.datasets.push(twinLine(twin, `${name}, train`));
      accChart.data.datasets.push(twinLine(twin, `${name}, test`, { points: true }));
    }
    const epochs = Math.max(settings.epochs, previous ? previous.settings.epochs : 0);
    epochAxis(lossChart.options.scales.x, epochs);
    epochAxis(accChart.options.scales.x, epochs);
    gradChart.data.datasets = [];
    gradChart.options.scales.x.max = settings.depth - 1;
    epochAxis(magChart.options.scales.x, settings.epochs);
    magChart.data.datasets = [];
    lesionChart.data.labels = [];
    lesionChart.data.datasets = [];
    ui.lesions.dataset.bars = '0';
    ui.lesionNote.textContent = 'Available when both runs have finished or been stopped.';
    ui.gradientNote.textContent = 'The first probe comes before the first batch.';
    ui.magnitudeNote.textContent = '';
    for (const c of [lossChart, accChart, gradChart, magChart, lesionChart]) c.update('none');
    countPoints();
  }

  /** The current race's series of one twin on a chart. */
  const series = (chart, key, filter = () => true) => chart.data.datasets.filter((ds) => ds.twin === key && !ds.previous && filter(ds));

  function countPoints() {
    for (const [el, chart] of [
      [ui.loss, lossChart],
      [ui.acc, accChart],
    ]) {
      for (const twin of TWINS) el.dataset[`${twin.key}Points`] = String(series(chart, twin.key).reduce((n, ds) => n + ds.data.length, 0));
    }
  }

  function start() {
    const settings = readSettings();
    if (!settings) {
      ui.form.querySelector('[aria-invalid="true"]')?.focus();
      showMessage(`Some settings are not valid. ${problems}`, true);
      return;
    }
    let twins;
    try {
      twins = twinConfigs(settings);
    } catch (e) {
      showMessage(`The twins cannot be built: ${e.message ?? e}`, true);
      return;
    }
    writeLabHash();
    if (race && race.twins.plain.curve?.length) previous = race;
    raceId += 1;
    race = { id: raceId, settings, twins: {}, stopping: false };
    for (const twin of TWINS) race.twins[twin.key] = { ...newTwinRun(twin, settings), curve: [] };
    resetCharts(settings);
    showMessage(
      `Race ${raceId}: ${race.twins.plain.name} against ${race.twins.residual.name}, ${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'} on ${exact(settings.train)} images, batch ${settings.batch}, lr ${settings.lr}, the same data order.`,
    );
    const backend = getBackend();
    for (const twin of TWINS) {
      const request = {
        model: twins[twin.key],
        train: { epochs: settings.epochs, batch_size: settings.batch, lr: settings.lr, momentum: MOMENTUM, weight_decay: WEIGHT_DECAY, seed: SEED },
        train_limit: settings.train >= FULL.train ? null : settings.train,
        test_limit: settings.test >= FULL.test ? null : settings.test,
      };
      const label = `${race.twins[twin.key].name} (lab race)`;
      ensureWorker(twin.key, backend).postMessage({ type: 'start', run: raceId, request, backend, fresh: true, label, keep: false, probe: true });
    }
    renderTwins();
    renderControls();
    renderStatus();
  }

  function stop() {
    if (!raceActive()) return;
    race.stopping = true;
    for (const twin of TWINS) {
      if (ACTIVE.has(race.twins[twin.key].state)) workers[twin.key]?.w.postMessage({ type: 'stop' });
    }
    renderStatus();
  }

  function onRaceEnded() {
    race.stopping = false;
    const t = race.twins;
    const both = [t.plain, t.residual];
    const lossOf = (x) => (x.diverged ? 'diverged' : x.report ? x.report.train_loss.toFixed(3) : 'n/a');
    let text = `Race ${race.id} over. Final training loss: ${t.plain.name} ${lossOf(t.plain)}, ${t.residual.name} ${lossOf(t.residual)}.`;
    if (both.every((x) => x.report && !x.diverged)) {
      const lower = t.plain.report.train_loss < t.residual.report.train_loss ? t.plain : t.residual;
      text += ` ${lower.name} ended lower on the training set.`;
    }
    for (const x of both) {
      if (!x.diverged) continue;
      const loss = Number.isFinite(x.diverged.loss) ? x.diverged.loss.toFixed(1) : 'NaN';
      text += ` ${x.name} diverged at epoch ${x.diverged.epoch.toFixed(1)} (running loss ${loss}); its weights of epoch ${x.diverged.kept_epoch.toFixed(1)} are kept. Try a lower learning rate (He et al. warmed their 110-layer network up at 0.01) or zero-\u03b3.`;
    }
    if (!both.some((x) => x.error && !x.diverged)) showMessage(text);
    ui.lesionNote.textContent = 'Press \u201cLesion each block\u201d to remove each block of both trained networks in turn.';
  }

  // --- events ---------------------------------------------------------------------------------

  function onWorkerEvent(key, event) {
    if (event.type === 'reply') {
      const p = workers[key]?.pending.get(event.id);
      if (!p) return;
      workers[key].pending.delete(event.id);
      if (event.ok) p.resolve(event.result);
      else p.reject(Object.assign(new Error(event.error), { busy: Boolean(event.busy) }));
      return;
    }
    // Events of a run carry its id; those of a replaced race are dropped.
    if (event.run !== undefined && event.run !== race?.id) return;
    const t = race?.twins[key];
    if (!t) return;
    switch (event.type) {
      case 'state':
        if (event.state === 'running' || event.state === 'paused') t.trained = true;
        setTwinState(key, event.state);
        break;
      case 'backend':
        t.backend = event;
        t.phase = 'Downloading Fashion-MNIST';
        renderStatus();
        break;
      case 'data_progress':
        t.phase = 'Loading Fashion-MNIST';
        break;
      case 'model':
        t.params = event.parameters;
        t.phase = 'Building the network';
        renderTwins();
        break;
      case 'step':
        t.batch = event.batch;
        t.total = event.total;
        renderStatus();
        break;
      case 'train':
        onTrain(t, event);
        break;
      case 'lab_probe':
        onProbe(t, event);
        break;
      case 'finished':
        t.speed = event.examples_per_sec;
        renderStatus();
        break;
      case 'diverged':
        t.diverged = event;
        markDiverged(t, event);
        break;
      case 'device_lost':
        if (workers[key]) workers[key].broken = true;
        twinError(key, `${t.name}: the GPU device was lost (${event.reason}${event.message ? `: ${event.message}` : ''}). Start the race again.`);
        if (ACTIVE.has(t.state)) setTwinState(key, 'failed');
        break;
      case 'error':
        if (event.fatal && workers[key]) workers[key].broken = true;
        twinError(key, t.diverged ? `${t.name} diverged: ${event.message}` : `${t.name}: ${event.message}`, { expected: Boolean(t.diverged) });
        break;
      default:
        break; // gallery, predictions, data_ready...: the main page's business
    }
  }

  function onTrain(t, event) {
    const [loss] = series(lossChart, t.key);
    const [trainAcc, testAcc] = series(accChart, t.key);
    if (event.kind === 'report') {
      t.report = event;
      if (Number.isFinite(event.train_loss)) loss.data.push({ x: event.epoch, y: event.train_loss });
      if (Number.isFinite(event.train_acc)) trainAcc.data.push({ x: event.epoch, y: event.train_acc });
      t.curve.push({ x: event.epoch, loss: event.train_loss, acc: event.train_acc });
      // A loss far above ln 10 (a diverging twin) would squash the other curve: cap the axis.
      const top = Math.max(...lossChart.data.datasets.flatMap((ds) => ds.data.map((p) => p.y)));
      lossChart.options.scales.y.max = top > 4 ? 4 : undefined;
      lossChart.update('none');
    } else if (event.kind === 'epoch') {
      t.epoch = event;
      testAcc.data.push({ x: event.epoch, y: event.test_acc });
    }
    accChart.update('none');
    countPoints();
    renderStatus();
  }

  function markDiverged(t, event) {
    const [loss] = series(lossChart, t.key);
    lossChart.data.datasets.push({
      label: `${t.name} diverged (loss ${Number.isFinite(event.loss) ? event.loss.toFixed(1) : 'NaN'})`,
      data: [{ x: event.epoch, y: Math.min(4, Number.isFinite(event.loss) ? event.loss : 4) }],
      showLine: false,
      pointStyle: 'crossRot',
      pointRadius: 12,
      pointBorderWidth: 3,
      borderColor: loss.borderColor,
      backgroundColor: loss.borderColor,
    });
    ui.loss.dataset.diverged = t.key;
    lossChart.update('none');
  }

  // --- gradient flow and residual magnitudes --------------------------------------------------

  function onProbe(t, event) {
    if (event.error) {
      t.probeError = event.error;
      ui.gradientNote.textContent = `${t.name}: the gradients could not be measured: ${event.error}`;
      return;
    }
    t.probes.push(event);
    renderGradients();
    if (t.key === 'residual') renderMagnitudes(t);
  }

  const gradientPoints = (probe) =>
    [...probe.gradients].sort((a, b) => a.depth - b.depth).map((g) => ({ x: g.depth, y: g.norm > 0 ? g.norm : null, label: g.label }));

  function renderGradients() {
    const datasets = [];
    const notes = [];
    for (const twin of TWINS) {
      const t = race.twins[twin.key];
      if (!t.probes.length) continue;
      const first = t.probes[0];
      const last = t.probes[t.probes.length - 1];
      if (t.probes.length > 1) {
        const init = twinLine(twin, `${t.name}, before training`, { faded: true });
        init.data = gradientPoints(first);
        init.pointRadius = 1.5;
        datasets.push(init);
      }
      const latest = twinLine(twin, `${t.name}, epoch ${last.epoch.toFixed(1)}`);
      latest.latest = true;
      latest.data = gradientPoints(last);
      datasets.push(latest);
      const sorted = [...last.gradients].sort((a, b) => a.depth - b.depth);
      const zero = sorted.filter((g) => !(g.norm > 0)).length;
      const firstNorm = sorted[0]?.norm;
      const lastNorm = sorted[sorted.length - 1]?.norm;
      let note = `${t.name}: ||dL/dW|| of the first conv ${firstNorm.toExponential(1)}, of the last ${lastNorm.toExponential(1)}`;
      if (firstNorm > 0 && lastNorm > 0) note += ` (ratio ${(firstNorm / lastNorm).toPrecision(2)})`;
      if (zero) note += `; ${zero} conv${zero === 1 ? ' has' : 's have'} a gradient of exactly 0, not drawn on the log scale`;
      const zeroAtInit = first.gradients.filter((g) => !(g.norm > 0)).length;
      if (zeroAtInit && first !== last) note += `; before training ${zeroAtInit} of ${first.gradients.length} had a gradient of exactly 0 (not drawn)`;
      if (zero || zeroAtInit) note += ' (zero-\u03b3: a branch scaled by \u03b3 = 0 passes no gradient to its convs until \u03b3 moves away from 0)';
      notes.push(note + '.');
    }
    gradChart.data.datasets = datasets;
    gradChart.update('none');
    for (const twin of TWINS) {
      const latest = datasets.find((ds) => ds.latest && ds.twin === twin.key);
      ui.gradients.dataset[`${twin.key}Points`] = String(latest ? latest.data.filter((p) => p.y > 0).length : 0);
    }
    ui.gradients.dataset.series = String(datasets.filter((ds) => ds.latest).length);
    ui.gradientNote.textContent = notes.join(' ') + ' Probe batch: the first 64 test images, the same at every report.';
  }

  /** ||F(x)||/||x|| of every residual block by epoch: thin lines per block, the mean bold. */
  function renderMagnitudes(t) {
    const labels = t.probes[0].magnitudes.map((m) => m.label);
    const datasets = labels.map((label, i) => {
      const shade = labels.length > 1 ? i / (labels.length - 1) : 0;
      const color = `hsl(${210 + 20 * shade}, 70%, ${72 - 40 * shade}%)`;
      return {
        label,
        data: t.probes.map((p) => ({ x: p.epoch, y: p.magnitudes[i]?.ratio })).filter((p) => Number.isFinite(p.y)),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 1,
        pointRadius: 0,
        tension: 0,
        hideLegend: true,
      };
    });
    const mean = t.probes.map((p) => {
      const values = p.magnitudes.map((m) => m.ratio).filter(Number.isFinite);
      return { x: p.epoch, y: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length) };
    });
    datasets.push({ label: `mean of the ${labels.length} blocks (lighter: earlier blocks)`, data: mean, borderColor: '#0b2e6b', backgroundColor: '#0b2e6b', borderWidth: 3, pointRadius: 2, tension: 0 });
    magChart.data.datasets = datasets;
    magChart.update('none');
    ui.magnitudes.dataset.points = String(mean.length);
    const last = t.probes[t.probes.length - 1];
    const ratios = last.magnitudes.map((m) => m.ratio).filter(Number.isFinite);
    if (ratios.length) {
      const below = ratios.filter((r) => r < 1).length;
      ui.magnitudeNote.textContent = `${t.name} at epoch ${last.epoch.toFixed(1)}: ||F(x)||/||x|| from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)} (mean ${mean[mean.length - 1].y.toFixed(2)}); ${below} of ${ratios.length} blocks change their input by less than its own size.`;
    }
  }

  // --- lesions --------------------------------------------------------------------------------

  async function lesion() {
    if (!race || raceActive() || lesioning) return;
    const twins = TWINS.map((twin) => race.twins[twin.key]).filter((t) => t.trained);
    if (!twins.length) return;
    lesioning = true;
    renderControls();
    ui.lesions.dataset.state = 'loading';
    const blocks = 3 * ((race.settings.depth - 2) / 6);
    ui.lesionNote.textContent = `Removing each of the ${blocks} blocks in turn and measuring test accuracy on ${exact(race.settings.test)} test images, in both workers\u2026`;
    const results = await Promise.allSettled(twins.map((t) => callTwin(t.key, 'lesions')));
    lesioning = false;
    const ok = [];
    const failed = [];
    twins.forEach((t, i) => {
      if (results[i].status === 'fulfilled') ok.push({ t, result: results[i].value });
      else failed.push(`${t.name}: ${results[i].reason?.message ?? results[i].reason}`);
    });
    renderLesions(ok);
    ui.lesions.dataset.state = failed.length ? 'error' : 'done';
    if (failed.length) ui.lesionNote.textContent = `The lesions could not be measured for ${failed.join('; ')}`;
    renderControls();
  }

  function renderLesions(results) {
    const labels = results[0]?.result.blocks.map((b) => b.label) ?? [];
    const datasets = [];
    const references = [];
    const summary = [];
    for (const { t, result } of results) {
      const accs = result.blocks.map((b) => (b.accuracy == null ? null : b.accuracy));
      datasets.push({
        type: 'bar',
        label: `${t.name} with the block removed`,
        twin: t.key,
        lesion: true,
        data: accs,
        backgroundColor: t.twin.key === 'plain' ? 'rgba(217, 72, 15, 0.65)' : 'rgba(28, 100, 200, 0.75)',
        borderColor: t.twin.color,
        borderWidth: 1,
      });
      references.push({
        type: 'line',
        label: `${t.name} unlesioned: ${pct(result.accuracy)}`,
        reference: result.accuracy,
        data: [],
        borderColor: t.twin.color,
        backgroundColor: t.twin.color,
        borderDash: t.twin.dash,
        borderWidth: 2,
      });
      const removable = accs.filter((a) => a != null);
      if (removable.length) {
        const worst = Math.min(...removable);
        const mean = removable.reduce((a, b) => a + b, 0) / removable.length;
        summary.push(`${t.name}: ${pct(result.accuracy)} intact; removing one block leaves ${pct(mean)} on average (worst ${pct(worst)})`);
      }
      ui.lesions.dataset[`${t.key}Bars`] = String(removable.length);
    }
    datasets.push(...references);
    datasets.push({
      type: 'line',
      label: 'chance (10 %)',
      reference: 0.1,
      data: [],
      borderColor: '#9aa3ae',
      backgroundColor: '#9aa3ae',
      borderDash: [2, 3],
      borderWidth: 1,
    });
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
    lesionChart.data.labels = labels.map((l) => (fixed.includes(l) ? `${l} \u2715` : l));
    lesionChart.data.datasets = datasets;
    lesionChart.update('none');
    ui.lesions.dataset.bars = String(datasets.filter((ds) => ds.lesion).reduce((n, ds) => n + ds.data.filter((v) => v != null).length, 0));
    ui.lesions.dataset.unremovable = String(fixed.length);
    ui.lesionNote.textContent = summary.length ? summary.join('. ') + '.' : 'No block could be removed.';
  }

  // --- wiring ---------------------------------------------------------------------------------

  function onSettingsChanged() {
    const settings = readSettings();
    writeLabHash();
    if (settings && !raceActive()) renderTwins();
    else if (!settings) ui.twins.textContent = problems;
  }

  ui.form.addEventListener('input', onSettingsChanged);
  ui.form.addEventListener('change', onSettingsChanged);
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    start();
  });
  ui.stop.addEventListener('click', stop);
  ui.lesion.addEventListener('click', lesion);
  window.addEventListener('hashchange', () => {
    if (raceActive()) return;
    const before = labParams().join('&');
    readLabHash();
    if (labParams().join('&') !== before) renderTwins();
    if (linkProblems) showMessage(linkProblems, true);
  });

  readLabHash();
  if (linkProblems) showMessage(linkProblems, true);
  writeLabHash();
  renderControls();
  renderStatus();

  (async () => {
    try {
      const module = await import('../pkg/resnet_explorer.js');
      await module.default();
      wasm = module;
    } catch (e) {
      showMessage(`The lab needs the WebAssembly package pkg/resnet_explorer.js, which could not be loaded: ${e.message ?? e}`, true);
      return;
    }
    renderTwins();
    renderControls();
  })();

  // For tests: the race as plain data.
  const api = {
    get state() {
      return raceActive() ? 'running' : race ? 'done' : 'idle';
    },
    snapshot() {
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
              lossPoints: series(lossChart, twin.key).reduce((n, ds) => n + ds.data.length, 0),
              accPoints: series(accChart, twin.key).reduce((n, ds) => n + ds.data.length, 0),
              gradientPoints: (gradChart.data.datasets.find((ds) => ds.latest && ds.twin === twin.key)?.data ?? []).filter((p) => p.y > 0).length,
              lesionBars: (lesionChart.data.datasets.find((ds) => ds.lesion && ds.twin === twin.key)?.data ?? []).filter((v) => v != null).length,
            }
          : null;
      }
      return {
        state: this.state,
        lesioning,
        ready: Boolean(wasm),
        gradientSeries: gradChart.data.datasets.filter((ds) => ds.latest).length,
        earlierSeries: lossChart.data.datasets.filter((ds) => ds.previous).length,
        magnitudePoints: magChart.data.datasets.at(-1)?.data.length ?? 0,
        lesionBlocks: lesionChart.data.labels.length,
        unremovable: Number(ui.lesions.dataset.unremovable ?? 0),
        workers: Object.fromEntries(TWINS.map((twin) => [twin.key, Boolean(workers[twin.key] && !workers[twin.key].broken)])),
        twins,
      };
    },
  };
  window.resnetLab = api;
  return api;
}
