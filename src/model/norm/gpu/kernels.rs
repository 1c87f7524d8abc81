//! BatchNorm's training kernels in CubeCL over NCHW f32, four dispatches a layer and step: the
//! batch's statistics, the normalisation (with the ReLU after it), the two per-channel sums of
//! the backward pass, and the input's gradient. burn's own composition takes about twenty
//! (layout copies to put channels first, a reduction per sum, element-wise kernels between).
//!
//! `stats` is `[2, channels]`: the mean, then the biased variance. `sums` is `[2, channels]`:
//! `Σ dy'` (beta's gradient) and `Σ dy'·x̂` (gamma's), where `dy' = dy` masked by the ReLU.

use cubecl::prelude::*;

use crate::model::cube::batch_range;

/// One invocation per channel and slice of the batch (so that a layer of few channels still
/// runs on every core): the sum and sum of squares of its values, around the channel's first
/// value to keep the variance's cancellation small. `partial` is `[slices, 3, channels]`:
/// shift, sum, sum of squares.
#[cube(launch_unchecked)]
pub fn stats_partial_kernel(x: &Tensor<f32>, partial: &mut Tensor<f32>) {
    let (batch, channels) = (x.shape(0), x.shape(1));
    let slices = partial.shape(0);
    let pixels = x.shape(2) * x.shape(3);
    if ABSOLUTE_POS >= channels * slices {
        terminate!();
    }
    let c = ABSOLUTE_POS % channels;
    let slice = ABSOLUTE_POS / channels;
    let (first, end) = batch_range(slice, slices, batch);
    let shift = x[c * pixels];
    let mut sum = 0.0f32;
    let mut squares = 0.0f32;
    for n in first..end {
        let base = (n * channels + c) * pixels;
        for p in 0..pixels {
            let v = x[base + p] - shift;
            sum += v;
            squares += v * v;
        }
    }
    let at = slice * 3 * channels + c;
    partial[at] = shift;
    partial[at + channels] = sum;
    partial[at + 2 * channels] = squares;
}

/// Combines the slices' partial sums into `stats`. One invocation per channel.
#[cube(launch_unchecked)]
pub fn stats_combine_kernel(partial: &Tensor<f32>, stats: &mut Tensor<f32>, count: u32) {
    let channels = stats.shape(1);
    let slices = partial.shape(0);
    if ABSOLUTE_POS >= channels {
        terminate!();
    }
    let c = ABSOLUTE_POS;
    let shift = partial[c];
    let mut sum = 0.0f32;
    let mut squares = 0.0f32;
    for s in 0..slices {
        sum += partial[s * 3 * channels + channels + c];
        squares += partial[s * 3 * channels + 2 * channels + c];
    }
    let n = f32::cast_from(count);
    let mean = sum / n;
    stats[c] = shift + mean;
    stats[channels + c] = f32::max(squares / n - mean * mean, 0.0);
}

/// `y = (x - mean) / sqrt(var + eps) · gamma + beta`, then ReLU with `relu`. One invocation
/// per value.
#[cube(launch_unchecked)]
pub fn normalize_kernel(
    x: &Tensor<f32>,
    stats: &Tensor<f32>,
    gamma: &Tensor<f32>,
    beta: &Tensor<f32>,
    y: &mut Tensor<f32>,
    epsilon: f32,
    #[comptime] relu: bool,
) {
    if ABSOLUTE_POS >= y.len() {
        terminate!();
    }
    let channels = x.shape(1);
    let c = (ABSOLUTE_POS / (x.shape(2) * x.shape(3))) % channels;
    let scale = gamma[c] / f32::sqrt(stats[channels + c] + epsilon);
    let v = (x[ABSOLUTE_POS] - stats[c]) * scale + beta[c];
    if relu {
        y[ABSOLUTE_POS] = f32::max(v, 0.0);
    } else {
        y[ABSOLUTE_POS] = v;
    }
}

/// The backward pass's per-channel sums (see the module's note) over one slice of the batch,
/// one invocation per channel and slice; `partial` is `[slices, 2, channels]`. With `relu`, `y`
/// is the forward output: where it is zero the gradient stops.
#[cube(launch_unchecked)]
pub fn grad_sums_kernel(
    x: &Tensor<f32>,
    stats: &Tensor<f32>,
    dy: &Tensor<f32>,
    y: &Tensor<f32>,
    partial: &mut Tensor<f32>,
    epsilon: f32,
    #[comptime] relu: bool,
) {
    let (batch, channels) = (x.shape(0), x.shape(1));
    let pixels = x.shape(2) * x.shape(3);
    let slices = partial.shape(0);
    if ABSOLUTE_POS >= channels * slices {
        terminate!();
    }
    let c = ABSOLUTE_POS % channels;
    let slice = ABSOLUTE_POS / channels;
    let (first, end) = batch_range(slice, slices, batch);
    let (mean, inv_std) = (stats[c], 1.0 / f32::sqrt(stats[channels + c] + epsilon));
    let mut sum = 0.0f32;
    let mut projected = 0.0f32;
    for n in first..end {
        let base = (n * channels + c) * pixels;
        for p in 0..pixels {
            let mut g = dy[base + p];
            if relu && y[base + p] <= 0.0 {
                g = 0.0;
            }
            sum += g;
            projected += g * (x[base + p] - mean) * inv_std;
        }
    }
    let at = slice * 2 * channels + c;
    partial[at] = sum;
    partial[at + channels] = projected;
}

/// `dx = gamma / σ · (dy' - Σdy'/m - x̂ · Σ(dy'·x̂)/m)`, one invocation per value.
#[cube(launch_unchecked)]
pub fn grad_input_kernel(
    x: &Tensor<f32>,
    stats: &Tensor<f32>,
    gamma: &Tensor<f32>,
    dy: &Tensor<f32>,
    y: &Tensor<f32>,
    sums: &Tensor<f32>,
    dx: &mut Tensor<f32>,
    epsilon: f32,
    #[comptime] relu: bool,
) {
    if ABSOLUTE_POS >= dx.len() {
        terminate!();
    }
    let channels = x.shape(1);
    let pixels = x.shape(2) * x.shape(3);
    let c = (ABSOLUTE_POS / pixels) % channels;
    let m = f32::cast_from(x.shape(0) * pixels);
    let inv_std = 1.0 / f32::sqrt(stats[channels + c] + epsilon);
    let x_hat = (x[ABSOLUTE_POS] - stats[c]) * inv_std;
    let mut g = dy[ABSOLUTE_POS];
    if relu && y[ABSOLUTE_POS] <= 0.0 {
        g = 0.0;
    }
    dx[ABSOLUTE_POS] = gamma[c] * inv_std * (g - sums[c] / m - x_hat * sums[channels + c] / m);
}
