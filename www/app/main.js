// @ts-check
// The page: one store (www/core/page-state.js), one worker connection, and the features, each a
// controller that maps store and worker events to a view. This file only wires them together.

import { Store } from '../core/store.js';
import { catalogueFrom } from '../core/models.js';
import { loadCatalogueModule } from '../core/catalogue-module.js';
import { testLimit, workerOpening } from '../core/settings.js';
import { initialState, demoReady, isActive } from '../core/page-state.js';
import { Connection, cpuConnection, pageConnection } from './connection.js';
import { hashOwner } from '../core/hash.js';
import { createCommands } from '../core/commands.js';
import { requestDemos, routeWorkerEvents } from './worker-events.js';
import { initSettings } from '../features/settings/controller.js';
import { initTraining } from '../features/training/controller.js';
import { initArchitecture } from '../features/architecture/controller.js';
import { networksController } from '../features/networks/controller.js';
import { initIdentity } from '../features/identity/controller.js';
import { initInsertion } from '../features/insertion/controller.js';
import { initPredictions } from '../features/predictions/controller.js';
import { initPicture } from '../features/picture/controller.js';
import { initWeights } from '../features/weights/controller.js';
import { initZoo } from '../features/zoo/controller.js';
import { initLab } from '../features/lab/index.js';
import { initLesson } from '../features/lesson/controller.js';
import { initLayout } from '../features/layout/controller.js';
import { initOffline } from '../features/offline/controller.js';
import { keepForOffline, startServiceWorker, watchForUpdates } from './service-worker.js';
import { measureBackend } from './backend-measure.js';
import { $ } from '../dom/elements.js';

const store = new Store(initialState());
const hash = hashOwner(window);
const commands = createCommands(); // what one feature asks of another
/** @type {ReturnType<typeof initTraining>} */
let training;
const connection = pageConnection(store, {
  onFailure: (message) => {
    training.showError(message);
    if (isActive(store.get())) store.set({ runState: 'failed', training: false });
  },
});
const weights = initWeights({ store, connection });
routeWorkerEvents({ store, connection, onNotice: weights.notice });
const settings = initSettings({ store, hash, commands });
training = initTraining({ store, connection, settings });
initArchitecture({ store });
initIdentity({ store, connection, commands });
initInsertion({ store, connection, commands });
initPredictions({ store });
initPicture({ store, connection });
initZoo({ store, commands });
initLesson({ store, hash, commands });
initLayout({ hash });
initOffline({ store });
initNetworksList();
wireSharing();

/** The networks kept in this browser: the list under "Network in memory". */
function initNetworksList() {
  const networks = networksController({
    list: $('saved-networks'),
    message: $('weights-message'),
    call: (method, args) => connection.call(method, args),
    state: () => {
      const s = store.get();
      // The shipped network with a block inserted is not the shipped network any more.
      const shippedInMemory = s.source?.source === 'shipped' && !s.memory?.inserted?.length;
      return { entries: s.saved?.entries ?? [], current: s.saved?.current ?? null, shippedInMemory, busy: !demoReady(s) };
    },
    onLoaded: () => {},
  });
  store.subscribe(['saved', 'source', 'opened', 'memory', 'runState'], () => networks.render());
}

function wireSharing() {
  $('copy-link').addEventListener('click', async () => {
    settings.writeHash();
    try {
      await navigator.clipboard.writeText(location.href);
      $('copy-result').textContent = 'Link copied.';
    } catch {
      $('copy-result').textContent = 'Copy the address bar to share this set-up.';
    }
    setTimeout(() => ($('copy-result').textContent = ''), 4000);
  });
  // A new backend choice opens a worker on it at once (when nothing is training).
  store.subscribe(['backendChoice'], (s) => {
    if (s.wasm && !isActive(s)) connection.ensure(s.backendChoice);
  });
  // The demos evaluate on the same test images as training.
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let limit = /** @type {number | null | undefined} */ (undefined);
  store.subscribe(['settings'], (s) => {
    const test = s.settings?.test;
    const next = test === undefined ? undefined : testLimit(test);
    if (next === undefined || next === limit) return;
    const first = limit === undefined;
    limit = next;
    if (first || !demoReady(s)) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        await connection.call('setTestLimit', { limit });
        requestDemos(store, true);
      } catch (e) {
        const err = /** @type {any} */ (e);
        if (!err.busy && !err.replaced) console.warn(err);
      }
    }, 700);
  });
}

async function loadWasm() {
  try {
    const module = await loadCatalogueModule();
    store.set({ models: catalogueFrom(module.catalogue()) });
    settings.readLink();
    store.set({ wasm: module });
    settings.check(); // the input size can be checked against the layers now
  } catch (e) {
    connection.close(); // the worker cannot load the module either; this message says why
    training.showError(
      `The WebAssembly package pkg-catalogue/ could not be loaded: ${/** @type {Error} */ (e).message ?? e}. ` +
        'If it is missing, build the page with `scripts/setup.sh` and reload.',
    );
    $('status').textContent = 'Not ready: the WebAssembly package could not be loaded.';
    return;
  }
  settings.writeHash();
  connection.ensure(store.get().backendChoice);
}

// The static site's service worker, started by boot.js: isolation, updates, the offline copy.
startServiceWorker().settled.then(({ isolated, reason, registration }) => {
  store.set({ isolation: { isolated, reason } });
  if (!registration) return;
  watchForUpdates(registration, (reload) => store.set({ update: { reload } }));
  // Once the demos run, the rest of what they need is kept for offline use.
  const keep = async (/** @type {import('../core/page-state.js').PageState} */ s) => {
    if (!demoReady(s) || s.offline) return;
    unsubscribe();
    store.set({ offline: 'keeping' });
    store.set({ offline: (await keepForOffline()) ?? 'unavailable' });
  };
  const unsubscribe = store.subscribe(['opened', 'memory', 'runState'], keep);
  keep(store.get());
});

// The worker opens at once, beside the page's own module compile: the link's backend and test
// images are all it needs, and its module and data load meanwhile (bench/RESULTS.md, "Demos
// ready at open").
const opening = workerOpening(hash.hash);
store.set({ backendChoice: opening.backend, kernelChoice: opening.kernels });
connection.ensure(opening.backend, { testLimit: opening.testLimit, kernels: opening.kernels });
loadWasm();
initLab({ store, hash, commands, backendChoice: () => store.get().backendChoice, connect: (options) => new Connection(options) });
measureBackend({ store, connection, cpuWorker: () => cpuConnection(store) });

// For tests and curious users: the current run state and the explorer's.
/** @type {any} */ (window).resnetExplorer = {
  get state() {
    return store.get().runState;
  },
  /** The number of the latest run started in this page (1, 2, ...; 0 before the first). */
  get run() {
    return store.get().runId;
  },
  get chartPoints() {
    return training.chart.points;
  },
  get demosReady() {
    return demoReady(store.get());
  },
  /** On WebGPU: 'running' or 'done' once the kernels were compiled in the background; else undefined. */
  get warmUp() {
    return store.get().warmUp?.state;
  },
  get warmUpSeconds() {
    return store.get().warmUp?.seconds ?? null;
  },
  get backend() {
    return store.get().backend?.backend ?? null;
  },
  get network() {
    const s = store.get();
    return s.memory ? { config: s.memory.config, inserted: s.memory.inserted, source: s.source?.source ?? null } : null;
  },
  /** The worker's wasm memory in bytes (the soak benchmark samples it). */
  memory: () => connection.call('memory'),
  /** For the tests: a CPU thread of the worker panics while the worker waits for it. */
  simulateFault: () => connection.call('simulateFault'),
};
