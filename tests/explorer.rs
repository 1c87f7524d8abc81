//! The explorer's numbers: the layer table's totals, the identity-mapping checks, block
//! insertion, and saved weights (CPU backend, real Fashion-MNIST).
#![cfg(not(target_family = "wasm"))]

use std::path::Path;

use burn::prelude::*;
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::explore::{Insertion, identity_checks, insertion_check};
use resnet_explorer::model::weights::{self, WeightsError, WeightsHeader};
use resnet_explorer::model::{ModelConfig, Network, ResNet, ResNetConfig, infer_shapes, totals};
use resnet_explorer::train::{TrainConfig, Trainer, predict};

fn load(split: Split, n: usize) -> Dataset {
    Dataset::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data")), split).unwrap().truncate(n)
}

/// A fast-preset network after one short epoch, so BatchNorm statistics are no longer (0, 1).
fn briefly_trained() -> (ResNet, ResNetConfig) {
    let config = ResNetConfig::fast();
    let train = TrainConfig { epochs: 1, batch_size: 64, lr: 0.1, ..TrainConfig::default() };
    let mut trainer =
        Trainer::new(&config, train, load(Split::Train, 2560), load(Split::Test, 64), &Device::flex()).unwrap();
    while !trainer.is_finished() {
        pollster::block_on(trainer.step()).unwrap();
    }
    (trainer.into_model().into_resnet().unwrap(), config)
}

fn images(n: usize, side: usize, device: &Device) -> Tensor<4> {
    let test = load(Split::Test, n);
    let batch = test.batch(&(0..n).collect::<Vec<_>>(), side);
    Tensor::from_data(TensorData::new(batch.images, [n, 1, side, side]), device)
}

#[test]
fn resnet18_totals_match_hand_counts() {
    // Hand count (conv and linear multiply-accumulates, PyTorch's parameter count):
    // 28x28: 33,010,944 MACs; 96x96: 318,657,536 MACs; 11,178,378 parameters at any size.
    for (side, macs) in [(28, 33_010_944), (96, 318_657_536)] {
        let rows = infer_shapes(&ResNetConfig::resnet18(side)).unwrap();
        assert_eq!(totals(&rows), (11_178_378, macs), "at {side}x{side}");
    }
    // Every parent's figures are the sum of its children's.
    let rows = infer_shapes(&ResNetConfig::fast()).unwrap();
    let b2 = rows.iter().position(|r| r.label == "b2").unwrap();
    let blocks: usize =
        rows.iter().filter(|r| r.label.starts_with("b2.") && r.kind == "Residual").map(|r| r.params).sum();
    assert_eq!(rows[b2].params, blocks);
}

#[test]
fn zeroed_branch_is_exactly_the_identity_on_every_non_projection_block_of_resnet18() {
    let device = Device::flex();
    let model = ResNetConfig::resnet18(28).init(&device);
    let checks = pollster::block_on(identity_checks(&model, images(16, 28, &device))).unwrap();
    assert_eq!(checks.len(), 8);
    for c in &checks {
        match c.projection {
            true => assert_eq!((c.zero_branch, c.zero_conv2), (None, None), "{}", c.label),
            false => assert_eq!(c.zero_branch, Some(0.0), "{}", c.label),
        }
    }
    assert_eq!(checks.iter().filter(|c| c.projection).count(), 3, "b3.0, b4.0 and b5.0 project");
}

#[test]
fn zeroing_conv2_only_is_not_the_identity_in_eval_mode_once_trained() {
    let device = Device::flex();
    let (model, _) = briefly_trained();
    let checks = pollster::block_on(identity_checks(&model, images(16, 28, &device))).unwrap();
    for c in checks.iter().filter(|c| !c.projection) {
        assert_eq!(c.zero_branch, Some(0.0), "{}", c.label);
        let conv2 = c.zero_conv2.unwrap();
        assert!(conv2 > 1e-3, "{}: BN2(0) = beta - gamma*mean/sqrt(var+eps) should not vanish, got {conv2}", c.label);
    }
}

