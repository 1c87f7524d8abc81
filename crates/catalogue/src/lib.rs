//! The page's catalogue module (`pkg-catalogue/`): what the page's main thread asks of Rust
//! before and beside the worker (the model picker, the layer table, the lab's twins), so that the
//! page never downloads a training module just for these. The worker loads the training module
//! (`pkg/` or `pkg-threads/`) on its own.

use resnet_explorer::model::ModelConfig;
use resnet_explorer::model::catalogue::{self, Entry};
use resnet_explorer::session::lab_twins;
use resnet_explorer::web::convert::{json_from_js, json_to_js};
use wasm_bindgen::prelude::*;

/// The whole catalogue (ResNet presets and chapter-7 networks), one object a model: `name`,
/// `title`, `family` ("resnet" or "zoo"), `config`, `default_input_size`, `training`
/// (`{epochs, batch, lr}`), `seed_test_acc` (or null), `notes`, `parameters`, `macs`.
#[wasm_bindgen(js_name = catalogue)]
pub fn catalogue_summaries() -> Result<JsValue, JsError> {
    json_to_js(&catalogue::catalogue().iter().map(Entry::summary).collect::<Vec<_>>())
}

/// Per-layer shapes of a configuration (a ResNet's or a zoo network's), without building it.
#[wasm_bindgen]
pub fn shapes(config: JsValue) -> Result<JsValue, JsError> {
    let config: ModelConfig = json_from_js(config)?;
    json_to_js(&config.layers()?)
}

/// The degradation race's twins: `[plain, residual]` CIFAR-family networks of `depth` (6n + 2)
/// layers and first-stage width `width`, optionally with zero-gamma residual blocks.
#[wasm_bindgen(js_name = labTwins)]
pub fn twins(depth: usize, width: usize, zero_gamma: bool) -> Result<JsValue, JsError> {
    json_to_js(&lab_twins(depth, width, zero_gamma)?)
}
