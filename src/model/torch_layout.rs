//! The seed's PyTorch ResNet, named: d2l chapter 8's
//! `net = nn.Sequential(b1, b2, .., nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(..))`
//! with `b1 = nn.Sequential(Conv2d, BatchNorm2d, ReLU, MaxPool2d)` and one
//! `nn.Sequential(*resnet_block(..))` of d2l's `Residual` (`conv1`, `conv2`, `conv3` where
//! `use_1x1conv`, `bn1`, `bn2`) a stage. Its `state_dict()` names, at any of our ResNet
//! configurations, mapped to our parameters' paths (`stem.conv.weight`, `stages.0.blocks.1.bn2.gamma`,
//! `fc.weight`, ...), and the configuration read back from a file's names and shapes.

use std::collections::BTreeMap;

use super::ResNetConfig;
use super::catalogue::{self, Family};

/// Where a tensor of the PyTorch `state_dict` comes from in our network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A float tensor of ours at this path. `transpose`: burn keeps a linear layer's weight as
    /// `[inputs, outputs]`, PyTorch as `[outputs, inputs]`.
    Float { path: String, transpose: bool },
    /// A BatchNorm's `num_batches_tracked` (int64, shape `[]`): burn does not count batches, and
    /// PyTorch uses the count only when `momentum=None`, so it is written as 0 and not read.
    BatchCount,
}

/// One tensor of the PyTorch `state_dict`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TorchTensor {
    pub name: String,
    /// PyTorch's shape (`[]` for `num_batches_tracked`).
    pub shape: Vec<usize>,
    pub source: Source,
}

fn float(out: &mut Vec<TorchTensor>, name: String, path: String, shape: Vec<usize>) {
    out.push(TorchTensor { name, shape, source: Source::Float { path, transpose: false } });
}

fn conv(out: &mut Vec<TorchTensor>, torch: &str, ours: &str, [outputs, inputs, kernel]: [usize; 3]) {
    float(out, format!("{torch}.weight"), format!("{ours}.weight"), vec![outputs, inputs, kernel, kernel]);
    float(out, format!("{torch}.bias"), format!("{ours}.bias"), vec![outputs]);
}

fn batch_norm(out: &mut Vec<TorchTensor>, torch: &str, ours: &str, channels: usize) {
    for (theirs, mine) in
        [("weight", "gamma"), ("bias", "beta"), ("running_mean", "running_mean"), ("running_var", "running_var")]
    {
        float(out, format!("{torch}.{theirs}"), format!("{ours}.{mine}"), vec![channels]);
    }
    out.push(TorchTensor { name: format!("{torch}.num_batches_tracked"), shape: vec![], source: Source::BatchCount });
}

/// Every tensor of the seed's `net.state_dict()` built at `config`'s widths and block counts,
/// in PyTorch's order. `config` must pass [`check_seed_layout`].
pub fn layout(config: &ResNetConfig) -> Vec<TorchTensor> {
    let mut out = Vec::new();
    let width = config.widths[0];
    conv(&mut out, "0.0", "stem.conv", [width, config.in_channels, config.stem.kernel]);
    batch_norm(&mut out, "0.1", "stem.bn", width);
    let mut in_channels = width;
    for (s, &width) in config.widths.iter().enumerate() {
        for (b, block) in config.stage_blocks(s, in_channels).iter().enumerate() {
            let (torch, ours) = (format!("{}.{b}", s + 1), format!("stages.{s}.blocks.{b}"));
            let (c, i) = (block.channels, block.in_channels);
            conv(&mut out, &format!("{torch}.conv1"), &format!("{ours}.conv1"), [c, i, 3]);
            conv(&mut out, &format!("{torch}.conv2"), &format!("{ours}.conv2"), [c, c, 3]);
            if block.use_1x1conv {
                conv(&mut out, &format!("{torch}.conv3"), &format!("{ours}.conv3"), [c, i, 1]);
            }
            batch_norm(&mut out, &format!("{torch}.bn1"), &format!("{ours}.bn1"), c);
            batch_norm(&mut out, &format!("{torch}.bn2"), &format!("{ours}.bn2"), c);
        }
        in_channels = width;
    }
    // After the stages: the pool and the flatten (no tensors), then the linear layer.
    let fc = config.widths.len() + 3;
    let path = "fc.weight".to_string();
    out.push(TorchTensor {
        name: format!("{fc}.weight"),
        shape: vec![config.classes, in_channels],
        source: Source::Float { path, transpose: true },
    });
    float(&mut out, format!("{fc}.bias"), "fc.bias".into(), vec![config.classes]);
    out
}

