//! `resnet-explorer identity`: the identity-mapping checks of the page, printed.

use std::path::PathBuf;

use burn::prelude::*;
use resnet_explorer::backend;
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::explore::{Insertion, identity_checks, insertion_check};
use resnet_explorer::model::weights;
use resnet_explorer::train::predict;

use super::train::default_data_dir;

#[derive(clap::Args)]
pub struct Args {
    /// A weights file from `train --save` (default: the pretrained fast preset shipped with the page).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/www/weights/fast.rnxw"))]
    weights: PathBuf,
    /// Test images for the block checks.
    #[arg(long, default_value_t = 64)]
    images: usize,
    /// Test images for the accuracy comparison (default: the whole test set).
    #[arg(long)]
    test_limit: Option<usize>,
    #[arg(long, default_value = default_data_dir())]
    data_dir: PathBuf,
}

pub fn run(args: Args) -> Result<(), String> {
    let device = backend::cpu();
    let bytes = std::fs::read(&args.weights).map_err(|e| format!("{}: {e}", args.weights.display()))?;
    let (model, header) = weights::load(&bytes, &device).map_err(|e| format!("{}: {e}", args.weights.display()))?;
    let config = header.model.residual("identity demo").map_err(|e| format!("{}: {e}", args.weights.display()))?;
    let model = model.as_resnet().expect("the header says ResNet");
    println!("weights: {} ({})", args.weights.display(), header.note);
    let test = Dataset::load(&args.data_dir, Split::Test).map_err(|e| e.to_string())?;
    let probe = test.clone().truncate(args.images);
    let batch = probe.batch(&(0..probe.len()).collect::<Vec<_>>(), config.input_size);
    let images =
        Tensor::<4>::from_data(TensorData::new(batch.images, [probe.len(), 1, batch.side, batch.side]), &device);

    println!("\nmax |out - in| of each block on {} test images (eval mode)", probe.len());
    println!("{:<8} {:>24} {:>24}", "block", "zero BN2 gamma and beta", "zero conv2 only");
    for c in pollster::block_on(identity_checks(model, images)).map_err(|e| e.to_string())? {
        match (c.zero_branch, c.zero_conv2) {
            (Some(branch), Some(conv2)) => println!("{:<8} {branch:>24} {conv2:>24}", c.label),
            _ => println!("{:<8} {:>49}", c.label, "1x1 projection shortcut: never the identity"),
        }
    }
    println!("zeroing BN2 makes the branch exactly 0, so the block is ReLU(x + 0) = x for x >= 0.");
    println!("zeroing conv2 leaves BN2(0) = beta - gamma * mean / sqrt(var + eps), not 0, in eval mode.");

    let test = test.truncate(args.test_limit.unwrap_or(usize::MAX));
    println!("\ninserting a block at the end of each stage, test accuracy on {} images", test.len());
    println!("{:<8} {:<10} {:>10} {:>10} {:>20}", "stage", "insert", "before", "after", "changed predictions");
    // The original network's predictions, once for all eight comparisons.
    let before =
        pollster::block_on(predict(model, &test, config.input_size, 256, &device)).map_err(|e| e.to_string())?;
    for stage in 0..config.widths.len() {
        for insertion in [Insertion::Identity, Insertion::Plain] {
            let (check, _, _) =
                pollster::block_on(insertion_check(model, config, insertion, stage, &test, &before, &device))
                    .map_err(|e| e.to_string())?;
            println!(
                "{:<8} {:<10} {:>10.4} {:>10.4} {:>20}",
                format!("b{}", stage + 2),
                format!("{insertion:?}").to_lowercase(),
                check.accuracy_before,
                check.accuracy_after,
                check.changed_predictions
            );
        }
    }
    Ok(())
}
