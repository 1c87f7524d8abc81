//! The seed notes' printed shapes are the oracle; shape inference must agree with a real forward
//! pass (CPU backend).
#![cfg(not(target_family = "wasm"))]

use burn::module::Module;
use burn::prelude::*;
use resnet_explorer::model::{ResNetConfig, ResidualConfig, infer_shapes, infer_top_level_shapes};

fn cpu() -> Device {
    Device::flex()
}

/// d2l's printout: the spatial side after b1..b5.
fn stage_sides(config: &ResNetConfig) -> Vec<usize> {
    infer_top_level_shapes(config).unwrap().iter().filter(|r| r.kind == "Sequential").map(|r| r.shape[2]).collect()
}

#[test]
fn residual_keeps_shape_without_projection() {
    // Seed: blk = Residual(3,3); blk(torch.rand(4, 3, 6, 6)).shape == (4, 3, 6, 6)
    let device = cpu();
    let block = ResidualConfig::new(3, 3).init(&device);
    let x = Tensor::<4>::random([4, 3, 6, 6], burn::tensor::Distribution::Default, &device);
    assert_eq!(block.forward(x).dims(), [4, 3, 6, 6]);
}

#[test]
fn residual_with_1x1_projection_halves_and_widens() {
    // Seed: Residual(3, 6, use_1x1conv=True, strides=2) on (4, 3, 6, 6) -> (4, 6, 3, 3)
    let device = cpu();
    let block = ResidualConfig::new(3, 6).with_1x1conv(2).init(&device);
    let x = Tensor::<4>::random([4, 3, 6, 6], burn::tensor::Distribution::Default, &device);
    assert_eq!(block.forward(x).dims(), [4, 6, 3, 3]);
}

#[test]
fn resnet18_at_224_matches_seed_001() {
    let rows = infer_top_level_shapes(&ResNetConfig::resnet18(224)).unwrap();
    let printed: Vec<String> = rows.iter().map(|r| format!("{} output shape: {:?}", r.kind, r.shape)).collect();
    assert_eq!(
        printed,
        [
            "Sequential output shape: [1, 64, 56, 56]",
            "Sequential output shape: [1, 64, 56, 56]",
            "Sequential output shape: [1, 128, 28, 28]",
            "Sequential output shape: [1, 256, 14, 14]",
            "Sequential output shape: [1, 512, 7, 7]",
            "AdaptiveAvgPool2d output shape: [1, 512, 1, 1]",
            "Flatten output shape: [1, 512]",
            "Linear output shape: [1, 10]",
        ]
    );
}

#[test]
fn resnet18_at_96_matches_d2l() {
    assert_eq!(stage_sides(&ResNetConfig::resnet18(96)), [24, 24, 12, 6, 3]);
}

#[test]
fn pool_stride_3_variant_matches_seed_000() {
    let mut config = ResNetConfig::resnet18(224);
    config.stem.pool_stride = 3;
    assert_eq!(stage_sides(&config), [38, 38, 19, 10, 5]);
}

#[test]
fn inference_agrees_with_a_real_forward_pass() {
    let device = cpu();
    let mut stride3 = ResNetConfig::resnet18(224);
    stride3.stem.pool_stride = 3;
    stride3.widths = vec![8, 16, 32, 64]; // same geometry, cheaper forward
    let mut odd = ResNetConfig::fast();
    odd.input_size = 37;
    odd.stem.kernel = 5;
    odd.stem.padding = 1;
    odd.blocks = vec![1, 3, 1, 2];
    for config in [ResNetConfig::resnet18(96), ResNetConfig::fast(), ResNetConfig::tiny(), stride3, odd] {
        let model = config.init(&device);
        let x = Tensor::<4>::zeros([1, 1, config.input_size, config.input_size], &device);
        let real: Vec<(String, Vec<usize>)> =
            model.forward_layers(x).into_iter().map(|(name, shape)| (name.to_string(), shape)).collect();
        let inferred: Vec<(String, Vec<usize>)> =
            infer_top_level_shapes(&config).unwrap().into_iter().map(|r| (r.kind, r.shape)).collect();
        assert_eq!(real, inferred, "config {config:?}");
    }
}

#[test]
fn block_rows_follow_their_stage_and_mark_projections() {
    let rows = infer_shapes(&ResNetConfig::resnet18(96)).unwrap();
    let blocks: Vec<(&str, bool)> =
        rows.iter().filter(|r| r.kind == "Residual").map(|r| (r.label.as_str(), r.projection)).collect();
    assert_eq!(
        blocks,
        [
            ("b2.0", false),
            ("b2.1", false),
            ("b3.0", true),
            ("b3.1", false),
            ("b4.0", true),
            ("b4.1", false),
            ("b5.0", true),
            ("b5.1", false)
        ]
    );
}

