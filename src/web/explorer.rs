//! The explorer inside the worker: the bindings of a [`Session`] (the data, the network in
//! memory and the training run). JavaScript serialises the calls and drives training one `step`
//! at a time, yielding to its event loop in between, which keeps pause and stop prompt. The
//! demos' bindings are in `demos.rs`, the lab's in `lab.rs`.

use wasm_bindgen::prelude::*;

use super::convert::{event_to_js, json_from_js as from_js, json_to_js as to_js};
use super::device;
use crate::backend::BackendKind;
use crate::data::{Dataset, Split};
use crate::model::safetensors::WeightsFormat;
use crate::session::protocol::{Origin, StartRequest};
use crate::session::{Session, SessionDevices};

/// The most a wasm32 memory can grow to (65,536 pages of 64 KiB).
const WASM_MEMORY_BYTES: u64 = 4 << 30;

#[wasm_bindgen]
pub struct Explorer {
    pub(super) session: Session,
}

#[wasm_bindgen]
impl Explorer {
    /// Opens on the test set (the two IDX files, gzip or raw; a bad file gives an error naming
    /// it): the demos need no more. The training files follow with `setTrainingData`.
    pub fn create(test_images: &[u8], test_labels: &[u8]) -> Result<Explorer, JsError> {
        let devices = device::current().ok_or_else(|| JsError::new("initDevice must be called first"))?;
        let on_cpu = devices.info.backend == BackendKind::Cpu;
        let devices =
            SessionDevices { train: devices.train, demos: devices.demos, demos_elsewhere: devices.info.demos_on_cpu };
        let (images_file, labels_file) = Split::Test.file_names();
        let test = Dataset::from_idx(test_images, images_file, test_labels, labels_file)?;
        let mut session = Session::new(devices, Dataset::default(), test);
        // On the CPU a run lives in this module's memory: at most 4 GiB (both modules are built
        // to grow that far; scripts/setup.sh), and a batch that outgrows it would trap.
        session.set_memory_limit(on_cpu.then_some(WASM_MEMORY_BYTES));
        Ok(Explorer { session })
    }

    /// Fashion-MNIST's training files (see [`Session::set_training_data`]): the `data_ready`
    /// event, or null when the user's own data is in use.
    #[wasm_bindgen(js_name = setTrainingData)]
    pub fn set_training_data(&mut self, images: &[u8], labels: &[u8]) -> Result<JsValue, JsError> {
        match self.session.set_training_data(images, labels)? {
            Some(event) => event_to_js(&event),
            None => Ok(JsValue::NULL),
        }
    }

    /// The first `n` test images (28x28 bytes, each a `Uint8Array`) with their labels and the
    /// class names.
    pub fn gallery(&self, n: usize) -> Result<JsValue, JsError> {
        event_to_js(&self.session.gallery(n))
    }

    /// Replaces the data with IDX files the user chose (see [`Session::use_data`]). Returns
    /// the new training and test sizes; the network is kept.
    #[wasm_bindgen(js_name = useData)]
    pub fn use_data(
        &mut self,
        names: Vec<String>,
        train_images: &[u8],
        train_labels: &[u8],
        test_images: Option<Vec<u8>>,
        test_labels: Option<Vec<u8>>,
    ) -> Result<JsValue, JsError> {
        let event = self.session.use_data(
            &names,
            train_images,
            train_labels,
            test_images.as_deref(),
            test_labels.as_deref(),
        )?;
        to_js(&event)
    }

    #[wasm_bindgen(js_name = setTestLimit)]
    pub fn set_test_limit(&mut self, limit: Option<usize>) {
        self.session.set_test_limit(limit);
    }

    #[wasm_bindgen(js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.session.has_model()
    }

    #[wasm_bindgen(js_name = isTraining)]
    pub fn is_training(&self) -> bool {
        self.session.is_training()
    }

    /// Puts the network of a weights file in memory; `origin` says where the file came from
    /// (an `Origin`: `{source: 'shipped'}`, `{source: 'saved', id, name, savedAt}`, ...).
    #[wasm_bindgen(js_name = loadWeights)]
    pub fn load_weights(&mut self, bytes: &[u8], origin: JsValue) -> Result<JsValue, JsError> {
        let origin: Origin = from_js(origin)?;
        to_js(&self.session.load_weights(bytes, origin)?)
    }

    /// A weights file of the network being trained, else of the one in memory; its header
    /// describes them. `format`: `"rnxw"` (ours, the default) or `"safetensors"` (the seed's
    /// PyTorch layout).
    #[wasm_bindgen(js_name = saveWeights)]
    pub async fn save_weights(&self, format: Option<String>) -> Result<Vec<u8>, JsError> {
        let format = match format.as_deref() {
            None | Some("rnxw") => WeightsFormat::Rnxw,
            Some("safetensors") => WeightsFormat::Safetensors,
            Some(other) => return Err(JsError::new(&format!("no weights format \"{other}\" (rnxw or safetensors)"))),
        };
        Ok(self.session.save_weights_as(format).await?)
    }

    /// What a weights file saved now would say of its weights (`saveWeights`'s header note).
    pub fn description(&self) -> Result<String, JsError> {
        Ok(self.session.description()?)
    }

    /// The `model` event of the network in memory (its origin: where it came from).
    #[wasm_bindgen(js_name = modelEvent)]
    pub fn model_event(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.model_event()?)
    }

    /// The network being trained (else the one in memory) is kept in this browser as entry `id`.
    pub fn kept(&mut self, id: u32, name: String) {
        self.session.kept(id, name);
    }

    /// Entry `id` was deleted from this browser; true if it was the network in memory's.
    pub fn forgotten(&mut self, id: u32) -> bool {
        self.session.forgotten(id)
    }

    /// The entry of this browser's store holding the network in memory (or being trained), if any.
    #[wasm_bindgen(js_name = keptEntry)]
    pub fn kept_entry(&self) -> Option<u32> {
        self.session.kept_entry()
    }

    /// Starts run number `run`: a new network (`fresh`) or the current one trained further.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(&mut self, request: JsValue, fresh: bool, run: u32) -> Result<JsValue, JsError> {
        let request: StartRequest = from_js(request)?;
        to_js(&self.session.start_training(request, fresh, run)?)
    }

    /// A throwaway training run that compiles the GPU kernels before Start (see
    /// [`Session::warm_up`]); returns the `kernels` event when it chose them.
    #[wasm_bindgen(js_name = warmUp)]
    pub async fn warm_up(&self, request: JsValue) -> Result<JsValue, JsError> {
        let request: StartRequest = from_js(request)?;
        to_js(&self.session.warm_up(request).await?)
    }

    /// Trains one batch; returns the events it produced (the network in memory's `model` event
    /// last when the run ended).
    pub async fn step(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.step().await?)
    }

    /// Stops the run; returns the `model` event of the network in memory afterwards.
    #[wasm_bindgen(js_name = stopTraining)]
    pub fn stop_training(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.session.stop_training())
    }
}
