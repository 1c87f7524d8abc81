//! The fast preset's convolution layers, one training step each (forward and all three
//! gradients), timed with this crate's kernels (`model::conv::forward`) and with burn's own
//! `Conv2d::forward`, on one device. A benchmark run by hand, not a test:
//!
//!     MESA_SHADER_CACHE_DISABLE=true cargo run --release --features wgpu --example conv_layers [cpu|wgpu] [reps]

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2dConfig;
use burn::prelude::*;
use burn::tensor::Distribution;
use resnet_explorer::backend::{self, BackendKind};
use resnet_explorer::model::conv;
use web_time::Instant;

/// batch, in channels, size, out channels, kernel, stride, padding: the fast preset at batch 64.
const LAYERS: [(usize, usize, usize, usize, usize, usize, usize); 9] = [
    (64, 1, 28, 16, 7, 2, 3),
    (64, 16, 7, 16, 3, 1, 1),
    (64, 16, 7, 32, 3, 2, 1),
    (64, 16, 7, 32, 1, 2, 0),
    (64, 32, 4, 32, 3, 1, 1),
    (64, 32, 4, 64, 3, 2, 1),
    (64, 64, 2, 64, 3, 1, 1),
    (64, 64, 2, 128, 3, 2, 1),
    (64, 128, 1, 128, 3, 1, 1),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = match args.next().as_deref() {
        Some("cpu") => BackendKind::Cpu,
        _ => BackendKind::Wgpu,
    };
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(10);
    let device = backend::init_native(kind).unwrap_or_else(|e| panic!("{e}")).autodiff();
    println!("{:<36} {:>10} {:>10} {:>7}", "layer (batch, cin, size, cout, k, s, p)", "ours ms", "burn ms", "ratio");
    for (b, cin, size, cout, k, s, p) in LAYERS {
        let layer = Conv2dConfig::new([cin, cout], [k, k])
            .with_stride([s, s])
            .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
            .init(&device);
        let x = Tensor::<4>::random([b, cin, size, size], Distribution::Normal(0.0, 1.0), &device).require_grad();
        let step = |ours: bool| {
            let y = if ours { conv::forward(&layer, x.clone()) } else { layer.forward(x.clone()) };
            let grads = y.sum().backward();
            let dw = layer.weight.val().grad(&grads).unwrap();
            let dx = x.grad(&grads).unwrap();
            (dw.sum() + dx.sum()).into_scalar::<f32>()
        };
        let time = |ours: bool| {
            step(ours); // compiles the kernels
            let start = Instant::now();
            for _ in 0..reps {
                step(ours);
            }
            start.elapsed().as_secs_f64() * 1e3 / reps as f64
        };
        let (ours, burn) = (time(true), time(false));
        let name = format!("{:?}", (b, cin, size, cout, k, s, p));
        println!("{name:<36} {ours:>10.2} {burn:>10.2} {:>7.2}", burn / ours);
    }
}
