//! The chapter-7 zoo (seed 004): the printed shapes are the oracle, the parameter counts are
//! checked against hand arithmetic and burn's own count, the layer table against a real
//! forward pass, the from-scratch BatchNorm against burn's, and every network must learn.
#![cfg(not(target_family = "wasm"))]

use std::path::Path;
use std::process::Command;

use burn::module::Module;
use burn::nn::BatchNormConfig;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, SgdConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use resnet_explorer::data::{Dataset, Split};
use resnet_explorer::model::zoo::{ScratchBatchNorm, Spec, Zoo, ZooConfig, ZooKind, zoo_shapes, zoo_top_level_shapes};
use resnet_explorer::model::{ConfigError, catalogue, totals};

fn printed(config: &ZooConfig) -> Vec<String> {
    zoo_top_level_shapes(config).unwrap().iter().map(|r| format!("{} output shape: {:?}", r.kind, r.shape)).collect()
}

/// d2l's printout of each network at the seed's input size, as the seed shows it.
fn seed_lines(kind: ZooKind) -> Vec<String> {
    let lines = match kind {
        ZooKind::AlexNet => vec![
            "Conv2d output shape: [1, 96, 54, 54]",
            "ReLU output shape: [1, 96, 54, 54]",
            "MaxPool2d output shape: [1, 96, 26, 26]",
            "Conv2d output shape: [1, 256, 26, 26]",
            "ReLU output shape: [1, 256, 26, 26]",
            "MaxPool2d output shape: [1, 256, 12, 12]",
            "Conv2d output shape: [1, 384, 12, 12]",
            "ReLU output shape: [1, 384, 12, 12]",
            "Conv2d output shape: [1, 384, 12, 12]",
            "ReLU output shape: [1, 384, 12, 12]",
            "Conv2d output shape: [1, 256, 12, 12]",
            "ReLU output shape: [1, 256, 12, 12]",
            "MaxPool2d output shape: [1, 256, 5, 5]",
            "Flatten output shape: [1, 6400]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 10]",
        ],
        ZooKind::Vgg11 => vec![
            "Sequential output shape: [1, 64, 112, 112]",
            "Sequential output shape: [1, 128, 56, 56]",
            "Sequential output shape: [1, 256, 28, 28]",
            "Sequential output shape: [1, 512, 14, 14]",
            "Sequential output shape: [1, 512, 7, 7]",
            "Flatten output shape: [1, 25088]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 10]",
        ],
        // The seed prints no shapes for the small VGG; its widths are VGG-11's divided by 4.
        ZooKind::Vgg11Small => vec![
            "Sequential output shape: [1, 16, 112, 112]",
            "Sequential output shape: [1, 32, 56, 56]",
            "Sequential output shape: [1, 64, 28, 28]",
            "Sequential output shape: [1, 128, 14, 14]",
            "Sequential output shape: [1, 128, 7, 7]",
            "Flatten output shape: [1, 6272]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 4096]",
            "ReLU output shape: [1, 4096]",
            "Dropout output shape: [1, 4096]",
            "Linear output shape: [1, 10]",
        ],
        ZooKind::Nin => vec![
            "Sequential output shape: [1, 96, 54, 54]",
            "MaxPool2d output shape: [1, 96, 26, 26]",
            "Sequential output shape: [1, 256, 26, 26]",
            "MaxPool2d output shape: [1, 256, 12, 12]",
            "Sequential output shape: [1, 384, 12, 12]",
            "MaxPool2d output shape: [1, 384, 5, 5]",
            "Dropout output shape: [1, 384, 5, 5]",
            "Sequential output shape: [1, 10, 5, 5]",
            "AdaptiveAvgPool2d output shape: [1, 10, 1, 1]",
            "Flatten output shape: [1, 10]",
        ],
        ZooKind::GoogLeNet => vec![
            "Sequential output shape: [1, 64, 24, 24]",
            "Sequential output shape: [1, 192, 12, 12]",
            "Sequential output shape: [1, 480, 6, 6]",
            "Sequential output shape: [1, 832, 3, 3]",
            "Sequential output shape: [1, 1024]",
            "Linear output shape: [1, 10]",
        ],
        // The seed's `nn.Linear(16 * 4 * 4, 120)` on 28x28 images: unpadded 5x5 convs.
        ZooKind::LeNetBn | ZooKind::LeNetBnScratch => {
            let (bn2, bn1) = match kind {
                ZooKind::LeNetBn => ("BatchNorm2d", "BatchNorm1d"),
                _ => ("BatchNorm", "BatchNorm"),
            };
            let lines = [
                ("Conv2d", "[1, 6, 24, 24]"),
                (bn2, "[1, 6, 24, 24]"),
                ("Sigmoid", "[1, 6, 24, 24]"),
                ("AvgPool2d", "[1, 6, 12, 12]"),
                ("Conv2d", "[1, 16, 8, 8]"),
                (bn2, "[1, 16, 8, 8]"),
                ("Sigmoid", "[1, 16, 8, 8]"),
                ("AvgPool2d", "[1, 16, 4, 4]"),
                ("Flatten", "[1, 256]"),
                ("Linear", "[1, 120]"),
                (bn1, "[1, 120]"),
                ("Sigmoid", "[1, 120]"),
                ("Linear", "[1, 84]"),
                (bn1, "[1, 84]"),
                ("Sigmoid", "[1, 84]"),
                ("Linear", "[1, 10]"),
            ];
            return lines.iter().map(|(k, s)| format!("{k} output shape: {s}")).collect();
        }
    };
    lines.into_iter().map(String::from).collect()
}

