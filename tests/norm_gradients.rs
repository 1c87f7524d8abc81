//! The BatchNorm's output, running averages and gradients against burn's own op and against
//! finite differences (the same checks run in wasm: tests/wasm.rs): on the CPU always, on wgpu
//! (Mesa's lavapipe here) when built with `--features wgpu`.
#![cfg(not(target_family = "wasm"))]

mod norm_check;

use burn::prelude::Device;

fn check_all(device: &Device) {
    for (seed, shape) in norm_check::SHAPES.into_iter().enumerate() {
        pollster::block_on(norm_check::against_burn(shape, seed as u64, device)).unwrap();
    }
    for (seed, shape) in [[4, 3, 5, 5], [2, 2, 3, 7], [7, 4, 1, 1]].into_iter().enumerate() {
        pollster::block_on(norm_check::against_finite_differences(shape, seed as u64, device)).unwrap();
    }
}

#[test]
fn cpu_matches_burn_and_finite_differences() {
    check_all(&Device::flex().autodiff());
}

#[cfg(feature = "wgpu")]
#[test]
fn wgpu_matches_burn_and_finite_differences() {
    let device = resnet_explorer::backend::init_native(resnet_explorer::backend::BackendKind::Wgpu).unwrap();
    check_all(&device.autodiff());
}
