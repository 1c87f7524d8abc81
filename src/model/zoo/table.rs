//! The zoo's layer table, computed from the specs alone (no weights, no forward pass): each
//! layer's output shape for one image, its parameters and multiply-accumulates. The same walk
//! resolves the lazy linear layers' input widths. Tests check it against a real forward pass.

use super::layers::Spec;
use crate::model::{ConfigError, LayerShape};

/// Output size of a conv or pool along one axis (PyTorch's floor formula).
fn out_size(size: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    (size + 2 * padding).checked_sub(kernel).map(|d| d / stride + 1).filter(|&n| n > 0)
}

pub(super) struct Table {
    pub rows: Vec<LayerShape>,
    input_size: usize,
}

impl Table {
    pub fn new(input_size: usize) -> Self {
        Self { rows: Vec::new(), input_size }
    }

    fn push(&mut self, level: u8, kind: &str, label: String, shape: Vec<usize>, params: usize, macs: u64) -> usize {
        let (projection, shortcut, kernel, stride) = (false, false, None, None);
        let row =
            LayerShape { level, kind: kind.into(), label, shape, projection, shortcut, kernel, stride, params, macs };
        self.rows.push(row);
        self.rows.len() - 1
    }

    /// Sets the last row's kernel and stride (convs and pooling windows).
    fn window(&mut self, kernel: usize, stride: usize) {
        let row = self.rows.last_mut().expect("a row was pushed");
        (row.kernel, row.stride) = (Some(kernel), Some(stride));
    }

    /// Fills a parent row opened by `push`: its output shape and the sums of its children.
    fn close(&mut self, parent: usize, shape: Vec<usize>) {
        let level = self.rows[parent].level + 1;
        let (params, macs) = self.rows[parent + 1..]
            .iter()
            .filter(|r| r.level == level)
            .fold((0, 0), |(p, m), r| (p + r.params, m + r.macs));
        let row = &mut self.rows[parent];
        (row.shape, row.params, row.macs) = (shape, params, macs);
    }

    /// Adds the rows of `spec` (and of the layers inside it) given its input shape, and returns
    /// its output shape. A lazy linear layer gets its input width here.
    pub fn walk(
        &mut self,
        spec: &mut Spec,
        label: String,
        level: u8,
        input: &[usize],
    ) -> Result<Vec<usize>, ConfigError> {
        let kind = spec.kind(input.len());
        let too_small = || ConfigError::TooSmall { input: self.input_size, layer: format!("{label} ({kind})") };
        // [1, C, H, W] before the flatten; the zoo's maps are square.
        let map = || match *input {
            [_, c, h, _] => (c, h),
            _ => panic!("{label} ({kind}) needs feature maps, got {input:?}"),
        };
        let out = match spec {
            Spec::Conv { in_channels, out_channels, kernel, stride, padding } => {
                let (c, side) = map();
                assert_eq!(c, *in_channels, "{label}: {c} channels into a conv expecting {in_channels}");
                let (i, o, k) = (*in_channels, *out_channels, *kernel);
                let n = out_size(side, k, *stride, *padding).ok_or_else(too_small)?;
                self.push(
                    level,
                    kind,
                    label,
                    vec![1, o, n, n],
                    o * i * k * k + o,
                    (n * n) as u64 * (o * i * k * k) as u64,
                );
                self.window(k, *stride);
                return Ok(vec![1, o, n, n]);
            }
            Spec::BatchNorm { features, .. } => {
                assert_eq!(input[1], *features, "{label}: BatchNorm over {features} features got {input:?}");
                self.push(level, kind, label, input.to_vec(), 2 * *features, 0);
                return Ok(input.to_vec());
            }
            Spec::Linear { inputs, outputs } => {
                let [_, f] = *input else { panic!("{label} (Linear) needs flat features, got {input:?}") };
                if *inputs == 0 {
                    *inputs = f;
                }
                assert_eq!(*inputs, f, "{label}: {f} features into a linear layer expecting {inputs}");
                let (i, o) = (*inputs, *outputs);
                self.push(level, kind, label, vec![1, o], i * o + o, (i * o) as u64);
                return Ok(vec![1, o]);
            }
            Spec::Relu | Spec::Sigmoid | Spec::Dropout(_) => input.to_vec(),
            Spec::MaxPool { kernel, stride, padding } => {
                let (c, side) = map();
                let n = out_size(side, *kernel, *stride, *padding).ok_or_else(too_small)?;
                vec![1, c, n, n]
            }
            Spec::AvgPool { kernel, stride } => {
                let (c, side) = map();
                let n = out_size(side, *kernel, *stride, 0).ok_or_else(too_small)?;
                vec![1, c, n, n]
            }
            Spec::GlobalAvgPool => vec![1, map().0, 1, 1],
            Spec::Flatten => vec![1, input[1..].iter().product()],
            Spec::Sequential(layers) => {
                let at = self.push(level, kind, label.clone(), Vec::new(), 0, 0);
                let mut x = input.to_vec();
                for (i, layer) in layers.iter_mut().enumerate() {
                    x = self.walk(layer, format!("{label}.{i}"), level + 1, &x)?;
                }
                self.close(at, x.clone());
                return Ok(x);
            }
            Spec::Inception(paths) => {
                // Rows: the block, then each path ("Path", `<block>.p1`..) with its layers.
                let at = self.push(level, kind, label.clone(), Vec::new(), 0, 0);
                let mut channels = 0;
                let mut side = 0;
                for (p, path) in paths.iter_mut().enumerate() {
                    let path_label = format!("{label}.p{}", p + 1);
                    let path_at = self.push(level + 1, "Path", path_label.clone(), Vec::new(), 0, 0);
                    let mut x = input.to_vec();
                    for (i, layer) in path.iter_mut().enumerate() {
                        x = self.walk(layer, format!("{path_label}.{i}"), level + 2, &x)?;
                    }
                    assert!(p == 0 || x[2] == side, "{path_label}: the paths of an Inception block must keep one size");
                    (channels, side) = (channels + x[1], x[2]);
                    self.close(path_at, x);
                }
                let out = vec![1, channels, side, side];
                self.close(at, out.clone());
                return Ok(out);
            }
        };
        self.push(level, kind, label, out.clone(), 0, 0);
        match spec {
            Spec::MaxPool { kernel, stride, .. } | Spec::AvgPool { kernel, stride } => self.window(*kernel, *stride),
            _ => {}
        }
        Ok(out)
    }
}
