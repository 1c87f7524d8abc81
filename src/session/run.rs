//! The training run in progress: starting it, one step at a time, and what becomes of the
//! network in memory when it ends. A run that changed nothing (stopped before its first batch,
//! or diverged before its first report) leaves the network in memory as it was; any other run's
//! network replaces it, described as what it is.

use burn::prelude::*;

use super::protocol::{KernelRequest, ModelEvent, Origin, StartRequest, WorkerEvent, predictions_event};
use super::{Current, GALLERY, Result, Session, SessionError, refused};
use crate::explore::Insertion;
use crate::model::check_network_fits;
use crate::model::memory::check_memory_fits;
use crate::train::{TrainConfig, TrainError, TrainEvent, Trainer};

/// Training steps of the throwaway run that compiles the GPU kernels before Start: burn's fusion
/// settles on its fused kernels over the first few steps, so one step leaves some to compile.
const WARM_UP_STEPS: usize = 3;

/// A run and what its network will be when it ends.
pub(super) struct Run {
    pub(super) trainer: Trainer,
    pub(super) origin: Origin,
    /// A new network (else the one in memory trained further, described by `from`).
    fresh: bool,
    from: Option<String>,
    /// Stopped by the user before its last epoch.
    stopped: bool,
    /// The kernel choice to make before the first step.
    kernels: Option<KernelRequest>,
}

/// Why keep training cannot help a network with an inserted plain block.
const PLAIN_BLOCK_CANNOT_LEARN: &str = "this network cannot learn with its inserted plain block: the block was \
    inserted with its branch zeroed and has no shortcut, so it outputs 0 for every image, and no gradient passes \
    back through it (ReLU'(0) = 0, and BatchNorm of a constant has no slope). Every layer before it is cut off, \
    so training only drives the loss to NaN, whatever the learning rate. That is the lesson's point: a plain \
    block cannot start as the identity. Restore the original network and insert a residual (identity) block \
    to keep training, or train the deeper plain network from scratch.";

impl Session {
    /// Starts run number `number`: a new network (`fresh`) or the one in memory trained further.
    /// A run in progress ends first. Returns the `model` and `data_ready` events.
    pub fn start_training(&mut self, request: StartRequest, fresh: bool, number: u32) -> Result<Vec<WorkerEvent>> {
        let model = match fresh {
            true => &request.model,
            false => &self.current()?.config,
        };
        let batch = request.train.batch_size;
        if let Some(limit) = request.max_buffer_bytes {
            check_network_fits(model, batch, limit).map_err(SessionError::Refused)?;
        }
        if let Some(memory) = self.memory_limit {
            check_memory_fits(model, batch, memory).map_err(SessionError::Refused)?;
        }
        if !fresh && self.current()?.inserted.iter().any(|b| b.insertion == Insertion::Plain) {
            return Err(refused(PLAIN_BLOCK_CANNOT_LEARN));
        }
        let train = self.training_data()?.clone().truncate(request.train_limit.unwrap_or(usize::MAX));
        self.finish_training();
        self.test_limit = request.test_limit;
        let test = self.test_subset();
        let (trainer, from) = match fresh {
            true => (Trainer::new(&request.model, request.train, train, test, &self.device)?, None),
            false => {
                let n = self.current()?;
                let model = match self.demos_elsewhere && n.on_demo_device {
                    true => n.model.clone().fork(&self.device),
                    false => n.model.clone(),
                };
                let trainer = Trainer::resume(model, &n.config, request.train, train, test, &self.device)?;
                (trainer, Some(n.description()))
            }
        };
        let origin = Origin::Trained { run: number, id: None, name: None };
        let run = Run { trainer, origin, fresh, from, stopped: false, kernels: request.kernels };
        let (train, test) = run.trainer.data_sizes();
        let inserted = match fresh {
            true => Vec::new(),
            false => self.network.as_ref().map(|n| n.inserted.clone()).unwrap_or_default(),
        };
        let model = WorkerEvent::Model(ModelEvent {
            layers: run.trainer.model_config().layers()?,
            parameters: run.trainer.parameter_count(),
            config: run.trainer.model_config().clone(),
            note: self.run_note(&run),
            origin: run.origin.clone(),
            inserted,
        });
        self.run = Some(run);
        Ok(vec![model, WorkerEvent::DataReady { train, test }])
    }

