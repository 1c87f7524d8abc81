//! The GPU convolution as a burn backend extension: four ops on burn's CubeCL backend
//! ([`super::kernels`]), deferred through burn's fusion like its own ops, and an autodiff step
//! whose backward calls the three gradient ops.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Backend, backend_extension};
use burn::tensor::Shape;
use burn_cubecl::CubeBackend;
use burn_cubecl::kernel::into_contiguous;
use burn_cubecl::tensor::CubeTensor;
use cubecl::{CubeCount, CubeDim};

use super::kernels::{self, ConvArgsLaunch};
use crate::model::cube::{batch_slices, empty_like, grid, sum_slices};

/// conv2d with a bias, no dilation, one group, f32, NCHW, and its three gradients.
#[backend_extension(Cube, Fusion, Autodiff)]
pub trait GpuConv: Backend {
    #[fusion(dtype = x, shape = out_shape(x, weight, *stride, *padding))]
    fn gpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self>;

    /// The input's gradient; `in_size` is the input's height and width.
    #[fusion(dtype = dy, shape = Shape::new([dy[0], weight[1], in_size[0], in_size[1]]))]
    fn gpu_conv2d_input_grad(
        dy: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        in_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self>;

    /// The weight's gradient; `kernel` is the weight's height and width.
    #[fusion(dtype = dy, shape = Shape::new([dy[1], x[1], kernel[0], kernel[1]]))]
    fn gpu_conv2d_weight_grad(
        x: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self>;

    #[fusion(dtype = dy, shape = Shape::new([dy[1]]))]
    fn gpu_conv2d_bias_grad(dy: FloatTensor<Self>) -> FloatTensor<Self>;
}

/// The output's shape `[n, co, oh, ow]`.
pub fn out_shape(x: &Shape, weight: &Shape, stride: [usize; 2], padding: [usize; 2]) -> Shape {
    let out = |i: usize| (x[2 + i] + 2 * padding[i] - weight[2 + i]) / stride[i] + 1;
    Shape::new([x[0], weight[0], out(0), out(1)])
}

/// Images per invocation: each value loaded from the input feeds this many output images.
const IMAGES: usize = 4;

/// Channels per invocation: 4 where the count allows, else 2 (the classifier's 10 classes), else 1.
fn block(channels: usize) -> usize {
    [4, 2, 1].into_iter().find(|b| channels.is_multiple_of(*b)).unwrap_or(1)
}

fn args(weight_hw: [usize; 2], stride: [usize; 2], padding: [usize; 2]) -> ConvArgsLaunch {
    ConvArgsLaunch::new(stride[0], stride[1], padding[0], padding[1], weight_hw[0], weight_hw[1])
}

/// Channels per invocation where they are the workgroup's (loaded once for all its
/// invocations): 8 where the count allows, else as [`block`].
fn wide_block(channels: usize) -> usize {
    if channels.is_multiple_of(8) { 8 } else { block(channels) }
}

/// The launch of a kernel writing `out` `[n, c, h, w]` a block of channels per row of workgroups
/// (the block, [`wide_block`] wide, is returned too), each row covering every pixel of every
/// [`IMAGES`] images.
fn channel_grid(out: &Shape) -> (CubeCount, CubeDim, usize) {
    let cb = wide_block(out[1]);
    let units = out[2] * out[3] * out[0].div_ceil(IMAGES);
    (CubeCount::Static(units.div_ceil(64) as u32, (out[1] / cb) as u32, 1), CubeDim::new_1d(64), cb)
}

/// Whether the kernels' launch grids fit WebGPU's 65,535 workgroups a dimension for an input of
/// `x` `[n, c, h, w]` and an output of `out` `[h, w]` (the rows of [`channel_grid`] cover every
/// pixel of every block of images, the input's for its gradient).
pub fn launchable(x: [usize; 4], out: [usize; 2]) -> bool {
    let images = x[0].div_ceil(IMAGES);
    [x[2] * x[3], out[0] * out[1]].iter().all(|pixels| (pixels * images).div_ceil(64) <= 65_535)
}

impl GpuConv for CubeBackend {
    fn gpu_conv2d(
        x: CubeTensor,
        weight: CubeTensor,
        bias: CubeTensor,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> CubeTensor {
        let (x, weight, bias) = (into_contiguous(x), into_contiguous(weight), into_contiguous(bias));
        let shape = out_shape(x.meta.shape(), weight.meta.shape(), stride, padding);
        let (count, dim, cb) = channel_grid(&shape);
        let y = empty_like(&x, shape);
        let hw = [weight.meta.shape()[2], weight.meta.shape()[3]];
        // SAFETY: every index the kernel computes is inside its tensors (clamped images,
        // checked taps), which are contiguous and of the shapes it reads.
        unsafe {
            kernels::forward_kernel::launch_unchecked(
                &x.client.clone(),
                count,
                dim,
                x.into_tensor_arg(),
                weight.into_tensor_arg(),
                bias.into_tensor_arg(),
                y.clone().into_tensor_arg(),
                args(hw, stride, padding),
                IMAGES,
                cb,
            )
        };
        y
    }

    fn gpu_conv2d_input_grad(
        dy: CubeTensor,
        weight: CubeTensor,
        in_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> CubeTensor {
        let (dy, weight) = (into_contiguous(dy), into_contiguous(weight));
        let ws = weight.meta.shape().clone();
        let shape = Shape::new([dy.meta.shape()[0], ws[1], in_size[0], in_size[1]]);
        let (count, dim, cb) = channel_grid(&shape);
        let dx = empty_like(&dy, shape);
        // SAFETY: every index the kernel computes is inside its tensors (clamped images,
        // checked taps), which are contiguous and of the shapes it reads.
        unsafe {
            kernels::input_grad_kernel::launch_unchecked(
                &dy.client.clone(),
                count,
                dim,
                dy.into_tensor_arg(),
                weight.into_tensor_arg(),
                dx.clone().into_tensor_arg(),
                args([ws[2], ws[3]], stride, padding),
                IMAGES,
                cb,
            )
        };
        dx
    }

    fn gpu_conv2d_weight_grad(
        x: CubeTensor,
        dy: CubeTensor,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> CubeTensor {
        let (x, dy) = (into_contiguous(x), into_contiguous(dy));
        let (batch, cout, cin) = (x.meta.shape()[0], dy.meta.shape()[1], x.meta.shape()[1]);
        let (cob, cib) = (block(cout), block(cin));
        let units = kernel[0] * kernel[1] * (cin / cib) * (cout / cob);
        let slices = batch_slices(units, batch);
        let shape = Shape::new([cout, cin, kernel[0], kernel[1]]);
        let partial = empty_like(&dy, Shape::new([slices, cout, cin, kernel[0], kernel[1]]));
        let (count, dim) = grid(&dy, units * slices);
        // SAFETY: every index the kernel computes is inside its tensors (clamped images,
        // checked taps), which are contiguous and of the shapes it reads.
        unsafe {
            kernels::weight_grad_kernel::launch_unchecked(
                &dy.client.clone(),
                count,
                dim,
                x.into_tensor_arg(),
                dy.into_tensor_arg(),
                partial.clone().into_tensor_arg(),
                args(kernel, stride, padding),
                cob,
                cib,
            )
        };
        if slices == 1 { burn_cubecl::ops::reshape(partial, shape) } else { sum_slices(partial, shape) }
    }

    fn gpu_conv2d_bias_grad(dy: CubeTensor) -> CubeTensor {
        let dy = into_contiguous(dy);
        let cout = dy.meta.shape()[1];
        let db = empty_like(&dy, Shape::new([cout]));
        let (count, dim) = grid(&dy, cout);
        // SAFETY: every index the kernel computes is inside its tensors (clamped images,
        // checked taps), which are contiguous and of the shapes it reads.
        unsafe {
            kernels::bias_grad_kernel::launch_unchecked(
                &dy.client.clone(),
                count,
                dim,
                dy.into_tensor_arg(),
                db.clone().into_tensor_arg(),
            )
        };
        db
    }
}

impl<B: Backend + GpuConv, C: CheckpointStrategy> GpuConv for Autodiff<B, C> {
    fn gpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        let prepared = ConvBackward.prepare::<C>([x.node(), weight.node(), bias.node()]);
        match prepared.compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let (x_id, weight_id) = (prep.checkpoint(&x), prep.checkpoint(&weight));
                let y =
                    B::gpu_conv2d(x.into_primitive(), weight.into_primitive(), bias.into_primitive(), stride, padding);
                prep.finish((x_id, weight_id, stride, padding), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::gpu_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                stride,
                padding,
            )),
        }
    }

    // The gradients of gradients are not needed: training differentiates once.
    fn gpu_conv2d_input_grad(
        dy: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        in_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        let dx = B::gpu_conv2d_input_grad(dy.into_primitive(), weight.into_primitive(), in_size, stride, padding);
        FloatTensor::<Self>::new(dx)
    }

    fn gpu_conv2d_weight_grad(
        x: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        let dw = B::gpu_conv2d_weight_grad(x.into_primitive(), dy.into_primitive(), kernel, stride, padding);
        FloatTensor::<Self>::new(dw)
    }

    fn gpu_conv2d_bias_grad(dy: FloatTensor<Self>) -> FloatTensor<Self> {
        FloatTensor::<Self>::new(B::gpu_conv2d_bias_grad(dy.into_primitive()))
    }
}

#[derive(Debug)]
struct ConvBackward;

impl<B: Backend + GpuConv> Backward<B, 3> for ConvBackward {
    /// The input and weight (as checkpointed nodes), stride, padding.
    type State = (NodeId, NodeId, [usize; 2], [usize; 2]);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let (x_id, weight_id, stride, padding) = ops.state;
        let x: FloatTensor<B> = checkpointer.retrieve_node_output(x_id);
        let weight: FloatTensor<B> = checkpointer.retrieve_node_output(weight_id);
        use burn::backend::TensorMetadata;
        let (xs, ws) = (x.shape(), weight.shape());
        if let Some(node) = node_x {
            let dx = B::gpu_conv2d_input_grad(dy.clone(), weight, [xs[2], xs[3]], stride, padding);
            grads.register::<B>(node.id, dx);
        }
        if let Some(node) = node_weight {
            let dw = B::gpu_conv2d_weight_grad(x, dy.clone(), [ws[2], ws[3]], stride, padding);
            grads.register::<B>(node.id, dw);
        }
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, B::gpu_conv2d_bias_grad(dy));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::launchable;

    #[test]
    fn launch_grids_fit_webgpu_limits_or_are_refused() {
        assert!(launchable([64, 1, 28, 28], [14, 14]));
        assert!(launchable([256, 3, 224, 224], [112, 112]));
        // 512 images at 224 px: 224·224·128 / 64 = 100,352 workgroups in a row.
        assert!(!launchable([512, 3, 224, 224], [112, 112]));
    }
}
