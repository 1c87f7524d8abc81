//! The convolution on burn's CubeCL backend (WebGPU in the browser, wgpu natively): this crate's
//! own kernels over NCHW, through burn's backend extension and its fusion.

mod extension;
mod kernels;

pub use extension::{GpuConv, launchable, out_shape};
