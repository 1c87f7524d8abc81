//! The identity-mapping lesson, computed: what zeroing a block's residual branch does, and what
//! inserting a new block does to a trained network's predictions. Shared by the CLI, the browser
//! and the tests, so the numbers are the same everywhere.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::model::{BlockRef, ResNet, ResNetConfig, ZeroMode};
use crate::train::{TrainError, predict, read_f32};

/// The check for one residual block, on a batch of real images, in eval mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BlockCheck {
    /// `b2.0`, `b3.1`, ...
    pub label: String,
    pub stage: usize,
    pub block: usize,
    /// A 1x1 conv on the shortcut: the block's output has another shape than its input, so no
    /// setting of the residual branch makes it the identity.
    pub projection: bool,
    /// max |out - in| with the second BatchNorm's gamma and beta zeroed (None for projections).
    pub zero_branch: Option<f32>,
    /// max |out - in| with only conv2's weights and bias zeroed (None for projections).
    pub zero_conv2: Option<f32>,
}

/// The input and output of one block with the given zeroing, for `images`.
pub fn block_io(
    model: &ResNet,
    images: Tensor<4>,
    stage: usize,
    block: usize,
    mode: Option<ZeroMode>,
) -> Option<(Tensor<4>, Tensor<4>)> {
    let model = match mode {
        Some(mode) => model.clone().map_block(stage, block, |b| b.zeroed(mode)),
        None => model.clone(),
    };
    model.valid().block_io(images, stage, block)
}

async fn max_abs_diff(a: Tensor<4>, b: Tensor<4>) -> Result<f32, TrainError> {
    Ok(read_f32((a - b).abs().max().reshape([1])).await?[0])
}

/// Runs both zeroings on every block of `model`.
pub async fn identity_checks(model: &ResNet, images: Tensor<4>) -> Result<Vec<BlockCheck>, TrainError> {
    let mut checks = Vec::new();
    for (s, stage) in model.stages.iter().enumerate() {
        for (b, block) in stage.blocks.iter().enumerate() {
            let projection = block.reshapes();
            let diff = |mode| {
                let images = images.clone();
                async move {
                    match projection {
                        true => Ok(None),
                        false => {
                            let (x, y) = block_io(model, images, s, b, Some(mode)).expect("block exists");
                            max_abs_diff(y, x).await.map(Some)
                        }
                    }
                }
            };
            let zero_branch = diff(ZeroMode::Branch).await?;
            let zero_conv2 = diff(ZeroMode::Conv2).await?;
            checks.push(BlockCheck {
                label: format!("b{}.{}", s + 2, b),
                stage: s,
                block: b,
                projection,
                zero_branch,
                zero_conv2,
            });
        }
    }
    Ok(checks)
}

/// Which kind of block to insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Insertion {
    /// A residual block with a zeroed branch: the identity.
    Identity,
    /// The same block without its shortcut, zeroed the same way: it outputs 0.
    Plain,
}

impl Insertion {
    /// The name the page and the weights files' notes use.
    pub fn name(self) -> &'static str {
        match self {
            Insertion::Identity => "identity",
            Insertion::Plain => "plain",
        }
    }
}

/// Test accuracy and predictions before and after inserting a block after a stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InsertionCheck {
    pub insertion: Insertion,
    pub stage: usize,
    pub accuracy_before: f64,
    pub accuracy_after: f64,
    /// Test images whose predicted class changed.
    pub changed_predictions: usize,
    pub images: usize,
}

/// Inserts a block at the end of `stage` and describes the new network.
pub fn insert(
    model: ResNet,
    config: &ResNetConfig,
    insertion: Insertion,
    stage: usize,
    device: &Device,
) -> (ResNet, ResNetConfig) {
    let mut config = config.clone();
    let model = match insertion {
        Insertion::Identity => {
            config.blocks[stage] += 1;
            model.insert_identity_block(stage, device)
        }
        Insertion::Plain => {
            config.plain_blocks.push(BlockRef { stage, block: config.blocks[stage] });
            config.blocks[stage] += 1;
            model.insert_plain_block(stage, device)
        }
    };
    (model, config)
}

/// Compares predictions on `test` before and after an insertion (eval mode). `before` holds the
/// original network's predictions on `test` (from [`predict`]), computed once by callers that
/// try several insertions.
pub async fn insertion_check(
    model: &ResNet,
    config: &ResNetConfig,
    insertion: Insertion,
    stage: usize,
    test: &Dataset,
    before: &[u8],
    device: &Device,
) -> Result<(InsertionCheck, ResNet, ResNetConfig), TrainError> {
    let (bigger, bigger_config) = insert(model.clone(), config, insertion, stage, device);
    let after = predict(&bigger, test, config.input_size, 256, device).await?;
    let accuracy = |p: &[u8]| p.iter().zip(test.labels()).filter(|(a, b)| a == b).count() as f64 / test.len() as f64;
    let check = InsertionCheck {
        insertion,
        stage,
        accuracy_before: accuracy(before),
        accuracy_after: accuracy(&after),
        changed_predictions: before.iter().zip(&after).filter(|(a, b)| a != b).count(),
        images: test.len(),
    };
    Ok((check, bigger, bigger_config))
}
