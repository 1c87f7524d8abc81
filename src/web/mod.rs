//! The thin `wasm_bindgen` layer the browser worker (`www/worker.js`) drives. It uses `train`,
//! `model` and `data`; nothing in the core knows about the browser.

mod demos;
mod device;
mod explorer;
mod lab;
mod protocol;

pub use device::init_device;
pub use explorer::Explorer;
pub use protocol::{BackendInfo, ModelEvent, StartRequest, WorkerEvent, ZooModel};

use wasm_bindgen::prelude::*;

/// `initThreadPool(n)` in the threaded module: starts n Web Workers sharing the module's memory,
/// which rayon (the CPU backend and convolution) then computes on.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
