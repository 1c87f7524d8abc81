//! The one convolution every model calls. On burn's CPU backend (`flex`, with or without
//! autodiff) it runs this crate's kernels ([`kernels`]: im2col and gemm over NCHW, with their own
//! backward); on burn's CubeCL backend (wgpu) this crate's CubeCL kernels ([`gpu`]) or burn's,
//! as [`crate::model::kernel_sets`] chooses; for shapes the kernels do not cover, burn's
//! `Conv2d::forward`. The parameters stay in burn's `Conv2d`, so saved networks do not change.

mod columns;
mod extension;
mod geometry;
#[cfg(feature = "wgpu")]
mod gpu;
mod kernels;
mod product;
mod taps;
#[cfg(test)]
mod tests;

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::prelude::*;

use crate::backend;
#[cfg(feature = "wgpu")]
use crate::model::kernel_sets::{self, KernelSet, OpShape};

pub use extension::CpuConv;
#[cfg(feature = "wgpu")]
pub use gpu::GpuConv;

/// `conv.forward(x)`, computed by the CPU kernels where they apply.
pub fn forward(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    match (kernel_params(conv), &conv.bias) {
        (Some((stride, padding)), Some(bias)) if backend::is_cpu(&x.device()) => {
            let y = <burn::backend::Dispatch as CpuConv>::cpu_conv2d(
                x.into_dispatch(),
                conv.weight.val().into_dispatch(),
                bias.val().into_dispatch(),
                stride,
                padding,
            );
            Tensor::from_dispatch(y)
        }
        #[cfg(feature = "wgpu")]
        (Some((stride, padding)), Some(bias))
            if backend::is_cube(&x.device())
                && x.dtype() == burn::tensor::DType::F32
                && gpu_launchable(&x, conv, stride, padding)
                && ours_chosen(&x, conv, stride, padding) =>
        {
            gpu_forward(x, conv.weight.val(), bias.val(), stride, padding)
        }
        _ => conv.forward(x),
    }
}

/// The convolution of `x` by `weight` `[co, ci, kh, kw]` plus `bias` on burn's CubeCL backend,
/// through this crate's kernels (f32 tensors on a CubeCL device).
#[cfg(feature = "wgpu")]
pub fn gpu_forward(
    x: Tensor<4>,
    weight: Tensor<4>,
    bias: Tensor<1>,
    stride: [usize; 2],
    padding: [usize; 2],
) -> Tensor<4> {
    let y = <burn::backend::Dispatch as GpuConv>::gpu_conv2d(
        x.into_dispatch(),
        weight.into_dispatch(),
        bias.into_dispatch(),
        stride,
        padding,
    );
    Tensor::from_dispatch(y)
}

/// Whether the GPU kernels' launches fit the device's limits for this layer and input (else
/// burn's op runs it: a batch of 512 images at 224 px would need too many workgroups).
#[cfg(feature = "wgpu")]
fn gpu_launchable(x: &Tensor<4>, conv: &Conv2d, stride: [usize; 2], padding: [usize; 2]) -> bool {
    let (dims, weight) = (x.dims(), conv.weight.dims());
    // A kernel larger than the padded input is burn's to report.
    let fits = (0..2).all(|i| dims[2 + i] + 2 * padding[i] >= weight[2 + i]);
    fits && {
        let out = gpu::out_shape(&dims.into(), &weight.into(), stride, padding);
        gpu::launchable(dims, [out[2], out[3]])
    }
}

/// Whether this crate's kernels run this convolution ([`kernel_sets`]: else burn's).
#[cfg(feature = "wgpu")]
fn ours_chosen(x: &Tensor<4>, conv: &Conv2d, stride: [usize; 2], padding: [usize; 2]) -> bool {
    let op = OpShape::Conv { input: x.dims(), weight: conv.weight.dims(), stride, padding };
    kernel_sets::pick(&op) == KernelSet::Ours
}

/// Stride and symmetric padding, when the layer is one the kernels compute: one group, no
/// dilation, explicit symmetric (or no) padding.
fn kernel_params(conv: &Conv2d) -> Option<([usize; 2], [usize; 2])> {
    let padding = match conv.padding {
        PaddingConfig2d::Valid => [0, 0],
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => [top, left],
        _ => return None,
    };
    (conv.groups == 1 && conv.dilation == [1, 1]).then_some((conv.stride, padding))
}