#[test]
fn resnet18_has_the_seed_parameter_count() {
    // PyTorch's sum(p.numel() for p in net.parameters()) for d2l's ResNet-18 with 1 input channel
    // and 10 classes.
    let config = ResNetConfig::resnet18(96);
    assert_eq!(config.parameter_count(), 11_178_378);
    // burn's count also includes BatchNorm running mean and variance (2 per channel).
    let bn_channels: usize = 64 + config.widths.iter().zip(&config.blocks).map(|(w, n)| w * 2 * n).sum::<usize>();
    assert_eq!(config.init(&cpu()).num_params(), 11_178_378 + 2 * bn_channels);
}

#[test]
fn plain_twin_has_the_same_layers_and_no_shortcut() {
    let mut plain = ResNetConfig::fast();
    plain.shortcut = false;
    assert_eq!(plain.parameter_count(), ResNetConfig::fast().parameter_count());
    let model = plain.init(&cpu());
    assert!(model.stages.iter().flat_map(|s| &s.blocks).all(|b| !b.shortcut));
}

#[test]
fn too_small_inputs_and_bad_configs_are_refused_with_a_message() {
    let mut small = ResNetConfig::resnet18(96);
    small.input_size = 4;
    small.stem.padding = 0; // a 7x7 kernel does not fit in 4x4
    let err = small.validate().unwrap_err().to_string();
    assert!(err.contains("too small"), "{err}");
    let mut mismatched = ResNetConfig::fast();
    mismatched.blocks.pop();
    assert!(mismatched.validate().unwrap_err().to_string().contains("block counts"));
    let mut zero = ResNetConfig::fast();
    zero.widths[1] = 0;
    assert!(zero.validate().is_err());
}

#[test]
fn batches_beyond_a_gpu_buffer_limit_are_refused_with_the_limit_named() {
    use resnet_explorer::model::{check_batch_fits, largest_activation};
    let d2l = ResNetConfig::resnet18(96);
    // b1's conv outputs 64 x 48 x 48 floats per image: 589,824 bytes.
    let (bytes, layer) = largest_activation(&d2l, 1).unwrap();
    assert_eq!((bytes, layer.as_str()), (589_824, "b1.conv"));
    let gib = 1 << 30;
    assert!(check_batch_fits(&d2l, 1820, gib).is_ok());
    let err = check_batch_fits(&d2l, 4096, gib).unwrap_err();
    assert!(err.contains("per-buffer limit of 1024 MiB") && err.contains("largest batch that fits is 1820"), "{err}");
    assert!(err.contains("b1.conv"), "{err}");
}

#[test]
fn conv_pool_and_block_rows_carry_their_kernel_and_stride() {
    let rows = infer_shapes(&ResNetConfig::resnet18(96)).unwrap();
    let window = |label: &str| {
        let r = rows.iter().find(|r| r.label == label).unwrap_or_else(|| panic!("no row {label}"));
        (r.kernel, r.stride)
    };
    assert_eq!(window("b1.conv"), (Some(7), Some(2)));
    assert_eq!(window("b1.pool"), (Some(3), Some(2)));
    assert_eq!(window("b2.0"), (None, Some(1)), "a block row has its first conv's stride");
    assert_eq!(window("b3.0"), (None, Some(2)));
    assert_eq!(window("b3.0.conv1"), (Some(3), Some(2)));
    assert_eq!(window("b3.0.conv2"), (Some(3), Some(1)));
    assert_eq!(window("b3.0.conv3"), (Some(1), Some(2)), "the 1x1 projection");
    assert_eq!(window("b3.1"), (None, Some(1)));
    for label in ["b1", "b1.bn", "b1.relu", "b3", "pool", "flatten", "fc"] {
        assert_eq!(window(label), (None, None), "{label}");
    }
    // The CIFAR family's stem: a 3x3 conv, stride 1, and a 1x1 "pool" of stride 1.
    let cifar = infer_shapes(&ResNetConfig::cifar(1, true)).unwrap();
    assert_eq!((cifar[1].label.as_str(), cifar[1].kernel, cifar[1].stride), ("b1.conv", Some(3), Some(1)));
    // Serialised as `kernel` and `stride`, null when absent.
    let json = serde_json::to_value(&rows[0]).unwrap();
    assert!(json["kernel"].is_null() && json["stride"].is_null(), "{json}");
    assert_eq!(serde_json::to_value(&rows[1]).unwrap()["kernel"], 7);
}