    /// A throwaway training run of `WARM_UP_STEPS` steps (and a test pass) of the network and
    /// batch size `request` describes, on the training device, so that the GPU kernels compile
    /// while the page is idle instead of in the first batch after Start. Nothing is kept; a
    /// batch that would not fit the GPU is skipped (Start says why). It trains on test images:
    /// only their shapes matter here, and the training set is not downloaded before a run.
    /// The kernels are chosen first (`request.kernels`), so that the set the run will use is the
    /// one compiled, and `auto` times them here rather than after Start: the `kernels` event.
    pub async fn warm_up(&self, request: StartRequest) -> Result<Vec<WorkerEvent>> {
        let batch = request.train.batch_size;
        if let Some(limit) = request.max_buffer_bytes
            && check_network_fits(&request.model, batch, limit).is_err()
        {
            return Ok(Vec::new());
        }
        let config = TrainConfig { epochs: 1, ..request.train };
        let train = self.test.clone().truncate(WARM_UP_STEPS * batch);
        let test = self.test.clone().truncate(batch);
        let mut trainer = Trainer::new(&request.model, config, train, test, &self.device)?;
        let chosen = match request.kernels {
            Some(kernels) => self.choose_kernels(&trainer, kernels).await,
            None => None,
        };
        while !trainer.is_finished() {
            trainer.step().await?;
        }
        Ok(chosen.into_iter().collect())
    }

    /// Trains one batch; returns the events it produced. When the run ends (finished or
    /// diverged), the `model` event of the network in memory afterwards comes last.
    pub async fn step(&mut self) -> Result<Vec<WorkerEvent>> {
        let pending = self.run.as_mut().and_then(|run| run.kernels.take());
        let chosen = match (pending, &self.run) {
            (Some(request), Some(run)) => self.choose_kernels(&run.trainer, request).await,
            _ => None,
        };
        let run = self.run.as_mut().ok_or_else(|| refused("no training run: start one first"))?;
        let trained = run.trainer.step().await;
        let trainer = &self.run.as_ref().expect("checked above").trainer;
        let mut events: Vec<WorkerEvent> = chosen.into_iter().collect();
        events.push(WorkerEvent::Step { batch: trainer.batches_done(), total: trainer.batches_total() });
        match trained {
            Ok(train_events) => {
                let epoch_ended = train_events.iter().any(|e| matches!(e, TrainEvent::Epoch { .. }));
                events.extend(train_events.into_iter().map(WorkerEvent::Train));
                if epoch_ended {
                    events.push(predictions_event(trainer.last_predictions(), trainer.test_set().labels(), GALLERY));
                }
            }
            Err(e) => {
                let message = self.failure_message(&e);
                if let TrainError::Diverged { epoch, loss, kept, .. } = e {
                    events.push(WorkerEvent::Diverged { epoch, loss, kept_epoch: kept, message: message.clone() });
                }
                events.push(WorkerEvent::Error { message });
            }
        }
        let run = self.run.as_ref().expect("checked above");
        if run.trainer.is_finished() {
            events.push(WorkerEvent::Finished { examples_per_sec: run.trainer.examples_per_sec() });
            self.finish_training();
            events.extend(self.model_event().ok());
        }
        Ok(events)
    }

