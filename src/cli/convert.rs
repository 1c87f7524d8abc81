//! `resnet-explorer convert IN OUT`: a network from `.rnxw` to `.safetensors` (the seed's
//! PyTorch layout) or back, the direction by the files' extensions.

use std::path::{Path, PathBuf};

use resnet_explorer::backend;
use resnet_explorer::model::safetensors::{self, WeightsFormat};
use resnet_explorer::model::weights;

#[derive(clap::Args)]
pub struct Args {
    /// The network to read: a `.rnxw` weights file, or a `.safetensors` file in the seed's
    /// PyTorch layout (`safetensors.torch.save_file(net.state_dict())`).
    input: PathBuf,
    /// The file to write, in the other format.
    output: PathBuf,
}

fn format_of(path: &Path) -> Result<WeightsFormat, String> {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    WeightsFormat::from_file_name(&name).ok_or_else(|| {
        format!("{}: unknown extension: convert reads and writes .rnxw and .safetensors files", path.display())
    })
}

pub fn run(args: Args) -> Result<(), String> {
    let (from, to) = (format_of(&args.input)?, format_of(&args.output)?);
    if from == to {
        return Err(format!(
            "both files are .{}: convert goes from .rnxw to .safetensors or from .safetensors to .rnxw",
            from.extension()
        ));
    }
    let device = backend::cpu();
    let input = args.input.display();
    let bytes = std::fs::read(&args.input).map_err(|e| format!("{input}: {e}"))?;
    let (model, header) = match from {
        WeightsFormat::Rnxw => weights::load(&bytes, &device).map_err(|e| format!("{input}: {e}"))?,
        WeightsFormat::Safetensors => {
            safetensors::from_safetensors(&bytes, &device).map_err(|e| format!("{input}: {e}"))?
        }
    };
    let out = pollster::block_on(safetensors::save_as(to, &model, &header)).map_err(|e| format!("{input}: {e}"))?;
    std::fs::write(&args.output, out).map_err(|e| format!("{}: {e}", args.output.display()))?;
    let model = &header.model;
    let shape = model.as_resnet().map_or(String::new(), |c| format!(", widths {:?}, blocks {:?}", c.widths, c.blocks));
    println!("{} -> {}: {}{shape}, input {}", input, args.output.display(), model.title(), model.input_size());
    if !header.note.is_empty() {
        println!("note: {}", header.note);
    }
    Ok(())
}
