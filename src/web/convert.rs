//! Rust values to JavaScript values and back: as one JSON string parsed on the other side
//! (`JSON.parse` / `JSON.stringify` with serde_json), except the bulk numbers of two events, the
//! gallery's images and the feature maps, which cross as typed arrays ([`event_to_js`]).
//! `tests/wasm_bench.rs` measures each message kind against serde-wasm-bindgen (one JS value per
//! field and element) and the bulk numbers as typed arrays against JSON arrays: JSON strings win
//! every kind against serde-wasm-bindgen, typed arrays win the bulk numbers against JSON
//! (bench/RESULTS.md, "serde-wasm-bindgen vs JSON strings").

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::session::protocol::WorkerEvent;

/// A value as JSON text, parsed by the browser's `JSON.parse`.
pub fn json_to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| JsError::new("the browser could not parse an event"))
}

/// A request through `JSON.stringify`, then serde_json.
pub fn json_from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    let json = js_sys::JSON::stringify(&value).map_err(|_| JsError::new("a request could not be serialised"))?;
    serde_json::from_str(&String::from(json)).map_err(|e| JsError::new(&format!("invalid request: {e}")))
}

/// An event whose bulk numbers cross as typed arrays: the gallery's images as `Uint8Array`s,
/// feature maps as `Float32Array`s (one copy each out of wasm memory, never element by element,
/// each with its own `ArrayBuffer`, which the worker transfers to the page); the rest as
/// [`json_to_js`] builds it. Other events as [`json_to_js`]. Measured 4-11x faster than JSON
/// arrays for these two events (bench/RESULTS.md).
pub fn event_to_js(event: &WorkerEvent) -> Result<JsValue, JsError> {
    let set = |object: &JsValue, key: &str, value: &JsValue| {
        js_sys::Reflect::set(object, &key.into(), value).map_err(|_| JsError::new("could not build an event"))
    };
    match event {
        WorkerEvent::Gallery { side, images, labels, class_names } => {
            let rest = WorkerEvent::Gallery {
                side: *side,
                images: Vec::new(),
                labels: labels.clone(),
                class_names: class_names.clone(),
            };
            let object = json_to_js(&rest)?;
            let arrays: js_sys::Array = images.iter().map(|i| js_sys::Uint8Array::from(i.as_slice())).collect();
            set(&object, "images", &arrays)?;
            Ok(object)
        }
        WorkerEvent::FeatureMaps { label, channels, side_in, side_out, input, output, max_abs_diff } => {
            let rest = WorkerEvent::FeatureMaps {
                label: label.clone(),
                channels: *channels,
                side_in: *side_in,
                side_out: *side_out,
                input: Vec::new(),
                output: Vec::new(),
                max_abs_diff: *max_abs_diff,
            };
            let object = json_to_js(&rest)?;
            set(&object, "input", &js_sys::Float32Array::from(input.as_slice()))?;
            set(&object, "output", &js_sys::Float32Array::from(output.as_slice()))?;
            Ok(object)
        }
        other => json_to_js(other),
    }
}
