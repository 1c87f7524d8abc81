//! The explorer's session, as the page's worker drives it: the data, the network in memory
//! (trained, loaded or edited) and, while one runs, a training run. Plain Rust with no browser
//! types, so native tests reach every transition; `web` only converts JavaScript values and
//! calls it. The caller serialises the calls and drives training one [`Session::step`] at a
//! time. The demos on the network in memory are in `demos.rs`, the lab's requests in `lab.rs`.

mod demos;
mod lab;
mod picture;
pub mod protocol;
mod run;

use burn::prelude::*;

use crate::data::{CLASS_NAMES, Dataset, IdxError, Split, fingerprint};
use crate::model::safetensors::{self as torch, WeightsFormat};
use crate::model::weights::{self, WeightsError, WeightsHeader};
use crate::model::{ConfigError, ModelConfig, Network, NotResidual, ResNet, ResNetConfig};
use crate::train::TrainError;
pub use lab::{Magnitude, Probe, lab_twins};
use protocol::{Inserted, ModelEvent, Origin, WorkerEvent};
use run::Run;

/// Test images whose predictions are listed for the gallery.
pub const GALLERY: usize = 24;

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
    /// What the weights are: how they were trained (a weights file's header).
    pub note: String,
    /// Where they came from; changed with the weights, never apart from them.
    pub origin: Origin,
    /// Blocks inserted since it was loaded (or trained from scratch).
    pub inserted: Vec<Inserted>,
    /// How many of `inserted` `note` already tells of (they were there when it was trained further).
    described: usize,
    /// Whether `model` is on the demo device (else on the training device: just trained there).
    on_demo_device: bool,
    /// Its predictions on the test images the demos use, with the key of those images: computed
    /// by `evaluate`, reused by the insertion comparison (a pass over 10,000 images saved).
    predictions: Option<(TestKey, Vec<u8>)>,
    /// The fingerprint of the weights file it is, as loaded (None once changed, or if trained here).
    file: Option<u64>,
}

/// Which test images a set of predictions is for: the data's version and how many images.
type TestKey = (u32, usize);

impl Current {
    /// A network just loaded or trained from scratch.
    fn new(model: Network, config: ModelConfig, note: String, origin: Origin, on_demo_device: bool) -> Self {
        let inserted = Vec::new();
        Current { model, config, note, origin, inserted, described: 0, on_demo_device, predictions: None, file: None }
    }