#[test]
fn every_network_prints_the_seed_shapes() {
    for kind in ZooKind::ALL {
        assert_eq!(printed(&ZooConfig::new(kind)), seed_lines(kind), "{}", kind.name());
    }
}

#[test]
fn the_cli_prints_the_seed_lines_and_the_table_totals() {
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_resnet-explorer")).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    for kind in ZooKind::ALL {
        let expected: String = seed_lines(kind).iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(cli(&["shapes", "--model", kind.name()]), expected, "{}", kind.name());
        let detail = cli(&["shapes", "--model", kind.name(), "--detail"]);
        let (params, macs) = totals(&zoo_shapes(&ZooConfig::new(kind)).unwrap());
        let last: Vec<&str> = detail.lines().last().unwrap().split_whitespace().collect();
        assert_eq!(last, ["total", &params.to_string(), &macs.to_string()], "{}", kind.name());
    }
    // --input resizes; a size where a map vanishes is a message naming the layer, not a panic.
    let googlenet_224 = cli(&["shapes", "--model", "googlenet", "--input", "224"]);
    assert!(googlenet_224.starts_with("Sequential output shape: [1, 64, 56, 56]\n"), "{googlenet_224}");
    let out = Command::new(env!("CARGO_BIN_EXE_resnet-explorer"))
        .args(["shapes", "--model", "alexnet", "--input", "28"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err, "error: input 28x28 is too small: the feature map vanishes at 5 (MaxPool2d)\n");
}

