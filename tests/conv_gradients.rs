//! The convolution's forward pass and gradients against burn's own op and against finite
//! differences, on the shapes of `conv_check::CASES` (the same checks run in wasm: tests/wasm.rs):
//! and the classifier's linear layer likewise: on the CPU always, on wgpu (Mesa's lavapipe here) when built with `--features wgpu`.
#![cfg(not(target_family = "wasm"))]

mod conv_check;

use burn::prelude::Device;
use conv_check::{CASES, Case, against_burn, against_finite_differences, case};

const SMALL: [Case; 4] = [
    case(2, 3, [5, 7], 4, 3, 1, 1),
    case(3, 2, [9, 9], 3, 3, 2, 1),
    case(1, 1, [11, 11], 2, 7, 2, 3),
    case(4, 5, [4, 4], 6, 1, 2, 0),
];

fn check_all(device: &Device) {
    for (seed, c) in CASES.into_iter().enumerate() {
        pollster::block_on(against_burn(c, seed as u64, device)).unwrap();
    }
    for (seed, c) in SMALL.into_iter().enumerate() {
        pollster::block_on(against_finite_differences(c, seed as u64, device)).unwrap();
    }
    pollster::block_on(conv_check::linear_against_burn(0, device)).unwrap();
}

#[test]
fn cpu_forward_and_gradients_match_burn_and_finite_differences() {
    check_all(&Device::flex().autodiff());
}

#[cfg(feature = "wgpu")]
#[test]
fn wgpu_forward_and_gradients_match_burn_and_finite_differences() {
    let device = resnet_explorer::backend::init_native(resnet_explorer::backend::BackendKind::Wgpu).unwrap();
    check_all(&device.autodiff());
}
