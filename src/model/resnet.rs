//! The whole network: stem `b1`, `resnet_block` stages `b2..`, global average pool, flatten, linear.

use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, Linear, PaddingConfig2d, Relu};
use burn::prelude::*;

use super::config::{ResNetConfig, StemConfig};
use super::residual::{Residual, ResidualConfig};
use super::{conv, init, linear, norm, pool};

/// d2l's `b1`: conv -> BN -> ReLU -> max-pool.
#[derive(Module, Debug)]
pub struct Stem {
    pub conv: Conv2d,
    pub bn: BatchNorm,
    /// Kept so the stem's record (saved networks) keeps its shape; the ReLU itself runs fused
    /// into the BatchNorm (`norm::forward_relu`).
    relu: Relu,
    pool: MaxPool2d,
}

impl Stem {
    fn new(in_channels: usize, channels: usize, c: &StemConfig, device: &Device) -> Self {
        let p = c.pool_padding;
        Self {
            conv: init::conv(in_channels, channels, c.kernel, c.stride, c.padding, device),
            bn: init::batch_norm(channels, device),
            relu: Relu::new(),
            pool: MaxPool2dConfig::new([c.pool_kernel, c.pool_kernel])
                .with_strides([c.pool_stride, c.pool_stride])
                .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                .init(),
        }
    }

    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        pool::max(&self.pool, norm::forward_relu(&self.bn, conv::forward(&self.conv, x)))
    }
}

/// One `nn.Sequential(*resnet_block(...))` stage.
#[derive(Module, Debug)]
pub struct Stage {
    pub blocks: Vec<Residual>,
}

impl Stage {
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.blocks.iter().fold(x, |x, block| block.forward(x))
    }
}

/// d2l's `resnet_block`: the first block of every stage but the first halves the resolution and
/// changes the width through a strided 1x1 conv on the shortcut.
pub fn resnet_block(
    in_channels: usize,
    channels: usize,
    num_residuals: usize,
    first_block: bool,
) -> Vec<ResidualConfig> {
    (0..num_residuals)
        .map(|i| match i == 0 && !first_block {
            true => ResidualConfig::new(in_channels, channels).with_1x1conv(2),
            false => ResidualConfig::new(channels, channels),
        })
        .collect()
}

#[derive(Module, Debug)]
pub struct ResNet {
    pub stem: Stem,
    pub stages: Vec<Stage>,
    pool: AdaptiveAvgPool2d,
    pub fc: Linear,
}

impl ResNetConfig {
    /// Builds the network. Call [`ResNetConfig::validate`] first for a friendly error.
    pub fn init(&self, device: &Device) -> ResNet {
        let stem = Stem::new(self.in_channels, self.widths[0], &self.stem, device);
        let mut in_channels = self.widths[0];
        let stages = self
            .widths
            .iter()
            .enumerate()
            .map(|(i, &width)| {
                let blocks = self.stage_blocks(i, in_channels).iter().map(|c| c.init(device)).collect();
                in_channels = width;
                Stage { blocks }
            })
            .collect();
        ResNet {
            stem,
            stages,
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            fc: init::linear(in_channels, self.classes, device),
        }
    }
}

impl ResNet {
    /// Images `[batch, channels, height, width]` to class logits `[batch, classes]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        linear::forward(&self.fc, self.features(x))
    }

    /// Everything up to and including the flatten: `[batch, channels]`.
    pub fn features(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.stem.forward(x);
        let x = self.stages.iter().fold(x, |x, stage| stage.forward(x));
        self.pool.forward(x).flatten(1, 3)
    }

    /// The output of every top-level layer, in d2l's `for layer in net` order, with their names.
    pub fn forward_layers(&self, x: Tensor<4>) -> Vec<(&'static str, Vec<usize>)> {
        let mut out = Vec::new();
        let mut x = self.stem.forward(x);
        out.push(("Sequential", x.dims().to_vec()));
        for stage in &self.stages {
            x = stage.forward(x);
            out.push(("Sequential", x.dims().to_vec()));
        }
        let x = self.pool.forward(x);
        out.push(("AdaptiveAvgPool2d", x.dims().to_vec()));
        let x: Tensor<2> = x.flatten(1, 3);
        out.push(("Flatten", x.dims().to_vec()));
        let x = linear::forward(&self.fc, x);
        out.push(("Linear", x.dims().to_vec()));
        out
    }
}
