//! d2l's `Residual` block: conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the shortcut
//! (identity, or a strided 1x1 conv when the shape changes), add, ReLU.

use burn::nn::conv::Conv2d;
use burn::nn::{BatchNorm, Relu};
use burn::prelude::*;

use super::init;

/// Constructor arguments, named as in d2l's `Residual(input_channels, num_channels, use_1x1conv, strides)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResidualConfig {
    pub in_channels: usize,
    pub channels: usize,
    pub use_1x1conv: bool,
    pub stride: usize,
    /// `false` gives the plain twin: the same layers, no shortcut added.
    pub shortcut: bool,
}

impl ResidualConfig {
    pub fn new(in_channels: usize, channels: usize) -> Self {
        Self { in_channels, channels, use_1x1conv: false, stride: 1, shortcut: true }
    }

    pub fn with_1x1conv(self, stride: usize) -> Self {
        Self { use_1x1conv: true, stride, ..self }
    }

    pub fn init(&self, device: &Device) -> Residual {
        let c = self.channels;
        Residual {
            conv1: init::conv(self.in_channels, c, 3, self.stride, 1, device),
            bn1: init::batch_norm(c, device),
            conv2: init::conv(c, c, 3, 1, 1, device),
            bn2: init::batch_norm(c, device),
            conv3: self.use_1x1conv.then(|| init::conv(self.in_channels, c, 1, self.stride, 0, device)),
            relu: Relu::new(),
            shortcut: self.shortcut,
        }
    }
}

#[derive(Module, Debug)]
pub struct Residual {
    pub conv1: Conv2d,
    pub bn1: BatchNorm,
    pub conv2: Conv2d,
    pub bn2: BatchNorm,
    /// The 1x1 projection on the shortcut, present when channels or resolution change.
    pub conv3: Option<Conv2d>,
    relu: Relu,
    pub shortcut: bool,
}

impl Residual {
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.relu.forward(self.bn1.forward(self.conv1.forward(x.clone())));
        let y = self.bn2.forward(self.conv2.forward(y));
        if !self.shortcut {
            return self.relu.forward(y);
        }
        let x = match &self.conv3 {
            Some(conv3) => conv3.forward(x),
            None => x,
        };
        self.relu.forward(y + x)
    }
}
