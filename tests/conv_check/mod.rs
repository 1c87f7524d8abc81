//! The model's convolution (`model::conv::forward`: this crate's kernels on burn's flex backend,
//! and its CubeCL kernels on wgpu) against burn's own `Conv2d::forward` on the same device and
//! against finite differences: forward output and the gradients of input, weight and bias.
//! Shared by the native tests and the wasm tests (async reads for the browser).

use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use resnet_explorer::model::conv;

/// One layer to check: batch, in channels, height, width, out channels, kernel, stride, padding.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    pub batch: usize,
    pub in_channels: usize,
    pub size: [usize; 2],
    pub out_channels: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
}

pub const fn case(
    batch: usize,
    in_channels: usize,
    size: [usize; 2],
    out_channels: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
) -> Case {
    Case { batch, in_channels, size, out_channels, kernel, stride, padding }
}

/// Kernels 1/3/7, strides 1/2, padding 0/1/3, channels 1..128, odd sizes, batch 1..64: the
/// fast preset's layers and shapes around them.
pub const CASES: [Case; 11] = [
    case(64, 1, [28, 28], 16, 7, 2, 3),
    case(64, 16, [7, 7], 16, 3, 1, 1),
    case(64, 16, [7, 7], 32, 3, 2, 1),
    case(64, 16, [7, 7], 32, 1, 2, 0),
    case(8, 128, [1, 1], 128, 3, 1, 1),
    case(1, 3, [11, 13], 5, 3, 2, 1),
    case(5, 7, [9, 9], 12, 1, 2, 0),
    case(3, 2, [15, 15], 4, 7, 1, 3),
    case(2, 4, [5, 5], 3, 3, 1, 0),
    case(1, 1, [1, 1], 1, 1, 1, 0),
    case(17, 32, [4, 4], 64, 1, 1, 0),
];

fn layer(c: &Case, device: &Device) -> Conv2d {
    let p = c.padding;
    Conv2dConfig::new([c.in_channels, c.out_channels], [c.kernel, c.kernel])
        .with_stride([c.stride, c.stride])
        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
        .init(device)
}

async fn floats<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data_async().await.unwrap().try_to_vec::<f32>().unwrap()
}

/// Output, input gradient, weight gradient, bias gradient of `sum(conv(x) * r)`.
async fn run(layer: &Conv2d, x: &Tensor<4>, r: &Tensor<4>, ours: bool) -> [Vec<f32>; 4] {
    let y = if ours { conv::forward(layer, x.clone()) } else { layer.forward(x.clone()) };
    let grads = (y.clone() * r.clone()).sum().backward();
    let bias = layer.bias.as_ref().unwrap().val();
    [
        floats(y).await,
        floats(x.grad(&grads).unwrap()).await,
        floats(layer.weight.val().grad(&grads).unwrap()).await,
        floats(bias.grad(&grads).unwrap()).await,
    ]
}

fn differ(got: &[f32], want: &[f32], tolerance: f32) -> Option<String> {
    if got.len() != want.len() {
        return Some(format!("{} values, expected {}", got.len(), want.len()));
    }
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let (i, err) = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .enumerate()
        .fold((0, 0.0), |m, (i, e)| if e > m.1 { (i, e) } else { m });
    (err > tolerance * scale).then(|| format!("index {i}: {} vs {} (largest |value| {scale})", got[i], want[i]))
}

/// Compares the kernels with burn's op on `c`, on `device` (with autodiff); `Err` names the
/// first mismatch.
pub async fn against_burn(c: Case, seed: u64, device: &Device) -> Result<(), String> {
    device.seed(seed);
    let layer = layer(&c, device);
    let x = Tensor::<4>::random([c.batch, c.in_channels, c.size[0], c.size[1]], Distribution::Normal(0.0, 1.0), device)
        .require_grad();
    let y_shape = layer.forward(x.clone()).dims();
    let r = Tensor::<4>::random(y_shape, Distribution::Normal(0.0, 1.0), device);
    let ours = run(&layer, &x, &r, true).await;
    let burn = run(&layer, &x, &r, false).await;
    for ((name, a), b) in ["output", "input gradient", "weight gradient", "bias gradient"].iter().zip(&ours).zip(&burn)
    {
        if let Some(why) = differ(a, b, 1e-4) {
            return Err(format!("{c:?}: {name} differs at {why}"));
        }
    }
    Ok(())
}

