//! Both kernel sets on a CubeCL device: the same training steps give the same losses and the
//! same weights (so the same gradients), and the measured choice covers every operation of the
//! model. Shared by the native tests (Mesa's lavapipe) and the wasm tests (SwiftShader).

use burn::prelude::*;
use resnet_explorer::data::Dataset;
use resnet_explorer::model::kernel_sets::{self, KernelReport, KernelSet, Kernels, Policy};
use resnet_explorer::model::{ModelConfig, ResNetConfig, weights};
use resnet_explorer::train::{TrainConfig, TrainEvent, Trainer};

/// `count` images of Fashion-MNIST's shape, made up but fixed.
pub fn images(count: usize) -> Dataset {
    let pixels = (0..count * 784).map(|i| ((i * 37 + i / 784 * 11) % 251) as u8).collect();
    let labels = (0..count).map(|i| (i % 10) as u8).collect();
    Dataset::from_pixels(pixels, labels).unwrap()
}

/// The running losses of `steps` batches of 16 and the weights after them, on `set`.
async fn train(device: &Device, model: &ModelConfig, set: KernelSet, steps: usize) -> (Vec<f64>, Vec<f32>) {
    let config = TrainConfig { epochs: 1, batch_size: 16, lr: 0.1, ..TrainConfig::default() };
    let mut trainer = Trainer::new(model, config, images(16 * steps), images(16), device).unwrap();
    let previous = kernel_sets::install(Policy::All(set));
    let mut losses = Vec::new();
    while !trainer.is_finished() {
        for event in trainer.step().await.unwrap() {
            let (TrainEvent::Report { train_loss, .. } | TrainEvent::Epoch { train_loss, .. }) = event;
            losses.push(train_loss);
        }
    }
    kernel_sets::install(previous);
    (losses, weights::values(trainer.model()).await.unwrap())
}

/// Trains the same steps of the tiny ResNet with each set: the losses agree to 1e-4 and every
/// weight and running statistic to 1e-4 (a gradient that differed would show in them).
pub async fn both_sets_train_alike(device: &Device) {
    let model: ModelConfig = ResNetConfig::tiny().into();
    let (ours_losses, ours) = train(device, &model, KernelSet::Ours, 4).await;
    let (burn_losses, burn) = train(device, &model, KernelSet::Burn, 4).await;
    assert!(!ours_losses.is_empty() && ours_losses.len() == burn_losses.len(), "{ours_losses:?} / {burn_losses:?}");
    for (a, b) in ours_losses.iter().zip(&burn_losses) {
        assert!((a - b).abs() < 1e-4, "losses differ: ours {ours_losses:?}, burn's {burn_losses:?}");
    }
    assert_eq!(ours.len(), burn.len());
    let (worst, at) = ours
        .iter()
        .zip(&burn)
        .enumerate()
        .map(|(i, (a, b))| ((a - b).abs(), i))
        .fold((0.0, 0), |w, d| if d.0 > w.0 { d } else { w });
    assert!(worst < 1e-4, "weight {at} differs by {worst} after 4 steps");
    // Other kernels sum in another order: identical to the last bit means one set ran twice.
    assert!(worst > 0.0 || ours_losses != burn_losses, "both runs gave the same bits: was burn's set used?");
}

/// The setting's choices: forced sets cover every operation; `auto` on a hardware adapter
/// measures each operation once, keeps the table, and a second visit measures nothing.
pub async fn the_choice_covers_every_operation(device: &Device) -> KernelReport {
    let model: ModelConfig = ResNetConfig::tiny().into();
    let choose =
        |setting, software, kept| kernel_sets::choose_for(&model, device, 16, setting, "test adapter", software, kept);
    let ops = kernel_sets::operations(&model, device, 16);
    assert!(ops.len() >= 10, "the tiny ResNet's convolutions and BatchNorms: {ops:?}");
    for (setting, set) in [(Kernels::Burn, KernelSet::Burn), (Kernels::Ours, KernelSet::Ours)] {
        let report = choose(setting, false, None).await;
        assert_eq!((report.all, report.table.is_none()), (Some(set), true), "{report:?}");
        assert!(ops.iter().all(|op| kernel_sets::pick(op) == set), "every operation runs {set:?}");
    }
    let software = choose(Kernels::Auto, true, None).await;
    assert_eq!(
        (software.all, software.table.is_none()),
        (Some(KernelSet::Ours), true),
        "software adapter: ours, unmeasured"
    );

    let measured = choose(Kernels::Auto, false, None).await;
    let table = measured.table.clone().expect("auto on a hardware adapter measures");
    assert_eq!(measured.all, None);
    assert_eq!(table.missing(&ops), vec![], "each operation measured: {table:?}");
    assert_eq!(table.measured.len(), ops.len(), "and only those");
    assert!(table.measured.iter().all(|m| m.ours_ms > 0.0 && m.burn_ms > 0.0 && m.ours_ms.is_finite()), "{table:?}");
    assert!(ops.iter().all(|op| kernel_sets::pick(op) == table.get(op).unwrap().choice()), "the faster set runs each");
    let again = choose(Kernels::Auto, false, Some(table.clone())).await;
    assert_eq!(again.table, Some(table), "the kept table is used as it is");
    assert!(again.summary.contains("timed earlier"), "{}", again.summary);
    kernel_sets::install(Policy::default());
    measured
}
