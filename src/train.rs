//! The training loop, d2l's `train_ch6` made resumable: each [`Trainer::step`] trains one batch,
//! so a CLI can loop and a browser worker can pause, stop or yield between batches.
//!
//! Metrics stay on the device as running sums and are read back only at d2l's report points
//! (5 per epoch): a read forces a GPU round trip, and on WebGPU it must be async.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use web_time::{Duration, Instant};

use crate::data::{Batch, BatchOrder, Dataset};
use crate::model::{Classifier, ConfigError, ModelConfig, Network, parallel};

/// Optimiser and schedule settings, d2l's defaults for ResNet on Fashion-MNIST.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    /// 0 means plain SGD, as in d2l.
    pub momentum: f64,
    /// L2 penalty; 0 means none.
    pub weight_decay: f64,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self { epochs: 10, batch_size: 256, lr: 0.05, momentum: 0.0, weight_decay: 0.0, seed: 0 }
    }
}

/// What the loop reports, in d2l's vocabulary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TrainEvent {
    /// Running averages since the start of the epoch, 5 times an epoch.
    Report { epoch: f64, train_loss: f64, train_acc: f64, examples_per_sec: f64 },
    /// End of an epoch: accuracy on the whole test set, in eval mode.
    Epoch { epoch: usize, train_loss: f64, train_acc: f64, test_acc: f64, examples_per_sec: f64 },
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("invalid model: {0}")]
    Config(#[from] ConfigError),
    #[error("invalid training settings: {0}")]
    Settings(String),
    #[error(
        "training diverged at epoch {epoch:.1}: the running loss is {loss:.3}, more than three times the {chance:.2} \
         of guessing at random. Try a lower learning rate (now {lr}). Training stopped; the weights from epoch \
         {kept:.1} (before the divergence) are kept."
    )]
    Diverged { epoch: f64, loss: f64, chance: f64, lr: f64, kept: f64 },
    #[error("the device failed while reading results back: {0}")]
    Device(String),
}

/// Steps the loop may queue ahead of the device (see `Trainer::in_flight`).
const MAX_STEPS_AHEAD: usize = 2;

/// Running sums over the batches of the current epoch, kept on the device.
struct Running {
    loss_sum: Tensor<1>,
    correct: Tensor<1>,
    examples: usize,
}

pub struct Trainer {
    /// `None` only while the optimiser owns the model for a step.
    model: Option<Network>,
    /// The weights at the last report whose loss was finite, and that report's epoch: what a
    /// diverging run falls back to.
    last_good: (Network, f64),
    diverged: bool,
    optim: ModuleOptimizer,
    model_config: ModelConfig,
    config: TrainConfig,
    device: Device,
    side: usize,
    train: Dataset,
    test: Dataset,
    epoch: usize,
    batch: usize,
    order: BatchOrder,
    running: Option<Running>,
    /// The losses of the latest steps, not yet read: a GPU runs behind the loop, and reading the
    /// oldest of these before queueing more bounds how far (so pause and stop act within a
    /// couple of batches, and queued work never piles up in GPU memory).
    in_flight: std::collections::VecDeque<Tensor<1>>,
    /// The test-set predictions of the last evaluation (empty before the first epoch ends).
    last_predictions: Vec<u8>,
    /// Training time (excluding evaluation) and examples, for d2l's examples/sec.
    train_time: Duration,
    trained: usize,
    since: Option<Instant>,
}

impl Trainer {
    /// Builds the model on `device` (gradients are enabled here) with `config.seed`. `model`
    /// is any network's configuration (`&ModelConfig`, `&ResNetConfig`, `&ZooConfig`); the
    /// images are resized to its input size.
    pub fn new(
        model: impl Into<ModelConfig>,
        config: TrainConfig,
        train: Dataset,
        test: Dataset,
        device: &Device,
    ) -> Result<Self, TrainError> {
        let model = model.into();
        model.validate()?;
        let device = device.clone().autodiff();
        let net = model.init_seeded(config.seed, &device);
        Self::resume(net, model, config, train, test, &device)
    }

