//! The explorer inside the worker: the data, the current network (trained, loaded or edited)
//! and, while one runs, a training run. JavaScript serialises the calls and drives training one
//! `step` at a time, yielding to its event loop in between, which keeps pause and stop prompt.
//! The demos on the network in memory are in `demos.rs`, the lab's requests in `lab.rs`.

use burn::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::device;
use super::protocol::{Inserted, ModelEvent, StartRequest, WorkerEvent, ZooModel, predictions_event};
use crate::data::{CLASS_NAMES, Dataset, Split};
use crate::model::catalogue::{self, Family};
use crate::model::weights::{self, WeightsHeader};
use crate::model::zoo::ZooConfig;
use crate::model::{ModelConfig, Network, ResNet, ResNetConfig, check_network_fits};
use crate::train::{TrainConfig, TrainError, Trainer};

/// Test images whose predictions are listed for the gallery.
pub(super) const GALLERY: usize = 24;

/// Training steps of the throwaway run that compiles the GPU kernels before Start: burn's fusion
/// settles on its fused kernels over the first few steps, so one step leaves some to compile.
const WARM_UP_STEPS: usize = 3;

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

/// The current network and what the views need to know about it.
pub(super) struct Current {
    pub(super) model: Network,
    pub(super) config: ModelConfig,
    pub(super) note: String,
    pub(super) inserted: Vec<Inserted>,
    /// Whether `model` is on the demo device (else on the training device: just trained there).
    pub(super) on_demo_device: bool,
    /// Its predictions on the test images the demos use, with the key of those images: computed
    /// by `evaluate`, reused by the insertion comparison (a pass over 10,000 images saved).
    pub(super) predictions: Option<(TestKey, Vec<u8>)>,
}

/// Which test images a set of predictions is for: the data's version and how many images.
pub(super) type TestKey = (u32, usize);

impl Current {
    /// The ResNet and its configuration, or an error saying that `demo` needs one.
    pub(super) fn resnet(&self, demo: &str) -> Result<(&ResNet, &ResNetConfig), JsError> {
        let config = self.config.residual(demo)?;
        let model =
            self.model.as_resnet().ok_or_else(|| JsError::new("the network does not match its configuration"))?;
        Ok((model, config))
    }
}

fn no_network() -> JsError {
    JsError::new("there is no network yet: train one or load weights")
}

#[wasm_bindgen]
pub struct Explorer {
    /// Where training runs.
    device: Device,
    /// Where the demos' forward passes run: the CPU on a software WebGPU adapter, else `device`
    /// (see `device::Devices`). The network in memory moves there on its first demo.
    demo_device: Device,
    demos_elsewhere: bool,
    /// Counts data replacements (the user's own files), so cached predictions are never reused
    /// on other images.
    data_version: u32,
    train: Dataset,
    pub(super) test: Dataset,
    test_limit: Option<usize>,
    /// Fashion-MNIST's class names, or the digits 0..9 for a dataset the user chose.
    class_names: Vec<String>,
    pub(super) network: Option<Current>,
    /// The network before the first insertion, for Restore.
    pub(super) original: Option<Current>,
    trainer: Option<Trainer>,
}

impl Explorer {
    pub(super) fn network(&self) -> Result<&Current, JsError> {
        self.network.as_ref().ok_or_else(no_network)
    }

    /// The ResNet being trained, else the one in memory, with its configuration and whether it
    /// is the training run's; an error names `demo` when the network is not a ResNet.
    pub(super) fn live_resnet(&self, demo: &str) -> Result<(&ResNet, &ResNetConfig), JsError> {
        let (model, config) = match &self.trainer {
            Some(t) => (t.model(), t.model_config()),
            None => (&self.network()?.model, &self.network()?.config),
        };
        let config = config.residual(demo)?;
        Ok((model.as_resnet().ok_or_else(|| JsError::new("the network does not match its configuration"))?, config))
    }

    /// The device of the network `live_resnet` returns.
    pub(super) fn live_device(&self) -> &Device {
        match (&self.trainer, &self.network) {
            (None, Some(n)) if n.on_demo_device => &self.demo_device,
            _ => &self.device,
        }
    }

    pub(super) fn demo_device(&self) -> &Device {
        &self.demo_device
    }

