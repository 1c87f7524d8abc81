//! Faults in any thread reach the page. A panic or an allocation that fails traps the wasm
//! thread it happens in; in a pool thread of the threaded module nothing else hears of it (the
//! worker's own thread waits forever for the work it handed out). So before trapping, the
//! thread posts a sentence on the `BroadcastChannel` the page named for this worker
//! (`setFaultChannel`), which every thread can open; the page ends the worker and says why.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The browser's `BroadcastChannel`, bound here (web-sys's would need one more feature,
    /// and a rebuild of everything that depends on web-sys).
    type BroadcastChannel;
    #[wasm_bindgen(constructor, catch)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &BroadcastChannel, message: &str);
    #[wasm_bindgen(method)]
    fn close(this: &BroadcastChannel);
}

static CHANNEL: OnceLock<String> = OnceLock::new();
/// Set while a thread reports, so that a failing allocation inside the report does not recurse.
static REPORTING: AtomicBool = AtomicBool::new(false);

/// Names the channel faults are posted on; installs the panic report (once).
#[wasm_bindgen(js_name = setFaultChannel)]
pub fn set_fault_channel(name: String) {
    if CHANNEL.set(name).is_ok() {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            report(&format!("the WebAssembly module panicked: {info}"));
            default(info);
        }));
    }
}

fn report(message: &str) {
    let Some(name) = CHANNEL.get() else { return };
    if REPORTING.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Ok(channel) = BroadcastChannel::new(name) {
        channel.post_message(message);
        channel.close();
    }
    REPORTING.store(false, Ordering::SeqCst);
}

fn out_of_memory(bytes: usize) {
    report(&format!(
        "the CPU ran out of WebAssembly memory: {:.0} MB more could not be allocated (4 GiB is the most a page's \
         module can use). Train with a smaller batch.",
        bytes as f64 / 1e6
    ));
}

/// The standard allocator, reporting a failed allocation before the thread traps.
struct Reporting;

unsafe impl GlobalAlloc for Reporting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if p.is_null() {
            out_of_memory(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Reporting = Reporting;

/// For the end-to-end tests: panics in a thread of the CPU pool while this thread waits for it,
/// as a failed allocation in a batch would (with the threaded module's `panic=abort`, the pool
/// thread traps and this one waits forever; in the single-threaded module this thread traps).
#[wasm_bindgen(js_name = simulateFault)]
pub fn simulate_fault() {
    rayon::join(|| (), || panic!("a simulated fault in a CPU thread (for the tests)"));
}