/// Central differences of `sum(conv(x) * r)` in a few coordinates of the input, weight and bias
/// against the kernels' gradients. The loss is linear in each, so the differences are exact up
/// to rounding. `device` has autodiff; the differences are taken on it without gradients.
pub async fn against_finite_differences(c: Case, seed: u64, device: &Device) -> Result<(), String> {
    device.seed(seed);
    let trained = layer(&c, device);
    let x = Tensor::<4>::random(x_dims(&c), Distribution::Normal(0.0, 1.0), device).require_grad();
    let r = Tensor::<4>::random(trained.forward(x.clone()).dims(), Distribution::Normal(0.0, 1.0), device);
    let [_, dx, dw, db] = run(&trained, &x, &r, true).await;

    let values = [
        floats(x.clone()).await,
        floats(trained.weight.val()).await,
        floats(trained.bias.as_ref().unwrap().val()).await,
    ];
    let shapes = [x_dims(&c), trained.weight.dims()];
    let loss = async |v: &[Vec<f32>; 3]| {
        let plain = device.clone();
        let tensor = |data: &[f32], shape: [usize; 4]| Tensor::<1>::from_floats(data, &plain).reshape(shape);
        let layer = Conv2d {
            weight: Param::from_tensor(tensor(&v[1], shapes[1])),
            bias: Some(Param::from_tensor(Tensor::from_floats(v[2].as_slice(), &plain))),
            ..trained.clone()
        };
        let y = conv::forward(&layer, tensor(&v[0], shapes[0]));
        let r = Tensor::from_data(r.to_data_async().await.unwrap(), &plain);
        floats((y * r).sum()).await[0]
    };
    let eps = 1e-2f32;
    for (slot, (name, grad)) in [("input", &dx), ("weight", &dw), ("bias", &db)].into_iter().enumerate() {
        let n = values[slot].len();
        for i in [0, n / 3, n / 2, n - 1] {
            let (mut plus, mut minus) = (values.clone(), values.clone());
            plus[slot][i] += eps;
            minus[slot][i] -= eps;
            let numeric = (loss(&plus).await - loss(&minus).await) / (2.0 * eps);
            if (numeric - grad[i]).abs() > 2e-2 * (1.0 + numeric.abs()) {
                return Err(format!(
                    "{c:?}: d loss / d {name}[{i}] is {} but finite differences give {numeric}",
                    grad[i]
                ));
            }
        }
    }
    Ok(())
}

fn x_dims(c: &Case) -> [usize; 4] {
    [c.batch, c.in_channels, c.size[0], c.size[1]]
}

/// The classifier's linear layer (`model::linear::forward`: a 1x1 convolution on wgpu) against
/// burn's `Linear::forward` on `device` (with autodiff): output and the gradients of input,
/// weight and bias, for the fast preset's head and odd sizes.
pub async fn linear_against_burn(seed: u64, device: &Device) -> Result<(), String> {
    use burn::nn::LinearConfig;
    use resnet_explorer::model::linear;
    device.seed(seed);
    for [batch, inputs, outputs] in [[64, 128, 10], [3, 7, 5], [1, 1, 1]] {
        let layer = LinearConfig::new(inputs, outputs).init(device);
        let x = Tensor::<2>::random([batch, inputs], Distribution::Normal(0.0, 1.0), device).require_grad();
        let r = Tensor::<2>::random([batch, outputs], Distribution::Normal(0.0, 1.0), device);
        let mut results = Vec::new();
        for ours in [true, false] {
            let y = if ours { linear::forward(&layer, x.clone()) } else { layer.forward(x.clone()) };
            let grads = (y.clone() * r.clone()).sum().backward();
            results.push([
                floats(y).await,
                floats(x.grad(&grads).unwrap()).await,
                floats(layer.weight.val().grad(&grads).unwrap()).await,
                floats(layer.bias.as_ref().unwrap().val().grad(&grads).unwrap()).await,
            ]);
        }
        for (i, name) in ["output", "input gradient", "weight gradient", "bias gradient"].iter().enumerate() {
            if let Some(why) = differ(&results[0][i], &results[1][i], 1e-4) {
                return Err(format!("linear {batch}x{inputs}->{outputs}: {name} differs at {why}"));
            }
        }
    }
    Ok(())
}
