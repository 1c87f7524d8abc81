//! The nested-function-classes lab (issue 5): He et al.'s CIFAR family in residual and plain
//! twins, option-A shortcuts, zero-gamma initialisation, gradient norms, lesions.
#![cfg(not(target_family = "wasm"))]

use burn::module::Module;
use burn::prelude::*;
use resnet_explorer::data::{BatchOrder, Dataset, Split};
use resnet_explorer::lab::{gradient_norms, lesions, residual_magnitudes};
use resnet_explorer::model::{ResNetConfig, ZeroMode, infer_shapes, init_seeded};

fn cpu() -> Device {
    Device::flex()
}

fn test_images(n: usize) -> Dataset {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data"));
    Dataset::load(dir, Split::Test).unwrap().truncate(n)
}

#[test]
fn plain_and_residual_twins_differ_only_in_the_shortcut() {
    for (n, depth, params) in [(3, 20, 270_122), (9, 56, 854_762)] {
        let (res, plain) = (ResNetConfig::cifar(n, true), ResNetConfig::cifar(n, false));
        assert_eq!((res.depth(), plain.depth()), (depth, depth));
        let (a, b) = (infer_shapes(&res).unwrap(), infer_shapes(&plain).unwrap());
        let layers = |rows: &[resnet_explorer::model::LayerShape]| {
            rows.iter().map(|r| (r.label.clone(), r.kind.clone(), r.shape.clone(), r.params)).collect::<Vec<_>>()
        };
        assert_eq!(layers(&a), layers(&b), "same layers, same shapes, same parameters");
        assert!(a.iter().filter(|r| r.kind == "Residual").all(|r| r.shortcut && !r.projection));
        assert!(b.iter().filter(|r| r.kind == "Residual").all(|r| !r.shortcut));
        // Option A adds no parameters: both twins count exactly the same (He et al.'s ResNet-20
        // has 0.27 M with 3 input channels; ours has 1).
        assert_eq!((res.parameter_count(), plain.parameter_count()), (params, params));
        // burn agrees (its count adds BatchNorm's running mean and variance: 2 per channel).
        let bn_channels: usize = a.iter().filter(|r| r.kind == "BatchNorm2d").map(|r| r.shape[1]).sum();
        for config in [&res, &plain] {
            assert_eq!(config.init(&cpu()).num_params(), params + 2 * bn_channels);
        }
    }
}

#[test]
fn the_cifar_family_keeps_28_then_halves_and_matches_a_forward_pass() {
    let config = ResNetConfig::cifar(3, true);
    let rows = infer_shapes(&config).unwrap();
    let sides: Vec<usize> =
        rows.iter().filter(|r| r.level == 0 && r.kind == "Sequential").map(|r| r.shape[2]).collect();
    assert_eq!(sides, [28, 28, 14, 7]);
    let model = config.init(&cpu());
    let x = Tensor::<4>::random([2, 1, 28, 28], burn::tensor::Distribution::Default, &cpu());
    let shapes: Vec<Vec<usize>> = model.forward_layers(x).into_iter().map(|(_, s)| s).collect();
    let top: Vec<Vec<usize>> =
        rows.iter().filter(|r| r.level == 0).map(|r| [vec![2], r.shape[1..].to_vec()].concat()).collect();
    assert_eq!(shapes, top);
}

#[test]
fn option_a_shortcut_subsamples_and_pads_zero_channels() {
    // With the branch zeroed, a downsampling block outputs its shortcut: every other pixel of
    // its input in the first channels, zeros in the new ones.
    let device = cpu();
    let model = init_seeded(&ResNetConfig::cifar(1, true), 1, &device).map_block(1, 0, |b| b.zeroed(ZeroMode::Branch));
    let x = Tensor::<4>::random([2, 1, 28, 28], burn::tensor::Distribution::Default, &device);
    let (input, output) = model.valid().block_io(x, 1, 0).unwrap();
    assert_eq!((input.dims(), output.dims()), ([2, 16, 28, 28], [2, 32, 14, 14]));
    let input: Vec<f32> = input.into_data().try_to_vec::<f32>().unwrap();
    let output: Vec<f32> = output.into_data().try_to_vec::<f32>().unwrap();
    for (n, c, i, j) in [(0, 0, 0, 0), (1, 15, 13, 13), (0, 7, 3, 9)] {
        let got = output[((n * 32 + c) * 14 + i) * 14 + j];
        assert_eq!(got, input[((n * 16 + c) * 28 + 2 * i) * 28 + 2 * j]);
    }
    assert!(output.chunks(14 * 14).enumerate().filter(|(k, _)| k % 32 >= 16).all(|(_, m)| m.iter().all(|&v| v == 0.0)));
}

