//! Both kernel sets (this crate's and burn's) on wgpu, Mesa's lavapipe here: see kernel_check.
#![cfg(all(feature = "wgpu", not(target_family = "wasm")))]

mod kernel_check;

use std::sync::OnceLock;

use burn::prelude::Device;
use resnet_explorer::backend::{self, BackendKind};

/// burn initialises an adapter once per process.
fn wgpu() -> &'static Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE.get_or_init(|| backend::init_native(BackendKind::Wgpu).expect("a wgpu adapter (Mesa's lavapipe)"))
}

#[test]
fn both_kernel_sets_train_alike_and_the_choice_covers_every_operation() {
    // On one pool thread: natively each step runs on a rayon thread, and burn's running
    // statistics (RunningState) average the updates left on different threads, so the two runs'
    // BatchNorm statistics would differ by which threads their steps landed on, not by kernels.
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    one_thread.install(|| pollster::block_on(kernel_check::both_sets_train_alike(wgpu())));
    let report = pollster::block_on(kernel_check::the_choice_covers_every_operation(wgpu()));
    println!("{}", report.summary);
    for m in &report.table.unwrap().measured {
        println!(
            "{:<44} ours {:>8.2} ms  burn {:>8.2} ms  -> {}",
            m.op.to_string(),
            m.ours_ms,
            m.burn_ms,
            m.choice().name()
        );
    }
}
