//! The CPU max-pool as a burn backend extension: the forward op for `Flex` and its autodiff
//! step, whose backward sends each output's gradient to the input the forward took.

use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::ModuleOps;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Flex, TensorMetadata, backend_extension};
use burn::tensor::DType;
use std::sync::Arc;

use super::kernels::{self, Geometry};
use crate::model::cpu_tensor::{floats, tensor};

#[backend_extension(Flex, Autodiff)]
pub trait CpuMaxPool: burn::backend::Backend {
    /// max_pool2d with symmetric padding, no dilation, floor mode.
    fn cpu_max_pool2d(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self>;
}

impl CpuMaxPool for Flex {
    fn cpu_max_pool2d(x: FlexTensor, kernel: [usize; 2], stride: [usize; 2], padding: [usize; 2]) -> FlexTensor {
        pool_forward(x, kernel, stride, padding).0
    }
}

/// The input's dimensions and the pool's geometry, when the kernels compute it: an f32 NCHW
/// tensor and a window that fits.
fn geometry(x: &impl TensorMetadata, kernel: [usize; 2], stride: [usize; 2], padding: [usize; 2]) -> Option<Taken> {
    let shape = x.shape();
    if x.dtype() != DType::F32 || shape.num_dims() != 4 {
        return None;
    }
    let dims = [shape[0], shape[1], shape[2], shape[3]];
    Some(Taken { g: Geometry::new(dims, kernel, stride, padding)?, dims, argmax: Vec::new() })
}

/// The pooled tensor and what the backward pass needs, or burn's op where the kernels do not
/// apply (it computes the pool or reports what is wrong).
fn pool_forward(
    x: FlexTensor,
    kernel: [usize; 2],
    stride: [usize; 2],
    padding: [usize; 2],
) -> (FlexTensor, Option<Taken>) {
    let Some(taken) = geometry(&x, kernel, stride, padding) else {
        return (<Flex as ModuleOps<Flex>>::max_pool2d(x, kernel, stride, padding, [1, 1], false), None);
    };
    let x = x.to_contiguous();
    let (y, argmax) = kernels::forward(&taken.g, floats(&x));
    (tensor(y, taken.g.out_shape(taken.dims)), Some(Taken { argmax, ..taken }))
}

/// What the backward pass needs: the geometry, the input's shape and each output's argmax.
#[derive(Debug)]
struct Taken {
    g: Geometry,
    dims: [usize; 4],
    argmax: Vec<u32>,
}

impl<C: CheckpointStrategy> CpuMaxPool for Autodiff<Flex, C> {
    fn cpu_max_pool2d(
        x: FloatTensor<Self>,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        if geometry(&x, kernel, stride, padding).is_none() {
            // burn's own op, with its own backward, computes it or reports what is wrong.
            return <Self as ModuleOps<Self>>::max_pool2d(x, kernel, stride, padding, [1, 1], false);
        }
        match PoolBackward.prepare::<C>([x.node()]).compute_bound().stateful() {
            OpsKind::Tracked(prep) => {
                let (y, taken) = pool_forward(x.into_primitive(), kernel, stride, padding);
                prep.finish(Arc::new(taken.expect("the geometry was checked above")), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_max_pool2d(x.into_primitive(), kernel, stride, padding)),
        }
    }
}

#[derive(Debug)]
struct PoolBackward;

impl Backward<Flex, 1> for PoolBackward {
    type State = Arc<Taken>;

    fn backward(self, ops: Ops<Self::State, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
        let [node_x] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node).to_contiguous();
        let taken = ops.state;
        if let Some(node) = node_x {
            let dx = kernels::backward(&taken.g, floats(&dy), &taken.argmax);
            grads.register::<Flex>(node.id, tensor(dx, taken.dims));
        }
    }
}
