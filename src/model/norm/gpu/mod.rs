//! BatchNorm's training step on burn's CubeCL backend (WebGPU in the browser, wgpu natively):
//! this crate's own kernels through burn's backend extension and its fusion.

mod extension;
mod kernels;

pub use extension::GpuBatchNorm;
