// @ts-check
// Number formatting shared by the views: counts (parameters, MACs), shapes and percentages.
// No DOM.

const GROUP = new Intl.NumberFormat('en-US');

/**
 * A count to read at a glance: 11178378 -> "11.18 M", 23456 -> "23.5 k", 4704 -> "4,704";
 * "–" for NaN or infinity.
 * @param {number} n
 */
export function formatCount(n) {
  if (!Number.isFinite(n)) return '\u2013';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return GROUP.format(n);
}

/** Every digit, grouped: 11178378 -> "11,178,378". @param {number} n */
export const exact = (n) => GROUP.format(n);

/** A batch-of-one shape without its batch axis: [1, 64, 28, 28] -> "64×28×28". @param {readonly number[]} shape */
export const chw = (shape) => shape.slice(1).join('\u00d7');

/** A fraction as a percentage with one decimal: 0.9123 -> "91.2 %". @param {number} x */
export const pct = (x) => `${(x * 100).toFixed(1)} %`;

/** Bytes as megabytes with one decimal, without the unit: 31457280 -> "31.5". @param {number} bytes */
export const MB = (bytes) => (bytes / 1e6).toFixed(1);