    /// Chooses `trainer`'s kernels as `request` says, on a CubeCL device: the `kernels` event.
    #[cfg(feature = "wgpu")]
    async fn choose_kernels(&self, trainer: &Trainer, request: KernelRequest) -> Option<WorkerEvent> {
        if !crate::backend::is_cube(&self.device) {
            return None;
        }
        let batch = trainer.config().batch_size;
        // Demos computed elsewhere means a software adapter (web::device).
        let report = crate::model::kernel_sets::choose_for(
            trainer.model_config(),
            &self.device,
            batch,
            request.setting,
            &request.adapter,
            self.demos_elsewhere,
            request.kept,
        )
        .await;
        Some(WorkerEvent::Kernels(report))
    }

    /// A build without a GPU backend has no kernels to choose.
    #[cfg(not(feature = "wgpu"))]
    async fn choose_kernels(&self, _: &Trainer, _: KernelRequest) -> Option<WorkerEvent> {
        None
    }

    /// Stops the run; returns the `model` event of the network in memory afterwards: the
    /// partly trained one, or the one before the run if no batch was trained.
    pub fn stop_training(&mut self) -> Vec<WorkerEvent> {
        if let Some(run) = &mut self.run {
            run.stopped = !run.trainer.is_finished();
        }
        self.finish_training();
        self.model_event().into_iter().collect()
    }

    /// Ends the run in progress: its network becomes the one in memory, unless it is still the
    /// one the run started from (then the network in memory before the run stays).
    fn finish_training(&mut self) {
        let Some(run) = self.run.take() else { return };
        if run.trainer.unchanged() {
            return;
        }
        let note = self.run_note(&run);
        let config = run.trainer.model_config().clone();
        let on_demo_device = !self.demos_elsewhere;
        let mut trained = Current::new(run.trainer.into_model(), config, note, run.origin, on_demo_device);
        if run.fresh {
            self.original = None;
        } else if let Some(previous) = &self.network {
            trained.inserted = previous.inserted.clone();
            trained.described = trained.inserted.len();
        }
        self.network = Some(trained);
    }

    /// What the run's weights are, for the page and a weights file's header.
    pub(super) fn run_note(&self, run: &Run) -> String {
        let t = &run.trainer;
        let c = t.config();
        let done = t.epochs_done();
        let epochs = match done.fract() == 0.0 {
            true => format!("{done}"),
            false => format!("{done:.1}"),
        };
        let (train, test) = t.data_sizes();
        let mut note = match &run.from {
            None => format!("{}, trained in this browser", t.model_config().title()),
            Some(from) => format!("{from}; then trained further in this browser"),
        };
        note +=
            &format!(": {epochs} of {} epochs, batch {}, lr {}, {train} training images", c.epochs, c.batch_size, c.lr);
        if let Some(accuracy) = t.last_test_accuracy() {
            note += &format!(", test acc {accuracy:.4} on {test} test images");
        }
        if t.diverged() {
            note += " (the run diverged; these are the weights from before)";
        } else if run.stopped {
            note += " (stopped early)";
        }
        note
    }

    /// What weights saved while the run goes on are.
    pub(super) fn checkpoint_note(&self, run: &Run) -> String {
        format!("{} (checkpoint: the run was still going)", self.run_note(run))
    }

    /// The page's message for a failed step. A divergence before the run's first report keeps
    /// the network that was in memory, and says so instead of naming an epoch of new weights.
    fn failure_message(&self, e: &TrainError) -> String {
        let (Some(run), TrainError::Diverged { epoch, loss, chance, lr, kept }) = (&self.run, e) else {
            return e.to_string();
        };
        if *kept > 0.0 || !run.fresh {
            return e.to_string();
        }
        let what_stays = match &self.network {
            Some(_) => "the network in memory before it is kept unchanged",
            None => "no network is kept (the new one had not learnt anything)",
        };
        format!(
            "training diverged at epoch {epoch:.1}: the running loss is {loss:.3}, more than three times the \
             {chance:.2} of guessing at random. Try a lower learning rate (now {lr}). The run stopped before it \
             learnt anything: {what_stays}."
        )
    }
}