    /// Moves the network in memory to the demo device, once after each training run (one
    /// async read of every weight; a synchronous read would panic on WebGPU).
    pub(super) async fn to_demo_device(&mut self) -> Result<(), JsError> {
        let n = self.network.as_mut().ok_or_else(no_network)?;
        if !n.on_demo_device {
            n.model = weights::to_cpu(&n.model).await?;
            n.on_demo_device = true;
        }
        Ok(())
    }

    /// The test images the views use (the whole test set unless limited).
    pub(super) fn test_images(&self) -> Dataset {
        self.test_subset()
    }

    pub(super) fn not_training(&self) -> Result<(), JsError> {
        match self.trainer {
            Some(_) => Err(JsError::new("a training run is in progress (paused runs too): stop it first")),
            None => Ok(()),
        }
    }

    pub(super) fn test_subset(&self) -> Dataset {
        self.test.clone().truncate(self.test_limit.unwrap_or(usize::MAX))
    }

    pub(super) fn test_key(&self) -> TestKey {
        (self.data_version, self.test.len().min(self.test_limit.unwrap_or(usize::MAX)))
    }

    pub(super) fn model_event(&self) -> Result<WorkerEvent, JsError> {
        let n = self.network()?;
        Ok(WorkerEvent::Model(ModelEvent {
            layers: n.config.layers()?,
            parameters: n.config.parameter_count(),
            config: n.config.clone(),
            note: n.note.clone(),
            inserted: n.inserted.clone(),
        }))
    }

    /// Ends a run: its network becomes the current one.
    fn finish_training(&mut self) {
        if let Some(trainer) = self.trainer.take() {
            let config = trainer.model_config().clone();
            let note = format!("trained here: {} epochs at lr {}", trainer.config().epochs, trainer.config().lr);
            let inserted = self.network.take().map(|n| n.inserted).unwrap_or_default();
            let model = trainer.into_model();
            let on_demo_device = !self.demos_elsewhere;
            self.network = Some(Current { model, config, note, inserted, on_demo_device, predictions: None });
        }
    }
}

#[wasm_bindgen]
impl Explorer {
    /// Validates the four IDX files (gzip or raw); a bad file gives an error naming it.
    pub fn create(
        train_images: &[u8],
        train_labels: &[u8],
        test_images: &[u8],
        test_labels: &[u8],
    ) -> Result<Explorer, JsError> {
        let devices = device::current().ok_or_else(|| JsError::new("initDevice must be called first"))?;
        let load = |split: Split, images: &[u8], labels: &[u8]| {
            let (i, l) = split.file_names();
            Dataset::from_idx(images, i, labels, l)
        };
        Ok(Explorer {
            device: devices.train,
            demo_device: devices.demos,
            demos_elsewhere: devices.info.demos_on_cpu,
            data_version: 0,
            train: load(Split::Train, train_images, train_labels)?,
            test: load(Split::Test, test_images, test_labels)?,
            test_limit: None,
            class_names: CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
            network: None,
            original: None,
            trainer: None,
        })
    }

    /// The first `n` test images (28x28 bytes) with their labels and the class names.
    pub fn gallery(&self, n: usize) -> Result<JsValue, JsError> {
        let n = n.min(self.test.len());
        to_js(&WorkerEvent::Gallery {
            side: 28,
            images: (0..n).map(|i| self.test.image(i).to_vec()).collect(),
            labels: self.test.labels()[..n].to_vec(),
            class_names: self.class_names.clone(),
        })
    }

