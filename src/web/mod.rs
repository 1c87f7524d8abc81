//! The thin `wasm_bindgen` layer the browser worker (`www/worker/worker.js`) drives: it converts
//! JavaScript values to Rust ones and back and calls the [`crate::session`]; nothing in the core
//! knows about the browser. The bindings are the `bindings` feature's (on by default): the page's
//! small catalogue module (`crates/catalogue`) turns it off, so that none of them, and none of the
//! training code they reach, is linked into it.

#[doc(hidden)]
pub mod convert;
#[cfg(feature = "bindings")]
mod demos;
#[cfg(feature = "bindings")]
mod device;
#[cfg(feature = "bindings")]
mod explorer;
#[cfg(feature = "bindings")]
mod fault;
#[cfg(feature = "bindings")]
mod lab;

#[cfg(feature = "bindings")]
pub use crate::session::protocol::{BackendInfo, ModelEvent, StartRequest, WorkerEvent};
#[cfg(feature = "bindings")]
pub use device::init_device;
#[cfg(feature = "bindings")]
pub use explorer::Explorer;

#[cfg(feature = "bindings")]
use wasm_bindgen::prelude::*;

/// `initThreadPool(n)` in the threaded module: starts n Web Workers sharing the module's memory,
/// which rayon (the CPU backend and convolution) then computes on.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

#[cfg(feature = "bindings")]
#[wasm_bindgen(start)]
pub fn start() {
    crate::backend::run_static_constructors();
    console_error_panic_hook::set_once();
}
