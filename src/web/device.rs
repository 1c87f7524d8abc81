//! Picks WebGPU when the browser offers it, else burn's CPU backend compiled to wasm.

use std::cell::RefCell;

use burn::prelude::Device;
use wasm_bindgen::prelude::*;

use super::protocol::BackendInfo;
use crate::backend::{self, BackendKind};

thread_local! {
    /// A WebGPU device can be initialised once per worker; later runs reuse it.
    static DEVICE: RefCell<Option<(Device, BackendInfo)>> = const { RefCell::new(None) };
}

pub(super) fn current() -> Option<(Device, BackendInfo)> {
    DEVICE.with(|d| d.borrow().clone())
}

/// Initialises the device once. `want_gpu` is false when the page found no WebGPU adapter (or
/// the user asked for the CPU); `reason` then says why, for the banner.
#[wasm_bindgen(js_name = initDevice)]
pub async fn init_device(want_gpu: bool, reason: Option<String>) -> Result<JsValue, JsError> {
    if current().is_none() {
        let chosen = match want_gpu {
            true => match backend::init_wgpu_async().await {
                Ok(device) => (device, info(BackendKind::Wgpu, None)),
                Err(e) => (backend::cpu(), info(BackendKind::Cpu, Some(e))),
            },
            false => (backend::cpu(), info(BackendKind::Cpu, reason)),
        };
        DEVICE.with(|d| *d.borrow_mut() = Some(chosen));
    }
    let (_, info) = current().expect("initialised above");
    super::explorer::to_js(&super::WorkerEvent::Backend(info))
}

fn info(backend: BackendKind, fallback_reason: Option<String>) -> BackendInfo {
    BackendInfo { backend, label: backend.label().into(), fallback_reason }
}
