//! Flags that describe the network, shared by every subcommand.

use clap::{Args, ValueEnum};
use resnet_explorer::model::ResNetConfig;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Preset {
    /// The seed's ResNet-18 (widths 64..512), 96px by default.
    Resnet18,
    /// ResNet-18's layers at a quarter of the width, 28px: the page's default.
    Fast,
    /// One block a stage, widths 8..32, 28px.
    Tiny,
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
    pub fn config(&self) -> Result<ResNetConfig, String> {
        let mut c = match self.model {
            Preset::Resnet18 => ResNetConfig::resnet18(96),
            Preset::Fast => ResNetConfig::fast(),
            Preset::Tiny => ResNetConfig::tiny(),
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
