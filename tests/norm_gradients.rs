//! The CPU BatchNorm's output, running averages and gradients against burn's own op and
//! against finite differences (the same checks run in wasm: tests/wasm.rs).
#![cfg(not(target_family = "wasm"))]

mod norm_check;

#[test]
fn output_statistics_and_gradients_match_burns_batch_norm() {
    for (seed, shape) in norm_check::SHAPES.into_iter().enumerate() {
        pollster::block_on(norm_check::against_burn(shape, seed as u64)).unwrap();
    }
}

#[test]
fn gradients_match_finite_differences() {
    for (seed, shape) in [[4, 3, 5, 5], [2, 2, 3, 7], [7, 4, 1, 1]].into_iter().enumerate() {
        pollster::block_on(norm_check::against_finite_differences(shape, seed as u64)).unwrap();
    }
}
