//! The CPU convolution's forward pass and gradients against burn's own op and against finite
//! differences, on the shapes of `conv_check::CASES` (the same checks run in wasm: tests/wasm.rs).
#![cfg(not(target_family = "wasm"))]

mod conv_check;

use conv_check::{CASES, against_burn, against_finite_differences, case};

#[test]
fn forward_and_gradients_match_burns_conv2d() {
    for (seed, c) in CASES.into_iter().enumerate() {
        pollster::block_on(against_burn(c, seed as u64)).unwrap();
    }
}

#[test]
fn gradients_match_finite_differences() {
    for (seed, c) in [
        case(2, 3, [5, 7], 4, 3, 1, 1),
        case(3, 2, [9, 9], 3, 3, 2, 1),
        case(1, 1, [11, 11], 2, 7, 2, 3),
        case(4, 5, [4, 4], 6, 1, 2, 0),
    ]
    .into_iter()
    .enumerate()
    {
        pollster::block_on(against_finite_differences(c, seed as u64)).unwrap();
    }
}
