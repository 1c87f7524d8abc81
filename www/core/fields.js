// @ts-check
// Number fields typed by a user or read from a shared link: each refusal says which field, what
// was wrong and the range it takes. Pure (no DOM), unit-tested in tests/unit/fields.test.mjs.

/**
 * @typedef {{key: string, label: string, min: number, max: number, integer: boolean}} NumberSpec
 * @typedef {{ok: true, value: number} | {ok: false, message: string}} Checked
 */

const fmt = (/** @type {number} */ n) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

/** "a whole number from 1 to 100", "a number from 0.0001 to 10". */
export function rangeText(/** @type {NumberSpec} */ spec) {
  return `${spec.integer ? 'a whole number' : 'a number'} from ${fmt(spec.min)} to ${fmt(spec.max)}`;
}

/**
 * Checks what a field holds. `badInput`: the browser refused what was typed (letters in a
 * number field leave its value empty), so the field is not merely empty.
 * @param {string | null | undefined} text
 * @param {NumberSpec} spec
 * @returns {Checked}
 */
export function checkNumber(text, spec, { badInput = false } = {}) {
  const want = rangeText(spec);
  const raw = String(text ?? '').trim();
  if (badInput) return { ok: false, message: `${spec.label}: what was typed is not a number; enter ${want}.` };
  if (raw === '') return { ok: false, message: `${spec.label} is empty; enter ${want}.` };
  const value = Number(raw);
  if (!Number.isFinite(value)) return { ok: false, message: `${spec.label}: "${raw}" is not a number; enter ${want}.` };
  if (value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
    return { ok: false, message: `${spec.label} must be ${want} (it is ${raw}).` };
  }
  return { ok: true, value };
}

/**
 * A shared link's value for `spec`: `null` when the link does not set it, else the check, its
 * message naming the link's own text and the default used instead.
 * @param {URLSearchParams} params
 * @param {NumberSpec} spec
 * @param {number | string} fallback  what the field shows instead
 * @returns {Checked | null}
 */
export function checkLinkNumber(params, spec, fallback) {
  if (!params.has(spec.key)) return null;
  const raw = params.get(spec.key);
  const checked = checkNumber(raw, spec);
  if (checked.ok) return checked;
  return { ok: false, message: `The link's ${spec.key}=${raw} was not used: ${spec.label.toLowerCase()} takes ${rangeText(spec)}; ${fallback} is used instead.` };
}

/** One message for every refused field, or '' when all are fine. */
export function refusals(/** @type {Checked[]} */ checks) {
  return checks.flatMap((c) => (c.ok ? [] : [c.message])).join(' ');
}

/** The field's number, or null when it is refused (callers that only need the value). */
export function numberOrNull(/** @type {string | null | undefined} */ text, /** @type {NumberSpec} */ spec) {
  const checked = checkNumber(text, spec);
  return checked.ok ? checked.value : null;
}
