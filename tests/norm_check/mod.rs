//! The model's BatchNorm (`model::norm::forward` training: this crate's op on burn's flex
//! backend, its CubeCL kernels on wgpu) against burn's own `BatchNorm::forward` on the same
//! device and against finite differences: output, running averages and the gradients of input,
//! gamma and beta. Shared by the native and the wasm tests.

use burn::module::Param;
use burn::nn::{BatchNorm, BatchNormConfig};
use burn::prelude::*;
use burn::tensor::{Distribution, activation};
use resnet_explorer::model::norm;

/// [batch, channels, h, w] shapes: the fast preset's, odd sizes, one image, one pixel.
pub const SHAPES: [[usize; 4]; 6] =
    [[64, 16, 14, 14], [64, 32, 4, 4], [64, 128, 1, 1], [1, 3, 5, 7], [5, 2, 3, 3], [2, 8, 1, 1]];

async fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data_async().await.unwrap().try_to_vec::<f32>().unwrap()
}

/// A BatchNorm with gamma and beta drawn at random, so that their gradients matter.
fn layer(channels: usize, device: &Device) -> BatchNorm {
    let mut bn = BatchNormConfig::new(channels).init(device);
    bn.gamma = Param::from_tensor(Tensor::random([channels], Distribution::Uniform(0.5, 1.5), device));
    bn.beta = Param::from_tensor(Tensor::random([channels], Distribution::Normal(0.0, 1.0), device));
    bn
}

/// Output, input/gamma/beta gradients of `sum(bn(x) * r)` (with `relu`, `sum(relu(bn(x)) * r)`),
/// then the running mean and variance.
async fn run(bn: &BatchNorm, x: &Tensor<4>, r: &Tensor<4>, ours: bool, relu: bool) -> [Vec<f32>; 6] {
    let y = match (ours, relu) {
        (true, false) => norm::forward(bn, x.clone()),
        (true, true) => norm::forward_relu(bn, x.clone()),
        (false, false) => bn.forward(x.clone()),
        (false, true) => activation::relu(bn.forward(x.clone())),
    };
    let grads = (y.clone() * r.clone()).sum().backward();
    [
        floats(y).await,
        floats(x.grad(&grads).unwrap()).await,
        floats(bn.gamma.val().grad(&grads).unwrap()).await,
        floats(bn.beta.val().grad(&grads).unwrap()).await,
        floats(bn.running_mean.value_sync()).await,
        floats(bn.running_var.value_sync()).await,
    ]
}

/// Compares the op with burn's on one shape, on `device` (with autodiff), with and without the ReLU after it; `Err`
/// names the first mismatch.
pub async fn against_burn(shape: [usize; 4], seed: u64, device: &Device) -> Result<(), String> {
    for relu in [false, true] {
        against_burn_once(shape, seed, relu, device).await?;
    }
    Ok(())
}

async fn against_burn_once(shape: [usize; 4], seed: u64, relu: bool, device: &Device) -> Result<(), String> {
    device.seed(seed);
    let x = Tensor::<4>::random(shape, Distribution::Normal(1.0, 2.0), device).require_grad();
    let r = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), device);
    let theirs = layer(shape[1], device);
    // A separate layer with the same gamma and beta (a clone would share the running state).
    let mut ours = BatchNormConfig::new(shape[1]).init(device);
    ours.gamma = Param::from_tensor(theirs.gamma.val().detach());
    ours.beta = Param::from_tensor(theirs.beta.val().detach());
    let want = run(&theirs, &x, &r, false, relu).await;
    let got = run(&ours, &x, &r, true, relu).await;
    let names = ["output", "input gradient", "gamma gradient", "beta gradient", "running mean", "running variance"];
    for ((name, a), b) in names.iter().zip(&got).zip(&want) {
        let scale = b.iter().fold(1.0f32, |m, v| m.max(v.abs()));
        if let Some((i, (p, q))) = a.iter().zip(b).enumerate().find(|(_, (p, q))| (*p - *q).abs() > 2e-4 * scale) {
            return Err(format!("{shape:?} (relu {relu}): {name}[{i}] is {p}, burn gives {q}"));
        }
    }
    Ok(())
}

/// Central differences of `sum(bn(x) * r)` in a few coordinates of x, gamma and beta, the loss
/// computed in f64 from BatchNorm's definition.
pub async fn against_finite_differences(shape: [usize; 4], seed: u64, device: &Device) -> Result<(), String> {
    device.seed(seed);
    let bn = layer(shape[1], device);
    let x = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), device).require_grad();
    let r = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), device);
    let [_, dx, dgamma, dbeta, _, _] = run(&bn, &x, &r, true, false).await;
    let values = [floats(x.clone()).await, floats(bn.gamma.val()).await, floats(bn.beta.val()).await];
    let r_values = floats(r.clone()).await;
    let [n, c, h, w] = shape;
    let loss = |v: &[Vec<f32>; 3]| {
        let m = (n * h * w) as f64;
        let mut total = 0.0;
        for ch in 0..c {
            let idx = |i: usize| (i / (h * w) * c + ch) * h * w + i % (h * w);
            let xs: Vec<f64> = (0..n * h * w).map(|i| v[0][idx(i)] as f64).collect();
            let mean = xs.iter().sum::<f64>() / m;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / m;
            for (i, x) in xs.iter().enumerate() {
                let y = (x - mean) / (var + 1e-5).sqrt() * v[1][ch] as f64 + v[2][ch] as f64;
                total += y * r_values[idx(i)] as f64;
            }
        }
        total
    };
    let eps = 1e-3f32;
    for (slot, (name, grad)) in [("input", &dx), ("gamma", &dgamma), ("beta", &dbeta)].into_iter().enumerate() {
        let len = values[slot].len();
        for i in [0, len / 3, len / 2, len - 1] {
            let (mut plus, mut minus) = (values.clone(), values.clone());
            plus[slot][i] += eps;
            minus[slot][i] -= eps;
            // The step actually taken in f32, not the nominal eps.
            let step = (plus[slot][i] - minus[slot][i]) as f64;
            let numeric = ((loss(&plus) - loss(&minus)) / step) as f32;
            if (numeric - grad[i]).abs() > 1e-2 * (1.0 + numeric.abs()) {
                return Err(format!(
                    "{shape:?}: d loss / d {name}[{i}] is {} but finite differences give {numeric}",
                    grad[i]
                ));
            }
        }
    }
    Ok(())
}
