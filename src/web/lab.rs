//! The bindings of the lab's requests (see `session/lab.rs`).

use wasm_bindgen::prelude::*;

use super::convert::json_to_js as to_js;
use super::explorer::Explorer;

#[wasm_bindgen]
impl Explorer {
    /// ||dL/dW|| of every conv and ||F(x)|| / ||x|| of every block on the probe batch, for the
    /// network being trained (between steps) or the one in memory.
    #[wasm_bindgen(js_name = labProbe)]
    pub async fn lab_probe(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.lab_probe().await?)
    }

    /// Test accuracy with each block removed in turn (blocks that change the shape cannot be).
    pub async fn lesions(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.lesions().await?)
    }
}
