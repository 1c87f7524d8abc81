//! The CPU convolution as a burn backend extension: a forward op for burn's `Flex` backend and
//! its autodiff step with a hand-written backward, so training through `Autodiff<Flex>` uses
//! [`super::kernels`] for the forward pass and all three gradients.

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::{ConvOptions, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, Flex, TensorMetadata, backend_extension};
use burn::tensor::{DType, Shape};

use super::geometry::Geometry;
use crate::model::cpu_tensor::{floats, tensor};

use super::kernels::{self, Saved};
use std::sync::Arc;

#[backend_extension(Flex, Autodiff)]
pub trait CpuConv: burn::backend::Backend {
    /// conv2d with a bias, no dilation, one group.
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self>;
}

impl CpuConv for Flex {
    fn cpu_conv2d(
        x: FlexTensor,
        weight: FlexTensor,
        bias: FlexTensor,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FlexTensor {
        conv_forward(x, weight, bias, stride, padding, false).0
    }
}

/// The forward pass, and with `save` what the kernels keep for the backward pass (when they
/// ran: packed weights, and the column matrices when small enough).
fn conv_forward(
    x: FlexTensor,
    weight: FlexTensor,
    bias: FlexTensor,
    stride: [usize; 2],
    padding: [usize; 2],
    save: bool,
) -> (FlexTensor, Option<Arc<Saved>>) {
    let Some(g) = geometry(&x, &weight, stride, padding) else {
        // Not f32 or not a convolution: burn's op computes it or reports what is wrong.
        let options = ConvOptions::new(stride, padding, [1, 1], 1);
        return (<Flex as ModuleOps<Flex>>::conv2d(x, weight, Some(bias), options), None);
    };
    let (x, weight, bias) = (x.to_contiguous(), weight.to_contiguous(), bias.to_contiguous());
    let (y, saved) = kernels::forward(&g, floats(&x), floats(&weight), floats(&bias), save);
    (tensor(y, g.out_shape()), saved.map(Arc::new))
}

impl<C: CheckpointStrategy> CpuConv for Autodiff<Flex, C> {
    fn cpu_conv2d(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        stride: [usize; 2],
        padding: [usize; 2],
    ) -> FloatTensor<Self> {
        let prepared = ConvBackward.prepare::<C>([x.node(), weight.node(), bias.node()]).compute_bound().stateful();
        match prepared {
            OpsKind::Tracked(mut prep) => {
                let (x_id, weight_id) = (prep.checkpoint(&x), prep.checkpoint(&weight));
                let (y, saved) = conv_forward(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                    stride,
                    padding,
                    true,
                );
                prep.finish((x_id, weight_id, stride, padding, saved), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(Flex::cpu_conv2d(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                stride,
                padding,
            )),
        }
    }
}

#[derive(Debug)]
struct ConvBackward;

impl Backward<Flex, 3> for ConvBackward {
    /// The input and weight (as checkpointed nodes), stride, padding, what the forward saved.
    type State = (NodeId, NodeId, [usize; 2], [usize; 2], Option<Arc<Saved>>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let (x_id, weight_id, stride, padding, saved) = ops.state;
        let x = checkpointer.retrieve_node_output::<FlexTensor>(x_id);
        let weight = checkpointer.retrieve_node_output::<FlexTensor>(weight_id);
        let want = [node_x.is_some(), node_weight.is_some(), node_bias.is_some()];
        let [dx, dw, db] = conv_grads(x, weight, dy, stride, padding, want, saved.as_deref());
        for (node, grad) in [(node_x, dx), (node_weight, dw), (node_bias, db)] {
            if let (Some(node), Some(grad)) = (node, grad) {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

/// The wanted gradients of input, weight and bias, with burn's own backward ops where the
/// kernels do not apply (see [`CpuConv for Flex`](CpuConv)).
fn conv_grads(
    x: FlexTensor,
    weight: FlexTensor,
    dy: FlexTensor,
    stride: [usize; 2],
    padding: [usize; 2],
    want: [bool; 3],
    saved: Option<&Saved>,
) -> [Option<FlexTensor>; 3] {
    let Some(g) = geometry(&x, &weight, stride, padding) else {
        let options = ConvOptions::new(stride, padding, [1, 1], 1);
        let bias = FlexTensor::zeros(Shape::new([weight.shape()[0]]), weight.dtype());
        return [
            want[0].then(|| {
                <Flex as ModuleOps<Flex>>::conv2d_x_backward(x.clone(), weight.clone(), dy.clone(), options.clone())
            }),
            want[1].then(|| {
                <Flex as ModuleOps<Flex>>::conv2d_weight_backward(x.clone(), weight.clone(), dy.clone(), options)
            }),
            want[2].then(|| <Flex as ModuleOps<Flex>>::conv2d_bias_backward(x, bias, dy)),
        ];
    };
    let (x, weight, dy) = (x.to_contiguous(), weight.to_contiguous(), dy.to_contiguous());
    let grads = kernels::backward(&g, floats(&x), floats(&weight), floats(&dy), want, saved);
    let weight_shape = [g.out_channels, g.in_channels, g.kernel[0], g.kernel[1]];
    [
        grads.x.map(|d| tensor(d, [g.batch, g.in_channels, g.in_size[0], g.in_size[1]])),
        grads.weight.map(|d| tensor(d, weight_shape)),
        grads.bias.map(|d| tensor(d, [g.out_channels])),
    ]
}

/// The geometry of an f32 convolution of these shapes, if it is one.
fn geometry(x: &FlexTensor, weight: &FlexTensor, stride: [usize; 2], padding: [usize; 2]) -> Option<Geometry> {
    if x.dtype() != DType::F32 || weight.dtype() != DType::F32 {
        return None;
    }
    let (xs, ws) = (x.shape(), weight.shape());
    (xs.num_dims() == 4 && ws.num_dims() == 4)
        .then(|| Geometry::new([xs[0], xs[1], xs[2], xs[3]], [ws[0], ws[1], ws[2], ws[3]], stride, padding))
        .flatten()
}
