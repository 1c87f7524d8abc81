//! The one list of models the explorer offers: the ResNet presets and the chapter-7 networks,
//! each with its name, title, configuration, training defaults, the seed's test accuracy and a
//! note. The command line's `--model`, the page's picker and comparison table (through wasm's
//! `catalogue()`) and the README's model table all come from here.

use serde::Serialize;

use super::zoo::{ZooConfig, ZooKind};
use super::{ModelConfig, ResNetConfig, totals};

/// Which family a model belongs to, with its architecture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Family {
    /// d2l's ResNet (chapter 8) with this configuration at its default input size.
    ResNet(ResNetConfig),
    /// A chapter-7 network (seed 004).
    Zoo(ZooKind),
}

/// The settings a model trains with by default: on the page, and on the command line when
/// `--epochs`, `--batch-size` or `--lr` is not given.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrainingDefaults {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
}

/// One model of the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The command line's and the page's name (`fast`, `d2l96`, `lenet-bn`, ...).
    pub name: &'static str,
    /// Other names the command line accepts (`resnet18` for `d2l96`).
    pub aliases: &'static [&'static str],
    /// A human title for pickers and tables.
    pub title: &'static str,
    pub family: Family,
    pub training: TrainingDefaults,
    /// The test accuracy the seeds report for this model (seed 004's 10-epoch runs; d2l's
    /// ResNet-18 at 96 px), when they report one.
    pub seed_test_acc: Option<f64>,
    /// What the model is, in a sentence or three (the page shows it under the picker).
    pub notes: &'static str,
}

impl Entry {
    /// The configuration at the default input size.
    pub fn config(&self) -> ModelConfig {
        match &self.family {
            Family::ResNet(c) => c.clone().into(),
            Family::Zoo(kind) => ZooConfig::new(*kind).into(),
        }
    }

    /// `"resnet"` or `"zoo"`.
    pub fn family_name(&self) -> &'static str {
        match self.family {
            Family::ResNet(_) => "resnet",
            Family::Zoo(_) => "zoo",
        }
    }

    /// The side of the (square) input images the model is described at.
    pub fn default_input_size(&self) -> usize {
        self.config().input_size()
    }

    /// Trainable parameters and multiply-accumulates of one image at the default input size:
    /// the layer table's totals.
    pub fn totals(&self) -> (usize, u64) {
        let rows = self.config().layers().unwrap_or_else(|e| panic!("catalogue entry {}: {e}", self.name));
        totals(&rows)
    }

    /// Whether `name` names this entry (its name or an alias).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }

    /// The entry as the page receives it (`catalogue()` in wasm).
    pub fn summary(&self) -> EntrySummary {
        let (parameters, macs) = self.totals();
        EntrySummary {
            name: self.name,
            title: self.title,
            family: self.family_name(),
            config: self.config(),
            default_input_size: self.default_input_size(),
            training: self.training,
            seed_test_acc: self.seed_test_acc,
            notes: self.notes,
            parameters,
            macs,
        }
    }
}

/// An [`Entry`] with its totals, serialisable: what wasm's `catalogue()` returns for each model.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntrySummary {
    pub name: &'static str,
    pub title: &'static str,
    /// `"resnet"` or `"zoo"`.
    #[cfg_attr(feature = "ts", ts(type = r#""resnet" | "zoo""#))]
    pub family: &'static str,
    /// What `startTraining` and `shapes` take, at the default input size.
    pub config: ModelConfig,
    pub default_input_size: usize,
    pub training: TrainingDefaults,
    pub seed_test_acc: Option<f64>,
    pub notes: &'static str,
    pub parameters: usize,
    pub macs: u64,
}

const fn defaults(epochs: usize, batch: usize, lr: f64) -> TrainingDefaults {
    TrainingDefaults { epochs, batch, lr }
}