    /// Continues training an existing network (e.g. one with inserted blocks) with a fresh
    /// optimiser; `model` describes it for the views.
    pub fn resume(
        net: impl Into<Network>,
        model: impl Into<ModelConfig>,
        config: TrainConfig,
        train: Dataset,
        test: Dataset,
        device: &Device,
    ) -> Result<Self, TrainError> {
        if config.epochs == 0 || config.batch_size == 0 {
            return Err(TrainError::Settings("epochs and batch size must be at least 1".into()));
        }
        if !(config.lr.is_finite() && config.lr > 0.0) {
            return Err(TrainError::Settings(format!(
                "the learning rate must be a positive number, got {}",
                config.lr
            )));
        }
        if train.is_empty() || test.is_empty() {
            return Err(TrainError::Settings("the training and test sets must not be empty".into()));
        }
        let (net, model) = (net.into(), model.into());
        model.validate()?;
        if !net.is_built_from(&model) {
            return Err(TrainError::Settings(format!(
                "the network is not the {} its configuration describes",
                model.name()
            )));
        }
        let order = BatchOrder::shuffled(train.len(), config.batch_size, config.seed, 0);
        let net = net.train();
        Ok(Self {
            last_good: (net.clone(), 0.0),
            diverged: false,
            model: Some(net),
            optim: sgd(&config),
            side: model.input_size(),
            model_config: model,
            device: device.clone().autodiff(),
            train,
            test,
            epoch: 0,
            batch: 0,
            order,
            running: None,
            in_flight: Default::default(),
            last_predictions: Vec::new(),
            train_time: Duration::ZERO,
            trained: 0,
            since: None,
            config,
        })
    }

    /// The trained network, for the views and for saving.
    pub fn into_model(mut self) -> Network {
        self.model.take().expect("model is only taken inside step")
    }

    pub fn model(&self) -> &Network {
        self.model.as_ref().expect("model is only taken inside step")
    }

    pub fn model_config(&self) -> &ModelConfig {
        &self.model_config
    }

    /// Trainable parameters, counted as PyTorch's `parameters()` does (BatchNorm running
    /// statistics excluded).
    pub fn parameter_count(&self) -> usize {
        self.model_config.parameter_count()
    }

    /// Training and test examples.
    pub fn data_sizes(&self) -> (usize, usize) {
        (self.train.len(), self.test.len())
    }

    /// Batches over all epochs.
    pub fn batches_total(&self) -> usize {
        self.config.epochs * self.batches_per_epoch()
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    pub fn test_set(&self) -> &Dataset {
        &self.test
    }

    /// Test-set predictions from the last end-of-epoch evaluation.
    pub fn last_predictions(&self) -> &[u8] {
        &self.last_predictions
    }

    /// Examples trained and training time so far, for benchmarks that skip a warm-up.
    pub fn throughput_counters(&self) -> (usize, Duration) {
        (self.trained, self.train_time)
    }

    /// Whether the network holds the weights it started with: no step was taken, or the run
    /// diverged before its first report (the weights it keeps are its starting ones).
    pub fn unchanged(&self) -> bool {
        match self.diverged {
            true => self.last_good.1 == 0.0,
            false => self.trained == 0,
        }
    }

    /// Whether the run stopped because its loss exploded.
    pub fn diverged(&self) -> bool {
        self.diverged
    }

    /// The test accuracy at the end of the latest epoch, if one ended.
    pub fn last_test_accuracy(&self) -> Option<f64> {
        let correct = self.last_predictions.iter().zip(self.test.labels()).filter(|(p, l)| p == l).count();
        (!self.last_predictions.is_empty()).then(|| correct as f64 / self.test.len() as f64)
    }

    /// Epochs the network in the trainer was trained for (1.5: half-way through the second);
    /// after a divergence, those of the weights it kept.
    pub fn epochs_done(&self) -> f64 {
        match self.diverged {
            true => self.last_good.1,
            false => self.batches_done() as f64 / self.batches_per_epoch().max(1) as f64,
        }
    }

    /// True after the last epoch, or once the run diverged.
    pub fn is_finished(&self) -> bool {
        self.diverged || self.epoch >= self.config.epochs
    }

    /// Batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.num_batches()
    }

    /// Batches trained so far over all epochs.
    pub fn batches_done(&self) -> usize {
        self.epoch * self.batches_per_epoch() + self.batch
    }

