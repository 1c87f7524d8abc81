//! Messages between the page and the worker, as typed structs. The page posts plain objects
//! that deserialize into [`StartRequest`]; the worker forwards the [`WorkerEvent`]s the
//! [`super::Session`] produces unchanged (`web` converts them to JavaScript values).

use serde::{Deserialize, Serialize};

use crate::backend::BackendKind;
use crate::explore::{Insertion, InsertionCheck};
use crate::metrics::ConfusionMatrix;
use crate::model::kernel_sets::{KernelReport, KernelTable, Kernels};
use crate::model::{LayerShape, ModelConfig};
use crate::train::{TrainConfig, TrainEvent};

/// Everything a training run needs besides the data bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StartRequest {
    /// A ResNet configuration as before, or a zoo network's (`{"kind": "alexnet", "input_size": 96}`).
    pub model: ModelConfig,
    pub train: TrainConfig,
    /// Use the first N training / test images (None: all of them).
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub train_limit: Option<usize>,
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub test_limit: Option<usize>,
    /// The GPU's per-buffer limit (the smaller of WebGPU's maxBufferSize and
    /// maxStorageBufferBindingSize); a batch that would need more is refused before training.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub max_buffer_bytes: Option<u64>,
    /// On WebGPU, which kernels the convolutions and BatchNorms run (chosen before the first
    /// step); none: ours.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub kernels: Option<KernelRequest>,
}

/// What the kernel choice needs from the page: the setting, the adapter as the browser names it,
/// and the table measured on an earlier visit (kept in this browser).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KernelRequest {
    pub setting: Kernels,
    pub adapter: String,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub kept: Option<KernelTable>,
}

/// The backend a worker ended up with, and why when it is not the GPU.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackendInfo {
    pub backend: BackendKind,
    pub label: String,
    /// Set when WebGPU was wanted but could not be used.
    pub fallback_reason: Option<String>,
    /// The demos compute on the CPU while WebGPU trains (a software adapter).
    pub demos_on_cpu: bool,
    /// Threads of the CPU backend: 1 in the single-threaded module, the Web Workers of the
    /// threaded one.
    pub threads: usize,
}

/// A block added to the network by the nested-function-classes demo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Inserted {
    pub insertion: Insertion,
    pub stage: usize,
}

/// Where the network in memory came from: the page's "Network in memory" line and which network
/// kept in this browser is in memory. The session changes it in the same step as the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "source", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Origin {
    /// The pretrained weights shipped with the page.
    Shipped,
    /// A network kept in this browser, loaded from there (`id`: None once it was forgotten).
    Saved { id: Option<u32>, name: String, saved_at: String },
    /// A weights file the user chose.
    Uploaded { name: String },
    /// Trained in this page by run `run`; `id` and `name` once it is kept in this browser.
    Trained { run: u32, id: Option<u32>, name: Option<String> },
}

impl Origin {
    /// The entry in this browser's store that holds these weights, if any.
    pub fn entry(&self) -> Option<u32> {
        match self {
            Origin::Saved { id, .. } | Origin::Trained { id, .. } => *id,
            _ => None,
        }
    }

    /// The entry `id` was deleted from the store: these weights are no longer kept there.
    pub fn forget(&mut self, deleted: u32) {
        if let Origin::Saved { id, .. } | Origin::Trained { id, .. } = self
            && *id == Some(deleted)
        {
            *id = None;
        }
    }
}

/// The current network, for the diagram and the layer table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ModelEvent {
    /// Serialised as the configuration itself: a ResNet's has `widths`, `blocks`, ...; a zoo
    /// network's has `kind` and `input_size`.
    pub config: ModelConfig,
    pub layers: Vec<LayerShape>,
    pub parameters: usize,
    /// What the weights are (a weights file's header says the same).
    pub note: String,
    pub origin: Origin,
    /// Blocks inserted since the network was trained or loaded (they are also counted in
    /// `config.blocks`, and plain ones listed in `config.plain_blocks`).
    pub inserted: Vec<Inserted>,
}

/// The prediction of one gallery image.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sample {
    pub index: usize,
    pub label: u8,
    pub predicted: u8,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerEvent {
    Backend(BackendInfo),
    Model(ModelEvent),
    /// Data decoded and validated.
    DataReady {
        train: usize,
        test: usize,
    },
    /// One batch done (batch index counts all epochs).
    Step {
        batch: usize,
        total: usize,
    },
    Train(TrainEvent),
    /// Test-set predictions: confusion matrix (rows: true class), per-class accuracy, gallery.
    Predictions {
        accuracy: f64,
        confusion: Vec<Vec<u32>>,
        per_class: Vec<f64>,
        samples: Vec<Sample>,
    },
    Finished {
        examples_per_sec: f64,
    },
    Gallery {
        side: usize,
        /// `Uint8Array`s in the browser (`web::convert::event_to_js`).
        #[cfg_attr(feature = "ts", ts(type = "Uint8Array[]"))]
        images: Vec<Vec<u8>>,
        labels: Vec<u8>,
        class_names: Vec<String>,
    },
    FeatureMaps {
        label: String,
        channels: usize,
        side_in: usize,
        side_out: usize,
        /// `Float32Array`s in the browser (`web::convert::event_to_js`).
        #[cfg_attr(feature = "ts", ts(type = "Float32Array"))]
        input: Vec<f32>,
        #[cfg_attr(feature = "ts", ts(type = "Float32Array"))]
        output: Vec<f32>,
        max_abs_diff: Option<f32>,
    },
    Insertion(InsertionCheck),
    /// How the run's kernels were chosen (WebGPU only), before its first step.
    Kernels(KernelReport),
    /// The network in memory's class probabilities for the user's own picture.
    Picture {
        probabilities: Vec<f32>,
        predicted: u8,
        class_names: Vec<String>,
    },
    /// The run stopped because its loss exploded; the weights of `kept_epoch` were kept. An
    /// `error` event with the same message follows.
    Diverged {
        epoch: f64,
        loss: f64,
        kept_epoch: f64,
        message: String,
    },
    Error {
        message: String,
    },
}

/// The `predictions` event for test-set predictions, listing the first `gallery` images.
pub fn predictions_event(predictions: &[u8], labels: &[u8], gallery: usize) -> WorkerEvent {
    let matrix = ConfusionMatrix::new(10, predictions, labels);
    WorkerEvent::Predictions {
        accuracy: matrix.accuracy(),
        per_class: matrix.per_class_accuracy(),
        samples: (0..gallery.min(predictions.len()))
            .map(|index| Sample { index, label: labels[index], predicted: predictions[index] })
            .collect(),
        confusion: matrix.counts,
    }
}
