//! The thin `wasm_bindgen` layer the browser worker (`www/worker/worker.js`) drives: it converts
//! JavaScript values to Rust ones and back and calls the [`crate::session`]; nothing in the core
//! knows about the browser.

#[doc(hidden)]
pub mod convert;
mod demos;
mod device;
mod explorer;
mod lab;

pub use crate::session::protocol::{BackendInfo, ModelEvent, StartRequest, WorkerEvent, ZooModel};
pub use device::init_device;
pub use explorer::Explorer;

use wasm_bindgen::prelude::*;

/// `initThreadPool(n)` in the threaded module: starts n Web Workers sharing the module's memory,
/// which rayon (the CPU backend and convolution) then computes on.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

#[wasm_bindgen(start)]
pub fn start() {
    crate::backend::run_static_constructors();
    console_error_panic_hook::set_once();
}
