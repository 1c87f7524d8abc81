//! Runs in headless Chromium through `wasm-pack test --headless --chrome`: one forward,
//! backward and SGD step of a small ResNet on a fixed batch of real test images, on WebGPU
//! and on the CPU fallback. Every read back is async, as WebGPU requires.
#![cfg(target_family = "wasm")]

use burn::prelude::*;
use resnet_explorer::backend;
use resnet_explorer::data::{Batch, Dataset};
use resnet_explorer::model::ResNetConfig;
use resnet_explorer::train::{TrainConfig, read_f32, sgd, sgd_step};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fixed_batch() -> Batch {
    let test = Dataset::from_idx(
        include_bytes!("../www/data/t10k-images-idx3-ubyte.gz"),
        "t10k-images-idx3-ubyte.gz",
        include_bytes!("../www/data/t10k-labels-idx1-ubyte.gz"),
        "t10k-labels-idx1-ubyte.gz",
    )
    .unwrap();
    test.batch(&(0..16).collect::<Vec<_>>(), 28)
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
