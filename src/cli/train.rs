use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use resnet_explorer::backend::{self, BackendKind};
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::model::weights::{self, WeightsHeader};
use resnet_explorer::train::{TrainConfig, TrainEvent, Trainer};

use super::model_args::ModelArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    /// Default: the model's (`resnet-explorer models` lists them).
    #[arg(long)]
    epochs: Option<usize>,
    /// Default: the model's.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Default: the model's.
    #[arg(long)]
    lr: Option<f64>,
    #[arg(long, default_value_t = 0.0)]
    momentum: f64,
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f64,
    /// Train on the first N training images only.
    #[arg(long)]
    train_limit: Option<usize>,
    /// Evaluate on the first N test images only (default: the whole test set).
    #[arg(long)]
    test_limit: Option<usize>,
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// On wgpu, the convolution and BatchNorm kernels: this crate's, burn's, or per operation
    /// the faster as measured on this adapter (ours on a software one).
    #[arg(long, default_value = "auto", value_parser = super::kernels::names())]
    kernels: String,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Directory with the four Fashion-MNIST .gz files.
    #[arg(long, default_value = default_data_dir())]
    data_dir: PathBuf,
    /// Save the trained weights (with the model configuration) to this file.
    #[arg(long)]
    save: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Backend {
    Cpu,
    Wgpu,
}

impl From<Backend> for BackendKind {
    fn from(b: Backend) -> Self {
        match b {
            Backend::Cpu => BackendKind::Cpu,
            Backend::Wgpu => BackendKind::Wgpu,
        }
    }
}

pub fn default_data_dir() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/www/data")
}

/// Loads both splits, each optionally truncated.
pub fn load_data(
    dir: &std::path::Path,
    train_limit: Option<usize>,
    test_limit: Option<usize>,
) -> Result<(Dataset, Dataset), String> {
    let load = |split, limit: Option<usize>| {
        Dataset::load(dir, split).map(|d| d.truncate(limit.unwrap_or(usize::MAX))).map_err(|e| e.to_string())
    };
    Ok((load(Split::Train, train_limit)?, load(Split::Test, test_limit)?))
}

pub fn run(args: Args) -> Result<(), String> {
    let model = args.model.config()?;
    let kind = BackendKind::from(args.backend);
    let device = backend::init_native(kind)?;
    let (train, test) = load_data(&args.data_dir, args.train_limit, args.test_limit)?;
    let defaults = args.model.entry().training;
    let config = TrainConfig {
        epochs: args.epochs.unwrap_or(defaults.epochs),
        batch_size: args.batch_size.unwrap_or(defaults.batch),
        lr: args.lr.unwrap_or(defaults.lr),
        momentum: args.momentum,
        weight_decay: args.weight_decay,
        seed: args.seed,
    };
    println!(
        "training on {} ({} train / {} test images, {}x{} input)",
        kind.label(),
        train.len(),
        test.len(),
        model.input_size(),
        model.input_size()
    );
    let mut trainer = Trainer::new(&model, config.clone(), train, test, &device).map_err(|e| e.to_string())?;
    if let Some(report) =
        super::kernels::choose(&model, &device, config.batch_size, super::kernels::parse(&args.kernels))?
    {
        println!("kernels: {}", report.summary);
    }

    // indicatif draws nothing when stderr is not a terminal, so logs stay clean.
    let bar = ProgressBar::new((trainer.batches_per_epoch() * config.epochs) as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} batches {elapsed_precise} eta {eta}").unwrap());
    let mut last = None;
    while !trainer.is_finished() {
        let events = pollster::block_on(trainer.step()).map_err(|e| {
            bar.abandon();
            e.to_string()
        })?;
        bar.inc(1);
        for event in events {
            match event {
                TrainEvent::Report { epoch, train_loss, train_acc, .. } => {
                    say(&bar, format!("epoch {epoch:.1}, train_loss {train_loss:.4}, train_acc {train_acc:.4}"))
                }
                TrainEvent::Epoch { train_loss, train_acc, test_acc, .. } => {
                    say(&bar, format!("loss {train_loss:.3}, train acc {train_acc:.3}, test acc {test_acc:.3}"));
                    last = Some(test_acc);
                }
            }
        }
    }
    bar.finish_and_clear();
    println!("{:.1} examples/sec on {}", trainer.examples_per_sec(), kind.label());
    if let Some(acc) = last {
        println!("final test acc {acc:.4} on {} test images", trainer.test_set().len());
    }
    if let Some(path) = args.save {
        let note = format!(
            "{} epochs, batch {}, lr {}, seed {}, {} training images: test acc {:.4} on {} test images",
            config.epochs,
            config.batch_size,
            config.lr,
            args.seed,
            trainer.data_sizes().0,
            last.unwrap_or(0.0),
            trainer.test_set().len()
        );
        let header = WeightsHeader { model: model.clone(), note };
        let bytes = pollster::block_on(weights::save(trainer.model(), &header)).map_err(|e| e.to_string())?;
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("saved weights to {}", path.display());
    }
    Ok(())
}

/// Prints above the progress bar, or plainly when there is no terminal to draw it on.
fn say(bar: &ProgressBar, line: String) {
    bar.suspend(|| println!("{line}"));
}
