//! BatchNorm in training mode on the CPU, NCHW: the batch statistics in two passes over the
//! input, the output in one; the backward in two (per-channel sums, then the input gradient).
//!
//! Why not burn's: its default `batch_norm_train` (which burn's CPU backend keeps) builds the
//! statistics and both directions out of about ten whole-tensor ops, two of them transposing
//! copies, each allocating its result.

use crate::model::parallel;

/// [batch, channels, pixels per channel and image].
#[derive(Clone, Copy, Debug)]
pub struct Dims {
    pub batch: usize,
    pub channels: usize,
    pub pixels: usize,
}

impl Dims {
    /// Values per channel: batch x pixels.
    fn samples(&self) -> f64 {
        (self.batch * self.pixels) as f64
    }
}

/// The normalised output and the batch's mean and biased variance per channel.
pub struct Forward {
    pub output: Vec<f32>,
    pub mean: Vec<f32>,
    pub variance: Vec<f32>,
}

/// Gradients of the input, gamma and beta.
pub struct Backward {
    pub x: Vec<f32>,
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

/// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, statistics over batch and pixels.
pub fn forward(d: Dims, x: &[f32], gamma: &[f32], beta: &[f32], epsilon: f64) -> Forward {
    let stats = per_channel(d, |c| {
        let mean = planes(d, x, c).map(|p| p.iter().map(|&v| v as f64).sum::<f64>()).sum::<f64>() / d.samples();
        let squares = planes(d, x, c).map(|p| p.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>()).sum::<f64>();
        let variance = squares / d.samples();
        (mean, variance, gamma[c] as f64 / (variance + epsilon).sqrt())
    });
    let output = affine(d, x, None, |c| [0.0, stats[c].2 as f32, stats[c].0 as f32, beta[c]]);
    Forward {
        output,
        mean: stats.iter().map(|s| s.0 as f32).collect(),
        variance: stats.iter().map(|s| s.1 as f32).collect(),
    }
}

/// The gradients from the output gradient `dy`, with the forward's `mean` and `variance`:
/// dx = gamma / std * (dy - mean(dy) - x_hat * mean(dy * x_hat)), dgamma = sum(dy * x_hat),
/// dbeta = sum(dy), where x_hat is the normalised input.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    d: Dims,
    x: &[f32],
    gamma: &[f32],
    mean: &[f32],
    variance: &[f32],
    epsilon: f64,
    dy: &[f32],
) -> Backward {
    let sums = per_channel(d, |c| {
        let (m, inv_std) = (mean[c] as f64, 1.0 / (variance[c] as f64 + epsilon).sqrt());
        let (mut sum_dy, mut sum_dy_xhat) = (0.0f64, 0.0f64);
        for (xp, dp) in planes(d, x, c).zip(planes(d, dy, c)) {
            for (&xv, &g) in xp.iter().zip(dp) {
                sum_dy += g as f64;
                sum_dy_xhat += g as f64 * (xv as f64 - m) * inv_std;
            }
        }
        (sum_dy, sum_dy_xhat, inv_std)
    });
    // dx = a * dy + b * (x - mean) + c per channel (the expression above, expanded).
    let dx = affine(d, x, Some(dy), |c| {
        let (sum_dy, sum_dy_xhat, inv_std) = sums[c];
        let k = gamma[c] as f64 * inv_std;
        let (mean_dy, mean_dy_xhat) = (sum_dy / d.samples(), sum_dy_xhat / d.samples());
        [k as f32, (-k * inv_std * mean_dy_xhat) as f32, mean[c], (-k * mean_dy) as f32]
    });
    Backward {
        x: dx,
        gamma: sums.iter().map(|s| s.1 as f32).collect(),
        beta: sums.iter().map(|s| s.0 as f32).collect(),
    }
}

/// `f(channel)` for every channel, in parallel.
fn per_channel<T: Send>(d: Dims, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    parallel::map_chunks(&mut [], 0, d.channels, |c, _| f(c))
}

/// Channel `c`'s plane of every image of `t`.
fn planes(d: Dims, t: &[f32], c: usize) -> impl Iterator<Item = &[f32]> {
    (0..d.batch).map(move |n| &t[(n * d.channels + c) * d.pixels..][..d.pixels])
}

/// out = a * dy + b * (x - m) + c with `[a, b, m, c] = coefficients(channel)` (the forward has
/// no dy), over chunks of images in parallel. x - m first: x * b - m * b would cancel where the
/// mean is large against the spread.
fn affine(d: Dims, x: &[f32], dy: Option<&[f32]>, coefficients: impl Fn(usize) -> [f32; 4] + Sync + Send) -> Vec<f32> {
    let coefficients: Vec<[f32; 4]> = (0..d.channels).map(coefficients).collect();
    let image = d.channels * d.pixels;
    let mut out = vec![0.0; d.batch * image];
    let per_chunk = d.batch.div_ceil(2 * parallel::threads()).max(1);
    parallel::for_each_chunk(&mut out, per_chunk * image, |i, chunk| {
        let start = i * per_chunk * image;
        for (j, plane) in chunk.chunks_exact_mut(d.pixels).enumerate() {
            let [a, b, m, c] = coefficients[j % d.channels];
            let at = start + j * d.pixels;
            let xs = &x[at..][..d.pixels];
            match dy {
                Some(dy) => {
                    let gs = &dy[at..][..d.pixels];
                    plane.iter_mut().zip(xs.iter().zip(gs)).for_each(|(o, (&xv, &g))| *o = a * g + b * (xv - m) + c);
                }
                None => plane.iter_mut().zip(xs).for_each(|(o, &xv)| *o = b * (xv - m) + c),
            }
        }
    });
    out
}