#[test]
fn parameter_counts_and_macs_match_hand_counts_and_burn() {
    // Hand arithmetic (PyTorch's `sum(p.numel() for p in net.parameters())`), conv MACs
    // out_h * out_w * out_c * in_c * k * k and linear MACs in * out, one image at the seed's size.
    // AlexNet's 46,764,746 and VGG-11's 128,806,154 are d2l's well-known counts for 1 channel.
    let expected = [
        (ZooKind::LeNetBn, 44_878, 281_640),
        (ZooKind::LeNetBnScratch, 44_878, 281_640),
        (ZooKind::AlexNet, 46_764_746, 938_146_176),
        (ZooKind::Vgg11, 128_806_154, 7_547_232_256),
        (ZooKind::Vgg11Small, 43_093_322, 512_155_648),
        (ZooKind::Nin, 1_992_166, 762_297_352),
        (ZooKind::GoogLeNet, 5_977_530, 276_066_304),
    ];
    let device = Device::flex();
    for (kind, params, macs) in expected {
        let config = ZooConfig::new(kind);
        let rows = zoo_shapes(&config).unwrap();
        assert_eq!(totals(&rows), (params, macs), "{}", kind.name());
        assert_eq!(config.parameter_count(), params);
        // burn counts BatchNorm's running mean and variance too (2 per feature); parameters are
        // drawn lazily, so even VGG-11's 129 M cost nothing to count.
        let bn_features: usize = rows.iter().filter(|r| r.kind.starts_with("BatchNorm")).map(|r| r.shape[1]).sum();
        assert_eq!(config.init(&device).num_params(), params + 2 * bn_features, "{}", kind.name());
    }
}

#[test]
fn parents_sum_their_children_and_inception_shows_four_paths() {
    for kind in ZooKind::ALL {
        let rows = zoo_shapes(&ZooConfig::new(kind)).unwrap();
        for (i, row) in rows.iter().enumerate() {
            let children =
                rows[i + 1..].iter().take_while(|r| r.level > row.level).filter(|r| r.level == row.level + 1);
            let (n, params, macs) = children.fold((0, 0, 0), |(n, p, m), r| (n + 1, p + r.params, m + r.macs));
            if n > 0 {
                assert_eq!((row.params, row.macs), (params, macs), "{} {}", kind.name(), row.label);
            }
        }
    }
    let rows = zoo_shapes(&ZooConfig::new(ZooKind::GoogLeNet)).unwrap();
    let inceptions: Vec<&str> = rows.iter().filter(|r| r.kind == "Inception").map(|r| r.label.as_str()).collect();
    assert_eq!(inceptions, ["b3.0", "b3.1", "b4.0", "b4.1", "b4.2", "b4.3", "b4.4", "b5.0", "b5.1"]);
    // d2l: 64 + 128 + 32 + 32 = 256 channels out of the first block, in four paths.
    let paths: Vec<(&str, &str, usize)> = rows
        .iter()
        .filter(|r| r.label.starts_with("b3.0.") && r.level == 2)
        .map(|r| (r.label.as_str(), r.kind.as_str(), r.shape[1]))
        .collect();
    assert_eq!(
        paths,
        [("b3.0.p1", "Path", 64), ("b3.0.p2", "Path", 128), ("b3.0.p3", "Path", 32), ("b3.0.p4", "Path", 32)]
    );
    let b3_0 = rows.iter().find(|r| r.label == "b3.0").unwrap();
    assert_eq!(b3_0.shape, [1, 256, 12, 12]);
    // NiN's blocks: a conv and two 1x1 convs each.
    let rows = zoo_shapes(&ZooConfig::new(ZooKind::Nin)).unwrap();
    let block: Vec<String> =
        rows.iter().filter(|r| r.label.starts_with("2.")).map(|r| format!("{} {}", r.label, r.kind)).collect();
    assert_eq!(block, ["2.0 Conv2d", "2.1 ReLU", "2.2 Conv2d", "2.3 ReLU", "2.4 Conv2d", "2.5 ReLU"]);
}

