//! The one BatchNorm every model calls. Training on burn's CPU backend, the batch statistics,
//! the normalisation and its backward are this crate's own CPU op ([`kernels`], a backend
//! extension); the running averages are updated exactly as burn's `BatchNorm` does. Everywhere
//! else (evaluation, other backends, other ranks) it is burn's `BatchNorm::forward`.

mod extension;
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
    if !(device.is_autodiff() && bn.training.is_enabled() && backend::is_cpu(&device)) {
        let y = bn.forward(x);
        return if relu { activation::relu(y) } else { y };
    }
    let r = <burn::backend::Dispatch as CpuBatchNorm>::cpu_batch_norm_train(
        x.into_dispatch(),
        bn.gamma.val().into_dispatch(),
        bn.beta.val().into_dispatch(),
        bn.epsilon,
        relu,
    );
    let (mean, variance) = (Tensor::<1>::from_dispatch(r.mean), Tensor::<1>::from_dispatch(r.variance));
    // burn's running averages: momentum towards the batch's statistics (biased variance).
    let blend = |running: Tensor<1>, batch: Tensor<1>| {
        running.mul_scalar(1.0 - bn.momentum).add(batch.detach().mul_scalar(bn.momentum)).detach()
    };
    bn.running_mean.update(blend(bn.running_mean.value_sync().to_device(&device), mean));
    bn.running_var.update(blend(bn.running_var.value_sync().to_device(&device), variance));
    Tensor::from_dispatch(r.output)
}
