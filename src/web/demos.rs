//! The bindings of the demos on the network in memory (see `session/demos.rs`).

use wasm_bindgen::prelude::*;

use super::convert::{event_to_js, json_to_js as to_js};
use super::explorer::Explorer;
use crate::explore::Insertion;
use crate::model::ZeroMode;

#[wasm_bindgen]
impl Explorer {
    /// Predictions of the current network on the test subset.
    pub async fn evaluate(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.evaluate().await?)
    }

    /// The key the current network's predictions can be kept under (see `Session::predictions_key`), or null.
    #[wasm_bindgen(js_name = predictionsKey)]
    pub fn predictions_key(&self) -> Option<String> {
        self.session.predictions_key()
    }

    /// The predictions `evaluate` computed for the current network (a class per test image), or null.
    #[wasm_bindgen(js_name = computedPredictions)]
    pub fn computed_predictions(&self) -> Option<Vec<u8>> {
        self.session.computed_predictions().map(<[u8]>::to_vec)
    }

    /// The network in memory was just saved as `file` (see `Session::saved_as`).
    #[wasm_bindgen(js_name = savedAs)]
    pub fn saved_as(&mut self, file: &[u8]) {
        self.session.saved_as(file);
    }

    /// Predictions kept from an earlier visit under `predictionsKey`, in place of `evaluate`'s.
    #[wasm_bindgen(js_name = usePredictions)]
    pub fn use_predictions(&mut self, predictions: Vec<u8>) -> Result<JsValue, JsError> {
        to_js(&self.session.use_predictions(predictions)?)
    }

    /// Both zeroings on every block, on the first `images` test images.
    #[wasm_bindgen(js_name = identityChecks)]
    pub async fn identity_checks(&mut self, images: usize) -> Result<JsValue, JsError> {
        to_js(&self.session.identity_checks(images).await?)
    }

    /// Input and output feature maps of one block for one test image (none: the user's picture;
    /// `input` and `output` as `Float32Array`s); `mode` is `"none"`, `"branch"` or `"conv2"`.
    #[wasm_bindgen(js_name = featureMaps)]
    pub async fn feature_maps(
        &mut self,
        stage: usize,
        block: usize,
        mode: String,
        image: Option<usize>,
        max_channels: usize,
    ) -> Result<JsValue, JsError> {
        let mode = match mode.as_str() {
            "none" => None,
            "branch" => Some(ZeroMode::Branch),
            "conv2" => Some(ZeroMode::Conv2),
            other => return Err(JsError::new(&format!("unknown zeroing mode {other:?}"))),
        };
        event_to_js(&self.session.feature_maps(stage, block, mode, image, max_channels).await?)
    }

    /// The class probabilities of the network in memory for the user's picture (28x28 grey
    /// bytes), which the identity demo's feature maps may then show.
    pub async fn classify(&mut self, picture: Vec<u8>) -> Result<JsValue, JsError> {
        to_js(&self.session.classify(picture).await?)
    }

    /// Inserts a block (`"identity"` or `"plain"`) at the end of `stage`; compares test
    /// predictions before and after.
    pub async fn insert(&mut self, insertion: String, stage: usize) -> Result<JsValue, JsError> {
        let insertion: Insertion = serde_json::from_value(serde_json::Value::String(insertion))
            .map_err(|e| JsError::new(&format!("invalid request: {e}")))?;
        to_js(&self.session.insert(insertion, stage).await?)
    }

    /// Back to the network before the first insertion.
    pub fn restore(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.restore()?)
    }
}