#[test]
fn the_table_agrees_with_a_real_forward_pass() {
    // Every row, at every level, against the dims a real forward pass produces (eval mode: a
    // plain device). VGG-11 runs at 64 (same layers; 224 would materialise 129 M weights) and
    // its quarter-width twin at the full 224.
    let device = Device::flex();
    let configs = [
        ZooConfig::new(ZooKind::LeNetBn),
        ZooConfig::new(ZooKind::LeNetBnScratch),
        ZooConfig::new(ZooKind::AlexNet),
        ZooConfig::new(ZooKind::Vgg11).with_input_size(64),
        ZooConfig::new(ZooKind::Vgg11Small),
        ZooConfig::new(ZooKind::Nin),
        ZooConfig::new(ZooKind::GoogLeNet),
        ZooConfig::new(ZooKind::GoogLeNet).with_input_size(57),
    ];
    for config in configs {
        let side = config.input_size;
        let model = config.init_seeded(0, &device);
        let real = model.trace(Tensor::zeros([1, 1, side, side], &device));
        let inferred: Vec<Vec<usize>> = zoo_shapes(&config).unwrap().into_iter().map(|r| r.shape).collect();
        assert_eq!(real, inferred, "{config:?}");
        let top: Vec<Vec<usize>> =
            model.forward_layers(Tensor::zeros([2, 1, side, side], &device)).iter().map(|f| f.dims()).collect();
        let expected: Vec<Vec<usize>> = zoo_top_level_shapes(&config)
            .unwrap()
            .into_iter()
            .map(|r| [vec![2], r.shape[1..].to_vec()].concat())
            .collect();
        assert_eq!(top, expected, "{config:?}");
    }
}

#[test]
fn names_inputs_and_seed_results() {
    for kind in ZooKind::ALL {
        assert_eq!(ZooKind::from_name(kind.name()), Some(kind));
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.name()));
    }
    assert_eq!(ZooKind::from_name("resnet18"), None);
    let sizes: Vec<usize> = ZooKind::ALL.iter().map(|k| k.default_input_size()).collect();
    assert_eq!(sizes, [28, 28, 224, 224, 224, 224, 96]);
    let accs: Vec<f64> =
        ZooKind::ALL.iter().map(|k| catalogue::find(k.name()).unwrap().seed_test_acc.unwrap()).collect();
    assert_eq!(accs, [0.863, 0.853, 0.883, 0.918, 0.918, 0.867, 0.869]);
    let err = ZooConfig::new(ZooKind::Vgg11).with_input_size(16).validate().unwrap_err();
    assert_eq!(err, ConfigError::TooSmall { input: 16, layer: "4.4 (MaxPool2d)".into() });
    let err = ZooConfig::new(ZooKind::Nin).with_input_size(0).validate().unwrap_err();
    assert_eq!(err, ConfigError::TooSmall { input: 0, layer: "0.0 (Conv2d)".into() });
    // The lazy linear layers take their width from the input size: 6400 only at 224.
    let layers = ZooConfig::new(ZooKind::AlexNet).with_input_size(96).layers().unwrap();
    assert_eq!(layers[14].1, Spec::Linear { inputs: 256, outputs: 4096 });
}

