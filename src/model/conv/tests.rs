//! The kernels against the convolution's definition written as plain loops.

use super::geometry::Geometry;
use super::kernels;

/// A deterministic pseudo-random fill in [-1, 1).
fn fill(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Calls `f(n, co, oh, ow, ci, ki, kj, x index, w index)` for every term of the convolution sum
/// that reads inside the image.
fn each_term(g: &Geometry, mut f: impl FnMut([usize; 4], usize, usize)) {
    let [kh, kw] = g.kernel;
    for n in 0..g.batch {
        for co in 0..g.out_channels {
            for oh in 0..g.out_size[0] {
                for ow in 0..g.out_size[1] {
                    for ci in 0..g.in_channels {
                        for ki in 0..kh {
                            for kj in 0..kw {
                                let ih =
                                    (oh * g.stride[0] + ki).checked_sub(g.padding[0]).filter(|&i| i < g.in_size[0]);
                                let iw =
                                    (ow * g.stride[1] + kj).checked_sub(g.padding[1]).filter(|&i| i < g.in_size[1]);
                                let (Some(ih), Some(iw)) = (ih, iw) else { continue };
                                let xi = ((n * g.in_channels + ci) * g.in_size[0] + ih) * g.in_size[1] + iw;
                                let wi = ((co * g.in_channels + ci) * kh + ki) * kw + kj;
                                f([n, co, oh, ow], xi, wi);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn out_index(g: &Geometry, [n, co, oh, ow]: [usize; 4]) -> usize {
    ((n * g.out_channels + co) * g.out_size[0] + oh) * g.out_size[1] + ow
}

fn close(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= 1e-4 * (1.0 + b.abs()), "{what}[{i}]: {a} vs {b}");
    }
}

#[test]
fn forward_and_gradients_match_the_definition() {
    // (x shape, weight shape, stride, padding): 1x1, 3x3, 7x7 kernels, strides 1 and 2,
    // padding 0/1/3, odd sizes, one image and several chunks.
    let cases = [
        ([2, 3, 7, 5], [4, 3, 3, 3], [1, 1], [1, 1]),
        ([3, 2, 9, 9], [5, 2, 3, 3], [2, 2], [1, 1]),
        ([1, 1, 28, 28], [4, 1, 7, 7], [2, 2], [3, 3]),
        ([5, 6, 4, 4], [3, 6, 1, 1], [2, 2], [0, 0]),
        ([2, 4, 1, 1], [2, 4, 3, 3], [1, 1], [1, 1]),
        ([2, 3, 6, 8], [2, 3, 3, 2], [1, 2], [0, 1]),
        ([9, 2, 3, 3], [3, 2, 3, 3], [3, 3], [0, 0]),
        ([2, 3, 2, 2], [2, 3, 1, 1], [1, 1], [2, 2]), // outputs that read only padding: the bias
        ([64, 8, 2, 2], [16, 8, 3, 3], [1, 1], [1, 1]), // a 2x2 plane: four corner classes
        ([3, 4, 12, 11], [5, 4, 3, 3], [1, 1], [1, 1]), // padded beforehand (large plane)
        ([2, 3, 16, 16], [4, 3, 3, 3], [2, 2], [1, 1]), // padded beforehand, stride 2
        ([2, 3, 26, 17], [3, 3, 3, 5], [1, 2], [2, 1]), // padded, row by row: unequal strides
    ];
    for (i, (xs, ws, stride, padding)) in cases.into_iter().enumerate() {
        let g = Geometry::new(xs, ws, stride, padding).unwrap();
        let x = fill(xs.iter().product(), i as u64);
        let w = fill(ws.iter().product(), 100 + i as u64);
        let bias = fill(ws[0], 200 + i as u64);
        let dy = fill(g.out_shape().iter().product(), 300 + i as u64);

        let mut y = vec![0.0; dy.len()];
        for (o, yo) in y.iter_mut().enumerate() {
            *yo = bias[o / g.out_pixels() % g.out_channels];
        }
        let (mut dx, mut dw) = (vec![0.0; x.len()], vec![0.0; w.len()]);
        let mut db = vec![0.0; bias.len()];
        for (o, d) in dy.iter().enumerate() {
            db[o / g.out_pixels() % g.out_channels] += d;
        }
        each_term(&g, |pos, xi, wi| {
            let o = out_index(&g, pos);
            y[o] += x[xi] * w[wi];
            dx[xi] += dy[o] * w[wi];
            dw[wi] += dy[o] * x[xi];
        });

        let (got, kept) = kernels::forward(&g, &x, &w, &bias, true);
        close(&got, &y, &format!("case {i} y"));
        assert!(kernels::forward(&g, &x, &w, &bias, false).1.is_none());
        let grads = kernels::backward(&g, &x, &w, &dy, [true, true, true], None);
        close(&grads.x.unwrap(), &dx, &format!("case {i} dx"));
        close(&grads.weight.unwrap(), &dw, &format!("case {i} dw"));
        close(&grads.bias.unwrap(), &db, &format!("case {i} db"));
        let only_w = kernels::backward(&g, &x, &w, &dy, [false, true, false], None);
        assert!(only_w.x.is_none() && only_w.bias.is_none());
        close(&only_w.weight.unwrap(), &dw, &format!("case {i} dw alone"));
        let from_kept = kernels::backward(&g, &x, &w, &dy, [false, true, false], kept.as_ref());
        close(&from_kept.weight.unwrap(), &dw, &format!("case {i} dw from the kept columns"));
    }
}

#[test]
fn the_unequal_stride_case_runs_row_by_row() {
    // The case above must reach the padded class's row-by-row moves (out width >= 8, one class).
    let g = Geometry::new([2, 3, 26, 17], [3, 3, 3, 5], [1, 2], [2, 1]).unwrap();
    assert_eq!(g.out_size, [28, 8]);
    let classes = g.product_classes();
    assert!(classes.len() == 1 && classes[0].padded);
}
