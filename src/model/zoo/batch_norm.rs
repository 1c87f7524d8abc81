//! The seed's from-scratch `batch_norm` as our own module: d2l writes it to show what
//! `nn.BatchNorm2d` does, and the zoo's LeNet can use either. Tests check it against burn's
//! `BatchNorm` in both modes.

use burn::module::{Flag, Param, RunningState};
use burn::nn::Initializer;
use burn::prelude::*;

/// Per-feature normalisation over the batch (2-D `[N, C]` input) or over the batch and both
/// spatial axes (4-D `[N, C, H, W]` input), then `gamma * x_hat + beta`.
#[derive(Module, Debug)]
pub struct ScratchBatchNorm {
    pub gamma: Param<Tensor<1>>,
    pub beta: Param<Tensor<1>>,
    /// Not trained: updated by every forward pass in training mode.
    pub moving_mean: RunningState<Tensor<1>>,
    pub moving_var: RunningState<Tensor<1>>,
    /// Cleared by `valid()`, as on burn's own layers.
    pub training: Param<Flag>,
    /// The seed's convention: `moving = momentum * moving + (1 - momentum) * batch`, so 0.9 here
    /// is burn's (and PyTorch's) momentum 0.1.
    pub momentum: f64,
    pub eps: f64,
}

impl ScratchBatchNorm {
    /// The seed's `BatchNorm(num_features, num_dims)`: gamma 1, beta 0, moving mean 0 and
    /// variance 1, momentum 0.9, eps 1e-5. The rank comes from the input instead of `num_dims`.
    pub fn new(features: usize, device: &Device) -> Self {
        Self {
            gamma: Initializer::Ones.init([features], device),
            beta: Initializer::Zeros.init([features], device),
            moving_mean: RunningState::new(Tensor::zeros([features], device)),
            moving_var: RunningState::new(Tensor::ones([features], device)),
            training: Param::from_bool(true),
            momentum: 0.9,
            eps: 1e-5,
        }
    }

    pub fn forward<const D: usize>(&self, x: Tensor<D>) -> Tensor<D> {
        assert!(D == 2 || D == 4, "batch_norm takes [N, C] or [N, C, H, W], got rank {D}");
        let [features] = self.gamma.shape().dims();
        assert_eq!(x.dims()[1], features, "batch_norm over {features} features got {:?}", x.dims());
        // A per-feature vector shaped to broadcast against x: [1, C] or [1, C, 1, 1].
        let mut per_feature = [1usize; D];
        per_feature[1] = features;
        let broadcast = |t: Tensor<1>| t.reshape(per_feature);

        // The seed asks `torch.is_grad_enabled()`; burn's BatchNorm asks whether the input can
        // be differentiated at all and whether this layer takes part (`valid()` clears the flag).
        let x_hat = match x.device().is_autodiff() && self.training.is_enabled() {
            false => {
                let device = x.device();
                let mean = self.moving_mean.value().to_device(&device);
                let var = self.moving_var.value().to_device(&device);
                (x - broadcast(mean)) / broadcast(var).add_scalar(self.eps).sqrt()
            }
            true => {
                // Statistics over every axis but the features (axis 1), kept for broadcasting;
                // the variance is the biased one, as in the seed (and in burn's running stats).
                let over_batch = |t: Tensor<D>| (0..D).filter(|&d| d != 1).fold(t, |t, d| t.mean_dim(d));
                let mean = over_batch(x.clone());
                let centred = x - mean.clone();
                let var = over_batch(centred.clone().powi_scalar(2));
                self.update(&self.moving_mean, mean.detach().reshape([features]));
                self.update(&self.moving_var, var.clone().detach().reshape([features]));
                centred / var.add_scalar(self.eps).sqrt()
            }
        };
        x_hat * broadcast(self.gamma.val()) + broadcast(self.beta.val())
    }

    fn update(&self, moving: &RunningState<Tensor<1>>, batch: Tensor<1>) {
        let old = moving.value_sync().to_device(&batch.device());
        moving.update((old.mul_scalar(self.momentum) + batch.mul_scalar(1.0 - self.momentum)).detach());
    }
}
