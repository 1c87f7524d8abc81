//! Runs in headless Chromium through `wasm-pack test --headless --chrome`, on WebGPU and on the
//! CPU fallback: one forward, backward and SGD step of a small ResNet on a fixed batch of real
//! test images; the identity-mapping check; saving and loading weights; the lab's gradient norms
//! and residual magnitudes. Every read back is async, as WebGPU requires.
#![cfg(target_family = "wasm")]

use burn::prelude::*;
use resnet_explorer::backend;
use resnet_explorer::data::{Batch, Dataset};
use resnet_explorer::explore::identity_checks;
use resnet_explorer::lab::{gradient_norms, residual_magnitudes};
use resnet_explorer::model::weights::{self, WeightsHeader};
use resnet_explorer::model::{Network, ResNetConfig};
use resnet_explorer::train::predict;
use resnet_explorer::train::{TrainConfig, read_f32, sgd, sgd_step};
use wasm_bindgen_test::*;

mod conv_check;
mod kernel_check;
mod norm_check;
mod pool_check;

wasm_bindgen_test_configure!(run_in_browser);

fn test_set() -> Dataset {
    Dataset::from_idx(
        include_bytes!("../www/data/t10k-images-idx3-ubyte.gz"),
        "t10k-images-idx3-ubyte.gz",
        include_bytes!("../www/data/t10k-labels-idx1-ubyte.gz"),
        "t10k-labels-idx1-ubyte.gz",
    )
    .unwrap()
}

fn fixed_batch() -> Batch {
    test_set().batch(&(0..16).collect::<Vec<_>>(), 28)
}

async fn weights(t: Tensor<4>) -> Vec<f32> {
    read_f32(t.flatten(0, 3)).await.unwrap()
}

/// Returns (loss before, loss after) one step; asserts the weights moved.
async fn one_step(device: Device) -> (f32, f32) {
    let device = device.autodiff();
    device.seed(1);
    let batch = fixed_batch();
    let config = TrainConfig { lr: 0.1, ..TrainConfig::default() };
    let mut optim = sgd(&config);
    let model = ResNetConfig::tiny().init(&device);
    let before = weights(model.stem.conv.weight.val()).await;

    let (model, loss0, _) = sgd_step(model, &mut optim, &batch, config.lr, &device);
    let after = weights(model.stem.conv.weight.val()).await;
    // The loss of the updated model on the same batch (computed before its own update).
    let (_, loss1, _) = sgd_step(model, &mut optim, &batch, config.lr, &device);
    let (loss0, loss1) = (read_f32(loss0).await.unwrap()[0], read_f32(loss1).await.unwrap()[0]);

    let moved = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert!(moved > before.len() / 2, "only {moved} of {} stem weights changed", before.len());
    assert!(loss0.is_finite() && loss1.is_finite());
    (loss0, loss1)
}

#[wasm_bindgen_test]
async fn webgpu_step_changes_weights_and_lowers_loss() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    let (before, after) = one_step(device).await;
    web_sys::console::log_1(&format!("webgpu loss {before} -> {after}").into());
    assert!(after < before, "loss should fall on the fixed batch: {before} -> {after}");
}

#[wasm_bindgen_test]
async fn cpu_fallback_step_changes_weights_and_lowers_loss() {
    let (before, after) = one_step(backend::cpu()).await;
    web_sys::console::log_1(&format!("cpu loss {before} -> {after}").into());
    assert!(after < before, "loss should fall on the fixed batch: {before} -> {after}");
}

/// The zeroed-branch identity is exact, and weights survive a save/load round trip.
async fn identity_and_weights(device: Device) {
    let config = ResNetConfig::tiny();
    let model = config.init(&device);
    let batch = fixed_batch();
    let images = Tensor::<4>::from_data(TensorData::new(batch.images, [16, 1, 28, 28]), &device);
    let checks = identity_checks(&model, images).await.unwrap();
    assert_eq!(checks.len(), 3);
    for c in &checks {
        // b2.0 keeps its shape; b3.0 and b4.0 have 1x1 projections.
        assert_eq!(c.zero_branch, (!c.projection).then_some(0.0), "{}", c.label);
    }

    let header = WeightsHeader { model: config.into(), note: "wasm".into() };
    let bytes = weights::save(&Network::from(model.clone()), &header).await.unwrap();
    let (loaded, _) = weights::load(&bytes, &device).unwrap();
    let test = test_set().truncate(64);
    let a = predict(&model, &test, 28, 32, &device).await.unwrap();
    let b = predict(&loaded, &test, 28, 32, &device).await.unwrap();
    assert_eq!(a, b);
}