    /// Replaces the data with IDX files the user chose (gzip or raw): any dataset of 28x28
    /// images with labels 0..9, such as the original MNIST digits. `names` are the four file
    /// names, for the messages. Without a test pair, the last sixth of the training pair is held
    /// out as the test set. Returns the new training and test sizes; the network is kept.
    #[wasm_bindgen(js_name = useData)]
    pub fn use_data(
        &mut self,
        names: Vec<String>,
        train_images: &[u8],
        train_labels: &[u8],
        test_images: Option<Vec<u8>>,
        test_labels: Option<Vec<u8>>,
    ) -> Result<JsValue, JsError> {
        self.not_training()?;
        let name = |i: usize| names.get(i).map_or("(unnamed file)", String::as_str);
        let mut train = Dataset::from_idx(train_images, name(0), train_labels, name(1))?;
        let test = match (test_images, test_labels) {
            (Some(images), Some(labels)) => Dataset::from_idx(&images, name(2), &labels, name(3))?,
            (None, None) => train.split_off(train.len() / 6),
            _ => return Err(JsError::new("choose the test images and the test labels together")),
        };
        if train.is_empty() || test.is_empty() {
            return Err(JsError::new(&format!(
                "{} holds {} images: too few to train on and hold out a test set",
                name(0),
                train.len() + test.len()
            )));
        }
        (self.train, self.test) = (train, test);
        self.data_version += 1;
        self.class_names = (0..CLASS_NAMES.len()).map(|d| d.to_string()).collect();
        to_js(&WorkerEvent::DataReady { train: self.train.len(), test: self.test.len() })
    }

    #[wasm_bindgen(js_name = setTestLimit)]
    pub fn set_test_limit(&mut self, limit: Option<usize>) {
        self.test_limit = limit;
    }

    #[wasm_bindgen(js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.network.is_some() || self.trainer.is_some()
    }

    #[wasm_bindgen(js_name = isTraining)]
    pub fn is_training(&self) -> bool {
        self.trainer.is_some()
    }

    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, bytes: &[u8]) -> Result<JsValue, JsError> {
        self.not_training()?;
        let (model, header) = weights::load(bytes, &self.demo_device)?;
        self.network = Some(Current {
            model,
            config: header.model,
            note: header.note,
            inserted: Vec::new(),
            on_demo_device: true,
            predictions: None,
        });
        self.original = None;
        to_js(&[self.model_event()?])
    }

    #[wasm_bindgen(js_name = saveWeights)]
    pub async fn save_weights(&self, note: String) -> Result<Vec<u8>, JsError> {
        let (model, config) = match &self.trainer {
            Some(t) => (t.model(), t.model_config()),
            None => (&self.network()?.model, &self.network()?.config),
        };
        Ok(weights::save(model, &WeightsHeader { model: config.clone(), note }).await?)
    }

    /// Starts a run: a new network (`fresh`) or the current one trained further.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(&mut self, request: JsValue, fresh: bool) -> Result<JsValue, JsError> {
        let request: StartRequest = from_js(request)?;
        if let Some(limit) = request.max_buffer_bytes {
            let model = match fresh {
                true => &request.model,
                false => &self.network()?.config,
            };
            check_network_fits(model, request.train.batch_size, limit).map_err(|e| JsError::new(&e))?;
        }
        self.finish_training();
        self.test_limit = request.test_limit;
        let train = self.train.clone().truncate(request.train_limit.unwrap_or(usize::MAX));
        let test = self.test_subset();
        let trainer = match fresh {
            true => {
                self.original = None;
                if let Some(n) = &mut self.network {
                    n.inserted.clear();
                }
                Trainer::new(&request.model, request.train, train, test, &self.device)?
            }
            false => {
                let n = self.network()?;
                let model = match self.demos_elsewhere && n.on_demo_device {
                    true => n.model.clone().fork(&self.device),
                    false => n.model.clone(),
                };
                Trainer::resume(model, &n.config, request.train, train, test, &self.device)?
            }
        };
        let (train, test) = trainer.data_sizes();
        let model = WorkerEvent::Model(ModelEvent {
            layers: trainer.model_config().layers()?,
            parameters: trainer.parameter_count(),
            config: trainer.model_config().clone(),
            note: "training".into(),
            inserted: self.network.as_ref().map(|n| n.inserted.clone()).unwrap_or_default(),
        });
        self.trainer = Some(trainer);
        to_js(&[model, WorkerEvent::DataReady { train, test }])
    }

    /// A throwaway training run of `WARM_UP_STEPS` steps (and a test pass) of the network and batch
    /// size `request` describes, on the training device, so that the GPU kernels compile while
    /// the page is idle instead of in the first batch after Start. Nothing is kept; a batch that
    /// would not fit the GPU is skipped (Start says why).
    #[wasm_bindgen(js_name = warmUp)]
    pub async fn warm_up(&self, request: JsValue) -> Result<(), JsError> {
        let request: StartRequest = from_js(request)?;
        let batch = request.train.batch_size;
        if let Some(limit) = request.max_buffer_bytes
            && check_network_fits(&request.model, batch, limit).is_err()
        {
            return Ok(());
        }
        let config = TrainConfig { epochs: 1, ..request.train };
        let train = self.train.clone().truncate(WARM_UP_STEPS * batch);
        let test = self.test.clone().truncate(batch);
        let mut trainer = Trainer::new(&request.model, config, train, test, &self.device)?;
        while !trainer.is_finished() {
            trainer.step().await?;
        }
        Ok(())
    }

    /// Trains one batch; returns the events it produced.
    pub async fn step(&mut self) -> Result<JsValue, JsError> {
        let trainer = self.trainer.as_mut().ok_or_else(|| JsError::new("no training run: start one first"))?;
        let trained = trainer.step().await;
        let mut events = vec![WorkerEvent::Step { batch: trainer.batches_done(), total: trainer.batches_total() }];
        match trained {
            Ok(train_events) => {
                let epoch_ended = train_events.iter().any(|e| matches!(e, crate::train::TrainEvent::Epoch { .. }));
                events.extend(train_events.into_iter().map(WorkerEvent::Train));
                if epoch_ended {
                    events.push(predictions_event(trainer.last_predictions(), trainer.test_set().labels(), GALLERY));
                }
            }
            Err(e) => {
                let message = e.to_string();
                if let TrainError::Diverged { epoch, loss, kept, .. } = e {
                    events.push(WorkerEvent::Diverged { epoch, loss, kept_epoch: kept, message: message.clone() });
                }
                events.push(WorkerEvent::Error { message });
            }
        }
        if trainer.is_finished() {
            events.push(WorkerEvent::Finished { examples_per_sec: trainer.examples_per_sec() });
            self.finish_training();
        }
        to_js(&events)
    }

    /// Stops the run; the partly trained network becomes the current one.
    #[wasm_bindgen(js_name = stopTraining)]
    pub fn stop_training(&mut self) {
        self.finish_training();
    }
}

