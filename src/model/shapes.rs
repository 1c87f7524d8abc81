//! The layer table: every layer's output shape, parameter count and multiply-accumulates,
//! computed from the configuration alone (no forward pass), in the order d2l prints them.
//! Tests check the shapes against a real forward pass and the totals against hand counts.

use serde::{Deserialize, Serialize};

use super::config::{ConfigError, ResNetConfig};

/// One row of the table. Level 0 rows are d2l's top-level layers (`b1`, `b2`, ...,
/// `AdaptiveAvgPool2d`, `Flatten`, `Linear`), level 1 the layers of the stem and
/// the residual blocks of a stage, level 2 the layers inside a block. A row's params and MACs include its children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LayerShape {
    pub level: u8,
    /// PyTorch class name, as d2l prints it.
    pub kind: String,
    /// Where the layer sits: `b1`, `b2`, `b2.0`, `b2.0.conv1`, `fc`, ...
    pub label: String,
    /// Output shape for a batch of one.
    pub shape: Vec<usize>,
    /// For residual blocks: whether the shortcut is a 1x1 projection (else identity or none).
    pub projection: bool,
    /// For residual blocks: whether the shortcut is added at all (false for plain blocks).
    pub shortcut: bool,
    /// For convolutions and pooling windows: the kernel side (None for other rows, and for
    /// global average pooling).
    #[serde(default)]
    pub kernel: Option<usize>,
    /// For convolutions and pooling windows: the stride; for a residual block, the stride of
    /// its first conv (2 where the block halves the resolution).
    #[serde(default)]
    pub stride: Option<usize>,
    /// Trainable parameters (PyTorch's `parameters()`: BatchNorm running statistics excluded).
    pub params: usize,
    /// Multiply-accumulates of one forward pass of one image (convolutions and the linear
    /// layer; BatchNorm, ReLU, pooling and the shortcut addition are not counted).
    pub macs: u64,
}

/// Output size of a conv or pool along one axis (PyTorch's floor formula).
fn out_size(size: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    (size + 2 * padding).checked_sub(kernel).map(|d| d / stride + 1)
}

/// Builds rows, threading the current spatial size through.
struct Table<'a> {
    config: &'a ResNetConfig,
    rows: Vec<LayerShape>,
}

impl Table<'_> {
    fn too_small(&self, layer: &str) -> ConfigError {
        ConfigError::TooSmall { input: self.config.input_size, layer: layer.into() }
    }

    fn push(&mut self, level: u8, kind: &str, label: String, shape: Vec<usize>, params: usize, macs: u64) -> usize {
        self.rows.push(LayerShape {
            level,
            kind: kind.into(),
            label,
            shape,
            projection: false,
            shortcut: false,
            kernel: None,
            stride: None,
            params,
            macs,
        });
        self.rows.len() - 1
    }

    /// Sets the last row's kernel and stride.
    fn window(&mut self, kernel: Option<usize>, stride: usize) {
        let row = self.rows.last_mut().expect("a row was pushed");
        (row.kernel, row.stride) = (kernel, Some(stride));
    }

    /// A conv with bias, `io` = (in, out) channels, `ksp` = (kernel, stride, padding), at level
    /// `level`; returns the output side.
    fn conv(
        &mut self,
        level: u8,
        label: String,
        io: (usize, usize),
        side: usize,
        ksp: (usize, usize, usize),
    ) -> Result<usize, ConfigError> {
        let ((i, o), (k, s, p)) = (io, ksp);
        let out = out_size(side, k, s, p).filter(|&n| n > 0).ok_or_else(|| self.too_small(&label))?;
        self.push(
            level,
            "Conv2d",
            label,
            vec![1, o, out, out],
            o * i * k * k + o,
            (out * out) as u64 * (o * i * k * k) as u64,
        );
        self.window(Some(k), s);
        Ok(out)
    }

    fn batch_norm(&mut self, level: u8, label: String, c: usize, side: usize) {
        self.push(level, "BatchNorm2d", label, vec![1, c, side, side], 2 * c, 0);
    }

    /// Sums the rows after `parent` into it (its children).
    fn close(&mut self, parent: usize) {
        let (params, macs) = self.rows[parent + 1..]
            .iter()
            .filter(|r| r.level == self.rows[parent].level + 1)
            .fold((0, 0), |(p, m), r| (p + r.params, m + r.macs));
        self.rows[parent].params = params;
        self.rows[parent].macs = macs;
    }
}