    /// Training examples per second so far (training steps only, as d2l measures).
    pub fn examples_per_sec(&self) -> f64 {
        self.trained as f64 / self.train_time.as_secs_f64().max(1e-9)
    }

    /// Trains on the next batch. At a report point it reads the running metrics back (and at
    /// the end of an epoch evaluates on the whole test set), returning what d2l would print.
    pub async fn step(&mut self) -> Result<Vec<TrainEvent>, TrainError> {
        if self.is_finished() {
            return Ok(Vec::new());
        }
        self.since.get_or_insert_with(Instant::now);
        let batch = self.train.batch(self.order.batch(self.batch), self.side);
        self.train_batch(&batch);
        self.trained += batch.len();
        self.batch += 1;
        if self.in_flight.len() > MAX_STEPS_AHEAD {
            // Waits until the device has finished the step MAX_STEPS_AHEAD before this one; the
            // ones after it keep the device busy meanwhile. Free on the CPU, which is never behind.
            let oldest = self.in_flight.pop_front().expect("non-empty");
            read_f32(oldest).await?;
        }

        let n = self.batches_per_epoch();
        let mut events = Vec::new();
        if is_report_point(self.batch, n) {
            let (train_loss, train_acc) = self.read_running().await?;
            self.in_flight.clear(); // that read waited for every step so far
            let epoch = self.epoch as f64 + self.batch as f64 / n as f64;
            // Guessing uniformly costs ln(classes); a running loss three times that (or NaN) only
            // happens when the steps are too large: stop rather than train on noise.
            let chance = (self.model_config.classes() as f64).ln();
            if !train_loss.is_finite() || train_loss > 3.0 * chance {
                let (good, kept) = self.last_good.clone();
                self.model = Some(good);
                self.diverged = true;
                return Err(TrainError::Diverged { epoch, loss: train_loss, chance, lr: self.config.lr, kept });
            }
            self.last_good = (self.model().clone(), epoch);
            events.push(TrainEvent::Report { epoch, train_loss, train_acc, examples_per_sec: self.examples_per_sec() });
            if self.batch == n {
                let predictions =
                    predict(self.model(), &self.test, self.side, self.config.batch_size, &self.device).await?;
                let correct = predictions.iter().zip(self.test.labels()).filter(|(p, l)| p == l).count();
                let test_acc = correct as f64 / self.test.len() as f64;
                self.last_predictions = predictions;
                self.epoch += 1;
                self.batch = 0;
                self.running = None;
                self.order =
                    BatchOrder::shuffled(self.train.len(), self.config.batch_size, self.config.seed, self.epoch);
                events.push(TrainEvent::Epoch {
                    epoch: self.epoch,
                    train_loss,
                    train_acc,
                    test_acc,
                    examples_per_sec: self.examples_per_sec(),
                });
            }
        }
        Ok(events)
    }

    /// One SGD step; its metrics are added to the running sums.
    fn train_batch(&mut self, batch: &Batch) {
        let model = self.model.take().expect("model present between steps");
        let (optim, lr, device) = (&mut self.optim, self.config.lr, &self.device);
        let (model, loss, correct) = parallel::on_pool(|| sgd_step(model, optim, batch, lr, device));
        self.model = Some(model);
        self.in_flight.push_back(loss.clone());
        let loss_sum = loss.mul_scalar(batch.len() as f32);
        self.running = Some(match self.running.take() {
            None => Running { loss_sum, correct, examples: batch.len() },
            Some(r) => Running {
                loss_sum: r.loss_sum + loss_sum,
                correct: r.correct + correct,
                examples: r.examples + batch.len(),
            },
        });
    }

    /// Reads the running loss and accuracy back in one transfer; this also waits for the device,
    /// so the time measured up to here is real compute time.
    async fn read_running(&mut self) -> Result<(f64, f64), TrainError> {
        let r = self.running.as_ref().expect("a report follows at least one batch");
        let both = Tensor::cat(vec![r.loss_sum.clone(), r.correct.clone()], 0);
        let values = read_f32(both).await?;
        if let Some(since) = self.since.take() {
            self.train_time += since.elapsed();
        }
        let n = r.examples as f64;
        Ok((values[0] as f64 / n, values[1] as f64 / n))
    }
}