#[wasm_bindgen_test]
async fn webgpu_identity_is_exact_and_weights_round_trip() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    identity_and_weights(device).await;
}

#[wasm_bindgen_test]
async fn cpu_identity_is_exact_and_weights_round_trip() {
    identity_and_weights(backend::cpu()).await;
}

/// The lab's measurements on an 8-layer CIFAR-family twin (width 4): 7 conv gradient norms, all
/// positive; with zero-gamma blocks, F(x) = 0 at step 0 (and the branch convs get no gradient yet:
/// only gamma does).
async fn lab_measurements(device: Device) {
    let config = ResNetConfig { widths: vec![4, 8, 16], ..ResNetConfig::cifar(1, true) };
    let autodiff = device.clone().autodiff();
    let model = config.init(&autodiff);
    let batch = fixed_batch();
    let norms = gradient_norms(&model, &batch, &autodiff).await.unwrap();
    assert_eq!(norms.len(), 7);
    assert!(norms.iter().all(|g| g.norm.is_finite() && g.norm > 0.0), "{norms:?}");
    let images = Tensor::<4>::from_data(TensorData::new(batch.images, [16, 1, 28, 28]), &device);
    let zero_gamma = ResNetConfig { zero_init_residual: true, ..config };
    let magnitudes = residual_magnitudes(&zero_gamma.init(&device), images).await.unwrap();
    assert_eq!(magnitudes.iter().map(|(_, r)| *r).collect::<Vec<_>>(), [0.0, 0.0, 0.0]);
}

#[wasm_bindgen_test]
async fn webgpu_lab_measurements() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    lab_measurements(device).await;
}

#[wasm_bindgen_test]
async fn cpu_lab_measurements() {
    lab_measurements(backend::cpu()).await;
}

/// Counts above 2^32 (VGG-11 at 224 does 7.5 G multiply-accumulates) survive wasm32's 32-bit usize.
#[wasm_bindgen_test]
fn large_mac_counts_do_not_wrap_on_wasm32() {
    use resnet_explorer::model::totals;
    use resnet_explorer::model::zoo::{ZooConfig, ZooKind, zoo_shapes};
    let rows = zoo_shapes(&ZooConfig::new(ZooKind::Vgg11)).unwrap();
    assert_eq!(totals(&rows), (128_806_154, 7_547_232_256));
}

/// The CPU convolution (this crate's kernels, single-threaded in wasm) against burn's op and
/// against finite differences, as natively in tests/conv_gradients.rs.
#[wasm_bindgen_test]
async fn cpu_convolution_matches_burn_and_finite_differences() {
    convolution_matches_burn_and_finite_differences(&Device::flex().autodiff()).await;
}

/// The WebGPU convolution (this crate's CubeCL kernels, through burn's fusion) likewise.
#[wasm_bindgen_test]
async fn webgpu_convolution_matches_burn_and_finite_differences() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    convolution_matches_burn_and_finite_differences(&device.autodiff()).await;
}

async fn convolution_matches_burn_and_finite_differences(device: &Device) {
    for (seed, c) in conv_check::CASES.into_iter().enumerate() {
        conv_check::against_burn(c, seed as u64, device).await.unwrap();
    }
    let small = [conv_check::case(2, 3, [5, 7], 4, 3, 1, 1), conv_check::case(3, 2, [9, 9], 3, 3, 2, 1)];
    for (seed, c) in small.into_iter().enumerate() {
        conv_check::against_finite_differences(c, seed as u64, device).await.unwrap();
    }
    conv_check::linear_against_burn(0, device).await.unwrap();
}

/// The CPU BatchNorm against burn's op and finite differences, as in tests/norm_gradients.rs.
#[wasm_bindgen_test]
async fn cpu_batch_norm_matches_burn_and_finite_differences() {
    batch_norm_matches_burn_and_finite_differences(&Device::flex().autodiff()).await;
}

