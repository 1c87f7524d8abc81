//! Flags that describe the network, shared by every subcommand.

use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use resnet_explorer::model::catalogue::{self, Entry, Family};
use resnet_explorer::model::zoo::ZooConfig;
use resnet_explorer::model::{ModelConfig, ResNetConfig};

/// `--model`: any name of the catalogue (or an alias), listed in `--help` with its title.
fn model_parser() -> impl TypedValueParser<Value = String> {
    PossibleValuesParser::new(
        catalogue::catalogue()
            .into_iter()
            .map(|e| PossibleValue::new(e.name).aliases(e.aliases.iter().copied()).help(e.title)),
    )
}

#[derive(Args, Debug)]
pub struct ModelArgs {
    /// The model, by its name in `resnet-explorer models`.
    #[arg(long, default_value = "fast", value_parser = model_parser())]
    pub model: String,
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
    /// The catalogue entry `--model` names.
    pub fn entry(&self) -> Entry {
        catalogue::find(&self.model).unwrap_or_else(|| unreachable!("clap accepts only the catalogue's names"))
    }

    /// The chosen chapter-7 network, `None` for the ResNet presets. Only `--input` applies to it.
    fn zoo(&self) -> Result<Option<ZooConfig>, String> {
        let Family::Zoo(kind) = self.entry().family else { return Ok(None) };
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
        let Family::ResNet(mut c) = self.entry().family else {
            unreachable!("{} is a chapter-7 network, handled by `zoo`", self.model)
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
