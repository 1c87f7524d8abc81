//! The one BatchNorm every model calls. Training on burn's CPU backend, the batch statistics,
//! the normalisation and its backward are this crate's own CPU op ([`kernels`], a backend
//! extension); on burn's CubeCL backend (wgpu) its own CubeCL kernels ([`gpu`]) or burn's, as
//! [`crate::model::kernel_sets`] chooses; the running averages are updated exactly as burn's
//! `BatchNorm` does. Everywhere else (evaluation, other ranks) it is burn's `BatchNorm::forward`.

mod extension;
#[cfg(feature = "wgpu")]
mod gpu;
mod kernels;
#[cfg(test)]
mod tests;

use burn::nn::BatchNorm;
use burn::prelude::*;
use burn::tensor::activation;

use crate::backend;
use extension::CpuBatchNorm;

/// `bn.forward(x)`, computed by the CPU op where it applies.
pub fn forward(bn: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    forward_then(bn, x, false)
}

/// `relu(bn.forward(x))`, in one op where the CPU op applies.
pub fn forward_relu(bn: &BatchNorm, x: Tensor<4>) -> Tensor<4> {
    forward_then(bn, x, true)
}

fn forward_then(bn: &BatchNorm, x: Tensor<4>, relu: bool) -> Tensor<4> {
    let device = x.device();
    if !(device.is_autodiff() && bn.training.is_enabled() && x.dtype() == burn::tensor::DType::F32) {
        return plain(bn, x, relu);
    }
    let (output, mean, variance) = if backend::is_cpu(&device) {
        let r = <burn::backend::Dispatch as CpuBatchNorm>::cpu_batch_norm_train(
            x.into_dispatch(),
            bn.gamma.val().into_dispatch(),
            bn.beta.val().into_dispatch(),
            bn.epsilon,
            relu,
        );
        (Tensor::from_dispatch(r.output), Tensor::<1>::from_dispatch(r.mean), Tensor::<1>::from_dispatch(r.variance))
    } else {
        match gpu_train(bn, x, relu) {
            Ok(r) => r,
            Err(x) => return plain(bn, x, relu),
        }
    };
    // burn's running averages: momentum towards the batch's statistics (biased variance).
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running.mul_scalar(1.0 - bn.momentum).add(batch.detach().mul_scalar(bn.momentum)).detach()
    };
    bn.running_mean.update(blend(bn.running_mean.value_sync().to_device(&device), mean));
    bn.running_var.update(blend(bn.running_var.value_sync().to_device(&device), variance));
    output
}

/// burn's BatchNorm, then ReLU.
fn plain(bn: &BatchNorm, x: Tensor<4>, relu: bool) -> Tensor<4> {
    let y = bn.forward(x);
    if relu { activation::relu(y) } else { y }
}

/// Output, batch mean and variance on burn's CubeCL backend; `Err(x)` on any other (the input
/// handed back, so a large `Err` by design).
#[cfg(feature = "wgpu")]
#[allow(clippy::result_large_err)]
fn gpu_train(bn: &BatchNorm, x: Tensor<4>, relu: bool) -> Result<(Tensor<4>, Tensor<1>, Tensor<1>), Tensor<4>> {
    use crate::model::kernel_sets::{self, KernelSet, OpShape};
    use burn::backend::Dispatch;
    use gpu::GpuBatchNorm;
    if !backend::is_cube(&x.device()) || kernel_sets::pick(&OpShape::Norm { input: x.dims(), relu }) == KernelSet::Burn
    {
        return Err(x);
    }
    let stats = <Dispatch as GpuBatchNorm>::gpu_batch_stats(x.clone().into_dispatch());
    let y = <Dispatch as GpuBatchNorm>::gpu_batch_norm(
        x.into_dispatch(),
        stats.clone(),
        bn.gamma.val().into_dispatch(),
        bn.beta.val().into_dispatch(),
        bn.epsilon,
        relu,
    );
    let stats = Tensor::<2>::from_dispatch(stats);
    let channels = stats.dims()[1];
    let row = |r: usize| stats.clone().slice([r..r + 1, 0..channels]).reshape([channels]);
    Ok((Tensor::from_dispatch(y), row(0), row(1)))
}

#[cfg(not(feature = "wgpu"))]
#[allow(clippy::result_large_err)]
fn gpu_train(_: &BatchNorm, x: Tensor<4>, _: bool) -> Result<(Tensor<4>, Tensor<1>, Tensor<1>), Tensor<4>> {
    Err(x)
}
