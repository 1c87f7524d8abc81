//! Output shapes of every layer, computed from the configuration alone (no forward pass), in the
//! order d2l prints them. Tests check these against a real forward pass.

use serde::{Deserialize, Serialize};

use super::config::{ConfigError, ResNetConfig};

/// One row of the shape table. `level` 0 rows are d2l's top-level layers (`b1`, `b2`, ...,
/// `AdaptiveAvgPool2d`, `Flatten`, `Linear`); level 1 rows are the blocks inside them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerShape {
    pub level: u8,
    /// PyTorch class name, as d2l prints it.
    pub kind: String,
    /// Where the layer sits: `b1`, `b2`, `b2.0`, `fc`, ...
    pub label: String,
    /// Output shape for a batch of one.
    pub shape: Vec<usize>,
    /// For residual blocks: whether the shortcut is a 1x1 projection (else identity or none).
    pub projection: bool,
}

/// Output size of a conv or pool along one axis (PyTorch's floor formula).
fn out_size(size: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    (size + 2 * padding).checked_sub(kernel).map(|d| d / stride + 1)
}

fn shapes(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    let too_small = |layer: &str| ConfigError::TooSmall { input: c.input_size, layer: layer.into() };
    let row = |level, kind: &str, label: String, shape: Vec<usize>, projection| LayerShape {
        level,
        kind: kind.into(),
        label,
        shape,
        projection,
    };
    let s = &c.stem;
    let mut size = out_size(c.input_size, s.kernel, s.stride, s.padding).ok_or_else(|| too_small("b1 conv"))?;
    size = out_size(size, s.pool_kernel, s.pool_stride, s.pool_padding)
        .filter(|&n| n > 0)
        .ok_or_else(|| too_small("b1 pool"))?;
    let mut rows = vec![row(0, "Sequential", "b1".into(), vec![1, c.widths[0], size, size], false)];
    let mut channels = c.widths[0];
    for (i, (&width, &n)) in c.widths.iter().zip(&c.blocks).enumerate() {
        let stage = format!("b{}", i + 2);
        let mut blocks = Vec::new();
        for (j, block) in super::resnet_block(channels, width, n, i == 0).iter().enumerate() {
            size = out_size(size, 3, block.stride, 1).ok_or_else(|| too_small(&format!("{stage}.{j}")))?;
            blocks.push(row(1, "Residual", format!("{stage}.{j}"), vec![1, width, size, size], block.use_1x1conv));
        }
        rows.push(row(0, "Sequential", stage, vec![1, width, size, size], false));
        rows.extend(blocks);
        channels = width;
    }
    rows.push(row(0, "AdaptiveAvgPool2d", "pool".into(), vec![1, channels, 1, 1], false));
    rows.push(row(0, "Flatten", "flatten".into(), vec![1, channels], false));
    rows.push(row(0, "Linear", "fc".into(), vec![1, c.classes], false));
    Ok(rows)
}

pub(super) fn check_sizes(c: &ResNetConfig) -> Result<(), ConfigError> {
    shapes(c).map(|_| ())
}

/// Every layer's output shape, stages followed by their blocks.
pub fn infer_shapes(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    c.validate()?;
    shapes(c)
}

/// Only d2l's top-level layers: what `for layer in net: print(...)` shows.
pub fn infer_top_level_shapes(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    Ok(infer_shapes(c)?.into_iter().filter(|r| r.level == 0).collect())
}
