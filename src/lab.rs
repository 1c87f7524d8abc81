//! Measurements for the nested-function-classes lab: per-layer gradient norms (the chain
//! rule's product turned into a sum), residual magnitudes ||F(x)|| / ||x||, and lesions
//! (remove one block, measure accuracy; Veit et al. 2016).

use burn::nn::conv::Conv2d;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::prelude::*;
use burn::tensor::Gradients;
use serde::{Deserialize, Serialize};

use crate::data::{Batch, Dataset};
use crate::model::{ResNet, ResNetConfig};
use crate::train::{TrainError, predict, read_f32};

/// ||dL/dW|| of one conv, by depth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GradientNorm {
    pub label: String,
    /// Weighted layers before this one on the main path (the stem conv is 1).
    pub depth: usize,
    pub norm: f32,
}

/// Every conv of `model` in forward order, with its label and main-path depth (a block's
/// 1x1 projection shares the depth of the block's first conv).
fn convs(model: &ResNet) -> Vec<(String, usize, &Conv2d)> {
    let mut out = vec![("b1.conv".to_string(), 1, &model.stem.conv)];
    let mut depth = 1;
    for (s, stage) in model.stages.iter().enumerate() {
        for (b, block) in stage.blocks.iter().enumerate() {
            let label = format!("b{}.{b}", s + 2);
            out.push((format!("{label}.conv1"), depth + 1, &block.conv1));
            out.push((format!("{label}.conv2"), depth + 2, &block.conv2));
            if let Some(conv3) = &block.conv3 {
                out.push((format!("{label}.conv3"), depth + 1, conv3));
            }
            depth += 2;
        }
    }
    out
}

fn l2(t: Tensor<4>) -> Tensor<1> {
    t.powi_scalar(2).sum().sqrt()
}

/// The gradient norm of every conv's weights for one batch, in training mode (as the step that
/// trains it sees them). `model` must be on an autodiff device. One read for all the norms.
pub async fn gradient_norms(model: &ResNet, batch: &Batch, device: &Device) -> Result<Vec<GradientNorm>, TrainError> {
    let n = batch.len();
    let images = Tensor::<4>::from_data(TensorData::new(batch.images.clone(), [n, 1, batch.side, batch.side]), device);
    let labels = Tensor::<1, Int>::from_data(TensorData::new(batch.labels.clone(), [n]), device);
    let loss = CrossEntropyLossConfig::new().init(device).forward(model.forward(images), labels);
    let grads: Gradients = loss.backward();
    let convs = convs(model);
    let norms = convs
        .iter()
        .map(|(label, _, conv)| {
            conv.weight.val().grad(&grads).map(l2).ok_or_else(|| TrainError::Device(format!("{label} has no gradient")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let values = read_f32(Tensor::cat(norms, 0)).await?;
    Ok(convs.into_iter().zip(values).map(|((label, depth, _), norm)| GradientNorm { label, depth, norm }).collect())
}

/// ||F(x)|| / ||x|| of every block, F being the residual branch (the block's output before
/// the shortcut is added and the ReLU), for images `x`, in eval mode. He et al. (Fig. 7):
/// residual functions stay small. Plain blocks report their whole output.
pub async fn residual_magnitudes(model: &ResNet, images: Tensor<4>) -> Result<Vec<(String, f32)>, TrainError> {
    let model = model.clone().valid();
    let mut x = model.stem.forward(images);
    let (mut labels, mut ratios) = (Vec::new(), Vec::new());
    for (s, stage) in model.stages.iter().enumerate() {
        for (b, block) in stage.blocks.iter().enumerate() {
            let branch = block.branch(x.clone());
            ratios.push(l2(branch) / l2(x.clone()));
            labels.push(format!("b{}.{b}", s + 2));
            x = block.forward(x);
        }
    }
    let values = read_f32(Tensor::cat(ratios, 0)).await?;
    Ok(labels.into_iter().zip(values).collect())
}

/// Test accuracy with one block removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Lesion {
    pub label: String,
    /// `None` when the block changes the shape and cannot be removed.
    pub accuracy: Option<f64>,
}

/// Removes each block in turn and measures test accuracy on `test` (Veit et al. 2016): a
/// residual network loses little for most blocks, a plain one collapses.
pub async fn lesions(
    model: &ResNet,
    config: &ResNetConfig,
    test: &Dataset,
    device: &Device,
) -> Result<Vec<Lesion>, TrainError> {
    let mut out = Vec::new();
    for (s, stage) in model.stages.iter().enumerate() {
        for b in 0..stage.blocks.len() {
            let label = format!("b{}.{b}", s + 2);
            let accuracy = match model.clone().without_block(s, b) {
                Ok(lesioned) => {
                    let predictions = predict(&lesioned, test, config.input_size, 100, device).await?;
                    let correct = predictions.iter().zip(test.labels()).filter(|(p, l)| p == l).count();
                    Some(correct as f64 / test.len().max(1) as f64)
                }
                Err(_) => None,
            };
            out.push(Lesion { label, accuracy });
        }
    }
    Ok(out)
}
