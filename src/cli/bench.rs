//! Training throughput on each native backend of this build. Run by hand; prints a table.

use std::path::PathBuf;
use std::time::Instant;

use burn::prelude::Device;
use resnet_explorer::backend::{self, BackendKind};
use resnet_explorer::data::Dataset;
use resnet_explorer::model::ModelConfig;
use resnet_explorer::train::{TrainConfig, Trainer};

use super::model_args::ModelArgs;
use super::train::{Backend, default_data_dir, load_data};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Timed training steps, after a warm-up epoch of the same length.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Only this backend (default: every backend of the build).
    #[arg(long, value_enum)]
    backend: Option<Backend>,
    /// On wgpu, a row for each of these kernel settings (comma separated: auto, ours, burn).
    #[arg(long, default_value = "auto", value_delimiter = ',', value_parser = super::kernels::names())]
    kernels: Vec<String>,
    #[arg(long, default_value = default_data_dir())]
    data_dir: PathBuf,
}

pub fn run(args: Args) -> Result<(), String> {
    let model = args.model.config()?;
    let (train, test) = load_data(&args.data_dir, Some(args.batch_size * args.steps), Some(args.batch_size))?;
    let described = match &model {
        ModelConfig::ResNet(c) => format!("widths {:?}, blocks {:?}", c.widths, c.blocks),
        ModelConfig::Zoo(c) => c.kind.name().to_string(),
    };
    let side = model.input_size();
    println!(
        "model: {described}, {side}x{side} input, batch {}, {} timed steps after {} warm-up steps, SGD lr 0.05",
        args.batch_size, args.steps, args.steps
    );
    println!("{:<24} {:>14} {:>16}", "backend", "examples/sec", "first step (s)");
    let kinds = match args.backend {
        Some(b) => vec![BackendKind::from(b)],
        None => vec![BackendKind::Cpu, BackendKind::Wgpu],
    };
    for kind in kinds {
        if !kind.available() {
            println!("{:<24} {:>14} {:>16}", kind.label(), "not built", "-");
            continue;
        }
        let device = match backend::init_native(kind) {
            Ok(d) => d,
            Err(e) => {
                println!("{:<24} unavailable: {e}", kind.label());
                continue;
            }
        };
        let settings = if kind == BackendKind::Wgpu {
            args.kernels.iter().map(|k| Some(k.as_str())).collect()
        } else {
            vec![None]
        };
        for kernels in settings {
            let label = match kernels {
                Some(k) => format!("{}, kernels {k}", kind.label()),
                None => kind.label().to_string(),
            };
            let chosen = super::kernels::choose(
                &model,
                &device,
                args.batch_size,
                super::kernels::parse(kernels.unwrap_or("auto")),
            )?;
            let (rate, first_step) = measure(&model, &device, args.batch_size, (&train, &test))?;
            let summary = chosen.map(|r| format!("  ({})", r.summary)).unwrap_or_default();
            println!("{label:<24} {rate:>14.1} {first_step:>16.2}{summary}");
        }
    }
    Ok(())
}

/// Steady examples/sec over the second epoch, and the first step's time in seconds.
fn measure(
    model: &ModelConfig,
    device: &Device,
    batch_size: usize,
    (train, test): (&Dataset, &Dataset),
) -> Result<(f64, f64), String> {
    let config = TrainConfig { epochs: 2, batch_size, lr: 0.05, ..TrainConfig::default() };
    let mut trainer = Trainer::new(model, config, train.clone(), test.clone(), device).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut first_step = None;
    let mut warm = None;
    while !trainer.is_finished() {
        let events = pollster::block_on(trainer.step()).map_err(|e| e.to_string())?;
        first_step.get_or_insert_with(|| start.elapsed().as_secs_f64());
        // The first epoch ends with an Epoch event; time only what follows it.
        if warm.is_none() && events.iter().any(|e| matches!(e, resnet_explorer::train::TrainEvent::Epoch { .. })) {
            warm = Some(trainer.throughput_counters());
        }
    }
    let (n0, t0) = warm.unwrap_or_default();
    let (n1, t1) = trainer.throughput_counters();
    Ok(((n1 - n0) as f64 / (t1 - t0).as_secs_f64(), first_step.unwrap_or(0.0)))
}
