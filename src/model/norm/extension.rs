//! BatchNorm's training step as a burn backend extension on the CPU backend: the forward op for
//! `Flex` and its autodiff step with [`super::kernels`]' backward (the batch statistics are
//! returned untracked, as burn's own `batch_norm_train` does, for the running averages).

use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::backend::ops::{ActivationOps, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::backend::{Autodiff, ExtensionType, Flex, TensorMetadata, backend_extension};
use burn::tensor::{DType, Shape};

use crate::model::cpu_tensor::{floats, tensor};

use super::kernels::{self, Dims};

/// The normalised output and the batch's per-channel mean and biased variance.
#[derive(ExtensionType)]
pub struct NormTrain<B: burn::backend::Backend> {
    pub output: FloatTensor<B>,
    pub mean: FloatTensor<B>,
    pub variance: FloatTensor<B>,
}

#[backend_extension(Flex, Autodiff)]
pub trait CpuBatchNorm: burn::backend::Backend {
    /// BatchNorm over [batch, channels, h, w] with the batch's statistics; with `relu`, then
    /// ReLU.
    fn cpu_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> NormTrain<Self>;
}

impl CpuBatchNorm for Flex {
    fn cpu_batch_norm_train(
        x: FlexTensor,
        gamma: FlexTensor,
        beta: FlexTensor,
        epsilon: f64,
        relu: bool,
    ) -> NormTrain<Flex> {
        let Some(d) = dims(&x) else {
            // Not an f32 NCHW tensor: burn's ops.
            let r = <Flex as ModuleOps<Flex>>::batch_norm_train(x, gamma, beta, epsilon);
            let output = if relu { <Flex as ActivationOps<Flex>>::relu(r.output) } else { r.output };
            return NormTrain { output, mean: r.mean, variance: r.variance };
        };
        let (x, gamma, beta) = (x.to_contiguous(), gamma.to_contiguous(), beta.to_contiguous());
        let r = kernels::forward(d, floats(&x), floats(&gamma), floats(&beta), epsilon, relu);
        NormTrain {
            output: tensor(r.output, x.shape()),
            mean: tensor(r.mean, Shape::new([d.channels])),
            variance: tensor(r.variance, Shape::new([d.channels])),
        }
    }
}

impl<C: CheckpointStrategy> CpuBatchNorm for Autodiff<Flex, C> {
    fn cpu_batch_norm_train(
        x: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        epsilon: f64,
        relu: bool,
    ) -> NormTrain<Self> {
        let untracked = <FloatTensor<Self>>::new;
        match NormBackward.prepare::<C>([x.node(), gamma.node(), beta.node()]).compute_bound().stateful() {
            OpsKind::Tracked(mut prep) => {
                let (x_id, gamma_id) = (prep.checkpoint(&x), prep.checkpoint(&gamma));
                let r = Flex::cpu_batch_norm_train(
                    x.into_primitive(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    epsilon,
                    relu,
                );
                let relu_output = relu.then(|| r.output.clone());
                let state = (x_id, gamma_id, r.mean.clone(), r.variance.clone(), epsilon, relu_output);
                NormTrain {
                    output: prep.finish(state, r.output),
                    mean: untracked(r.mean),
                    variance: untracked(r.variance),
                }
            }
            OpsKind::UnTracked(prep) => {
                let r = Flex::cpu_batch_norm_train(
                    x.into_primitive(),
                    gamma.into_primitive(),
                    beta.into_primitive(),
                    epsilon,
                    relu,
                );
                NormTrain { output: prep.finish(r.output), mean: untracked(r.mean), variance: untracked(r.variance) }
            }
        }
    }
}

#[derive(Debug)]
struct NormBackward;

impl Backward<Flex, 3> for NormBackward {
    /// Input and gamma (checkpointed), the batch's mean and variance, epsilon, and the output
    /// when ReLU was applied (its gradient masks dy).
    type State = (NodeId, NodeId, FlexTensor, FlexTensor, f64, Option<FlexTensor>);

    fn backward(self, ops: Ops<Self::State, 3>, grads: &mut Gradients, checkpointer: &mut Checkpointer) {
        let [node_x, node_gamma, node_beta] = ops.parents;
        let dy = grads.consume::<Flex>(&ops.node);
        let (x_id, gamma_id, mean, variance, epsilon, relu_output) = ops.state;
        let x = checkpointer.retrieve_node_output::<FlexTensor>(x_id);
        let gamma = checkpointer.retrieve_node_output::<FlexTensor>(gamma_id);
        let [dx, dgamma, dbeta] = norm_grads(x, gamma, mean, variance, epsilon, dy, relu_output);
        for (node, grad) in [(node_x, dx), (node_gamma, dgamma), (node_beta, dbeta)] {
            if let Some(node) = node {
                grads.register::<Flex>(node.id, grad);
            }
        }
    }
}

fn norm_grads(
    x: FlexTensor,
    gamma: FlexTensor,
    mean: FlexTensor,
    variance: FlexTensor,
    epsilon: f64,
    dy: FlexTensor,
    relu_output: Option<FlexTensor>,
) -> [FlexTensor; 3] {
    let Some(d) = dims(&x) else {
        let dy = match relu_output {
            Some(y) => <Flex as ActivationOps<Flex>>::relu_backward(y, dy),
            None => dy,
        };
        let r = <Flex as ModuleOps<Flex>>::batch_norm_train_backward(x, gamma, mean, variance, epsilon, dy);
        return [r.x_grad, r.gamma_grad, r.beta_grad];
    };
    let shape = x.shape();
    let [x, gamma, mean, variance, dy] = [x, gamma, mean, variance, dy].map(|t| t.to_contiguous());
    let relu_output = relu_output.map(|y| y.to_contiguous());
    let r = kernels::backward(
        d,
        floats(&x),
        floats(&gamma),
        floats(&mean),
        floats(&variance),
        epsilon,
        floats(&dy),
        relu_output.as_ref().map(floats),
    );
    [tensor(r.x, shape), tensor(r.gamma, Shape::new([d.channels])), tensor(r.beta, Shape::new([d.channels]))]
}

/// The dimensions of an f32 [batch, channels, h, w] tensor.
fn dims(x: &FlexTensor) -> Option<Dims> {
    let s = x.shape();
    (x.dtype() == DType::F32 && s.num_dims() == 4 && s.num_elements() > 0).then(|| Dims {
        batch: s[0],
        channels: s[1],
        pixels: s[2] * s[3],
    })
}
