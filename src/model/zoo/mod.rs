//! The chapter-7 networks that led to ResNet (seed 004): LeNet with BatchNorm (burn's, and the
//! seed's from-scratch one), AlexNet, VGG-11 and its quarter-width version, NiN and GoogLeNet.
//! Each is a list of [`Spec`]s written as d2l writes its `nn.Sequential`; from it come the
//! burn module ([`Zoo`], one type for every kind, trainable like the ResNet) and the layer table.

mod alexnet;
mod batch_norm;
mod googlenet;
mod layers;
mod lenet;
mod nin;
mod table;
mod vgg;

use burn::prelude::*;
use serde::{Deserialize, Serialize};

pub use alexnet::alexnet;
pub use batch_norm::ScratchBatchNorm;
pub use googlenet::{Inception, googlenet, inception};
pub use layers::{Features, Flatten, Layer, Spec};
pub use lenet::lenet_bn;
pub use nin::{nin, nin_block};
pub use vgg::{VGG11_ARCH, vgg, vgg_block};

use super::{ConfigError, LayerShape};

/// Top-level layers with their labels (`"0"`, `"1"`, ... or GoogLeNet's `"b1"`, ...).
pub type LabelledSpecs = Vec<(String, Spec)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ZooKind {
    #[serde(rename = "lenet-bn")]
    LeNetBn,
    #[serde(rename = "lenet-bn-scratch")]
    LeNetBnScratch,
    #[serde(rename = "alexnet")]
    AlexNet,
    #[serde(rename = "vgg11")]
    Vgg11,
    #[serde(rename = "vgg11-small")]
    Vgg11Small,
    #[serde(rename = "nin")]
    Nin,
    #[serde(rename = "googlenet")]
    GoogLeNet,
}

impl ZooKind {
    pub const ALL: [ZooKind; 7] = [
        ZooKind::LeNetBn,
        ZooKind::LeNetBnScratch,
        ZooKind::AlexNet,
        ZooKind::Vgg11,
        ZooKind::Vgg11Small,
        ZooKind::Nin,
        ZooKind::GoogLeNet,
    ];

    /// The command line's and the page's name (also the serde name).
    pub fn name(self) -> &'static str {
        match self {
            ZooKind::LeNetBn => "lenet-bn",
            ZooKind::LeNetBnScratch => "lenet-bn-scratch",
            ZooKind::AlexNet => "alexnet",
            ZooKind::Vgg11 => "vgg11",
            ZooKind::Vgg11Small => "vgg11-small",
            ZooKind::Nin => "nin",
            ZooKind::GoogLeNet => "googlenet",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The image side the seed uses: Fashion-MNIST's 28 for LeNet, resized to 224 for AlexNet,
    /// VGG and NiN, to 96 for GoogLeNet.
    pub fn default_input_size(self) -> usize {
        match self {
            ZooKind::LeNetBn | ZooKind::LeNetBnScratch => 28,
            ZooKind::AlexNet | ZooKind::Vgg11 | ZooKind::Vgg11Small | ZooKind::Nin => 224,
            ZooKind::GoogLeNet => 96,
        }
    }

    /// The top-level layers, labelled as PyTorch names them (the index in the `nn.Sequential`),
    /// GoogLeNet's by d2l's variable names `b1..b5`.
    fn layers(self) -> LabelledSpecs {
        let numbered = |specs: Vec<Spec>| specs.into_iter().enumerate().map(|(i, s)| (i.to_string(), s)).collect();
        match self {
            ZooKind::LeNetBn => numbered(lenet_bn(false)),
            ZooKind::LeNetBnScratch => numbered(lenet_bn(true)),
            ZooKind::AlexNet => numbered(alexnet()),
            ZooKind::Vgg11 => numbered(vgg(&VGG11_ARCH, 1)),
            ZooKind::Vgg11Small => numbered(vgg(&VGG11_ARCH, 4)),
            ZooKind::Nin => numbered(nin()),
            ZooKind::GoogLeNet => googlenet(),
        }
    }
}

/// A zoo network: which one, and the side of its (square, one-channel) input images.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ZooConfig {
    pub kind: ZooKind,
    pub input_size: usize,
}

