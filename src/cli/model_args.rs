//! Flags that describe the network, shared by every subcommand.

use clap::{Args, ValueEnum};
use resnet_explorer::model::zoo::{ZooConfig, ZooKind};
use resnet_explorer::model::{ModelConfig, ResNetConfig};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Preset {
    /// The seed's ResNet-18 (widths 64..512), 96px by default.
    Resnet18,
    /// ResNet-18's layers at a quarter of the width, 28px: the page's default.
    Fast,
    /// One block a stage, widths 8..32, 28px.
    Tiny,
    /// Chapter 7 (seed 004): LeNet with burn's BatchNorm, 28px.
    LenetBn,
    /// LeNet with the seed's from-scratch BatchNorm, 28px.
    LenetBnScratch,
    /// AlexNet, 224px.
    Alexnet,
    /// VGG-11, 224px.
    Vgg11,
    /// VGG-11 with every width divided by 4, 224px.
    Vgg11Small,
    /// Network in Network, 224px.
    Nin,
    /// GoogLeNet, 96px.
    Googlenet,
}

impl Preset {
    /// The chapter-7 network this preset names, if it is not a ResNet.
    fn zoo(self) -> Option<ZooKind> {
        match self {
            Preset::Resnet18 | Preset::Fast | Preset::Tiny => None,
            Preset::LenetBn => Some(ZooKind::LeNetBn),
            Preset::LenetBnScratch => Some(ZooKind::LeNetBnScratch),
            Preset::Alexnet => Some(ZooKind::AlexNet),
            Preset::Vgg11 => Some(ZooKind::Vgg11),
            Preset::Vgg11Small => Some(ZooKind::Vgg11Small),
            Preset::Nin => Some(ZooKind::Nin),
            Preset::Googlenet => Some(ZooKind::GoogLeNet),
        }
    }
}

#[derive(Args, Debug)]
pub struct ModelArgs {
    #[arg(long, value_enum, default_value = "fast")]
    pub model: Preset,
    /// Input height and width (images are resized bilinearly from 28).
    #[arg(long, alias = "resize")]
    pub input: Option<usize>,
    /// Stage widths, comma separated (e.g. 64,128,256,512).
    #[arg(long, value_delimiter = ',')]
    pub widths: Option<Vec<usize>>,
    /// Residual blocks per stage, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub blocks: Option<Vec<usize>>,
    #[arg(long)]
    pub stem_kernel: Option<usize>,
    #[arg(long)]
    pub stem_stride: Option<usize>,
    #[arg(long)]
    pub stem_padding: Option<usize>,
    #[arg(long)]
    pub pool_kernel: Option<usize>,
    /// Seed 000 sets this to 3 (giving 38x38 after the stem at 224).
    #[arg(long)]
    pub pool_stride: Option<usize>,
    #[arg(long)]
    pub pool_padding: Option<usize>,
    /// Remove every shortcut (the plain network with the same layers).
    #[arg(long)]
    pub plain: bool,
}

impl ModelArgs {
    /// The chosen chapter-7 network, `None` for the ResNet presets. Only `--input` applies to it.
    fn zoo(&self) -> Result<Option<ZooConfig>, String> {
        let Some(kind) = self.model.zoo() else { return Ok(None) };
        let stem = [self.stem_kernel, self.stem_stride, self.stem_padding];
        let pool = [self.pool_kernel, self.pool_stride, self.pool_padding];
        let resnet_only = stem.iter().chain(&pool).any(Option::is_some)
            || self.widths.is_some()
            || self.blocks.is_some()
            || self.plain;
        if resnet_only {
            return Err(format!(
                "--model {}: the ResNet flags (widths, blocks, stem, pool, plain) do not apply",
                kind.name()
            ));
        }
        let config = ZooConfig::new(kind).with_input_size(self.input.unwrap_or(kind.default_input_size()));
        config.validate().map_err(|e| e.to_string())?;
        Ok(Some(config))
    }

    /// The chosen network: a ResNet preset with the ResNet flags applied, or a chapter-7
    /// network at `--input` (default: the seed's size).
    pub fn config(&self) -> Result<ModelConfig, String> {
        if let Some(zoo) = self.zoo()? {
            return Ok(zoo.into());
        }
        self.resnet().map(ModelConfig::from)
    }

    /// The ResNet presets with the ResNet flags applied.
    fn resnet(&self) -> Result<ResNetConfig, String> {
        let mut c = match self.model {
            Preset::Resnet18 => ResNetConfig::resnet18(96),
            Preset::Fast => ResNetConfig::fast(),
            Preset::Tiny => ResNetConfig::tiny(),
            zoo => unreachable!("{zoo:?} is a chapter-7 network, handled by `zoo`"),
        };
        let set = |field: &mut usize, value: Option<usize>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(&mut c.input_size, self.input);
        set(&mut c.stem.kernel, self.stem_kernel);
        set(&mut c.stem.stride, self.stem_stride);
        set(&mut c.stem.padding, self.stem_padding);
        set(&mut c.stem.pool_kernel, self.pool_kernel);
        set(&mut c.stem.pool_stride, self.pool_stride);
        set(&mut c.stem.pool_padding, self.pool_padding);
        if let Some(w) = &self.widths {
            // Keep the preset's depth per stage unless told otherwise.
            c.blocks = (0..w.len()).map(|i| c.blocks.get(i).copied().unwrap_or(2)).collect();
            c.widths = w.clone();
        }
        if let Some(b) = &self.blocks {
            c.blocks = b.clone();
        }
        c.shortcut = !self.plain;
        c.validate().map_err(|e| e.to_string())?;
        Ok(c)
    }
}