/// The WebGPU BatchNorm (this crate's CubeCL kernels, through burn's fusion) likewise.
#[wasm_bindgen_test]
async fn webgpu_batch_norm_matches_burn_and_finite_differences() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    batch_norm_matches_burn_and_finite_differences(&device.autodiff()).await;
}

async fn batch_norm_matches_burn_and_finite_differences(device: &Device) {
    for (seed, shape) in norm_check::SHAPES.into_iter().enumerate() {
        norm_check::against_burn(shape, seed as u64, device).await.unwrap();
    }
    norm_check::against_finite_differences([4, 3, 5, 5], 0, device).await.unwrap();
}

/// Both kernel sets (this crate's and burn's) on WebGPU, as natively in tests/kernel_sets.rs: the
/// same training steps give the same losses and weights; `auto` measures every operation once.
#[wasm_bindgen_test]
async fn webgpu_kernel_sets_train_alike_and_the_choice_covers_every_operation() {
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    kernel_check::both_sets_train_alike(&device).await;
    let report = kernel_check::the_choice_covers_every_operation(&device).await;
    web_sys::console::log_1(&format!("kernels on this adapter: {}", report.summary).into());
}

/// The seed's ResNet-18 at 96 px (channels up to 512) trains on WebGPU within its limits: two
/// steps at batch 4 of real test images and the test pass, with finite losses and moved weights.
#[wasm_bindgen_test]
async fn webgpu_trains_the_seeds_resnet18_at_96px() {
    use resnet_explorer::train::{TrainEvent, Trainer};
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    let model = resnet_explorer::model::catalogue::find("d2l96").expect("the seed's ResNet-18 at 96 px").config();
    assert_eq!(model.input_size(), 96);
    let config = TrainConfig { epochs: 1, batch_size: 4, lr: 0.01, ..TrainConfig::default() };
    let mut trainer = Trainer::new(&model, config, test_set().truncate(8), test_set().truncate(4), &device).unwrap();
    let stem = |t: &Trainer| t.model().as_resnet().expect("a ResNet").stem.conv.weight.val();
    let before = weights(stem(&trainer)).await;
    let mut losses = Vec::new();
    while !trainer.is_finished() {
        for event in trainer.step().await.unwrap() {
            let (TrainEvent::Report { train_loss, .. } | TrainEvent::Epoch { train_loss, .. }) = event;
            losses.push(train_loss);
        }
    }
    let after = weights(stem(&trainer)).await;
    web_sys::console::log_1(&format!("ResNet-18 at 96 px on WebGPU: losses {losses:?}").into());
    assert!(!losses.is_empty() && losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert!(before.iter().zip(&after).any(|(a, b)| a != b), "the stem's weights moved");
}

/// The seed's ResNet-18 at 96 px at the batches d2l trains it with (128 and 256) fits this
/// adapter's per-buffer limit as the page reads it, and burn asks WebGPU for the adapter's limits
/// rather than the defaults: a tensor as big as batch 256's largest activation (over the default
/// 128 MiB binding) is computed on and read back.
#[wasm_bindgen_test]
async fn webgpu_takes_the_adapters_limits_and_resnet18_at_96px_fits_them_at_batch_256() {
    use resnet_explorer::model::{check_network_fits, largest_activation_of};
    let device = backend::init_wgpu_async().await.expect("WebGPU adapter (run Chromium with --enable-unsafe-webgpu)");
    let limit = adapter_buffer_limit().await;
    let model = resnet_explorer::model::catalogue::find("d2l96").expect("the seed's ResNet-18 at 96 px").config();
    for batch in [128, 256] {
        check_network_fits(&model, batch, limit).unwrap_or_else(|e| panic!("batch {batch}: {e}"));
    }
    let (largest, layer) = largest_activation_of(&model, 256).unwrap();
    assert!(
        largest > 128 << 20,
        "batch 256's largest buffer ({largest} bytes, {layer}) is over the default binding limit"
    );
    let n = (largest / 4) as usize;
    let doubled = Tensor::<1>::ones([n], &device) * 2.0;
    assert_eq!(read_f32(doubled.slice([n - 4..n])).await.unwrap(), vec![2.0; 4], "the end of a {largest}-byte buffer");
}

/// The adapter's per-buffer limit as the page's worker reads it (www/worker/device.js).
async fn adapter_buffer_limit() -> u64 {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).unwrap();
    let gpu = Reflect::get(&navigator, &"gpu".into()).unwrap();
    let request: Function = Reflect::get(&gpu, &"requestAdapter".into()).unwrap().unchecked_into();
    let adapter =
        wasm_bindgen_futures::JsFuture::from(request.call0(&gpu).unwrap().unchecked_into::<Promise>()).await.unwrap();
    let limits = Reflect::get(&adapter, &"limits".into()).unwrap();
    let limit = |name: &str| Reflect::get(&limits, &name.into()).unwrap().as_f64().unwrap() as u64;
    limit("maxBufferSize").min(limit("maxStorageBufferBindingSize"))
}

