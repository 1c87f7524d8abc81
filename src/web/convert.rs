//! Rust values to JavaScript values and back.

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Events go to JavaScript as one JSON string, parsed there: serde-wasm-bindgen builds JS values
/// one call at a time, which measured about 1 ms a value in this module (650 ms for the layer
/// table, 10 s for 24 gallery images).
pub(super) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| JsError::new("the browser could not parse an event"))
}

/// Requests come in the same way, as one JSON string: through serde-wasm-bindgen, three
/// `shapes(config)` calls for the page's model table took 150 ms at start-up.
pub(super) fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    let json = js_sys::JSON::stringify(&value).map_err(|_| JsError::new("a request could not be serialised"))?;
    serde_json::from_str(&String::from(json)).map_err(|e| JsError::new(&format!("invalid request: {e}")))
}
