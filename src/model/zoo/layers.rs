//! The zoo's layer vocabulary, PyTorch's `nn.Sequential` pieces: a [`Spec`] says what a layer is
//! (plain data, from which both the module and the shape table are made), a [`Layer`] is the
//! built burn module. Every zoo network is a list of these, as d2l writes it.

use burn::nn::conv::Conv2d;
use burn::nn::pool::{
    AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, AvgPool2d, AvgPool2dConfig, MaxPool2d, MaxPool2dConfig,
};
use burn::nn::{BatchNorm, Dropout, DropoutConfig, Linear, PaddingConfig2d, Relu, Sigmoid};
use burn::prelude::*;

use super::batch_norm::ScratchBatchNorm;
use super::googlenet::Inception;
use crate::model::{conv, init, norm, pool};

/// One layer, as data. `Linear { inputs: 0, .. }` is PyTorch's `LazyLinear`: its input width is
/// filled in from the input size, so AlexNet and VGG work at any size, not only 224.
#[derive(Clone, Debug, PartialEq)]
pub enum Spec {
    Conv {
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    /// `scratch` picks the seed's own [`ScratchBatchNorm`] over burn's.
    BatchNorm {
        features: usize,
        scratch: bool,
    },
    Relu,
    Sigmoid,
    MaxPool {
        kernel: usize,
        stride: usize,
        padding: usize,
    },
    AvgPool {
        kernel: usize,
        stride: usize,
    },
    /// `nn.AdaptiveAvgPool2d((1, 1))`.
    GlobalAvgPool,
    Dropout(f64),
    Flatten,
    Linear {
        inputs: usize,
        outputs: usize,
    },
    Sequential(Vec<Spec>),
    /// Parallel paths on the same input, concatenated along the channels (GoogLeNet's Inception).
    Inception(Vec<Vec<Spec>>),
}

impl Spec {
    pub fn conv(in_channels: usize, out_channels: usize, kernel: usize, stride: usize, padding: usize) -> Self {
        Spec::Conv { in_channels, out_channels, kernel, stride, padding }
    }

    /// A linear layer whose input width comes from the layer before it.
    pub fn lazy_linear(outputs: usize) -> Self {
        Spec::Linear { inputs: 0, outputs }
    }

    /// The PyTorch class name d2l prints for this layer, given the rank of its input.
    pub fn kind(&self, input_rank: usize) -> &'static str {
        match self {
            Spec::Conv { .. } => "Conv2d",
            Spec::BatchNorm { scratch: true, .. } => "BatchNorm",
            Spec::BatchNorm { .. } if input_rank == 2 => "BatchNorm1d",
            Spec::BatchNorm { .. } => "BatchNorm2d",
            Spec::Relu => "ReLU",
            Spec::Sigmoid => "Sigmoid",
            Spec::MaxPool { .. } => "MaxPool2d",
            Spec::AvgPool { .. } => "AvgPool2d",
            Spec::GlobalAvgPool => "AdaptiveAvgPool2d",
            Spec::Dropout(_) => "Dropout",
            Spec::Flatten => "Flatten",
            Spec::Linear { .. } => "Linear",
            Spec::Sequential(_) => "Sequential",
            Spec::Inception(_) => "Inception",
        }
    }

    /// Builds the module; lazy linear layers must have been resolved (see `table`).
    pub fn init(&self, device: &Device) -> Layer {
        let square = |n: usize| [n, n];
        let pad = |p: usize| PaddingConfig2d::Explicit(p, p, p, p);
        match *self {
            Spec::Conv { in_channels, out_channels, kernel, stride, padding } => {
                Layer::Conv(init::conv(in_channels, out_channels, kernel, stride, padding, device))
            }
            Spec::BatchNorm { features, scratch: true } => {
                Layer::ScratchBatchNorm(ScratchBatchNorm::new(features, device))
            }
            Spec::BatchNorm { features, scratch: false } => Layer::BatchNorm(init::batch_norm(features, device)),
            Spec::Relu => Layer::Relu(Relu::new()),
            Spec::Sigmoid => Layer::Sigmoid(Sigmoid::new()),
            Spec::MaxPool { kernel, stride, padding } => Layer::MaxPool(
                MaxPool2dConfig::new(square(kernel)).with_strides(square(stride)).with_padding(pad(padding)).init(),
            ),
            Spec::AvgPool { kernel, stride } => {
                Layer::AvgPool(AvgPool2dConfig::new(square(kernel)).with_strides(square(stride)).init())
            }
            Spec::GlobalAvgPool => Layer::GlobalAvgPool(AdaptiveAvgPool2dConfig::new([1, 1]).init()),
            Spec::Dropout(prob) => Layer::Dropout(DropoutConfig::new(prob).init()),
            Spec::Flatten => Layer::Flatten(Flatten),
            Spec::Linear { inputs, outputs } => {
                assert!(inputs > 0, "a lazy linear layer must be resolved before it is built");
                Layer::Linear(init::linear(inputs, outputs, device))
            }
            Spec::Sequential(ref layers) => Layer::Sequential(layers.iter().map(|l| l.init(device)).collect()),
            Spec::Inception(ref paths) => Layer::Inception(Inception {
                paths: paths.iter().map(|path| path.iter().map(|l| l.init(device)).collect()).collect(),
            }),
        }
    }
}

