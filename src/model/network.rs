//! One network type for every model the explorer knows: d2l's ResNet (chapter 8) and the
//! chapter-7 zoo. Training, weights files, the command line and the browser go through
//! [`ModelConfig`] and [`Network`]; only the identity-mapping demos need the ResNet itself
//! ([`ModelConfig::residual`], [`Network::as_resnet`]).

use burn::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use super::zoo::{Zoo, ZooConfig, zoo_shapes};
use super::{ConfigError, LayerShape, ResNet, ResNetConfig, infer_shapes};

/// Which network, and its settings. Serialised untagged: a ResNet exactly as a
/// [`ResNetConfig`] (`{"in_channels": 1, "widths": [...], ...}`, what the page and the weights
/// files written before the zoo hold), a zoo network as a [`ZooConfig`]
/// (`{"kind": "lenet-bn", "input_size": 28}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum ModelConfig {
    ResNet(ResNetConfig),
    Zoo(ZooConfig),
}

/// Told apart by the zoo's `kind` field, so a broken configuration gets the error of the
/// family it was meant for ("missing field `widths`") rather than serde's untagged "did not
/// match any variant".
impl<'de> Deserialize<'de> for ModelConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let is_zoo = value.get("kind").is_some();
        let parsed = match is_zoo {
            true => ZooConfig::deserialize(value).map(ModelConfig::Zoo),
            false => ResNetConfig::deserialize(value).map(ModelConfig::ResNet),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

impl From<ResNetConfig> for ModelConfig {
    fn from(config: ResNetConfig) -> Self {
        ModelConfig::ResNet(config)
    }
}

impl From<ZooConfig> for ModelConfig {
    fn from(config: ZooConfig) -> Self {
        ModelConfig::Zoo(config)
    }
}

impl From<&ResNetConfig> for ModelConfig {
    fn from(config: &ResNetConfig) -> Self {
        ModelConfig::ResNet(config.clone())
    }
}

impl From<&ZooConfig> for ModelConfig {
    fn from(config: &ZooConfig) -> Self {
        ModelConfig::Zoo(config.clone())
    }
}

impl From<&ModelConfig> for ModelConfig {
    fn from(config: &ModelConfig) -> Self {
        config.clone()
    }
}

/// The identity-mapping demos asked of a network without residual blocks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{demo} needs a residual network; {model} has no residual blocks")]
pub struct NotResidual {
    /// What was asked: "identity demo", "block insertion", ...
    pub demo: String,
    /// [`ModelConfig::name`] of the network it was asked of.
    pub model: String,
}

impl ModelConfig {
    /// The command line's and the page's name: `resnet` for every ResNet, the zoo's names
    /// (`lenet-bn`, `alexnet`, ...) otherwise.
    pub fn name(&self) -> &'static str {
        match self {
            ModelConfig::ResNet(_) => "resnet",
            ModelConfig::Zoo(c) => c.kind.name(),
        }
    }

    /// A human title: `ResNet-18` (counting the stem conv, two convs a block and the linear
    /// layer, as d2l names them), `LeNet with BatchNorm`, ...
    pub fn title(&self) -> String {
        match self {
            ModelConfig::ResNet(c) => format!("ResNet-{}", 2 + 2 * c.blocks.iter().sum::<usize>()),
            ModelConfig::Zoo(c) => super::catalogue::find(c.kind.name()).map_or(c.kind.name(), |e| e.title).into(),
        }
    }

    /// Side of the (square) input images; Fashion-MNIST's 28x28 are resized to it.
    pub fn input_size(&self) -> usize {
        match self {
            ModelConfig::ResNet(c) => c.input_size,
            ModelConfig::Zoo(c) => c.input_size,
        }
    }

    /// Channels of the input images (1 for every zoo network: Fashion-MNIST is grey).
    pub fn in_channels(&self) -> usize {
        match self {
            ModelConfig::ResNet(c) => c.in_channels,
            ModelConfig::Zoo(_) => 1,
        }
    }

    /// Output classes (the zoo's networks are written for Fashion-MNIST's ten).
    pub fn classes(&self) -> usize {
        match self {
            ModelConfig::ResNet(c) => c.classes,
            ModelConfig::Zoo(_) => 10,
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        match self {
            ModelConfig::ResNet(c) => c.validate(),
            ModelConfig::Zoo(c) => c.validate(),
        }
    }

    /// The layer table: [`infer_shapes`] for a ResNet, [`zoo_shapes`] for a zoo network.
    pub fn layers(&self) -> Result<Vec<LayerShape>, ConfigError> {
        match self {
            ModelConfig::ResNet(c) => infer_shapes(c),
            ModelConfig::Zoo(c) => zoo_shapes(c),
        }
    }

    /// Trainable parameters, as PyTorch counts them; 0 for an invalid configuration.
    pub fn parameter_count(&self) -> usize {
        match self {
            ModelConfig::ResNet(c) => c.parameter_count(),
            ModelConfig::Zoo(c) => c.parameter_count(),
        }
    }

    /// Builds the network. Call [`ModelConfig::validate`] first for a friendly error.
    pub fn init(&self, device: &Device) -> Network {
        match self {
            ModelConfig::ResNet(c) => Network::ResNet(c.init(device)),
            ModelConfig::Zoo(c) => Network::Zoo(c.init(device)),
        }
    }

    /// Builds the network with weights drawn from `seed` (see [`crate::model::init_seeded`]).
    pub fn init_seeded(&self, seed: u64, device: &Device) -> Network {
        match self {
            ModelConfig::ResNet(c) => Network::ResNet(super::init_seeded(c, seed, device)),
            ModelConfig::Zoo(c) => Network::Zoo(c.init_seeded(seed, device)),
        }
    }

    pub fn as_resnet(&self) -> Option<&ResNetConfig> {
        match self {
            ModelConfig::ResNet(c) => Some(c),
            ModelConfig::Zoo(_) => None,
        }
    }

    /// The ResNet configuration, or the error that `demo` needs one.
    pub fn residual(&self, demo: &str) -> Result<&ResNetConfig, NotResidual> {
        self.as_resnet().ok_or_else(|| NotResidual { demo: demo.into(), model: self.name().into() })
    }
}

/// Any network of the explorer, built from a [`ModelConfig`]. burn's derive makes it a module
/// like the ones it holds (its parameter paths start with the variant's name; weights files
/// store the inner network's record, see [`crate::model::weights`]). A program holds one or two
/// networks and moves them once a training step, so the ResNet's size needs no box.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Network {
    ResNet(ResNet),
    Zoo(Zoo),
}