/// Per-layer shapes of a configuration (a ResNet's or a zoo network's), without building it
/// (for the page before a run).
#[wasm_bindgen]
pub fn shapes(config: JsValue) -> Result<JsValue, JsError> {
    let config: ModelConfig = from_js(config)?;
    to_js(&config.layers()?)
}

/// The ResNet presets as `[name, config]` pairs, from the catalogue.
#[wasm_bindgen]
pub fn presets() -> Result<JsValue, JsError> {
    let presets: Vec<(&str, ResNetConfig)> = catalogue::catalogue()
        .into_iter()
        .filter_map(|e| match e.family {
            Family::ResNet(config) => Some((e.name, config)),
            Family::Zoo(_) => None,
        })
        .collect();
    to_js(&presets)
}

/// Every chapter-7 network of the catalogue at the seed's input size: name, title,
/// configuration, parameters, MACs and the seed's reported test accuracy.
#[wasm_bindgen(js_name = zooModels)]
pub fn zoo_models() -> Result<JsValue, JsError> {
    let models: Vec<ZooModel> = catalogue::catalogue()
        .into_iter()
        .filter_map(|e| {
            let Family::Zoo(kind) = e.family else { return None };
            let (parameters, macs) = e.totals();
            Some(ZooModel {
                name: e.name.into(),
                title: e.title.into(),
                default_input_size: e.default_input_size(),
                config: ZooConfig::new(kind),
                parameters,
                macs,
                seed_test_acc: e.seed_test_acc.unwrap_or(f64::NAN),
            })
        })
        .collect();
    to_js(&models)
}

/// The whole catalogue (ResNet presets and chapter-7 networks), one object a model: `name`,
/// `title`, `family` ("resnet" or "zoo"), `config`, `default_input_size`, `training`
/// (`{epochs, batch, lr}`), `seed_test_acc` (or null), `notes`, `parameters`, `macs`.
#[wasm_bindgen(js_name = catalogue)]
pub fn catalogue_summaries() -> Result<JsValue, JsError> {
    to_js(&catalogue::catalogue().iter().map(catalogue::Entry::summary).collect::<Vec<_>>())
}
