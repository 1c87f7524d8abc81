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

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}
