//! BatchNorm's training step on burn's CubeCL backend as a backend extension: the batch's
//! statistics (untracked, for the running averages and the normalisation), the normalisation
//! with an optional ReLU, and its autodiff step whose backward is two of [`super::kernels`].

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, TensorMetadata, backend_extension};
use burn::tensor::{Shape, Slice};
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;

use super::kernels;
use crate::model::cube::{batch_slices, empty_like, grid, sum_slices};

/// BatchNorm in training, over f32 `[batch, channels, h, w]`.
#[allow(clippy::too_many_arguments)]
#[backend_extension(Cube, Fusion, Autodiff)]
pub trait GpuBatchNorm: Backend {
    /// `[2, channels]`: the batch's mean and biased variance per channel. Not differentiated.
    #[fusion(dtype = x, shape = Shape::new([2, x[1]]))]
    fn gpu_batch_stats(x: FloatTensor<Self>) -> FloatTensor<Self>;

    /// The normalisation by `stats` (which must be `x`'s own, from [`Self::gpu_batch_stats`]:
    /// the gradient is BatchNorm's), then ReLU with `relu`.
    #[fusion(dtype = x, shape = x.clone())]
    fn gpu_batch_norm(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;

    /// `[2, channels]`: the gradients of beta and gamma. `y` is the forward output (read only
    /// with `relu`).
    #[fusion(dtype = x, shape = Shape::new([2, x[1]]))]
    fn gpu_batch_norm_grad_sums(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        y: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;

    /// The input's gradient, given the sums of [`Self::gpu_batch_norm_grad_sums`].
    #[fusion(dtype = x, shape = x.clone())]
    fn gpu_batch_norm_grad_input(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        y: FloatTensor<Self>,
        sums: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self>;
}

/// Slices of the batch per channel for the per-channel sums, so that layers with few channels
/// still fill the cores (or a real GPU's lanes).
fn slices(x: &CubeTensor) -> usize {
    batch_slices(x.meta.shape()[1], x.meta.shape()[0])
}

impl GpuBatchNorm for CubeBackend {
    fn gpu_batch_stats(x: CubeTensor) -> CubeTensor {
        let x = into_contiguous(x);
        let (channels, slices) = (x.meta.shape()[1], slices(&x));
        let count = (x.meta.num_elements() / channels) as u32;
        let partial = empty_like(&x, Shape::new([slices, 3, channels]));
        let stats = empty_like(&x, Shape::new([2, channels]));
        let client = x.client.clone();
        let (cubes, dim) = grid(&x, channels * slices);
        let (combine_cubes, combine_dim) = grid(&x, channels);
        // SAFETY: the kernels index inside their contiguous tensors, of the shapes made here.
        unsafe {
            kernels::stats_partial_kernel::launch_unchecked(
                &client,
                cubes,
                dim,
                x.into_tensor_arg(),
                partial.clone().into_tensor_arg(),
            );
            kernels::stats_combine_kernel::launch_unchecked(
                &client,
                combine_cubes,
                combine_dim,
                partial.into_tensor_arg(),
                stats.clone().into_tensor_arg(),
                count,
            );
        }
        stats
    }

    fn gpu_batch_norm(
        x: CubeTensor,
        stats: CubeTensor,
        gamma: CubeTensor,
        beta: CubeTensor,
        epsilon: f64,
        relu: bool,
    ) -> CubeTensor {
        let [x, stats, gamma, beta] = [x, stats, gamma, beta].map(into_contiguous);
        let y = empty_like(&x, x.meta.shape().clone());
        let (cubes, dim) = grid(&x, x.meta.num_elements());
        // SAFETY: as above; one invocation per value, checked against the output's length.
        unsafe {
            kernels::normalize_kernel::launch_unchecked(
                &x.client.clone(),
                cubes,
                dim,
                x.into_tensor_arg(),
                stats.into_tensor_arg(),
                gamma.into_tensor_arg(),
                beta.into_tensor_arg(),
                y.clone().into_tensor_arg(),
                epsilon as f32,
                relu,
            );
        }
        y
    }

    fn gpu_batch_norm_grad_sums(
        x: CubeTensor,
        stats: CubeTensor,
        dy: CubeTensor,
        y: CubeTensor,
        epsilon: f64,
        relu: bool,
    ) -> CubeTensor {
        let [x, stats, dy, y] = [x, stats, dy, y].map(into_contiguous);
        let (channels, slices) = (x.meta.shape()[1], slices(&x));
        let partial = empty_like(&x, Shape::new([slices, 2, channels]));
        let client = x.client.clone();
        let (cubes, dim) = grid(&x, channels * slices);
        // SAFETY: as above.
        unsafe {
            kernels::grad_sums_kernel::launch_unchecked(
                &client,
                cubes,
                dim,
                x.into_tensor_arg(),
                stats.into_tensor_arg(),
                dy.into_tensor_arg(),
                y.into_tensor_arg(),
                partial.clone().into_tensor_arg(),
                epsilon as f32,
                relu,
            );
        }
        sum_slices(partial, Shape::new([2, channels]))
    }

    fn gpu_batch_norm_grad_input(
        x: CubeTensor,
        stats: CubeTensor,
        gamma: CubeTensor,
        dy: CubeTensor,
        y: CubeTensor,
        sums: CubeTensor,
        epsilon: f64,
        relu: bool,
    ) -> CubeTensor {
        let [x, stats, gamma, dy, y, sums] = [x, stats, gamma, dy, y, sums].map(into_contiguous);
        let dx = empty_like(&x, x.meta.shape().clone());
        let (cubes, dim) = grid(&x, x.meta.num_elements());
        // SAFETY: as above; one invocation per value, checked against the output's length.
        unsafe {
            kernels::grad_input_kernel::launch_unchecked(
                &x.client.clone(),
                cubes,
                dim,
                x.into_tensor_arg(),
                stats.into_tensor_arg(),
                gamma.into_tensor_arg(),
                dy.into_tensor_arg(),
                y.into_tensor_arg(),
                sums.into_tensor_arg(),
                dx.clone().into_tensor_arg(),
                epsilon as f32,
                relu,
            );
        }
        dx
    }
}

impl<B: Backend + GpuBatchNorm, C: CheckpointStrategy> GpuBatchNorm for Autodiff<B, C> {
    fn gpu_batch_stats(x: FloatTensor<Self>) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(B::gpu_batch_stats(x.into_primitive()))
    }

    fn gpu_batch_norm(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        let stats = stats.into_primitive();
        match NormBackward.prepare::<C>([x.node(), gamma.node(), beta.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let (x_id, gamma_id) = (prep.checkpoint(&x), prep.checkpoint(&gamma));
                let y = B::gpu_batch_norm(
                    x.into_primitive(),
                    stats.clone(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    epsilon,
                    relu,
                );
                let output = relu.then(|| y.clone());
                prep.finish((x_id, gamma_id, stats, epsilon, output), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::gpu_batch_norm(
                x.into_primitive(),
                stats,
                gamma.into_primitive(),
                beta.into_primitive(),
                epsilon,
                relu,
            )),
        }
    }

    // The backward pass's own ops are not differentiated again: training differentiates once.
    fn gpu_batch_norm_grad_sums(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        y: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        let [x, stats, dy, y] = [x, stats, dy, y].map(|t| t.into_primitive());
        FloatTensor::<Self>::new(B::gpu_batch_norm_grad_sums(x, stats, dy, y, epsilon, relu))
    }

    fn gpu_batch_norm_grad_input(
        x: FloatTensor<Self>,
        stats: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        y: FloatTensor<Self>,
        sums: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> FloatTensor<Self> {
        let [x, stats, gamma, dy, y, sums] = [x, stats, gamma, dy, y, sums].map(|t| t.into_primitive());
        FloatTensor::<Self>::new(B::gpu_batch_norm_grad_input(x, stats, gamma, dy, y, sums, epsilon, relu))
    }
}

#[derive(Debug)]
struct NormBackward;

impl<B: Backend + GpuBatchNorm> Backward<B, 3> for NormBackward {
    /// Input and gamma (checkpointed), the batch's statistics, epsilon, and the output when
    /// ReLU was applied (its gradient masks dy).
    type State = (NodeId, NodeId, FloatTensor<B>, f64, Option<FloatTensor<B>>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let (x_id, gamma_id, stats, epsilon, output) = ops.state;
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(x_id);
        let gamma: FloatTensor<B> = checkpointer.retrieve_node_output(gamma_id);
        let relu = output.is_some();
        // Without ReLU the kernels never read `y`; any tensor of x's shape stands in.
        let y = output.unwrap_or_else(|| x.clone());
        let sums = B::gpu_batch_norm_grad_sums(x.clone(), stats.clone(), dy.clone(), y.clone(), epsilon, relu);
        let channels = x.shape()[1];
        let row = |r: isize| {
            let rows = [Slice { start: r, end: Some(r + 1), step: 1 }, Slice { start: 0, end: None, step: 1 }];
            B::float_reshape(B::float_slice(sums.clone(), &rows), Shape::new([channels]))
        };
        if let Some(node) = node_beta {
            grads.register::<B>(node.id, row(0));
        }
        if let Some(node) = node_gamma {
            grads.register::<B>(node.id, row(1));
        }
        if let Some(node) = node_x {
            let dx = B::gpu_batch_norm_grad_input(x, stats, gamma, dy, y, sums, epsilon, relu);
            grads.register::<B>(node.id, dx);
        }
    }
}