/// Plain SGD as in d2l (optionally with momentum and weight decay, PyTorch's conventions).
pub fn sgd(config: &TrainConfig) -> ModuleOptimizer {
    SgdConfig::new()
        .with_momentum((config.momentum > 0.0).then_some(MomentumConfig {
            momentum: config.momentum,
            dampening: 0.0, // PyTorch's default; burn's is 0.1.
            nesterov: false,
        }))
        .with_weight_decay((config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay as f32)))
        .init()
}

/// Forward, cross-entropy, backward and SGD update on one batch. `device` must have autodiff.
/// Returns the updated model, the batch's mean loss and its number of correct predictions,
/// both detached and still on the device (unread). `model` is a [`Network`] (or a ResNet or a
/// zoo network on its own).
pub fn sgd_step<M: Classifier>(
    model: M,
    optim: &mut ModuleOptimizer,
    batch: &Batch,
    lr: f64,
    device: &Device,
) -> (M, Tensor<1>, Tensor<1>) {
    let (images, labels) = to_tensors(batch, device);
    let logits = model.logits(images);
    let loss = CrossEntropyLossConfig::new().init(device).forward(logits.clone(), labels.clone());
    let correct = count_correct(logits.detach(), labels);
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    (optim.step(lr, model, grads), loss.detach(), correct)
}

/// d2l reports after batch `i` when `i % (n // 5) == 0`; we report at the batches closest to
/// epoch fractions 0.2, 0.4, ..., 1.0, which is exactly 5 times whatever `n` is (n >= 5).
fn is_report_point(done: usize, n: usize) -> bool {
    (done * 5 / n) != ((done - 1) * 5 / n) || done == n
}

fn to_tensors(batch: &Batch, device: &Device) -> (Tensor<4>, Tensor<1, Int>) {
    let n = batch.len();
    let images = Tensor::<4>::from_data(TensorData::new(batch.images.clone(), [n, 1, batch.side, batch.side]), device);
    let labels = Tensor::<1, Int>::from_data(TensorData::new(batch.labels.clone(), [n]), device);
    (images, labels)
}

/// Number of correct predictions, as a one-element float tensor (stays on the device).
fn count_correct(logits: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
    logits.argmax(1).squeeze_dim::<1>(1).equal(labels).float().sum()
}

/// Reads a small tensor back to the host (async: WebGPU has no synchronous read).
pub async fn read_f32(t: Tensor<1>) -> Result<Vec<f32>, TrainError> {
    let data = t.into_data_async().await.map_err(|e| TrainError::Device(format!("{e:?}")))?;
    data.try_to_vec::<f32>().map_err(|e| TrainError::Device(format!("{e:?}")))
}

/// The predicted class of every example of `data` resized to `side` (the network's input size),
/// with BatchNorm in eval mode. The predictions stay on the device until one read at the end.
pub async fn predict<M: Classifier>(
    model: &M,
    data: &Dataset,
    side: usize,
    batch_size: usize,
    device: &Device,
) -> Result<Vec<u8>, TrainError> {
    let model = model.valid();
    let device = device.clone().without_autodiff();
    let order = BatchOrder::sequential(data.len(), batch_size);
    let batches: Vec<Tensor<1>> = (0..order.num_batches())
        .map(|i| {
            let (images, _) = to_tensors(&data.batch(order.batch(i), side), &device);
            model.logits(images).argmax(1).squeeze_dim::<1>(1).float()
        })
        .collect();
    let classes = read_f32(Tensor::cat(batches, 0)).await?;
    Ok(classes.into_iter().map(|c| c as u8).collect())
}

/// Accuracy of `model` over the whole of `data`, in eval mode.
pub async fn evaluate<M: Classifier>(
    model: &M,
    data: &Dataset,
    side: usize,
    batch_size: usize,
    device: &Device,
) -> Result<f64, TrainError> {
    let predictions = predict(model, data, side, batch_size, device).await?;
    let correct = predictions.iter().zip(data.labels()).filter(|(p, l)| p == l).count();
    Ok(correct as f64 / data.len() as f64)
}
