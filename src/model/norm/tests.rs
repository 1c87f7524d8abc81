//! The kernels against BatchNorm's definition, computed directly.

use super::kernels::{self, Dims};

#[test]
fn forward_normalises_each_channel_over_batch_and_pixels() {
    let d = Dims { batch: 3, channels: 2, pixels: 4 };
    let x: Vec<f32> = (0..24).map(|i| ((i * 7) % 11) as f32 - 3.0).collect();
    let (gamma, beta) = ([2.0, 0.5], [1.0, -1.0]);
    let r = kernels::forward(d, &x, &gamma, &beta, 1e-5, false);
    for c in 0..2 {
        let values: Vec<f32> = (0..3).flat_map(|n| x[(n * 2 + c) * 4..][..4].to_vec()).collect();
        let mean = values.iter().sum::<f32>() / 12.0;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 12.0;
        assert!((r.mean[c] - mean).abs() < 1e-5 && (r.variance[c] - var).abs() < 1e-4);
        for n in 0..3 {
            for p in 0..4 {
                let i = (n * 2 + c) * 4 + p;
                let want = (x[i] - mean) / (var + 1e-5).sqrt() * gamma[c] + beta[c];
                assert!((r.output[i] - want).abs() < 1e-4, "y[{i}] = {} not {want}", r.output[i]);
            }
        }
    }
}

#[test]
fn backward_gives_zero_input_gradient_for_a_constant_output_gradient() {
    // Adding a constant to dy shifts every output equally, which BatchNorm's mean removes: the
    // input gradient is unchanged, and dbeta counts the samples.
    let d = Dims { batch: 2, channels: 3, pixels: 5 };
    let x: Vec<f32> = (0..30).map(|i| ((i * 13) % 17) as f32 * 0.3).collect();
    let gamma = [1.5, -0.5, 1.0];
    let f = kernels::forward(d, &x, &gamma, &[0.0; 3], 1e-5, false);
    let dy = vec![1.0; 30];
    let b = kernels::backward(d, &x, &gamma, &f.mean, &f.variance, 1e-5, &dy, None);
    assert!(b.x.iter().all(|g| g.abs() < 1e-4), "{:?}", b.x);
    assert_eq!(b.beta, vec![10.0; 3]);
    assert!(b.gamma.iter().all(|g| g.abs() < 1e-4), "sum of x_hat is 0: {:?}", b.gamma);
}

#[test]
fn a_large_mean_against_a_small_spread_keeps_its_precision() {
    // Values around 1000 with a spread of about 0.01: scaling x and the mean separately would
    // lose most digits to cancellation in f32.
    let d = Dims { batch: 4, channels: 1, pixels: 8 };
    let x: Vec<f32> = (0..32).map(|i| 1000.0 + ((i * 7) % 5) as f32 * 0.005).collect();
    let r = kernels::forward(d, &x, &[1.0], &[0.0], 1e-5, false);
    let mean = x.iter().map(|&v| v as f64).sum::<f64>() / 32.0;
    let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / 32.0;
    for (y, &v) in r.output.iter().zip(&x) {
        let want = (v as f64 - mean) / (var + 1e-5).sqrt();
        assert!((*y as f64 - want).abs() < 2e-3, "{y} vs {want}");
    }
}
