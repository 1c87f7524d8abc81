//! One training run inside the worker. JavaScript calls `step` in a loop and yields to its event
//! loop between calls, which is what makes pause and stop responsive.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::device;
use super::protocol::{StartRequest, WorkerEvent};
use crate::data::{Dataset, Split};
use crate::model::{ResNetConfig, infer_shapes};
use crate::train::Trainer;

#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Maps (not JS objects) would be unreadable on the page: serialise structs as objects.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    Ok(value.serialize(&serializer)?)
}

#[wasm_bindgen]
impl Session {
    /// Validates the request and the four IDX files (gzip or raw) and builds the model on the
    /// device chosen by `initDevice`. Returns a clear error for any bad input.
    pub fn create(
        request: JsValue,
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<Session, JsError> {
        let request: StartRequest = serde_wasm_bindgen::from_value(request)?;
        let (device, _) = device::current().ok_or_else(|| JsError::new("initDevice must be called first"))?;
        let load = |split: Split, images: &[u8], labels: &[u8], limit: Option<usize>| {
            let (i, l) = split.file_names();
            Dataset::from_idx(images, i, labels, l).map(|d| d.truncate(limit.unwrap_or(usize::MAX)))
        };
        let train = load(Split::Train, train_images, train_labels, request.train_limit)?;
        let test = load(Split::Test, test_images, test_labels, request.test_limit)?;
        let trainer = Trainer::new(&request.model, request.train, train, test, &device)?;
        Ok(Session { trainer })
    }

    /// The events describing the run before it starts: layer shapes and data sizes.
    pub fn describe(&self) -> Result<JsValue, JsError> {
        let layers = infer_shapes(self.trainer.model_config())?;
        let parameters = self.trainer.parameter_count();
        let (train, test) = self.trainer.data_sizes();
        to_js(&[WorkerEvent::Model { layers, parameters }, WorkerEvent::DataReady { train, test }])
    }

    /// Trains one batch; returns the events it produced (a `step`, and reports at report points).
    pub async fn step(&mut self) -> Result<JsValue, JsError> {
        let trained = self.trainer.step().await;
        let mut events = vec![WorkerEvent::Step { batch: self.trainer.batches_done(), total: self.trainer.batches_total() }];
        match trained {
            Ok(train_events) => events.extend(train_events.into_iter().map(WorkerEvent::Train)),
            Err(e) => events.push(WorkerEvent::Error { message: e.to_string() }),
        }
        if self.trainer.is_finished() {
            events.push(WorkerEvent::Finished { examples_per_sec: self.trainer.examples_per_sec() });
        }
        to_js(&events)
    }

    #[wasm_bindgen(js_name = isFinished)]
    pub fn is_finished(&self) -> bool {
        self.trainer.is_finished()
    }
}

/// Per-layer shapes of a configuration, without building it (for the page before a run).
#[wasm_bindgen]
pub fn shapes(config: JsValue) -> Result<JsValue, JsError> {
    let config: ResNetConfig = serde_wasm_bindgen::from_value(config)?;
    to_js(&infer_shapes(&config)?)
}

/// The presets, so the page never keeps its own copy of a model description.
#[wasm_bindgen]
pub fn presets() -> Result<JsValue, JsError> {
    to_js(&[("fast", ResNetConfig::fast()), ("d2l96", ResNetConfig::resnet18(96)), ("tiny", ResNetConfig::tiny())])
}
