// @ts-check
// The live examples/sec readout: measured between batch events, so it shows a figure on fast
// backends (many batches a second) and slow ones (seconds a batch) alike. No DOM.

export class LiveSpeed {
  /** @param {number} windowMs  how far back the figure looks (at least one interval is kept) */
  constructor(windowMs = 10_000) {
    this.windowMs = windowMs;
    /** @type {Array<[number, number]>} [time in ms, batches done] */
    this.samples = [];
  }

  /** Forgets the samples (a pause: the time paused is not training time). */
  reset() {
    this.samples = [];
  }

  /**
   * Records that `batch` batches were done at `now` (ms); returns examples/sec over the window,
   * or null before two batch events were seen.
   * @param {number} now @param {number} batch @param {number} batchSize
   */
  add(now, batch, batchSize) {
    const s = this.samples;
    if (s.length > 0 && batch < s[s.length - 1][1]) s.length = 0; // a new run counts from 0
    s.push([now, batch]);
    // Drop samples older than the window, but keep one before `now`: at 6 s a batch the
    // figure then spans one batch instead of vanishing.
    while (s.length > 2 && now - s[1][0] >= this.windowMs) s.shift();
    if (s.length < 2) return null;
    const [t0, b0] = s[0];
    const examples = (batch - b0) * batchSize;
    return now > t0 && examples > 0 ? (examples * 1000) / (now - t0) : null;
  }
}

/** The readout's text: whole numbers from 100 up, one decimal below. */
export function formatSpeed(/** @type {number} */ value) {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}