impl ZooConfig {
    /// `kind` at the seed's input size.
    pub fn new(kind: ZooKind) -> Self {
        Self { kind, input_size: kind.default_input_size() }
    }

    pub fn with_input_size(self, input_size: usize) -> Self {
        Self { input_size, ..self }
    }

    /// The layers with their labels, lazy linear layers resolved for this input size, and the
    /// layer table; an error names the layer where the feature map vanishes.
    fn resolve(&self) -> Result<(LabelledSpecs, Vec<LayerShape>), ConfigError> {
        let mut layers = self.kind.layers();
        let mut table = table::Table::new(self.input_size);
        let mut x = vec![1, 1, self.input_size, self.input_size];
        for (label, spec) in &mut layers {
            x = table.walk(spec, label.clone(), 0, &x)?;
        }
        Ok((layers, table.rows))
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.resolve().map(|_| ())
    }

    /// The top-level layer specs at this input size.
    pub fn layers(&self) -> Result<LabelledSpecs, ConfigError> {
        Ok(self.resolve()?.0)
    }

    /// Builds the network. Call [`ZooConfig::validate`] first for a friendly error.
    pub fn init(&self, device: &Device) -> Zoo {
        let layers = self.layers().unwrap_or_else(|e| panic!("{e}"));
        Zoo { layers: layers.iter().map(|(_, spec)| spec.init(device)).collect() }
    }

    /// Builds the network with weights drawn from `seed` (see [`crate::model::init_seeded`]).
    pub fn init_seeded(&self, seed: u64, device: &Device) -> Zoo {
        super::init::seeded(seed, device, |device| self.init(device))
    }

    /// Trainable parameters, as PyTorch counts them (BatchNorm running statistics excluded);
    /// 0 for an invalid configuration.
    pub fn parameter_count(&self) -> usize {
        zoo_shapes(self).map(|rows| super::totals(&rows).0).unwrap_or(0)
    }
}

/// Every layer: the top-level ones (level 0, what d2l prints), the layers of each block
/// (level 1), and for Inception blocks their four paths (`b3.0.p1`..`b3.0.p4`, kind "Path",
/// level 2) with the paths' layers (level 3). A row's params and MACs include its children.
pub fn zoo_shapes(config: &ZooConfig) -> Result<Vec<LayerShape>, ConfigError> {
    Ok(config.resolve()?.1)
}

/// Only the top-level layers: what d2l's `for layer in net: print(...)` shows.
pub fn zoo_top_level_shapes(config: &ZooConfig) -> Result<Vec<LayerShape>, ConfigError> {
    Ok(zoo_shapes(config)?.into_iter().filter(|r| r.level == 0).collect())
}

/// Any zoo network, built from a [`ZooConfig`]: d2l's `nn.Sequential` of [`Layer`]s.
#[derive(Module, Debug)]
pub struct Zoo {
    pub layers: Vec<Layer>,
}

impl Zoo {
    /// Images `[batch, 1, side, side]` to class logits `[batch, 10]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.layers.iter().fold(Features::Map(x), |x, layer| layer.forward(x)).into_flat()
    }

    /// The output of every top-level layer, in d2l's `for layer in net` order.
    pub fn forward_layers(&self, x: Tensor<4>) -> Vec<Features> {
        let mut outputs: Vec<Features> = Vec::with_capacity(self.layers.len());
        let mut x = Features::Map(x);
        for layer in &self.layers {
            x = layer.forward(x);
            outputs.push(x.clone());
        }
        outputs
    }

    /// The output dims of every layer at every level, in the order of [`zoo_shapes`]' rows.
    pub fn trace(&self, x: Tensor<4>) -> Vec<Vec<usize>> {
        let mut dims = Vec::new();
        self.layers.iter().fold(Features::Map(x), |x, layer| layer.trace(x, &mut dims));
        dims
    }
}
