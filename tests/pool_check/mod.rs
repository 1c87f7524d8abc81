//! The CPU max-pool (`model::pool::max` on burn's flex backend) against burn's own
//! `MaxPool2d::forward`: output and input gradient. Shared by the native and the wasm tests.

use burn::nn::PaddingConfig2d;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use resnet_explorer::model::pool;

/// (input [n, c, h, w], kernel, stride, padding): the ResNet stem's 3x3/2 pool, LeNet's and
/// AlexNet's, option A's 1x1/2 subsampling, stride 1 with padding, odd sizes.
pub const CASES: [([usize; 4], usize, usize, usize); 6] = [
    ([64, 16, 14, 14], 3, 2, 1),
    ([2, 3, 28, 28], 2, 2, 0),
    ([2, 4, 13, 13], 3, 2, 0),
    ([3, 2, 4, 4], 1, 2, 0),
    ([3, 2, 5, 7], 3, 1, 1),
    ([1, 2, 6, 5], 2, 1, 1),
];

async fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data_async().await.unwrap().try_to_vec::<f32>().unwrap()
}

fn layer(kernel: usize, stride: usize, padding: usize) -> MaxPool2d {
    MaxPool2dConfig::new([kernel, kernel])
        .with_strides([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(padding, padding, padding, padding))
        .init()
}

/// Compares the CPU op with burn's on one case; `Err` names the first mismatch.
pub async fn against_burn(
    (shape, kernel, stride, padding): ([usize; 4], usize, usize, usize),
    seed: u64,
) -> Result<(), String> {
    let device = Device::flex().autodiff();
    device.seed(seed);
    let pool = layer(kernel, stride, padding);
    let x = Tensor::<4>::random(shape, Distribution::Normal(0.0, 1.0), &device).require_grad();
    let r = Tensor::<4>::random(pool.forward(x.clone()).dims(), Distribution::Normal(0.0, 1.0), &device);
    let mut results = Vec::new();
    for ours in [true, false] {
        let y = if ours { pool::max(&pool, x.clone()) } else { pool.forward(x.clone()) };
        let grads = (y.clone() * r.clone()).sum().backward();
        results.push([floats(y).await, floats(x.grad(&grads).unwrap()).await]);
    }
    for (name, (a, b)) in ["output", "input gradient"].iter().zip(results[0].iter().zip(&results[1])) {
        if a.len() != b.len() {
            return Err(format!("{shape:?}: {name} has {} values, burn's {}", a.len(), b.len()));
        }
        if let Some((i, (p, q))) = a.iter().zip(b).enumerate().find(|(_, (p, q))| (*p - *q).abs() > 1e-6) {
            return Err(format!("{shape:?} k{kernel} s{stride} p{padding}: {name}[{i}] is {p}, burn gives {q}"));
        }
    }
    Ok(())
}
