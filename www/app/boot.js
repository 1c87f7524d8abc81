// @ts-check
// The page's entry. A first visit to the static site reloads once under its service worker (so
// that it is cross-origin isolated and the CPU trains on every core): that is decided here,
// before the page's own modules (main.js and every feature) are even loaded.

import { startServiceWorker } from './service-worker.js';

const isolation = startServiceWorker();
if (isolation.reloading) await isolation.settled;
await import('./main.js');
