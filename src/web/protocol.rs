//! Messages between the page and the worker, as typed structs. The page posts plain objects
//! that deserialize into [`StartRequest`]; the worker forwards the [`WorkerEvent`]s produced
//! here unchanged (serde-wasm-bindgen does both conversions).

use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::model::{LayerShape, ResNetConfig};
use crate::train::{TrainConfig, TrainEvent};

/// Everything a training run needs besides the data bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StartRequest {
    pub model: ResNetConfig,
    pub train: TrainConfig,
    /// Use the first N training / test images (None: all of them).
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
}

/// The backend a worker ended up with, and why when it is not the GPU.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BackendInfo {
    pub backend: BackendKind,
    pub label: String,
    /// Set when WebGPU was wanted but could not be used.
    pub fallback_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerEvent {
    Backend(BackendInfo),
    /// The network that will be trained: one row per layer.
    Model { layers: Vec<LayerShape>, parameters: usize },
    /// Data decoded and validated.
    DataReady { train: usize, test: usize },
    /// One batch done (batch index counts all epochs).
    Step { batch: usize, total: usize },
    Train(TrainEvent),
    Finished { examples_per_sec: f64 },
    Error { message: String },
}
