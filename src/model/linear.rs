//! The classifier's linear layer. On burn's CubeCL backend it runs as a 1x1 convolution through
//! this crate's GPU kernels: burn's matrix product (without autotune) took 28 ms for the fast
//! preset's 64x128x10 product on lavapipe, three a training step and a tenth of the step's kernel
//! time; the convolution's kernels take well under one. The parameters stay in burn's `Linear`.

use burn::nn::Linear;
use burn::prelude::*;

/// `linear.forward(x)` for `x` of shape `[batch, inputs]`.
pub fn forward(linear: &Linear, x: Tensor<2>) -> Tensor<2> {
    #[cfg(feature = "wgpu")]
    if let Some(bias) = &linear.bias
        && crate::backend::is_cube(&x.device())
        && x.dtype() == burn::tensor::DType::F32
    {
        let [batch, inputs] = x.dims();
        // burn keeps the weight as `[inputs, outputs]`; a convolution's is `[outputs, inputs, 1, 1]`.
        let weight = linear.weight.val().transpose().unsqueeze_dims::<4>(&[2, 3]);
        let y = super::conv::gpu_forward(x.reshape([batch, inputs, 1, 1]), weight, bias.val(), [1, 1], [0, 0]);
        return y.flatten(1, 3);
    }
    linear.forward(x)
}
