//! Edits of a trained network for the identity-mapping lesson: zero a residual branch so the
//! block computes f(x) = x, and insert new blocks that change nothing (nested function classes).

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::residual::{Residual, ResidualConfig};
use super::resnet::ResNet;

/// How to silence a block's residual branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroMode {
    /// The second BatchNorm's gamma and beta set to 0: the branch outputs exactly 0, so the
    /// block computes ReLU(x + 0) = x (x is already the output of a ReLU).
    Branch,
    /// What d2l's text says literally: the weighted layer's weights and bias set to 0. The
    /// BatchNorm after it still maps 0 to beta - gamma * mean / sqrt(var + eps) in eval mode.
    Conv2,
}

fn zeros<const D: usize>(p: burn::module::Param<Tensor<D>>) -> burn::module::Param<Tensor<D>> {
    p.map(|t| t.zeros_like())
}

impl Residual {
    pub fn zeroed(mut self, mode: ZeroMode) -> Self {
        match mode {
            ZeroMode::Branch => {
                self.bn2.gamma = zeros(self.bn2.gamma);
                self.bn2.beta = zeros(self.bn2.beta);
            }
            ZeroMode::Conv2 => {
                self.conv2.weight = zeros(self.conv2.weight);
                self.conv2.bias = self.conv2.bias.map(zeros);
            }
        }
        self
    }
}

impl ResNet {
    /// Block `block` of stage `stage` (0 is `b2`).
    pub fn block(&self, stage: usize, block: usize) -> Option<&Residual> {
        self.stages.get(stage)?.blocks.get(block)
    }

    /// Replaces one block by `f(block)`; the network is unchanged when the position is invalid.
    pub fn map_block(mut self, stage: usize, block: usize, f: impl FnOnce(Residual) -> Residual) -> Self {
        if let Some(blocks) = self.stages.get_mut(stage).map(|s| &mut s.blocks)
            && block < blocks.len()
        {
            let b = blocks.remove(block);
            blocks.insert(block, f(b));
        }
        self
    }

    /// The input and the output of one block for images `x`. Call on a `valid()` model to see
    /// the eval-mode behaviour.
    pub fn block_io(&self, x: Tensor<4>, stage: usize, block: usize) -> Option<(Tensor<4>, Tensor<4>)> {
        let mut x = self.stem.forward(x);
        for (s, st) in self.stages.iter().enumerate() {
            for (b, blk) in st.blocks.iter().enumerate() {
                let y = blk.forward(x.clone());
                if (s, b) == (stage, block) {
                    return Some((x, y));
                }
                x = y;
            }
        }
        None
    }

    /// Appends a residual block whose branch is zeroed to the end of `stage`: the network
    /// computes exactly the same function, with one more block it can train.
    pub fn insert_identity_block(mut self, stage: usize, device: &Device) -> Self {
        let width = self.stages[stage].blocks.last().expect("stages are never empty").conv2.weight.dims()[0];
        let block = ResidualConfig::new(width, width).init(device).zeroed(ZeroMode::Branch);
        self.stages[stage].blocks.push(block);
        self
    }

    /// Appends the plain twin of that block (the same layers, no shortcut), zeroed the same way:
    /// with no shortcut, its output is 0 whatever its input, and the rest of the network sees
    /// nothing.
    pub fn insert_plain_block(mut self, stage: usize, device: &Device) -> Self {
        let width = self.stages[stage].blocks.last().expect("stages are never empty").conv2.weight.dims()[0];
        let config = ResidualConfig { shortcut: false, ..ResidualConfig::new(width, width) };
        self.stages[stage].blocks.push(config.init(device).zeroed(ZeroMode::Branch));
        self
    }

    /// Removes block `block` of `stage` (Veit et al.'s lesion): possible for a block whose
    /// shortcut is the identity, since the next block then sees a tensor of the same shape.
    pub fn without_block(mut self, stage: usize, block: usize) -> Result<Self, String> {
        let blocks = self.stages.get_mut(stage).map(|s| &mut s.blocks).ok_or(format!("no stage b{}", stage + 2))?;
        let b = blocks.get(block).ok_or(format!("no block b{}.{block}", stage + 2))?;
        if b.reshapes() {
            return Err(format!("b{}.{block} changes the shape: removing it would break the network", stage + 2));
        }
        blocks.remove(block);
        Ok(self)
    }
}
