//! Measures both kernel sets on the device, per operation of a model, and installs the choice.
//! On a hardware adapter only: on a software one ours is known to be the faster (the kernels
//! were tuned there) and probing would cost seconds of shader compilation.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::Distribution;
use web_time::Instant;

use super::{KernelReport, KernelSet, KernelTable, Kernels, Measured, OpShape, Policy, install, recorded, with_policy};
use crate::backend;
use crate::model::{ModelConfig, conv, norm};

/// Timed steps per set and operation, after one untimed step (its shaders compile).
const STEPS: usize = 5;

/// The adapter behind a CubeCL `device`, as its name and compiler target say (keys the table),
/// and whether it renders in software (no physical card behind it: lavapipe, SwiftShader).
pub fn adapter_of(device: &Device) -> Option<(String, bool)> {
    if !backend::is_cube(device) {
        return None;
    }
    let id = device.as_dispatch().identity()?;
    Some((format!("{} [{}]", id.name, id.fingerprint), id.physical.is_none()))
}

/// Chooses the kernels `model`'s operations run with when training on `device` with batches of
/// `batch`, and installs the choice on this thread. `adapter` names the adapter (the page says
/// what the browser reports; natively [`adapter_of`]); `software` says it renders in software;
/// `kept` is the table kept from an earlier visit.
pub async fn choose_for(
    model: &ModelConfig,
    device: &Device,
    batch: usize,
    setting: Kernels,
    adapter: &str,
    software: bool,
    kept: Option<KernelTable>,
) -> KernelReport {
    let all = |set: KernelSet, summary: String| {
        install(Policy::All(set));
        KernelReport { setting, summary, all: Some(set), table: None }
    };
    match setting {
        Kernels::Ours | Kernels::Burn => {
            let set = if setting == Kernels::Ours { KernelSet::Ours } else { KernelSet::Burn };
            let whose = if set == KernelSet::Ours { "our" } else { "burn's" };
            return all(set, format!("{whose} kernels (chosen in the settings)"));
        }
        Kernels::Auto if software => {
            return all(KernelSet::Ours, "our kernels (a software adapter: not measured)".into());
        }
        Kernels::Auto => {}
    }
    // Only here are the model's operations needed: recording them costs a forward pass.
    let ops = operations(model, device, batch);
    let mut table = KernelTable::for_adapter(kept, adapter);
    let missing = table.missing(&ops);
    for op in &missing {
        table.add(measure(device, op).await);
    }
    let policy = table.policy();
    let burn = ops.iter().filter(|op| table.get(op).is_some_and(|m| m.choice() == KernelSet::Burn)).count();
    install(policy);
    let how = if missing.is_empty() {
        "timed earlier on this adapter".to_string()
    } else {
        format!("{} measured now", missing.len())
    };
    let summary = format!("per operation, the faster set: ours for {}, burn's for {burn} ({how})", ops.len() - burn);
    KernelReport { setting, summary, all: None, table: Some(table) }
}

/// The convolutions and BatchNorms `model` runs in a training step on batches of `batch`, by
/// recording one forward pass of a fresh network of it (the trained one's running statistics
/// must not see it).
pub fn operations(model: &ModelConfig, device: &Device, batch: usize) -> Vec<OpShape> {
    let device = device.clone().autodiff();
    let net = model.init(&device).train();
    let side = model.input_size();
    let x = Tensor::<4>::zeros([batch, model.in_channels(), side, side], &device);
    let ((), seen) = with_policy(Policy::Recording(Default::default()), || drop(net.forward(x)));
    recorded(seen)
}

/// Both sets' time for a training step of `op` (forward and backward) on `device`.
pub async fn measure(device: &Device, op: &OpShape) -> Measured {
    let device = device.clone().autodiff();
    let ours_ms = time_steps(&device, op, KernelSet::Ours).await;
    let burn_ms = time_steps(&device, op, KernelSet::Burn).await;
    Measured { op: op.clone(), ours_ms, burn_ms }
}

/// Milliseconds per step of `op` with `set`: the best of two rounds of [`STEPS`] steps queued
/// together and read once (the device's queue runs them in order).
async fn time_steps(device: &Device, op: &OpShape, set: KernelSet) -> f64 {
    let step = Step::new(device, op);
    step.run(set, 1).await;
    let mut best = f64::INFINITY;
    for _ in 0..2 {
        let start = Instant::now();
        step.run(set, STEPS).await;
        best = best.min(start.elapsed().as_secs_f64() * 1e3 / STEPS as f64);
    }
    best
}

/// One operation's layer and input, on random values.
enum Step {
    Conv(Conv2d, Tensor<4>),
    Norm(BatchNorm, Tensor<4>, bool),
}

impl Step {
    fn new(device: &Device, op: &OpShape) -> Self {
        let random =
            |shape: [usize; 4]| Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), device).require_grad();
        match *op {
            OpShape::Conv { input, weight, stride, padding } => {
                let [p0, p1] = padding;
                let layer = Conv2dConfig::new([weight[1], weight[0]], [weight[2], weight[3]])
                    .with_stride(stride)
                    .with_padding(PaddingConfig2d::Explicit(p0, p1, p0, p1))
                    .init(device);
                Step::Conv(layer, random(input))
            }
            OpShape::Norm { input, relu } => {
                Step::Norm(BatchNormConfig::new(input[1]).init(device), random(input), relu)
            }
        }
    }

    /// Queues `steps` forward and backward passes with `set`, then waits for the last.
    async fn run(&self, set: KernelSet, steps: usize) {
        let mut last = None;
        for _ in 0..steps {
            let (sum, _) = with_policy(Policy::All(set), || self.gradient_sum());
            last = Some(sum);
        }
        if let Some(sum) = last {
            wait_for(sum).await;
        }
    }

    /// The sum of the input's gradient after a backward pass of the output's sum.
    fn gradient_sum(&self) -> Tensor<1> {
        let (x, y) = match self {
            Step::Conv(layer, x) => (x, conv::forward(layer, x.clone())),
            Step::Norm(layer, x, relu) if *relu => (x, norm::forward_relu(layer, x.clone())),
            Step::Norm(layer, x, _) => (x, norm::forward(layer, x.clone())),
        };
        let grads = y.sum().backward();
        x.grad(&grads).expect("the input requires its gradient").sum()
    }
}

/// The adapter's fp32 matrix product rate, in multiply-adds per second (burn's matmul on
/// `n` x `n` matrices): the ceiling the training rate is compared with. The products are chained
/// (each multiplies the last), so none can be skipped or run before its input exists.
pub async fn measure_matmul(device: &Device, n: usize) -> f64 {
    let scale = 1.0 / (n as f64).sqrt(); // keeps the chain's values near 1
    let a = Tensor::<2>::random([n, n], Distribution::Normal(0.0, 1.0), device);
    let b = Tensor::<2>::random([n, n], Distribution::Normal(0.0, scale), device);
    let chain = |steps: usize| (0..steps).fold(a.clone(), |c, _| c.matmul(b.clone()));
    wait_for(chain(1).sum()).await;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        wait_for(chain(STEPS).sum()).await;
        best = best.min(start.elapsed().as_secs_f64() / STEPS as f64);
    }
    (n * n * n) as f64 / best
}

/// Waits until `t` is computed. The values must be taken: the read's data is not awaited until
/// then (dropping it unread returned at once, timing nothing).
async fn wait_for(t: Tensor<1>) {
    if let Ok(data) = t.into_data_async().await {
        let _ = data.try_to_vec::<f32>();
    }
}
