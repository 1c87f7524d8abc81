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

/// y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, statistics over batch and pixels;
/// with `relu`, max(y, 0) in the same pass (a whole-tensor pass and allocation fewer than a
/// separate ReLU).
pub fn forward(d: Dims, x: &[f32], gamma: &[f32], beta: &[f32], epsilon: f64, relu: bool) -> Forward {
    let stats = per_channel(d, |c| {
        let mean = planes(d, x, c).map(|p| lane_sum(p, p, |v, _| v)).sum::<f64>() / d.samples();
        let squares = planes(d, x, c).map(|p| lane_sum(p, p, |v, _| (v - mean).powi(2))).sum::<f64>();
        let variance = squares / d.samples();
        (mean, variance, gamma[c] as f64 / (variance + epsilon).sqrt())
    });
    let mut output = affine(d, x, None, |c| [0.0, stats[c].2 as f32, stats[c].0 as f32, beta[c]]);
    if relu {
        // A comparison, not f32::max: in wasm that is a call to libm's fmaxf per value (4 % of
        // a step). NaN becomes 0 either way.
        output.iter_mut().for_each(|y| *y = if *y > 0.0 { *y } else { 0.0 });
    }
    Forward {
        output,
        mean: stats.iter().map(|s| s.0 as f32).collect(),
        variance: stats.iter().map(|s| s.1 as f32).collect(),
    }
}

/// The gradients from the output gradient `dy`, with the forward's `mean` and `variance`:
/// dx = gamma / std * (dy - mean(dy) - x_hat * mean(dy * x_hat)), dgamma = sum(dy * x_hat),
/// dbeta = sum(dy), where x_hat is the normalised input. `relu_output`: the forward's output when
/// it applied ReLU, whose gradient (dy where the output is positive, else 0) comes first.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    d: Dims,
    x: &[f32],
    gamma: &[f32],
    mean: &[f32],
    variance: &[f32],
    epsilon: f64,
    dy: &[f32],
    relu_output: Option<&[f32]>,
) -> Backward {
    let masked: Vec<f32>;
    let dy = match relu_output {
        Some(y) => {
            masked = dy.iter().zip(y).map(|(&g, &y)| if y > 0.0 { g } else { 0.0 }).collect();
            &masked
        }
        None => dy,
    };
    let sums = per_channel(d, |c| {
        let (m, inv_std) = (mean[c] as f64, 1.0 / (variance[c] as f64 + epsilon).sqrt());
        let (mut sum_dy, mut sum_dy_xc) = (0.0f64, 0.0f64);
        for (xp, dp) in planes(d, x, c).zip(planes(d, dy, c)) {
            sum_dy += lane_sum(dp, dp, |g, _| g);
            sum_dy_xc += lane_sum(xp, dp, |xv, g| g * (xv - m));
        }
        (sum_dy, sum_dy_xc * inv_std, inv_std)
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

/// The sum of `term(a[i], b[i])` in f64 over two slices of one length, in 8 independent lanes
/// that the compiler vectorises: one running sum waits on every add (the statistics' sums were
/// a tenth of a training step that way).
fn lane_sum(a: &[f32], b: &[f32], term: impl Fn(f64, f64) -> f64) -> f64 {
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = a8.remainder().iter().zip(b8.remainder()).map(|(&u, &v)| term(u as f64, v as f64)).sum();
    let mut lanes = [0.0f64; 8];
    for (u, v) in a8.zip(b8) {
        for l in 0..8 {
            lanes[l] += term(u[l] as f64, v[l] as f64);
        }
    }
    lanes.iter().sum::<f64>() + tail
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
