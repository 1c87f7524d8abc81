// Reading numbers typed by a user or found in a shared link's hash.

/** `text` as a number in [min, max] (an integer if asked), or null when it is not one. */
export function parseNumber(text, { min, max, integer }) {
  if (text === null || text === undefined || String(text).trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}