/// The CPU max-pool against burn's op, as in tests/pool_gradients.rs.
#[wasm_bindgen_test]
async fn cpu_max_pool_matches_burn() {
    for (seed, case) in pool_check::CASES.into_iter().enumerate() {
        pool_check::against_burn(case, seed as u64).await.unwrap();
    }
}

/// The gallery's images and the feature maps cross as typed arrays with the right values, each
/// on its own `ArrayBuffer` (not the module's memory, so the worker can transfer it), the other
/// fields as JSON gives them.
#[wasm_bindgen_test]
fn bulk_numbers_cross_as_typed_arrays() {
    use js_sys::{Array, Float32Array, Reflect, Uint8Array};
    use resnet_explorer::session::protocol::WorkerEvent;
    use resnet_explorer::web::convert::event_to_js;
    use wasm_bindgen::{JsCast, JsValue};
    let get = |o: &JsValue, key: &str| Reflect::get(o, &key.into()).unwrap();
    let memory = wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer();
    let own_buffer = |buffer: JsValue| buffer.is_instance_of::<js_sys::ArrayBuffer>() && buffer != memory;

    let images: Vec<Vec<u8>> = (0..3).map(|i| (0..784).map(|p| ((i * 31 + p) % 256) as u8).collect()).collect();
    let gallery = WorkerEvent::Gallery {
        side: 28,
        images: images.clone(),
        labels: vec![9, 2, 1],
        class_names: (0..10).map(|i| format!("class {i}")).collect(),
    };
    let js = event_to_js(&gallery).unwrap();
    assert_eq!(get(&js, "type"), "gallery");
    assert_eq!(get(&js, "side").as_f64(), Some(28.0));
    assert_eq!(Array::from(&get(&js, "labels")).get(0).as_f64(), Some(9.0));
    assert_eq!(Array::from(&get(&js, "class_names")).length(), 10);
    let js_images = Array::from(&get(&js, "images"));
    assert_eq!(js_images.length(), 3);
    for (i, bytes) in images.iter().enumerate() {
        let image = js_images.get(i as u32).dyn_into::<Uint8Array>().unwrap();
        assert_eq!(&image.to_vec(), bytes);
        assert!(own_buffer(image.buffer().into()));
    }

    let input: Vec<f32> = (0..2 * 36).map(|i| i as f32 * 0.5).collect();
    let output: Vec<f32> = (0..2 * 9).map(|i| -(i as f32)).collect();
    let maps = WorkerEvent::FeatureMaps {
        label: "b2.0".into(),
        channels: 2,
        side_in: 6,
        side_out: 3,
        input: input.clone(),
        output: output.clone(),
        max_abs_diff: None,
    };
    let js = event_to_js(&maps).unwrap();
    assert_eq!(get(&js, "type"), "feature_maps");
    assert_eq!(get(&js, "label"), "b2.0");
    assert_eq!(get(&js, "side_out").as_f64(), Some(3.0));
    assert!(get(&js, "max_abs_diff").is_null());
    for (key, values) in [("input", &input), ("output", &output)] {
        let array = get(&js, key).dyn_into::<Float32Array>().unwrap();
        assert_eq!(&array.to_vec(), values);
        assert!(own_buffer(array.buffer().into()));
    }
}
