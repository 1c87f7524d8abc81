//! Layer constructors with d2l's initialisation: Xavier-uniform weights for conv and linear
//! layers (`nn.init.xavier_uniform_`), PyTorch's default uniform(±1/sqrt(fan_in)) biases.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;

const XAVIER: Initializer = Initializer::XavierUniform { gain: 1.0 };

/// A square conv with bias, Xavier-uniform weights.
pub fn conv(in_ch: usize, out_ch: usize, kernel: usize, stride: usize, padding: usize, device: &Device) -> Conv2d {
    // burn's default initializer matches PyTorch's for the bias; only the weight is redrawn.
    let mut conv = Conv2dConfig::new([in_ch, out_ch], [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(padding, padding, padding, padding))
        .init(device);
    let k = kernel * kernel;
    conv.weight = XAVIER.init_with([out_ch, in_ch, kernel, kernel], Some(in_ch * k), Some(out_ch * k), device);
    conv
}

pub fn linear(inputs: usize, outputs: usize, device: &Device) -> Linear {
    let mut linear = LinearConfig::new(inputs, outputs).init(device);
    linear.weight = XAVIER.init_with([inputs, outputs], Some(inputs), Some(outputs), device);
    linear
}

/// PyTorch's `BatchNorm2d` defaults (eps 1e-5, momentum 0.1), which are also burn's.
pub fn batch_norm(channels: usize, device: &Device) -> BatchNorm {
    BatchNormConfig::new(channels).init(device)
}
