//! The CPU max-pool's output and input gradient against burn's own op (the same checks run in
//! wasm: tests/wasm.rs).
#![cfg(not(target_family = "wasm"))]

mod pool_check;

#[test]
fn output_and_gradient_match_burns_max_pool() {
    for (seed, case) in pool_check::CASES.into_iter().enumerate() {
        pollster::block_on(pool_check::against_burn(case, seed as u64)).unwrap();
    }
}
