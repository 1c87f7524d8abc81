//! Layer constructors with d2l's initialisation: Xavier-uniform weights for conv and linear
//! layers (`nn.init.xavier_uniform_`), PyTorch's default uniform(±1/sqrt(fan_in)) biases.

use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig, PaddingConfig2d};
use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;

use super::config::ResNetConfig;
use super::resnet::ResNet;

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

/// Forces burn's lazily initialised parameters to draw their values now.
struct Materialize;

impl ModuleVisitor for Materialize {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

/// Builds the network with weights drawn from `seed`. burn's seed is global on some backends and
/// parameters are drawn lazily, so concurrent builders (parallel tests, a benchmark beside a
/// run) would interleave their draws; a lock around seeding and drawing keeps every build
/// reproducible.
pub fn init_seeded(config: &ResNetConfig, seed: u64, device: &Device) -> ResNet {
    seeded(seed, device, |device| config.init(device))
}

/// Runs `build` with `device` seeded and draws every parameter before the lock is released
/// (see [`init_seeded`]); any model family goes through here.
pub(crate) fn seeded<M: Module>(seed: u64, device: &Device, build: impl FnOnce(&Device) -> M) -> M {
    static SEEDING: Mutex<()> = Mutex::new(());
    let _guard = SEEDING.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    let model = build(device);
    model.visit(&mut Materialize);
    model
}