fn table(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    let mut t = Table { config: c, rows: Vec::new() };
    let (s, w0) = (&c.stem, c.widths[0]);

    let b1 = t.push(0, "Sequential", "b1".into(), vec![], 0, 0);
    let mut side = t.conv(1, "b1.conv".into(), (c.in_channels, w0), c.input_size, (s.kernel, s.stride, s.padding))?;
    t.batch_norm(1, "b1.bn".into(), w0, side);
    t.push(1, "ReLU", "b1.relu".into(), vec![1, w0, side, side], 0, 0);
    side = out_size(side, s.pool_kernel, s.pool_stride, s.pool_padding)
        .filter(|&n| n > 0)
        .ok_or_else(|| t.too_small("b1.pool"))?;
    t.push(1, "MaxPool2d", "b1.pool".into(), vec![1, w0, side, side], 0, 0);
    t.window(Some(s.pool_kernel), s.pool_stride);
    t.rows[b1].shape = vec![1, w0, side, side];
    t.close(b1);

    let mut channels = w0;
    for (i, &width) in c.widths.iter().enumerate() {
        let stage_label = format!("b{}", i + 2);
        let stage = t.push(0, "Sequential", stage_label.clone(), vec![], 0, 0);
        for (j, b) in c.stage_blocks(i, channels).iter().enumerate() {
            let label = format!("{stage_label}.{j}");
            let block = t.push(1, "Residual", label.clone(), vec![], 0, 0);
            let block_in = side;
            side = t.conv(2, format!("{label}.conv1"), (b.in_channels, width), block_in, (3, b.stride, 1))?;
            t.batch_norm(2, format!("{label}.bn1"), width, side);
            t.conv(2, format!("{label}.conv2"), (width, width), side, (3, 1, 1))?;
            t.batch_norm(2, format!("{label}.bn2"), width, side);
            if b.use_1x1conv {
                t.conv(2, format!("{label}.conv3"), (b.in_channels, width), block_in, (1, b.stride, 0))?;
            }
            t.rows[block].shape = vec![1, width, side, side];
            t.rows[block].projection = b.use_1x1conv;
            t.rows[block].shortcut = b.shortcut;
            t.rows[block].stride = Some(b.stride);
            t.close(block);
        }
        t.rows[stage].shape = vec![1, width, side, side];
        t.close(stage);
        channels = width;
    }
    t.push(0, "AdaptiveAvgPool2d", "pool".into(), vec![1, channels, 1, 1], 0, 0);
    t.push(0, "Flatten", "flatten".into(), vec![1, channels], 0, 0);
    t.push(
        0,
        "Linear",
        "fc".into(),
        vec![1, c.classes],
        channels * c.classes + c.classes,
        (channels * c.classes) as u64,
    );
    Ok(t.rows)
}

pub(super) fn check_sizes(c: &ResNetConfig) -> Result<(), ConfigError> {
    table(c).map(|_| ())
}

/// Every layer: stages, their blocks, and the layers inside (see [`LayerShape::level`]).
pub fn infer_shapes(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    c.validate()?;
    table(c)
}

/// Only d2l's top-level layers: what `for layer in net: print(...)` shows.
pub fn infer_top_level_shapes(c: &ResNetConfig) -> Result<Vec<LayerShape>, ConfigError> {
    Ok(infer_shapes(c)?.into_iter().filter(|r| r.level == 0).collect())
}

/// Total parameters and MACs of the network (the sum of the top-level rows).
pub fn totals(rows: &[LayerShape]) -> (usize, u64) {
    rows.iter().filter(|r| r.level == 0).fold((0, 0), |(p, m), r| (p + r.params, m + r.macs))
}

/// The largest single tensor a training batch of `batch` images creates (f32 bytes), and the
/// layer that produces it. A GPU refuses a buffer above its per-buffer limit, so callers check
/// this before anything is allocated.
pub fn largest_activation(c: &ResNetConfig, batch: usize) -> Result<(u64, String), ConfigError> {
    let input = (c.in_channels * c.input_size * c.input_size, "the input images".to_string());
    let per_image = infer_shapes(c)?
        .into_iter()
        .map(|r| (r.shape.iter().product::<usize>(), r.label))
        .fold(input, |best, row| if row.0 > best.0 { row } else { best });
    Ok((per_image.0 as u64 * batch as u64 * 4, per_image.1))
}

/// Refuses a batch whose largest activation exceeds `max_buffer_bytes`, naming the limit and the
/// largest batch that fits.
pub fn check_batch_fits(c: &ResNetConfig, batch: usize, max_buffer_bytes: u64) -> Result<(), String> {
    let (bytes, layer) = largest_activation(c, batch).map_err(|e| e.to_string())?;
    if bytes <= max_buffer_bytes {
        return Ok(());
    }
    let per_image = bytes / batch as u64;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    Err(format!(
        "a batch of {batch} at {side}x{side} needs a {need:.0} MiB buffer for the output of {layer}, more than this GPU's \
         per-buffer limit of {limit:.0} MiB: the largest batch that fits is {fits}",
        side = c.input_size,
        need = mib(bytes),
        limit = mib(max_buffer_bytes),
        fits = max_buffer_bytes / per_image,
    ))
}
