//! The lab's requests on the session: live gradient norms and residual magnitudes of the
//! network being trained, lesions of the one in memory, and the plain/residual twins.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Result, Session, refused, training_in_progress};
use crate::data::BatchOrder;
use crate::lab::{self, GradientNorm, Lesion};
use crate::model::{ModelConfig, ResNetConfig};

/// Images of the fixed probe batch (the first test images): the same for every measurement,
/// so the curves show the network changing, not the batch.
const PROBE: usize = 64;

/// What `lab_probe` measures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Probe {
    pub gradients: Vec<GradientNorm>,
    pub magnitudes: Vec<Magnitude>,
}

/// ||F(x)|| / ||x|| of one residual block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Magnitude {
    pub label: String,
    pub ratio: f32,
}

impl Session {
    /// ||dL/dW|| of every conv (training mode) and ||F(x)|| / ||x|| of every block (eval mode),
    /// on the probe batch, for the network being trained (between steps) or the one in memory.
    pub async fn lab_probe(&self) -> Result<Probe> {
        let (model, config) = self.live_resnet("the gradient and residual views")?;
        let test = self.test_subset();
        let n = PROBE.min(test.len());
        let batch = test.batch(BatchOrder::sequential(n, n).batch(0), config.input_size);
        let autodiff = self.live_device().clone().autodiff();
        let gradients = lab::gradient_norms(&model.clone().train(), &batch, &autodiff).await?;
        let images =
            Tensor::<4>::from_data(TensorData::new(batch.images, [n, 1, batch.side, batch.side]), self.live_device());
        let magnitudes = lab::residual_magnitudes(model, images)
            .await?
            .into_iter()
            .map(|(label, ratio)| Magnitude { label, ratio })
            .collect();
        Ok(Probe { gradients, magnitudes })
    }

    /// Test accuracy with each block removed in turn (blocks that change the shape cannot be).
    pub async fn lesions(&mut self) -> Result<Vec<Lesion>> {
        if self.is_training() {
            return Err(training_in_progress());
        }
        self.move_to_demo_device().await?;
        let (model, config) = self.live_resnet("the lesion view")?;
        Ok(lab::lesions(model, config, &self.test_subset(), &self.demo_device).await?)
    }
}

/// The degradation race's twins: `[plain, residual]` CIFAR-family networks of `depth` (6n + 2)
/// layers and first-stage width `width`, optionally with zero-gamma residual blocks.
pub fn lab_twins(depth: usize, width: usize, zero_gamma: bool) -> Result<[ModelConfig; 2]> {
    if depth < 8 || !(depth - 2).is_multiple_of(6) || width == 0 {
        return Err(refused(format!("depth {depth} is not 6n + 2 with n >= 1 (e.g. 20, 32, 56)")));
    }
    let twin = |residual: bool| {
        ModelConfig::from(ResNetConfig {
            widths: vec![width, 2 * width, 4 * width],
            zero_init_residual: zero_gamma && residual,
            ..ResNetConfig::cifar((depth - 2) / 6, residual)
        })
    };
    Ok([twin(false), twin(true)])
}