/// `nn.Flatten()`: `[N, C, H, W]` to `[N, C * H * W]`.
#[derive(Module, Debug, Default)]
pub struct Flatten;

/// What flows between layers: feature maps before the flatten, feature vectors after it.
#[derive(Clone, Debug)]
pub enum Features {
    Map(Tensor<4>),
    Flat(Tensor<2>),
}

impl Features {
    pub fn dims(&self) -> Vec<usize> {
        match self {
            Features::Map(t) => t.dims().to_vec(),
            Features::Flat(t) => t.dims().to_vec(),
        }
    }

    pub fn rank(&self) -> usize {
        match self {
            Features::Map(_) => 4,
            Features::Flat(_) => 2,
        }
    }

    /// Applies a layer that works on either rank (activations, BatchNorm, dropout).
    fn each(self, map: impl FnOnce(Tensor<4>) -> Tensor<4>, flat: impl FnOnce(Tensor<2>) -> Tensor<2>) -> Self {
        match self {
            Features::Map(t) => Features::Map(map(t)),
            Features::Flat(t) => Features::Flat(flat(t)),
        }
    }

    pub fn into_map(self) -> Tensor<4> {
        match self {
            Features::Map(t) => t,
            Features::Flat(t) => panic!("expected feature maps, got features {:?}", t.dims()),
        }
    }

    pub fn into_flat(self) -> Tensor<2> {
        match self {
            Features::Flat(t) => t,
            Features::Map(t) => panic!("expected flat features, got feature maps {:?}", t.dims()),
        }
    }
}

/// A built layer. The shape table checks every network's ranks before it is built, so the
/// rank mismatches that panic here cannot happen for a valid configuration.
#[derive(Module, Debug)]
pub enum Layer {
    Conv(Conv2d),
    BatchNorm(BatchNorm),
    ScratchBatchNorm(ScratchBatchNorm),
    Relu(Relu),
    Sigmoid(Sigmoid),
    MaxPool(MaxPool2d),
    AvgPool(AvgPool2d),
    GlobalAvgPool(AdaptiveAvgPool2d),
    Dropout(Dropout),
    Flatten(Flatten),
    Linear(Linear),
    Sequential(Vec<Layer>),
    Inception(Inception),
}

impl Layer {
    pub fn forward(&self, x: Features) -> Features {
        use Features::{Flat, Map};
        match self {
            Layer::Conv(layer) => Map(conv::forward(layer, x.into_map())),
            Layer::BatchNorm(bn) => x.each(|t| norm::forward(bn, t), |t| bn.forward(t)),
            Layer::ScratchBatchNorm(bn) => x.each(|t| bn.forward(t), |t| bn.forward(t)),
            Layer::Relu(relu) => x.each(|t| relu.forward(t), |t| relu.forward(t)),
            Layer::Sigmoid(sigmoid) => x.each(|t| sigmoid.forward(t), |t| sigmoid.forward(t)),
            Layer::MaxPool(max) => Map(pool::max(max, x.into_map())),
            Layer::AvgPool(pool) => Map(pool.forward(x.into_map())),
            Layer::GlobalAvgPool(pool) => Map(pool.forward(x.into_map())),
            Layer::Dropout(dropout) => x.each(|t| dropout.forward(t), |t| dropout.forward(t)),
            Layer::Flatten(_) => Flat(x.into_map().flatten(1, 3)),
            Layer::Linear(linear) => Flat(linear.forward(x.into_flat())),
            Layer::Sequential(layers) => layers.iter().fold(x, |x, layer| layer.forward(x)),
            Layer::Inception(block) => Map(block.forward(x.into_map())),
        }
    }

    /// Like `forward`, also pushing the output dims of this layer and of every layer inside it,
    /// parents before their children: the order of the shape table's rows.
    pub fn trace(&self, x: Features, dims: &mut Vec<Vec<usize>>) -> Features {
        let at = dims.len();
        let y = match self {
            Layer::Sequential(layers) => {
                dims.push(Vec::new());
                layers.iter().fold(x, |x, layer| layer.trace(x, dims))
            }
            Layer::Inception(block) => {
                dims.push(Vec::new());
                let x = x.into_map();
                let paths = block
                    .paths
                    .iter()
                    .map(|path| {
                        let at = dims.len();
                        dims.push(Vec::new());
                        let y = path.iter().fold(Features::Map(x.clone()), |x, layer| layer.trace(x, dims));
                        dims[at] = y.dims();
                        y.into_map()
                    })
                    .collect();
                Features::Map(Tensor::cat(paths, 1))
            }
            leaf => {
                dims.push(Vec::new());
                leaf.forward(x)
            }
        };
        dims[at] = y.dims();
        y
    }
}
