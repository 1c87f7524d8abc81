//! The one max-pool every model calls. On burn's CPU backend it is this crate's op
//! ([`kernels`], a backend extension with its own backward); on every other backend, and for
//! pools the kernels do not cover (dilation, ceil mode, asymmetric padding), burn's
//! `MaxPool2d::forward`.

mod extension;
mod kernels;
#[cfg(test)]
mod tests;

use burn::nn::PaddingConfig2d;
use burn::nn::pool::MaxPool2d;
use burn::prelude::*;

use crate::backend;
use extension::CpuMaxPool;

/// `pool.forward(x)`, computed by the CPU op where it applies.
pub fn max(pool: &MaxPool2d, x: Tensor<4>) -> Tensor<4> {
    let padding = match pool.padding {
        PaddingConfig2d::Valid => [0, 0],
        PaddingConfig2d::Explicit(top, left, bottom, right) if top == bottom && left == right => [top, left],
        _ => return pool.forward(x),
    };
    if pool.dilation != [1, 1] || pool.ceil_mode || !backend::is_cpu(&x.device()) {
        return pool.forward(x);
    }
    let y = <burn::backend::Dispatch as CpuMaxPool>::cpu_max_pool2d(
        x.into_dispatch(),
        pool.kernel_size,
        pool.stride,
        padding,
    );
    Tensor::from_dispatch(y)
}
