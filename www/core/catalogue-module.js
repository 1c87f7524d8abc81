// @ts-check
// The page's catalogue module (pkg-catalogue/, from crates/catalogue): the models, their layer
// tables and the lab's twins, from Rust, without the training code (the worker loads that
// module on its own). Loaded once, for every feature that asks.

/**
 * crates/catalogue's exports, with Rust's types (www/generated/rust.d.ts).
 * @typedef {import('../generated/rust.js').ModelConfig} ModelConfig
 * @typedef {{catalogue(): import('../generated/rust.js').EntrySummary[],
 *   shapes(config: ModelConfig): import('../generated/rust.js').LayerShape[],
 *   labTwins(depth: number, width: number, zeroGamma: boolean): [ModelConfig, ModelConfig]}} CatalogueModule
 */

/** Where it lives, relative to this file (www/core/). */
export const CATALOGUE_URL = new URL('../../pkg-catalogue/resnet_explorer_catalogue.js', import.meta.url).href;

/** @type {Promise<CatalogueModule> | null} */
let loading = null;

/** The module, instantiated; a failed load is tried again by the next call. @returns {Promise<CatalogueModule>} */
export function loadCatalogueModule() {
  loading ??= (async () => {
    const module = await import(CATALOGUE_URL);
    await module.default();
    return /** @type {CatalogueModule} */ (module);
  })();
  loading.catch(() => (loading = null));
  return loading;
}