/// Every model, ResNet presets first, in the page's picker order.
pub fn catalogue() -> Vec<Entry> {
    let resnet = |name, aliases, title, config, training, seed_test_acc, notes| Entry {
        name,
        aliases,
        title,
        family: Family::ResNet(config),
        training,
        seed_test_acc,
        notes,
    };
    // The chapter-7 networks train with the seed's learning rate and batch size, 2 epochs
    // instead of its 10; LeNet gets lr 0.9 (the seed: 1.0), the rate of the README's native run.
    let zoo = |kind: ZooKind, title, training, seed_test_acc, notes| Entry {
        name: kind.name(),
        aliases: &[],
        title,
        family: Family::Zoo(kind),
        training,
        seed_test_acc: Some(seed_test_acc),
        notes,
    };
    vec![
        resnet(
            "fast",
            &[],
            "ResNet-18, \u{bc} width, 28 px (fast)",
            ResNetConfig::fast(),
            defaults(2, 128, 0.1),
            None,
            "ResNet-18\u{2019}s layers (4 stages of 2 residual blocks) with a quarter of the channels, on the original \
             28\u{d7}28 images. Quick on a GPU; an epoch takes many minutes on the CPU.",
        ),
        resnet(
            "d2l96",
            &["resnet18"],
            "ResNet-18, 96 px, as in d2l (slow)",
            ResNetConfig::resnet18(96),
            defaults(10, 256, 0.05),
            Some(0.915),
            "d2l\u{2019}s ResNet-18 exactly: 64 to 512 channels, images resized to 96\u{d7}96. Needs a real GPU; on the \
             CPU it would take hours.",
        ),
        resnet(
            "tiny",
            &[],
            "Tiny ResNet (fastest)",
            ResNetConfig::tiny(),
            defaults(1, 32, 0.1),
            None,
            "One residual block a stage and 8 to 32 channels. Trains in seconds to minutes anywhere, even on the CPU.",
        ),
        zoo(
            ZooKind::LeNetBn,
            "LeNet with BatchNorm",
            defaults(2, 256, 0.9),
            0.863,
            "LeNet with batch normalization after every convolution and fully connected layer (burn\u{2019}s \
             BatchNorm), sigmoid activations and average pooling, on the 28\u{d7}28 images themselves. Small and \
             quick, even on the CPU.",
        ),
        zoo(
            ZooKind::LeNetBnScratch,
            "LeNet with BatchNorm from scratch",
            defaults(2, 256, 0.9),
            0.853,
            "The same LeNet with the seed\u{2019}s from-scratch batch_norm (moving mean and variance with momentum \
             0.9) written as a module of this project, instead of burn\u{2019}s BatchNorm.",
        ),
        zoo(
            ZooKind::AlexNet,
            "AlexNet",
            defaults(2, 128, 0.01),
            0.883,
            "AlexNet for Fashion-MNIST: five convolutions (the first 11\u{d7}11 with stride 4), three max-pools, then \
             two 4096-wide fully connected layers with dropout 0.5, which hold most of its parameters.",
        ),
        // The seed trains only the small VGG; its accuracy stands for both.
        zoo(
            ZooKind::Vgg11,
            "VGG-11",
            defaults(2, 128, 0.05),
            0.918,
            "VGG-11: five VGG blocks of 3\u{d7}3 convolutions and a 2\u{d7}2 max-pool (64 to 512 channels), then \
             AlexNet\u{2019}s fully connected head. The heaviest network here: the seed trains only the \u{f7}4 version.",
        ),
        zoo(
            ZooKind::Vgg11Small,
            "VGG-11, widths / 4",
            defaults(2, 128, 0.05),
            0.918,
            "VGG-11 with every block\u{2019}s channels divided by 4 (16 to 128), as the seed trains it.",
        ),
        zoo(
            ZooKind::Nin,
            "NiN",
            defaults(2, 128, 0.1),
            0.867,
            "Network in Network: each block is a convolution followed by two 1\u{d7}1 convolutions; no fully connected \
             layer, a global average pool over 10 channels gives the class scores.",
        ),
        zoo(
            ZooKind::GoogLeNet,
            "GoogLeNet",
            defaults(2, 128, 0.1),
            0.869,
            "GoogLeNet: two stem blocks (b1, b2), then nine Inception blocks in b3 to b5, each running 1\u{d7}1, \
             3\u{d7}3 and 5\u{d7}5 convolutions and a max-pool side by side and concatenating their channels.",
        ),
    ]
}

/// The entry named `name` (or an alias of it).
pub fn find(name: &str) -> Option<Entry> {
    catalogue().into_iter().find(|e| e.is_named(name))
}

/// The catalogue as a markdown table (`resnet-explorer models`; the README's "Models" table).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| name | model | input | params | MACs an image | epochs | batch | lr | seed's test acc |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for e in catalogue() {
        let (params, macs) = e.totals();
        let names = [&[e.name][..], e.aliases].concat().iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let acc = e.seed_test_acc.map_or(String::new(), |a| format!("{a:.3}"));
        let TrainingDefaults { epochs, batch, lr } = e.training;
        let input = e.default_input_size();
        out += &format!(
            "| {names} | {} | {input} | {} | {} | {epochs} | {batch} | {lr} | {acc} |\n",
            e.title,
            thousands(params as u64),
            thousands(macs)
        );
    }
    out
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