#[test]
fn inserting_an_identity_block_changes_no_prediction_and_a_zeroed_plain_block_gives_chance() {
    let device = Device::flex();
    let (model, config) = briefly_trained();
    let test = load(Split::Test, 500);
    let before = pollster::block_on(predict(&model, &test, 28, 100, &device)).unwrap();
    for stage in 0..4 {
        let (check, bigger, bigger_config) =
            pollster::block_on(insertion_check(&model, &config, Insertion::Identity, stage, &test, &before, &device))
                .unwrap();
        assert_eq!(check.changed_predictions, 0, "stage {stage}");
        assert_eq!(check.accuracy_after, check.accuracy_before);
        assert!(check.accuracy_before > 0.5, "the briefly trained net is well above chance: {}", check.accuracy_before);
        assert_eq!(bigger_config.blocks[stage], config.blocks[stage] + 1);
        assert_eq!(bigger.stages[stage].blocks.len(), config.blocks[stage] + 1);
    }
    let (plain, plain_model, plain_config) =
        pollster::block_on(insertion_check(&model, &config, Insertion::Plain, 1, &test, &before, &device)).unwrap();
    // The configuration describes the plain block, so the table and a saved file know it.
    assert_eq!(plain_config.blocks[1], config.blocks[1] + 1);
    let rows = infer_shapes(&plain_config).unwrap();
    let shortcuts: Vec<bool> =
        rows.iter().filter(|r| r.label.starts_with("b3.") && r.kind == "Residual").map(|r| r.shortcut).collect();
    assert_eq!(shortcuts, [true, true, false]);
    let header = WeightsHeader { model: plain_config.clone().into(), note: "plain".into() };
    let bytes = pollster::block_on(weights::save(&Network::from(plain_model.clone()), &header)).unwrap();
    let (reloaded, _) = weights::load(&bytes, &device).expect("a network with a plain block saves and loads");
    assert!(!reloaded.as_resnet().unwrap().stages[1].blocks[2].shortcut);
    // Everything after the plain block sees zeros, so every image gets the same class.
    let predictions = pollster::block_on(predict(&plain_model, &test, 28, 100, &device)).unwrap();
    assert!(predictions.iter().all(|&p| p == predictions[0]));
    assert!(plain.accuracy_after < 0.2, "chance level expected, got {}", plain.accuracy_after);
}

#[test]
fn saved_weights_load_back_with_identical_predictions() {
    let device = Device::flex();
    let (model, config) = briefly_trained();
    let header = WeightsHeader { model: config.clone().into(), note: "test".into() };
    let bytes = pollster::block_on(weights::save(&Network::from(model.clone()), &header)).unwrap();
    let (loaded, loaded_header) = weights::load(&bytes, &device).unwrap();
    assert_eq!(loaded_header, header);
    let test = load(Split::Test, 300);
    let a = pollster::block_on(predict(&model, &test, 28, 100, &device)).unwrap();
    let b = pollster::block_on(predict(&loaded, &test, 28, 100, &device)).unwrap();
    assert_eq!(a, b);

    assert!(matches!(weights::load(b"<html>", &device), Err(WeightsError::NotWeights)));
    let err = weights::load(&bytes[..bytes.len() / 2], &device).unwrap_err();
    assert!(matches!(err, WeightsError::Corrupt(_)), "{err}");
}

#[test]
fn the_shipped_pretrained_weights_are_the_fast_preset_and_accurate() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/weights/fast.rnxw")).unwrap();
    let device = Device::flex();
    let (model, header) = weights::load(&bytes, &device).unwrap();
    assert_eq!(header.model, ModelConfig::from(ResNetConfig::fast()));
    let test = load(Split::Test, 1000);
    let accuracy = pollster::block_on(resnet_explorer::train::evaluate(&model, &test, 28, 250, &device)).unwrap();
    // Measured on the whole test set when the file was made: see its note.
    assert!(accuracy > 0.8, "pretrained accuracy on 1000 test images: {accuracy}");
}
