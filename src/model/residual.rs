//! d2l's `Residual` block: conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the shortcut
//! (identity; when the shape changes a strided 1x1 conv, or He et al.'s parameter-free
//! subsample-and-zero-pad), add, ReLU.

use burn::nn::conv::Conv2d;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, Relu};
use burn::prelude::*;

use super::{conv, init, norm, pool};

/// Constructor arguments, named as in d2l's `Residual(input_channels, num_channels, use_1x1conv, strides)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResidualConfig {
    pub in_channels: usize,
    pub channels: usize,
    pub use_1x1conv: bool,
    pub stride: usize,
    /// `false` gives the plain twin: the same layers, no shortcut added.
    pub shortcut: bool,
    /// The last BatchNorm's gamma starts at 0 (the block starts as the identity).
    pub zero_init: bool,
}

impl ResidualConfig {
    pub fn new(in_channels: usize, channels: usize) -> Self {
        Self { in_channels, channels, use_1x1conv: false, stride: 1, shortcut: true, zero_init: false }
    }

    pub fn with_1x1conv(self, stride: usize) -> Self {
        Self { use_1x1conv: true, stride, ..self }
    }

    pub fn init(&self, device: &Device) -> Residual {
        let c = self.channels;
        let mut bn2 = init::batch_norm(c, device);
        if self.zero_init {
            bn2.gamma = bn2.gamma.map(|g| g.zeros_like());
        }
        // Without a projection, a shape change takes every `stride`-th pixel and zero channels.
        let zero_pad = !self.use_1x1conv;
        Residual {
            conv1: init::conv(self.in_channels, c, 3, self.stride, 1, device),
            bn1: init::batch_norm(c, device),
            conv2: init::conv(c, c, 3, 1, 1, device),
            bn2,
            conv3: self.use_1x1conv.then(|| init::conv(self.in_channels, c, 1, self.stride, 0, device)),
            subsample: (zero_pad && self.stride > 1)
                .then(|| MaxPool2dConfig::new([1, 1]).with_strides([self.stride, self.stride]).init()),
            pad_channels: if zero_pad { c.saturating_sub(self.in_channels) } else { 0 },
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
    /// The 1x1 projection on the shortcut (d2l's, when channels or resolution change).
    pub conv3: Option<Conv2d>,
    /// Option A instead: a 1x1 max-pool with the block's stride (every other pixel)...
    subsample: Option<MaxPool2d>,
    /// ...and this many zero channels appended.
    pub pad_channels: usize,
    relu: Relu,
    pub shortcut: bool,
}

impl Residual {
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let y = self.branch(x.clone());
        if !self.shortcut {
            return self.relu.forward(y);
        }
        self.relu.forward(y + self.shortcut_path(x))
    }

    /// The residual branch F(x): conv -> BN -> ReLU -> conv -> BN, before the addition.
    pub fn branch(&self, x: Tensor<4>) -> Tensor<4> {
        let y = norm::forward_relu(&self.bn1, conv::forward(&self.conv1, x));
        norm::forward(&self.bn2, conv::forward(&self.conv2, y))
    }

    /// Whether the shortcut changes its input (a projection or option A): such a block is never
    /// the identity, whatever its branch computes.
    pub fn reshapes(&self) -> bool {
        self.conv3.is_some() || self.subsample.is_some() || self.pad_channels > 0
    }

    fn shortcut_path(&self, x: Tensor<4>) -> Tensor<4> {
        if let Some(conv3) = &self.conv3 {
            return conv::forward(conv3, x);
        }
        let x = match &self.subsample {
            Some(subsample) => pool::max(subsample, x),
            None => x,
        };
        if self.pad_channels == 0 {
            return x;
        }
        let [n, _, h, w] = x.dims();
        let zeros = Tensor::zeros([n, self.pad_channels, h, w], &x.device());
        Tensor::cat(vec![x, zeros], 1)
    }
}
