//! Picks WebGPU when the page asks for it (and the browser can), else burn's CPU backend
//! compiled to wasm; and where the demos compute.

use std::cell::RefCell;

use burn::prelude::Device;
use wasm_bindgen::prelude::*;

use crate::backend::{self, BackendKind};
use crate::session::protocol::BackendInfo;

/// The worker's devices: `train` runs training; `demos` runs the demos' forward passes over the
/// test images (predictions, identity checks, insertions, lesions). On a software WebGPU
/// adapter chosen by hand those passes take minutes, and the CPU backend does them in seconds,
/// so there the demos use the CPU; everywhere else both are the same device.
#[derive(Clone)]
pub(super) struct Devices {
    pub train: Device,
    pub demos: Device,
    pub info: BackendInfo,
}

thread_local! {
    /// A WebGPU device can be initialised once per worker; later runs reuse it.
    static DEVICES: RefCell<Option<Devices>> = const { RefCell::new(None) };
}

pub(super) fn current() -> Option<Devices> {
    DEVICES.with(|d| d.borrow().clone())
}

/// Initialises the devices once. `want_gpu` is false when the page found no usable WebGPU
/// adapter (or the user asked for the CPU); `reason` then says why, for the banner.
/// `software_adapter`: the adapter renders in software, so the demos compute on the CPU.
#[wasm_bindgen(js_name = initDevice)]
pub async fn init_device(want_gpu: bool, reason: Option<String>, software_adapter: bool) -> Result<JsValue, JsError> {
    if current().is_none() {
        let chosen = match want_gpu {
            true => match init_gpu().await {
                Ok(device) => {
                    let demos = if software_adapter { backend::cpu() } else { device.clone() };
                    Devices { info: info(BackendKind::Wgpu, None, software_adapter), train: device, demos }
                }
                Err(e) => cpu_devices(Some(e)),
            },
            false => cpu_devices(reason),
        };
        DEVICES.with(|d| *d.borrow_mut() = Some(chosen));
    }
    let info = current().expect("initialised above").info;
    super::convert::json_to_js(&super::WorkerEvent::Backend(info))
}

#[cfg(feature = "wgpu")]
async fn init_gpu() -> Result<Device, String> {
    backend::init_wgpu_async().await
}

/// The threaded CPU module has no WebGPU; the page loads it only when it chose the CPU.
#[cfg(not(feature = "wgpu"))]
async fn init_gpu() -> Result<Device, String> {
    Err("this module was built for the CPU only (no WebGPU)".into())
}

fn cpu_devices(reason: Option<String>) -> Devices {
    Devices { train: backend::cpu(), demos: backend::cpu(), info: info(BackendKind::Cpu, reason, false) }
}

fn info(backend: BackendKind, fallback_reason: Option<String>, demos_on_cpu: bool) -> BackendInfo {
    let threads = backend::cpu_threads();
    BackendInfo { backend, label: backend.label().into(), fallback_reason, demos_on_cpu, threads }
}