/// Whether the seed's code can build `config`: its `Residual` always adds its shortcut, a 1x1
/// convolution wherever the shape changes. Plain blocks and zero-padding shortcuts (the CIFAR
/// family) have no counterpart there.
pub fn check_seed_layout(config: &ResNetConfig) -> Result<(), String> {
    let mut in_channels = config.widths[0];
    for (s, &width) in config.widths.iter().enumerate() {
        for (b, block) in config.stage_blocks(s, in_channels).iter().enumerate() {
            let label = format!("block b{}.{b}", s + 2);
            if !block.shortcut {
                return Err(format!("{label} has no shortcut, and the seed's Residual always adds one"));
            }
            let reshapes = block.stride > 1 || block.in_channels != block.channels;
            if reshapes && !block.use_1x1conv {
                return Err(format!(
                    "{label} has a zero-padding shortcut, where the seed's Residual has a 1x1 convolution"
                ));
            }
        }
        in_channels = width;
    }
    Ok(())
}

/// The configuration a file's names and shapes describe, with how its input size was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inferred {
    pub config: ResNetConfig,
    /// E.g. "input size 28 from the catalogue preset `tiny`".
    pub input_size_from: String,
}

/// A configuration that cannot be read from the names and shapes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the file has no tensor `{0}`, which the seed's ResNet has")]
    Missing(String),
    #[error("tensor `{name}` has shape {shape:?}; {expected}")]
    Shape { name: String, shape: Vec<usize>, expected: &'static str },
}

/// `axis` of the first of `names` the file has (a width can be read from several tensors, so
/// one renamed tensor is reported by name rather than read as a different network).
fn dim(shapes: &BTreeMap<String, Vec<usize>>, names: &[String], axis: usize) -> Result<usize, LayoutError> {
    let name = names.iter().find(|n| shapes.contains_key(*n)).ok_or_else(|| LayoutError::Missing(names[0].clone()))?;
    let shape = &shapes[name];
    let expected = "a convolution, BatchNorm or linear tensor of more dimensions was expected";
    shape.get(axis).copied().ok_or_else(|| LayoutError::Shape { name: name.clone(), shape: shape.clone(), expected })
}

/// Reads the configuration from the names and shapes of a `state_dict`: input channels, stem
/// kernel, widths, blocks a stage and classes. The rest (strides, paddings, the input size) is
/// not in the weights: it is that of the catalogue's ResNet preset with the same widths and
/// blocks if there is one, else d2l's `b1` at 28x28 (a stem kernel other than the preset's gets
/// padding kernel / 2, as d2l's 7 gets 3). Every tensor is checked against [`layout`] afterwards.
pub fn infer_config(shapes: &BTreeMap<String, Vec<usize>>) -> Result<Inferred, LayoutError> {
    let has_prefix = |prefix: String| shapes.keys().any(|name| name.starts_with(&prefix));
    let stages = (1..).take_while(|k| has_prefix(format!("{k}.0."))).count();
    if stages == 0 {
        return Err(LayoutError::Missing("1.0.conv1.weight".into()));
    }
    let names = |k: usize, tensors: &[&str]| tensors.iter().map(|t| format!("{k}.{t}")).collect::<Vec<_>>();
    let mut widths = Vec::new();
    let mut blocks = Vec::new();
    for k in 1..=stages {
        widths.push(dim(shapes, &names(k, &["0.conv1.weight", "0.conv2.weight", "0.bn1.weight", "0.bn2.weight"]), 0)?);
        blocks.push((0..).take_while(|b| has_prefix(format!("{k}.{b}."))).count());
    }
    let fc = stages + 3;
    let classes = dim(shapes, &names(fc, &["weight", "bias"]), 0)?;
    let stem = ["0.0.weight".to_string()];
    let in_channels = dim(shapes, &stem, 1)?;
    let kernel = dim(shapes, &stem, 2)?;
    let preset = catalogue::catalogue().into_iter().find_map(|e| match e.family {
        Family::ResNet(c) if c.widths == widths && c.blocks == blocks => Some((e.name, c)),
        _ => None,
    });
    let (mut config, input_size_from) = match preset {
        Some((name, c)) => {
            let from = format!("input size {} from the catalogue preset `{name}`", c.input_size);
            (c, from)
        }
        None => {
            let c = ResNetConfig { widths, blocks, ..ResNetConfig::resnet18(28) };
            (c, "input size 28 (no catalogue preset has these widths and blocks)".to_string())
        }
    };
    config.in_channels = in_channels;
    config.classes = classes;
    if kernel != config.stem.kernel {
        config.stem.kernel = kernel;
        config.stem.padding = kernel / 2;
    }
    Ok(Inferred { config, input_size_from })
}