#[test]
fn zero_gamma_init_makes_every_block_the_identity_at_step_0() {
    let device = cpu();
    let config = ResNetConfig { zero_init_residual: true, ..ResNetConfig::cifar(3, true) };
    let model = init_seeded(&config, 0, &device);
    let x = Tensor::<4>::random([4, 1, 28, 28], burn::tensor::Distribution::Default, &device);
    let mut identity_blocks = 0;
    for (s, stage) in model.stages.iter().enumerate() {
        for (b, block) in stage.blocks.iter().enumerate() {
            let (input, output) = model.valid().block_io(x.clone(), s, b).unwrap();
            if block.reshapes() {
                continue;
            }
            let diff: f32 = (output - input).abs().max().into_scalar();
            assert_eq!(diff, 0.0, "b{}.{b} is not the identity at step 0", s + 2);
            identity_blocks += 1;
        }
    }
    assert_eq!(identity_blocks, 7, "9 blocks, 2 of them downsample");
    // The default initialisation is not the identity.
    let default = init_seeded(&ResNetConfig::cifar(3, true), 0, &device).valid();
    let (input, output) = default.block_io(x, 0, 0).unwrap();
    assert!((output - input).abs().max().into_scalar::<f32>() > 0.01);
}

#[test]
fn gradient_norms_cover_every_conv_and_lesions_of_a_zeroed_block_change_nothing() {
    let device = cpu();
    let test = test_images(64);
    let batch = test.batch(BatchOrder::sequential(64, 64).batch(0), 28);
    for residual in [true, false] {
        let config = ResNetConfig::cifar(3, residual);
        let model = init_seeded(&config, 0, &device.clone().autodiff());
        let norms = pollster::block_on(gradient_norms(&model, &batch, &device.clone().autodiff())).unwrap();
        assert_eq!(norms.len(), 1 + 2 * 9, "the stem conv and two convs a block (option A has no conv3)");
        assert_eq!(norms.last().unwrap().depth, 19);
        assert!(norms.iter().all(|g| g.norm.is_finite() && g.norm > 0.0), "{norms:?}");
    }

    // A block whose branch is zeroed computes the identity: removing it changes no prediction.
    let config = ResNetConfig::cifar(2, true);
    let model = init_seeded(&config, 0, &device).map_block(2, 1, |b| b.zeroed(ZeroMode::Branch));
    let results = pollster::block_on(lesions(&model, &config, &test, &device)).unwrap();
    assert_eq!(results.len(), 6);
    let full = pollster::block_on(resnet_explorer::train::predict(&model, &test, 28, 64, &device)).unwrap();
    let accuracy = full.iter().zip(test.labels()).filter(|(p, l)| p == l).count() as f64 / 64.0;
    let b4_1 = results.iter().find(|l| l.label == "b4.1").unwrap();
    assert_eq!(b4_1.accuracy, Some(accuracy));
    assert_eq!(results.iter().filter(|l| l.accuracy.is_none()).count(), 2, "b3.0 and b4.0 downsample");

    // ||F(x)|| / ||x||: 0 for the zeroed branch, positive elsewhere.
    let images = Tensor::<4>::from_data(TensorData::new(batch.images.clone(), [64, 1, 28, 28]), &device);
    let magnitudes = pollster::block_on(residual_magnitudes(&model, images)).unwrap();
    assert_eq!(magnitudes.len(), 6);
    for (label, ratio) in magnitudes {
        assert!(if label == "b4.1" { ratio == 0.0 } else { ratio > 0.0 && ratio.is_finite() }, "{label}: {ratio}");
    }
}
