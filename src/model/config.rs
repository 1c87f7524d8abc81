//! Plain configuration structs for the ResNet family and its presets.

use serde::{Deserialize, Serialize};

/// The first stage `b1`: conv (k, s, p) -> BN -> ReLU -> max-pool (k, s, p).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StemConfig {
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub pool_kernel: usize,
    pub pool_stride: usize,
    pub pool_padding: usize,
}

impl StemConfig {
    /// d2l's `b1`: 7x7 conv, stride 2, padding 3, then 3x3 max-pool, stride 2, padding 1.
    pub fn d2l() -> Self {
        Self { kernel: 7, stride: 2, padding: 3, pool_kernel: 3, pool_stride: 2, pool_padding: 1 }
    }
}

/// How a block that halves the resolution and widens the channels gets its shortcut.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Downsample {
    /// d2l's strided 1x1 conv (He et al.'s option B).
    #[default]
    Projection,
    /// He et al.'s option A: take every other pixel and pad the new channels with zeros. No
    /// parameters, so a residual network and its plain twin have exactly the same ones.
    ZeroPad,
}

/// Where a block sits: stage 0 is `b2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockRef {
    pub stage: usize,
    pub block: usize,
}

/// A ResNet in d2l's shape: stem `b1`, then one `resnet_block` stage per width, global average
/// pooling and a linear classifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ResNetConfig {
    pub in_channels: usize,
    /// Height and width of the (square) input image.
    pub input_size: usize,
    pub stem: StemConfig,
    /// Output channels of each stage; the stem outputs `widths[0]` channels.
    pub widths: Vec<usize>,
    /// Residual blocks in each stage.
    pub blocks: Vec<usize>,
    pub classes: usize,
    /// `false` removes every shortcut: the "plain" twin with exactly the same layers.
    pub shortcut: bool,
    /// Single blocks without a shortcut in an otherwise residual network (the nested function
    /// classes demo inserts one).
    #[serde(default)]
    pub plain_blocks: Vec<BlockRef>,
    #[serde(default)]
    pub downsample: Downsample,
    /// Goyal et al. (2017): every block's last BatchNorm starts with gamma = 0, so every
    /// residual block starts as the identity.
    #[serde(default)]
    pub zero_init_residual: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "the network needs at least one stage, and as many block counts as widths (got {widths} widths, {blocks} block counts)"
    )]
    Stages { widths: usize, blocks: usize },
    #[error("widths, block counts, channels, classes, kernels and strides must all be at least 1")]
    Zero,
    #[error("padding {padding} must be smaller than kernel {kernel}")]
    Padding { kernel: usize, padding: usize },
    #[error("plain block b{}.{} does not exist", .0.stage + 2, .0.block)]
    NoSuchBlock(BlockRef),
    #[error("input {input}x{input} is too small: the feature map vanishes at {layer}")]
    TooSmall { input: usize, layer: String },
}

impl ResNetConfig {
    /// ResNet-18 exactly as in the seed notes: 1 input channel, widths 64..512, two blocks a stage.
    pub fn resnet18(input_size: usize) -> Self {
        Self {
            in_channels: 1,
            input_size,
            stem: StemConfig::d2l(),
            widths: vec![64, 128, 256, 512],
            blocks: vec![2, 2, 2, 2],
            classes: 10,
            shortcut: true,
            plain_blocks: Vec::new(),
            downsample: Downsample::Projection,
            zero_init_residual: false,
        }
    }

    /// He et al.'s CIFAR family (section 4.2) on 28x28 images: a 3x3 stem without pooling, three
    /// stages of `n` blocks with widths 16, 32, 64, global average pooling and a linear layer:
    /// 6n + 2 weighted layers (n = 3, 5, 9: 20, 32, 56). Option-A shortcuts, so `residual =
    /// false` gives the plain twin with exactly the same layers and parameters.
    pub fn cifar(n: usize, residual: bool) -> Self {
        Self {
            stem: StemConfig { kernel: 3, stride: 1, padding: 1, pool_kernel: 1, pool_stride: 1, pool_padding: 0 },
            widths: vec![16, 32, 64],
            blocks: vec![n; 3],
            shortcut: residual,
            downsample: Downsample::ZeroPad,
            ..Self::resnet18(28)
        }
    }

    /// Weighted layers (convs and the linear layer) on the main path: He et al.'s "depth".
    pub fn depth(&self) -> usize {
        2 + 2 * self.blocks.iter().sum::<usize>()
    }

    /// The blocks of stage `stage` (0 is `b2`), whose input has `in_channels` channels: d2l's
    /// `resnet_block` with this network's shortcuts.
    pub fn stage_blocks(&self, stage: usize, in_channels: usize) -> Vec<super::ResidualConfig> {
        super::resnet_block(in_channels, self.widths[stage], self.blocks[stage], stage == 0)
            .into_iter()
            .enumerate()
            .map(|(j, c)| super::ResidualConfig {
                shortcut: self.has_shortcut(stage, j),
                use_1x1conv: c.use_1x1conv && self.downsample == Downsample::Projection,
                zero_init: self.zero_init_residual,
                ..c
            })
            .collect()
    }

    /// The page's fast default: ResNet-18's layers at a quarter of the width, on 28x28 images.
    pub fn fast() -> Self {
        Self { widths: vec![16, 32, 64, 128], ..Self::resnet18(28) }
    }

    /// A very small ResNet (one block a stage, widths 8..32) for slow devices and browser tests.
    pub fn tiny() -> Self {
        Self { widths: vec![8, 16, 32], blocks: vec![1, 1, 1], ..Self::resnet18(28) }
    }

    /// Checks the configuration can be built and yields a non-empty feature map everywhere.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.widths.is_empty() || self.widths.len() != self.blocks.len() {
            return Err(ConfigError::Stages { widths: self.widths.len(), blocks: self.blocks.len() });
        }
        let s = &self.stem;
        let counts = [self.in_channels, self.classes, s.kernel, s.stride, s.pool_kernel, s.pool_stride];
        if counts.contains(&0) || self.widths.contains(&0) || self.blocks.contains(&0) {
            return Err(ConfigError::Zero);
        }
        for (kernel, padding) in [(s.kernel, s.padding), (s.pool_kernel, s.pool_padding)] {
            if padding >= kernel && padding > 0 {
                return Err(ConfigError::Padding { kernel, padding });
            }
        }
        if let Some(&b) = self.plain_blocks.iter().find(|b| self.blocks.get(b.stage).is_none_or(|&n| b.block >= n)) {
            return Err(ConfigError::NoSuchBlock(b));
        }
        super::shapes::check_sizes(self)
    }

    /// Whether block `block` of stage `stage` adds its shortcut.
    pub fn has_shortcut(&self, stage: usize, block: usize) -> bool {
        self.shortcut && !self.plain_blocks.contains(&BlockRef { stage, block })
    }

    /// Trainable parameters (weights, biases, BatchNorm gamma and beta), as PyTorch's
    /// `sum(p.numel() for p in net.parameters())` counts them; 0 for an invalid configuration.
    pub fn parameter_count(&self) -> usize {
        super::shapes::infer_shapes(self).map(|rows| super::shapes::totals(&rows).0).unwrap_or(0)
    }
}
