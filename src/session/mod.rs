//! The explorer's session, as the page's worker drives it: the data, the network in memory
//! (trained, loaded or edited) and, while one runs, a training run. Plain Rust with no browser
//! types, so native tests reach every transition; `web` only converts JavaScript values and
//! calls it. The caller serialises the calls and drives training one [`Session::step`] at a
//! time. The demos on the network in memory are in `demos.rs`, the lab's requests in `lab.rs`.

mod demos;
mod lab;
pub mod protocol;

use burn::prelude::*;

use crate::data::{CLASS_NAMES, Dataset, IdxError, Split};
use crate::model::weights::{self, WeightsError, WeightsHeader};
use crate::model::{ConfigError, ModelConfig, Network, NotResidual, ResNet, ResNetConfig, check_network_fits};
use crate::train::{TrainConfig, TrainError, TrainEvent, Trainer};
pub use lab::{Magnitude, Probe, lab_twins};
use protocol::{Inserted, ModelEvent, StartRequest, WorkerEvent, predictions_event};

/// Test images whose predictions are listed for the gallery.
pub const GALLERY: usize = 24;

/// Training steps of the throwaway run that compiles the GPU kernels before Start: burn's fusion
/// settles on its fused kernels over the first few steps, so one step leaves some to compile.
const WARM_UP_STEPS: usize = 3;