fn max_abs_diff<const D: usize>(a: Tensor<D>, b: Tensor<D>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

/// The seed's `batch_norm` against burn's `BatchNorm`, same gamma and beta, seed momentum 0.9
/// being burn's 0.1: outputs, input gradients and running statistics over several training
/// batches, then eval mode.
fn scratch_agrees_with_burn<const D: usize>(shape: [usize; D]) {
    let train_device = Device::flex().autodiff();
    train_device.seed(7);
    let features = shape[1];
    let gamma = Tensor::<1>::random([features], Distribution::Uniform(0.5, 2.0), &train_device);
    let beta = Tensor::<1>::random([features], Distribution::Normal(0.0, 1.0), &train_device);
    let mut ours = ScratchBatchNorm::new(features, &train_device);
    let mut burns = BatchNormConfig::new(features).with_momentum(0.1).init(&train_device);
    ours.gamma = burn::module::Param::from_tensor(gamma.clone());
    ours.beta = burn::module::Param::from_tensor(beta.clone());
    burns.gamma = burn::module::Param::from_tensor(gamma);
    burns.beta = burn::module::Param::from_tensor(beta);

    for step in 0..4 {
        // Shifted and scaled so the statistics differ from the initial 0 and 1.
        let x = Tensor::<D>::random(shape, Distribution::Normal(step as f64, 1.0 + step as f64), &train_device);
        let a = x.clone().require_grad();
        let b = x.require_grad();
        let (ya, yb) = (ours.forward(a.clone()), burns.forward(b.clone()));
        assert!(max_abs_diff(ya.clone(), yb.clone()) < 1e-5, "train output, step {step}, {shape:?}");
        // A weighted sum, so the gradient through the batch statistics is not trivially 0.
        let w = Tensor::<D>::random(shape, Distribution::Normal(0.0, 1.0), &train_device);
        let (ga, gb) = ((ya * w.clone()).sum().backward(), (yb * w).sum().backward());
        let (ga, gb) = (a.grad(&ga).unwrap(), b.grad(&gb).unwrap());
        assert!(max_abs_diff(ga, gb) < 1e-4, "input gradient, step {step}, {shape:?}");
    }
    let (ours, burns) = (ours.valid(), burns.valid());
    let stats = |t: Tensor<1>| t.into_data().try_to_vec::<f32>().unwrap();
    let (m1, m2) = (stats(ours.moving_mean.value()), stats(burns.running_mean.value()));
    let (v1, v2) = (stats(ours.moving_var.value()), stats(burns.running_var.value()));
    for i in 0..features {
        assert!((m1[i] - m2[i]).abs() < 1e-5 && (v1[i] - v2[i]).abs() < 1e-5, "running stats {shape:?}");
    }
    assert!(m1.iter().any(|&m| m.abs() > 0.5), "four shifted batches must have moved the running mean: {m1:?}");

    // Eval mode: the running statistics, the same for one image as for a batch.
    let device = Device::flex();
    let x = Tensor::<D>::random(shape, Distribution::Normal(1.0, 2.0), &device);
    assert!(max_abs_diff(ours.forward(x.clone()), burns.forward(x.clone())) < 1e-5, "eval output {shape:?}");
    let one = x.clone().narrow(0, 0, 1);
    let first = ours.forward(x).narrow(0, 0, 1);
    assert!(max_abs_diff(ours.forward(one), first) < 1e-6, "eval output must not depend on the batch");
}

#[test]
fn scratch_batch_norm_agrees_with_burns_on_2d_inputs() {
    scratch_agrees_with_burn([16, 7]);
}

#[test]
fn scratch_batch_norm_agrees_with_burns_on_4d_inputs() {
    scratch_agrees_with_burn([8, 3, 5, 5]);
}

#[test]
fn a_few_sgd_steps_lower_the_loss_of_every_network() {
    // A fixed batch of real training images, resized to each network's input; the full-size
    // networks at reduced sizes (the layers are the same) so the test stays short on 2 cores.
    let data = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/www/data"));
    let train = Dataset::load(data, Split::Train).unwrap().truncate(64);
    let cases = [
        // (network, input side, batch, d2l's learning rate, steps)
        (ZooKind::LeNetBn, 28, 64, 1.0, 5),
        (ZooKind::LeNetBnScratch, 28, 64, 1.0, 5),
        (ZooKind::AlexNet, 96, 16, 0.01, 5),
        (ZooKind::Vgg11, 32, 16, 0.05, 5),
        (ZooKind::Vgg11Small, 64, 16, 0.05, 5),
        (ZooKind::Nin, 96, 16, 0.1, 5),
        (ZooKind::GoogLeNet, 64, 16, 0.1, 5),
    ];
    let device = Device::flex().autodiff();
    let mut lenet_losses = Vec::new();
    for (kind, side, n, lr, steps) in cases {
        let start = std::time::Instant::now();
        let config = ZooConfig::new(kind).with_input_size(side);
        let batch = train.batch(&(0..n).collect::<Vec<_>>(), side);
        let images = Tensor::<4>::from_data(TensorData::new(batch.images, [n, 1, side, side]), &device);
        let labels = Tensor::<1, Int>::from_data(TensorData::new(batch.labels, [n]), &device);
        let loss_of = |model: &Zoo, device: &Device| {
            let logits = model.forward(images.clone().to_device(device));
            CrossEntropyLossConfig::new().init(device).forward(logits, labels.clone().to_device(device))
        };
        // The loss without dropout's noise, so the comparison is deterministic: eval mode for
        // the networks without BatchNorm, train mode (batch statistics; no dropout) for LeNet.
        let has_bn = matches!(kind, ZooKind::LeNetBn | ZooKind::LeNetBnScratch);
        let clean_loss = |model: &Zoo| match has_bn {
            true => loss_of(model, &device).into_scalar::<f32>(),
            false => loss_of(&model.valid(), &Device::flex()).into_scalar::<f32>(),
        };
        let mut model = config.init_seeded(0, &device);
        let before = clean_loss(&model);
        let mut optim = SgdConfig::new().init();
        let mut losses = Vec::new();
        for _ in 0..steps {
            let loss = loss_of(&model, &device);
            losses.push(loss.clone().into_scalar::<f32>());
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
        }
        let after = clean_loss(&model);
        println!(
            "{}: {before:.4} -> {after:.4}, steps {losses:?} ({:.1} s)",
            kind.name(),
            start.elapsed().as_secs_f64()
        );
        assert!(after.is_finite() && after < before - 0.01, "{}: {before} -> {after}", kind.name());
        if has_bn {
            lenet_losses.push(losses);
        }
    }
    // Same seed, same weights: the from-scratch BatchNorm trains exactly like burn's.
    for (a, b) in lenet_losses[0].iter().zip(&lenet_losses[1]) {
        assert!((a - b).abs() < 1e-4, "{:?} vs {:?}", lenet_losses[0], lenet_losses[1]);
    }
}

#[test]
fn conv_and_pool_rows_carry_their_kernel_and_stride() {
    let rows = zoo_shapes(&ZooConfig::new(ZooKind::AlexNet)).unwrap();
    let windows: Vec<(&str, Option<usize>, Option<usize>)> =
        rows.iter().filter(|r| r.kernel.is_some()).map(|r| (r.kind.as_str(), r.kernel, r.stride)).collect();
    assert_eq!(
        windows,
        [
            ("Conv2d", Some(11), Some(4)),
            ("MaxPool2d", Some(3), Some(2)),
            ("Conv2d", Some(5), Some(1)),
            ("MaxPool2d", Some(3), Some(2)),
            ("Conv2d", Some(3), Some(1)),
            ("Conv2d", Some(3), Some(1)),
            ("Conv2d", Some(3), Some(1)),
            ("MaxPool2d", Some(3), Some(2)),
        ]
    );
    assert!(rows.iter().filter(|r| r.kind != "Conv2d" && r.kind != "MaxPool2d").all(|r| r.kernel.is_none()));
    // LeNet's average pools, NiN's global pool (no window), GoogLeNet's paths.
    let lenet = zoo_shapes(&ZooConfig::new(ZooKind::LeNetBn)).unwrap();
    let pool = lenet.iter().find(|r| r.kind == "AvgPool2d").unwrap();
    assert_eq!((pool.kernel, pool.stride), (Some(2), Some(2)));
    let nin = zoo_shapes(&ZooConfig::new(ZooKind::Nin)).unwrap();
    let global = nin.iter().find(|r| r.kind == "AdaptiveAvgPool2d").unwrap();
    assert_eq!((global.kernel, global.stride), (None, None));
    let googlenet = zoo_shapes(&ZooConfig::new(ZooKind::GoogLeNet)).unwrap();
    let p2: Vec<Option<usize>> =
        googlenet.iter().filter(|r| r.label.starts_with("b3.0.p2.")).map(|r| r.kernel).collect();
    assert_eq!(p2, [Some(1), None, Some(3), None], "path 2: 1x1 conv, ReLU, 3x3 conv, ReLU");
}