impl From<ResNet> for Network {
    fn from(model: ResNet) -> Self {
        Network::ResNet(model)
    }
}

impl From<Zoo> for Network {
    fn from(model: Zoo) -> Self {
        Network::Zoo(model)
    }
}

impl Network {
    /// Images `[batch, channels, side, side]` to class logits `[batch, classes]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        match self {
            Network::ResNet(m) => m.forward(x),
            Network::Zoo(m) => m.forward(x),
        }
    }

    pub fn as_resnet(&self) -> Option<&ResNet> {
        match self {
            Network::ResNet(m) => Some(m),
            Network::Zoo(_) => None,
        }
    }

    pub fn into_resnet(self) -> Option<ResNet> {
        match self {
            Network::ResNet(m) => Some(m),
            Network::Zoo(_) => None,
        }
    }

    /// Whether `config` describes this kind of network (not its sizes).
    pub fn is_built_from(&self, config: &ModelConfig) -> bool {
        matches!((self, config), (Network::ResNet(_), ModelConfig::ResNet(_)) | (Network::Zoo(_), ModelConfig::Zoo(_)))
    }
}

/// Anything that maps images to class logits: training, prediction and evaluation take the
/// [`Network`], and the ResNet or a zoo network directly (the identity demos work on a
/// [`ResNet`]).
pub trait Classifier: Module {
    /// Images `[batch, channels, side, side]` to class logits `[batch, classes]`.
    fn logits(&self, images: Tensor<4>) -> Tensor<2>;
}

impl Classifier for Network {
    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }
}

impl Classifier for ResNet {
    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }
}

impl Classifier for Zoo {
    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }
}