/// Why a request was refused; the message is what the page shows.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Weights(#[from] WeightsError),
    #[error(transparent)]
    Data(#[from] IdxError),
    #[error(transparent)]
    NotResidual(#[from] NotResidual),
    #[error("{0}")]
    Refused(String),
}

fn refused(message: impl Into<String>) -> SessionError {
    SessionError::Refused(message.into())
}

fn no_network() -> SessionError {
    refused("there is no network yet: train one or load weights")
}

fn training_in_progress() -> SessionError {
    refused("a training run is in progress (paused runs too): stop it first")
}

pub type Result<T, E = SessionError> = std::result::Result<T, E>;

/// The network in memory and what the views need to know about it.
pub struct Current {
    pub model: Network,
    pub config: ModelConfig,
    /// Where the weights came from.
    pub note: String,
    /// Blocks inserted since it was trained or loaded.
    pub inserted: Vec<Inserted>,
    /// Whether `model` is on the demo device (else on the training device: just trained there).
    on_demo_device: bool,
    /// Its predictions on the test images the demos use, with the key of those images: computed
    /// by `evaluate`, reused by the insertion comparison (a pass over 10,000 images saved).
    predictions: Option<(TestKey, Vec<u8>)>,
}

/// Which test images a set of predictions is for: the data's version and how many images.
type TestKey = (u32, usize);

impl Current {
    /// The ResNet and its configuration, or an error saying that `demo` needs one.
    fn resnet(&self, demo: &str) -> Result<(&ResNet, &ResNetConfig)> {
        let config = self.config.residual(demo)?;
        let model = self.model.as_resnet().ok_or_else(|| refused("the network does not match its configuration"))?;
        Ok((model, config))
    }
}

/// Where a session computes. `train` runs training; `demos` runs the demos' forward passes over
/// the test images (predictions, identity checks, insertions, lesions): the CPU where the
/// training device is a software GPU, else the same device.
#[derive(Clone)]
pub struct SessionDevices {
    pub train: Device,
    pub demos: Device,
    /// `demos` is another device than `train`: networks move between them.
    pub demos_elsewhere: bool,
}

pub struct Session {
    device: Device,
    /// The network in memory moves here on its first demo (see [`SessionDevices`]).
    demo_device: Device,
    demos_elsewhere: bool,
    /// Counts data replacements (the user's own files), so cached predictions are never reused
    /// on other images.
    data_version: u32,
    train: Dataset,
    test: Dataset,
    test_limit: Option<usize>,
    /// Fashion-MNIST's class names, or the digits 0..9 for a dataset the user chose.
    class_names: Vec<String>,
    network: Option<Current>,
    /// The network before the first insertion, for Restore.
    original: Option<Current>,
    trainer: Option<Trainer>,
}

impl Session {
    /// A session on Fashion-MNIST (`train`, `test`), with no network yet. `train` may be empty
    /// at first (the page opens on the test set; [`Session::set_training_data`] follows).
    pub fn new(devices: SessionDevices, train: Dataset, test: Dataset) -> Self {
        Session {
            device: devices.train,
            demo_device: devices.demos,
            demos_elsewhere: devices.demos_elsewhere,
            data_version: 0,
            train,
            test,
            test_limit: None,
            class_names: CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
            network: None,
            original: None,
            trainer: None,
        }
    }

    /// The network in memory (not the one being trained).
    pub fn network(&self) -> Option<&Current> {
        self.network.as_ref()
    }

    /// The network before the first insertion, while there is one to restore.
    pub fn original(&self) -> Option<&Current> {
        self.original.as_ref()
    }

    /// Training and test images in use (the test set before any limit).
    pub fn data(&self) -> (&Dataset, &Dataset) {
        (&self.train, &self.test)
    }

    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    fn current(&self) -> Result<&Current> {
        self.network.as_ref().ok_or_else(no_network)
    }

    fn not_training(&self) -> Result<()> {
        match self.trainer {
            Some(_) => Err(training_in_progress()),
            None => Ok(()),
        }
    }

    /// The ResNet being trained, else the one in memory, with its configuration; an error
    /// names `demo` when the network is not a ResNet.
    fn live_resnet(&self, demo: &str) -> Result<(&ResNet, &ResNetConfig)> {
        let (model, config) = match &self.trainer {
            Some(t) => (t.model(), t.model_config()),
            None => (&self.current()?.model, &self.current()?.config),
        };
        let config = config.residual(demo)?;
        Ok((model.as_resnet().ok_or_else(|| refused("the network does not match its configuration"))?, config))
    }

    /// The device of the network `live_resnet` returns.
    fn live_device(&self) -> &Device {
        match (&self.trainer, &self.network) {
            (None, Some(n)) if n.on_demo_device => &self.demo_device,
            _ => &self.device,
        }
    }

    /// Moves the network in memory to the demo device, once after each training run (one
    /// async read of every weight; a synchronous read would panic on WebGPU).
    async fn move_to_demo_device(&mut self) -> Result<()> {
        let n = self.network.as_mut().ok_or_else(no_network)?;
        if !n.on_demo_device {
            n.model = weights::to_cpu(&n.model).await?;
            n.on_demo_device = true;
        }
        Ok(())
    }

    /// The test images the views use (the whole test set unless limited).
    fn test_subset(&self) -> Dataset {
        self.test.clone().truncate(self.test_limit.unwrap_or(usize::MAX))
    }

    fn test_key(&self) -> TestKey {
        (self.data_version, self.test.len().min(self.test_limit.unwrap_or(usize::MAX)))
    }

    /// The `model` event for the network in memory.
    pub fn model_event(&self) -> Result<WorkerEvent> {
        let n = self.current()?;
        Ok(WorkerEvent::Model(ModelEvent {
            layers: n.config.layers()?,
            parameters: n.config.parameter_count(),
            config: n.config.clone(),
            note: n.note.clone(),
            inserted: n.inserted.clone(),
        }))
    }

    /// Ends a run: its network becomes the one in memory.
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

    /// The first `n` test images (28x28 bytes) with their labels and the class names.
    pub fn gallery(&self, n: usize) -> WorkerEvent {
        let n = n.min(self.test.len());
        WorkerEvent::Gallery {
            side: 28,
            images: (0..n).map(|i| self.test.image(i).to_vec()).collect(),
            labels: self.test.labels()[..n].to_vec(),
            class_names: self.class_names.clone(),
        }
    }

    /// Replaces the data with IDX files the user chose (gzip or raw): any dataset of 28x28
    /// images with labels 0..9, such as the original MNIST digits. `names` are the four file
    /// names, for the messages. Without a test pair, the last sixth of the training pair is held
    /// out as the test set. Returns the `data_ready` event; the network is kept.
    pub fn use_data(
        &mut self,
        names: &[String],
        train_images: &[u8],
        train_labels: &[u8],
        test_images: Option<&[u8]>,
        test_labels: Option<&[u8]>,
    ) -> Result<WorkerEvent> {
        self.not_training()?;
        let name = |i: usize| names.get(i).map_or("(unnamed file)", String::as_str);
        let mut train = Dataset::from_idx(train_images, name(0), train_labels, name(1))?;
        let test = match (test_images, test_labels) {
            (Some(images), Some(labels)) => Dataset::from_idx(images, name(2), labels, name(3))?,
            (None, None) => train.split_off(train.len() / 6),
            _ => return Err(refused("choose the test images and the test labels together")),
        };
        if train.is_empty() || test.is_empty() {
            return Err(refused(format!(
                "{} holds {} images: too few to train on and hold out a test set",
                name(0),
                train.len() + test.len()
            )));
        }
        (self.train, self.test) = (train, test);
        self.data_version += 1;
        self.class_names = (0..CLASS_NAMES.len()).map(|d| d.to_string()).collect();
        Ok(WorkerEvent::DataReady { train: self.train.len(), test: self.test.len() })
    }

    /// Fashion-MNIST's training files (gzip or raw), which the page downloads after the test
    /// set so that the demos need not wait for them. Ignored (`None`) once the user's own data
    /// replaced Fashion-MNIST; else the `data_ready` event.
    pub fn set_training_data(&mut self, images: &[u8], labels: &[u8]) -> Result<Option<WorkerEvent>> {
        if self.data_version > 0 {
            return Ok(None);
        }
        let (images_file, labels_file) = Split::Train.file_names();
        self.train = Dataset::from_idx(images, images_file, labels, labels_file)?;
        Ok(Some(WorkerEvent::DataReady { train: self.train.len(), test: self.test.len() }))
    }

    /// The training set, unless it has not arrived yet.
    fn training_data(&self) -> Result<&Dataset> {
        match self.train.is_empty() {
            true => Err(refused("the training images have not been loaded yet")),
            false => Ok(&self.train),
        }
    }

    pub fn set_test_limit(&mut self, limit: Option<usize>) {
        self.test_limit = limit;
    }

    pub fn has_model(&self) -> bool {
        self.network.is_some() || self.trainer.is_some()
    }

    pub fn is_training(&self) -> bool {
        self.trainer.is_some()
    }

    /// Replaces the network in memory with the one in a weights file; returns its `model` event.
    pub fn load_weights(&mut self, bytes: &[u8]) -> Result<Vec<WorkerEvent>> {
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
        Ok(vec![self.model_event()?])
    }

    /// A weights file of the network being trained, else the one in memory.
    pub async fn save_weights(&self, note: String) -> Result<Vec<u8>> {
        let (model, config) = match &self.trainer {
            Some(t) => (t.model(), t.model_config()),
            None => (&self.current()?.model, &self.current()?.config),
        };
        Ok(weights::save(model, &WeightsHeader { model: config.clone(), note }).await?)
    }

    /// Starts a run: a new network (`fresh`) or the one in memory trained further. A run in
    /// progress ends first (its network becomes the one in memory). Returns the `model` and
    /// `data_ready` events.
    pub fn start_training(&mut self, request: StartRequest, fresh: bool) -> Result<Vec<WorkerEvent>> {
        if let Some(limit) = request.max_buffer_bytes {
            let model = match fresh {
                true => &request.model,
                false => &self.current()?.config,
            };
            check_network_fits(model, request.train.batch_size, limit).map_err(SessionError::Refused)?;
        }
        let train = self.training_data()?.clone().truncate(request.train_limit.unwrap_or(usize::MAX));
        self.finish_training();
        self.test_limit = request.test_limit;
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
                let n = self.current()?;
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
        Ok(vec![model, WorkerEvent::DataReady { train, test }])
    }

    /// A throwaway training run of `WARM_UP_STEPS` steps (and a test pass) of the network and
    /// batch size `request` describes, on the training device, so that the GPU kernels compile
    /// while the page is idle instead of in the first batch after Start. Nothing is kept; a
    /// batch that would not fit the GPU is skipped (Start says why). It trains on test images:
    /// only their shapes matter here, and the training set is not downloaded before a run.
    pub async fn warm_up(&self, request: StartRequest) -> Result<()> {
        let batch = request.train.batch_size;
        if let Some(limit) = request.max_buffer_bytes
            && check_network_fits(&request.model, batch, limit).is_err()
        {
            return Ok(());
        }
        let config = TrainConfig { epochs: 1, ..request.train };
        let train = self.test.clone().truncate(WARM_UP_STEPS * batch);
        let test = self.test.clone().truncate(batch);
        let mut trainer = Trainer::new(&request.model, config, train, test, &self.device)?;
        while !trainer.is_finished() {
            trainer.step().await?;
        }
        Ok(())
    }

    /// Trains one batch; returns the events it produced. When the run ends (finished or
    /// diverged), its network becomes the one in memory.
    pub async fn step(&mut self) -> Result<Vec<WorkerEvent>> {
        let trainer = self.trainer.as_mut().ok_or_else(|| refused("no training run: start one first"))?;
        let trained = trainer.step().await;
        let mut events = vec![WorkerEvent::Step { batch: trainer.batches_done(), total: trainer.batches_total() }];
        match trained {
            Ok(train_events) => {
                let epoch_ended = train_events.iter().any(|e| matches!(e, TrainEvent::Epoch { .. }));
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
        Ok(events)
    }

    /// Stops the run; the partly trained network becomes the one in memory.
    pub fn stop_training(&mut self) {
        self.finish_training();
    }
}