    /// What these weights are, with the blocks inserted since `note` was written: the header of
    /// a weights file saved from them.
    pub fn description(&self) -> String {
        let base = match self.note.is_empty() {
            true => "saved from ResNet Explorer",
            false => &self.note,
        };
        let new = &self.inserted[self.described.min(self.inserted.len())..];
        if new.is_empty() {
            return base.to_string();
        }
        let blocks: Vec<String> =
            new.iter().map(|b| format!("{} at stage {}", b.insertion.name(), b.stage + 1)).collect();
        let s = if new.len() == 1 { "" } else { "s" };
        format!("{base}; then {} inserted block{s} ({})", new.len(), blocks.join(", "))
    }

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
    /// The training run in progress (paused ones too).
    run: Option<Run>,
    /// The user's own picture (drawn or uploaded), as a 28x28 image like the test set's.
    picture: Option<Dataset>,
    /// The memory training lives in, where it is bounded (the browser's WebAssembly memory on
    /// the CPU backends): a batch that would not fit is refused before the run starts.
    memory_limit: Option<u64>,
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
            run: None,
            picture: None,
            memory_limit: None,
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
        match self.run {
            Some(_) => Err(training_in_progress()),
            None => Ok(()),
        }
    }

    /// The ResNet being trained, else the one in memory, with its configuration; an error
    /// names `demo` when the network is not a ResNet.
    fn live_resnet(&self, demo: &str) -> Result<(&ResNet, &ResNetConfig)> {
        let (model, config) = match &self.run {
            Some(r) => (r.trainer.model(), r.trainer.model_config()),
            None => (&self.current()?.model, &self.current()?.config),
        };
        let config = config.residual(demo)?;
        Ok((model.as_resnet().ok_or_else(|| refused("the network does not match its configuration"))?, config))
    }

    /// The device of the network `live_resnet` returns.
    fn live_device(&self) -> &Device {
        match (&self.run, &self.network) {
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
            note: n.description(),
            origin: n.origin.clone(),
            inserted: n.inserted.clone(),
        }))
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

    /// Bounds the memory a run may take (see [`crate::model::memory`]).
    pub fn set_memory_limit(&mut self, bytes: Option<u64>) {
        self.memory_limit = bytes;
    }

    pub fn set_test_limit(&mut self, limit: Option<usize>) {
        self.test_limit = limit;
    }

    pub fn has_model(&self) -> bool {
        self.network.is_some() || self.run.is_some()
    }

    pub fn is_training(&self) -> bool {
        self.run.is_some()
    }

    /// Replaces the network in memory with the one in a weights file (ours, or the seed's
    /// PyTorch layout as `.safetensors`: told apart by the content), which came from `origin`;
    /// returns its `model` event. A file that cannot be read changes nothing.
    pub fn load_weights(&mut self, bytes: &[u8], origin: Origin) -> Result<Vec<WorkerEvent>> {
        self.not_training()?;
        let (model, header) = torch::load_any(bytes, &self.demo_device)?;
        let mut loaded = Current::new(model, header.model, header.note, origin, true);
        loaded.file = Some(fingerprint(&[bytes]));
        self.network = Some(loaded);
        self.original = None;
        Ok(vec![self.model_event()?])
    }

    /// A weights file of the network being trained, else of the one in memory; its header
    /// describes those weights.
    pub async fn save_weights(&self) -> Result<Vec<u8>> {
        self.save_weights_as(WeightsFormat::Rnxw).await
    }

    /// [`Self::save_weights`] in `format` (`.safetensors`: the seed's PyTorch layout, ResNets only).
    pub async fn save_weights_as(&self, format: WeightsFormat) -> Result<Vec<u8>> {
        let (model, config) = match &self.run {
            Some(r) => (r.trainer.model(), r.trainer.model_config()),
            None => (&self.current()?.model, &self.current()?.config),
        };
        let header = WeightsHeader { model: config.clone(), note: self.description()? };
        Ok(torch::save_as(format, model, &header).await?)
    }

    /// What a weights file saved now would say of its weights.
    pub fn description(&self) -> Result<String> {
        match &self.run {
            Some(r) => Ok(self.checkpoint_note(r)),
            None => Ok(self.current()?.description()),
        }
    }

    /// Where the network being trained, else the one in memory, came from.
    pub fn origin(&self) -> Option<&Origin> {
        match &self.run {
            Some(r) => Some(&r.origin),
            None => self.network.as_ref().map(|n| &n.origin),
        }
    }

    /// The entry of this browser's store that holds exactly the network being trained (else the
    /// one in memory): none once a block was inserted since it was kept.
    pub fn kept_entry(&self) -> Option<u32> {
        let edited = self.run.is_none() && self.network.as_ref().is_some_and(|n| n.inserted.len() > n.described);
        self.origin().and_then(Origin::entry).filter(|_| !edited)
    }

    /// The network being trained (else the one in memory) was kept in this browser as entry
    /// `id`, named `name`: its origin says so from now on.
    pub fn kept(&mut self, id: u32, name: String) {
        let origin = match (&mut self.run, &mut self.network) {
            (Some(r), _) => &mut r.origin,
            (None, Some(n)) => &mut n.origin,
            (None, None) => return,
        };
        match origin {
            Origin::Trained { id: kept, name: kept_name, .. } => (*kept, *kept_name) = (Some(id), Some(name)),
            Origin::Saved { id: kept, .. } => *kept = Some(id),
            _ => {}
        }
    }

    /// Entry `id` was deleted from this browser's store: no origin claims it any more. Returns
    /// whether it was the network in memory's.
    pub fn forgotten(&mut self, id: u32) -> bool {
        let in_memory = self.kept_entry() == Some(id);
        let origins = [self.network.as_mut().map(|n| &mut n.origin), self.original.as_mut().map(|n| &mut n.origin)];
        origins.into_iter().flatten().chain(self.run.as_mut().map(|r| &mut r.origin)).for_each(|o| o.forget(id));
        in_memory
    }
}
