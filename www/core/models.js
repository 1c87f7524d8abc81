// @ts-check
// The catalogue of models as the page uses it (built from Rust's description of every model) and
// the sentences that name a network. Pure, unit-tested in tests/unit/models.test.mjs.

/**
 * @typedef {import('../generated/rust.js').ModelConfig} ModelConfig
 * @typedef {import('../generated/rust.js').EntrySummary} EntrySummary
 * @typedef {{config: ModelConfig, inserted: {stage: number}[]}} ModelInMemory
 *
 * @typedef {object} ModelEntry
 * @property {string} name         the page's and the CLI's name: fast, d2l96, lenet-bn, ...
 * @property {string} title
 * @property {'resnet' | 'zoo'} family
 * @property {ModelConfig} config  what startTraining and shapes take (a chapter-7 model: at its default input)
 * @property {number} defaultInput the seed's input side in pixels
 * @property {{epochs: number, batch: number, lr: number}} training  the page's defaults
 * @property {number | null} seedAcc  the seed's test accuracy after its own run
 * @property {string} notes
 * @property {number} params
 * @property {number} macs
 */

/** @param {ModelConfig | null | undefined} a @param {ModelConfig | null | undefined} b */
export const sameConfig = (a, b) =>
  Boolean(a && b) && ('kind' in (a ?? {}) || 'kind' in (b ?? {}) ? zooKind(a) === zooKind(b) && a?.input_size === b?.input_size : JSON.stringify(a) === JSON.stringify(b));

/** A chapter-7 configuration's kind, or null for a ResNet's. @param {ModelConfig | null | undefined} config */
export const zooKind = (config) => (config && 'kind' in config ? config.kind : null);

/**
 * The catalogue entry a configuration was made from (a chapter-7 model: by its kind), or null
 * for a custom ResNet.
 * @param {Map<string, ModelEntry>} models @param {ModelConfig} config
 */
export function presetOf(models, config) {
  const kind = zooKind(config);
  if (kind) return models.has(kind) ? kind : null;
  for (const [name, m] of models) if (m.family === 'resnet' && sameConfig(m.config, config)) return name;
  return null;
}

/** "GoogLeNet at 96×96" for a chapter-7 configuration, null for a ResNet. @param {Map<string, ModelEntry>} models @param {ModelConfig | null} config */
export function zooName(models, config) {
  const kind = zooKind(config);
  if (!kind || !config) return null;
  return `${models.get(kind)?.title ?? kind} at ${config.input_size}\u00d7${config.input_size}`;
}

/** The preset a network in memory was made from (its configuration before any insertion), or null. @param {Map<string, ModelEntry>} models @param {ModelInMemory} model */
export function basePreset(models, model) {
  const config = model.config;
  if ('kind' in config) return config.kind;
  // Inserted blocks (identity or plain) are counted in `config.blocks`; plain ones are listed.
  const blocks = config.blocks.map((n, s) => n - model.inserted.filter((x) => x.stage === s).length);
  return presetOf(models, { ...config, blocks, plain_blocks: [] });
}

/** The configuration the form describes: a ResNet preset's, or a chapter-7 model at `input` (null if invalid). @param {Map<string, ModelEntry>} models @param {string} name @param {number | null} input */
export function configFor(models, name, input) {
  const m = models.get(name);
  if (!m) return null;
  if (m.family === 'resnet') return m.config;
  return input === null ? null : { kind: /** @type {import('../generated/rust.js').ZooKind} */ (name), input_size: input };
}

/** For sentences: "the fast preset", "GoogLeNet at 96×96". @param {Map<string, ModelEntry>} models @param {string} name @param {ModelConfig | null} config */
export function selectionName(models, name, config) {
  if (models.get(name)?.family !== 'zoo') return `the ${name} preset`;
  return zooName(models, config) ?? models.get(name)?.title ?? name;
}

/**
 * What a run is called in the chart's caption and the saved list.
 * @param {Map<string, ModelEntry>} models
 * @param {{fresh: boolean, config: ModelConfig | null, preset: string, memory: ModelInMemory | null}} run
 */
export function runLabel(models, { fresh, config, preset, memory }) {
  if (fresh) return zooName(models, config) ?? `${preset} preset`;
  const n = memory?.inserted.length ?? 0;
  const base = zooName(models, config) ?? (memory && basePreset(models, memory)) ?? 'custom';
  return `${base} network${n ? ` with ${n} inserted block${n === 1 ? '' : 's'}` : ''}`;
}

export const capitalise = (/** @type {string} */ s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The page's catalogue from Rust's `catalogue()` (src/model/catalogue.rs), by name, in its order.
 * @param {EntrySummary[]} entries
 * @returns {Map<string, ModelEntry>}
 */
export function catalogueFrom(entries) {
  return new Map(
    entries.map((e) => [
      e.name,
      {
        name: e.name,
        title: e.title,
        family: e.family,
        config: e.config,
        defaultInput: e.default_input_size,
        training: e.training,
        seedAcc: e.seed_test_acc ?? null,
        notes: e.notes,
        params: e.parameters,
        macs: e.macs,
      },
    ]),
  );
}
