//! Which burn backend runs the model. The model code is the same for all of them: burn 0.22
//! dispatches on the `Device`.

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// burn's `flex` backend: pure Rust, runs everywhere including wasm.
    Cpu,
    /// burn's wgpu backend: WebGPU in the browser, Vulkan/Metal/DX12 natively.
    Wgpu,
}

impl BackendKind {
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Cpu => "cpu (burn flex)",
            BackendKind::Wgpu => "wgpu",
        }
    }

    /// Whether this build includes the backend.
    pub fn available(self) -> bool {
        match self {
            BackendKind::Cpu => true,
            BackendKind::Wgpu => cfg!(feature = "wgpu"),
        }
    }
}

/// Threads the CPU backend computes on: every core natively, the Web Workers of the browser's
/// threaded module, one in the single-threaded module.
pub fn cpu_threads() -> usize {
    if cfg!(any(not(target_family = "wasm"), feature = "threads")) { rayon::current_num_threads() } else { 1 }
}

/// Whether tensors on `device` live on burn's CPU backend `flex`, with or without autodiff:
/// there the model's convolution and BatchNorm are this crate's own CPU ops.
pub fn is_cpu(device: &Device) -> bool {
    use burn::backend::DispatchDevice;
    match device.as_dispatch() {
        DispatchDevice::Flex(_) => true,
        DispatchDevice::Autodiff(inner) => matches!(inner.clone().inner(), DispatchDevice::Flex(_)),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// Whether tensors on `device` live on burn's CubeCL backend (wgpu), with or without autodiff:
/// there the model's convolution is this crate's own GPU op.
#[cfg(feature = "wgpu")]
pub fn is_cube(device: &Device) -> bool {
    use burn::backend::DispatchDevice;
    match device.as_dispatch() {
        DispatchDevice::Cube(_) => true,
        DispatchDevice::Autodiff(inner) => matches!(inner.clone().inner(), DispatchDevice::Cube(_)),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// The CPU device.
pub fn cpu() -> Device {
    Device::flex()
}

/// Initialises a native device of the given kind.
#[cfg(not(target_family = "wasm"))]
pub fn init_native(kind: BackendKind) -> Result<Device, String> {
    match kind {
        BackendKind::Cpu => Ok(cpu()),
        #[cfg(feature = "wgpu")]
        BackendKind::Wgpu => Device::wgpu_options().init().map_err(|e| format!("no usable GPU adapter: {e}")),
        #[cfg(not(feature = "wgpu"))]
        BackendKind::Wgpu => {
            Err("this binary was built without the wgpu backend; rebuild with `--features wgpu`".into())
        }
    }
}

/// Runs the wasm module's static constructors, once per instance: the `inventory` registrations
/// cubecl's IR (and pliron) need, 4,892 of them with the WebGPU backend, none without it. Rust
/// runs no constructors on wasm32-unknown-unknown; wasm-ld gathers them in `__wasm_call_ctors`,
/// and if no code calls that function it links the module as a "command" and makes every export
/// run them all first: about 640 µs per call into the module and per JavaScript value handed to
/// it (bench/RESULTS.md, "Static constructors on every export call"). Calling it here ends that.
/// The page's module runs it from its start function (`web::start`), at instantiation; test
/// binaries run no start function, so the WebGPU initialisation runs it too. The threaded
/// module's workers share one memory, and so the one run.
#[cfg(target_family = "wasm")]
pub fn run_static_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: the linker-made function only calls the constructors it gathered, and `ONCE`
    // keeps that to one run per instance (each is idempotent anyway: inventory guards its nodes).
    ONCE.call_once(|| unsafe { __wasm_call_ctors() });
}

/// Initialises WebGPU (or the native GPU) asynchronously, as browsers require. burn refuses a
/// second initialisation of the same adapter, so the device is kept and handed out again.
#[cfg(feature = "wgpu")]
pub async fn init_wgpu_async() -> Result<Device, String> {
    #[cfg(target_family = "wasm")]
    run_static_constructors();
    thread_local! {
        static WGPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
    }
    if let Some(device) = WGPU.with(|d| d.borrow().clone()) {
        return Ok(device);
    }
    let device = Device::wgpu_options().init_async().await.map_err(|e| format!("WebGPU initialisation failed: {e}"))?;
    WGPU.with(|d| *d.borrow_mut() = Some(device.clone()));
    Ok(device)
}
