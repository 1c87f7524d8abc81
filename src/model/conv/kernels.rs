//! A 2-D convolution and its gradients on the CPU, NCHW in and out, as im2col plus one gemm per
//! chunk of images.
//!
//! Why not burn flex's own op: flex converts every input to NHWC and every weight to OHWI before
//! its forward gemm, computes the input gradient as a transposed convolution (one gemm per image
//! and scalar col2im loops) and the weight gradient as a convolution over swapped axes (one gemm
//! per input channel, N = 9). Here the three products read NCHW and OIHW as they are: the weight
//! is already the [out channels, in channels x kh x kw] matrix, and im2col's rows (channel, kernel
//! row, kernel column) match it. A chunk of images makes one product whose N dimension is
//! images x output pixels, which keeps gemm efficient at ResNet's 7x7..1x1 stages.

use super::geometry::Geometry;
use crate::model::parallel;
use std::borrow::Cow;
use std::ops::Range;

/// Column matrices kept from the forward pass for the weight gradient, at most this many floats
/// per convolution (64 MiB; the fast preset's largest is 0.6 M): above it, the backward pass
/// builds them again rather than hold that much memory for the whole step.
const KEEP_COLUMNS_FLOATS: usize = 16 << 20;

/// The forward pass's column matrices, one per chunk of images, for [`backward`].
pub struct Columns(Vec<Vec<f32>>);

impl std::fmt::Debug for Columns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Columns({} chunks)", self.0.len())
    }
}

/// The output of [`backward`]: gradients for the input, weight and bias, each when asked for.
pub struct Gradients {
    pub x: Option<Vec<f32>>,
    pub weight: Option<Vec<f32>>,
    pub bias: Option<Vec<f32>>,
}

/// y = conv(x, weight) + bias, with `x`, `weight` and `bias` contiguous NCHW / OIHW / O. With
/// `keep`, also the column matrices (when they fit [`KEEP_COLUMNS_FLOATS`]), which spare the
/// backward pass a second im2col.
pub fn forward(g: &Geometry, x: &[f32], weight: &[f32], bias: &[f32], keep: bool) -> (Vec<f32>, Option<Columns>) {
    let keep = keep && g.col_rows() * g.batch * g.out_pixels() <= KEEP_COLUMNS_FLOATS;
    let per_chunk = g.images_per_chunk(parallel::threads());
    let chunks = g.chunks(per_chunk);
    let out_image = g.out_channels * g.out_pixels();
    let mut y = vec![0.0; g.batch * out_image];
    let sources = g.source_pixels();
    let cols = parallel::for_each_chunk_map(&mut y, per_chunk * out_image, |i, y_chunk| {
        let images = chunks[i].clone();
        let cols = images.len() * g.out_pixels();
        let col = im2col(g, &sources, x, images.clone());
        // product[Cout, cols] = weight[Cout, K] . col[K, cols]
        let mut product = vec![0.0; g.out_channels * cols];
        let k = g.col_rows();
        gemm(g.out_channels, cols, k, &mut product, cols, false, (weight, k, 1), (&col, cols, 1));
        scatter_add_bias(g, &product, bias, images.len(), y_chunk);
        keep.then_some(col)
    });
    (y, keep.then(|| Columns(cols.into_iter().flatten().collect())))
}

/// Gradients of the loss with respect to the input, weight and bias, from the gradient `dy` of
/// the output. The input gradient is W^T . dy then col2im; the weight gradient is dy . col^T
/// summed over chunks; the bias gradient is dy summed over images and pixels.
/// `kept`: the forward pass's column matrices, if it kept them.
pub fn backward(
    g: &Geometry,
    x: &[f32],
    weight: &[f32],
    dy: &[f32],
    want: [bool; 3],
    kept: Option<&Columns>,
) -> Gradients {
    let [want_x, want_w, want_b] = want;
    let per_chunk = g.images_per_chunk(parallel::threads());
    let chunks = g.chunks(per_chunk);
    let in_image = g.in_channels * g.in_pixels();
    let k = g.col_rows();
    let mut dx = if want_x { vec![0.0; g.batch * in_image] } else { Vec::new() };
    let chunk_len = if want_x { per_chunk * in_image } else { 0 };
    let sources = g.source_pixels();
    // Each chunk returns its share of the weight and bias gradients; they are summed after.
    let partials = parallel::map_chunks(&mut dx, chunk_len, chunks.len(), |i, dx_chunk| {
        let images = chunks[i].clone();
        let cols = images.len() * g.out_pixels();
        let dy_cols = gather(g, dy, images.clone());
        if want_x {
            // dcol[K, cols] = weight^T[K, Cout] . dy[Cout, cols]
            let mut dcol = vec![0.0; k * cols];
            gemm(k, cols, g.out_channels, &mut dcol, cols, false, (weight, 1, k), (&dy_cols, cols, 1));
            col2im(g, &sources, &dcol, images.len(), dx_chunk);
        }
        let dw = want_w.then(|| {
            // dw[Cout, K] = dy[Cout, cols] . col^T[cols, K]
            let col = match kept {
                Some(Columns(cols)) => Cow::Borrowed(&cols[i]),
                None => Cow::Owned(im2col(g, &sources, x, images.clone())),
            };
            let mut dw = vec![0.0; g.out_channels * k];
            gemm(g.out_channels, k, cols, &mut dw, k, false, (&dy_cols, cols, 1), (&col, 1, cols));
            dw
        });
        let db = want_b.then(|| dy_cols.chunks_exact(cols).map(|row| row.iter().sum::<f32>()).collect::<Vec<_>>());
        (dw, db)
    });
    let (dws, dbs): (Vec<_>, Vec<_>) = partials.into_iter().unzip();
    Gradients { x: want_x.then_some(dx), weight: sum_all(dws), bias: sum_all(dbs) }
}

fn sum_all(parts: Vec<Option<Vec<f32>>>) -> Option<Vec<f32>> {
    parts.into_iter().flatten().reduce(|mut acc, part| {
        acc.iter_mut().zip(&part).for_each(|(a, p)| *a += p);
        acc
    })
}

/// The column matrix [K, images x out pixels] of the given images: row (c, ki, kj), column
/// (image, oh, ow) holds x[image, c, oh*sh + ki - ph, ow*sw + kj - pw], or 0 in the padding.
/// `sources` is [`Geometry::source_pixels`]: one gather per row and image, no bounds arithmetic.
fn im2col(g: &Geometry, sources: &[usize], x: &[f32], images: Range<usize>) -> Vec<f32> {
    let (pixels, kernel_positions) = (g.out_pixels(), g.kernel[0] * g.kernel[1]);
    let mut col = vec![0.0; g.col_rows() * images.len() * pixels];
    for (row, dst_row) in col.chunks_exact_mut(images.len() * pixels).enumerate() {
        let (channel, kernel_pos) = (row / kernel_positions, row % kernel_positions);
        let map = &sources[kernel_pos * pixels..][..pixels];
        for (image, dst) in images.clone().zip(dst_row.chunks_exact_mut(pixels)) {
            let src = &x[(image * g.in_channels + channel) * g.in_pixels()..][..g.in_pixels()];
            dst.iter_mut().zip(map).for_each(|(d, &i)| *d = src.get(i).copied().unwrap_or(0.0));
        }
    }
    col
}

/// The adjoint of [`im2col`]: adds each column entry back into the input pixel it was read
/// from, into `dx` (the chunk's images, zeroed by the caller).
fn col2im(g: &Geometry, sources: &[usize], dcol: &[f32], images: usize, dx: &mut [f32]) {
    let (pixels, kernel_positions) = (g.out_pixels(), g.kernel[0] * g.kernel[1]);
    let cols = images * pixels;
    for (plane, dx_plane) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
        let (image, channel) = (plane / g.in_channels, plane % g.in_channels);
        for kernel_pos in 0..kernel_positions {
            let row = channel * kernel_positions + kernel_pos;
            let src = &dcol[row * cols + image * pixels..][..pixels];
            let map = &sources[kernel_pos * pixels..][..pixels];
            for (s, &i) in src.iter().zip(map) {
                if let Some(d) = dx_plane.get_mut(i) {
                    *d += s;
                }
            }
        }
    }
}

/// product[Cout, images x pixels] -> y[image, Cout, pixels] + bias.
fn scatter_add_bias(g: &Geometry, product: &[f32], bias: &[f32], images: usize, y: &mut [f32]) {
    let pixels = g.out_pixels();
    let cols = images * pixels;
    for (i, y_image) in y.chunks_exact_mut(g.out_channels * pixels).enumerate() {
        for (c, y_plane) in y_image.chunks_exact_mut(pixels).enumerate() {
            let src = &product[c * cols + i * pixels..][..pixels];
            y_plane.iter_mut().zip(src).for_each(|(y, p)| *y = p + bias[c]);
        }
    }
}

/// dy[image, Cout, pixels] of the given images -> [Cout, images x pixels], the layout of a product.
fn gather(g: &Geometry, dy: &[f32], images: Range<usize>) -> Vec<f32> {
    let pixels = g.out_pixels();
    let cols = images.len() * pixels;
    let mut out = vec![0.0; g.out_channels * cols];
    for (i, image) in images.enumerate() {
        for c in 0..g.out_channels {
            let src = &dy[(image * g.out_channels + c) * pixels..][..pixels];
            out[c * cols + i * pixels..][..pixels].copy_from_slice(src);
        }
    }
    out
}

/// dst[m, n] = lhs[m, k] . rhs[k, n]; `dst` is row-major with row stride `dst_rs`, and each
/// operand is given as (data, row stride, column stride), so a transpose is only a swap of
/// strides. Single-threaded: the chunks are the parallelism.
#[allow(clippy::too_many_arguments)]
fn gemm(
    m: usize,
    n: usize,
    k: usize,
    dst: &mut [f32],
    dst_rs: usize,
    accumulate: bool,
    lhs: (&[f32], usize, usize),
    rhs: (&[f32], usize, usize),
) {
    let extent = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs + 1;
    assert!(m > 0 && n > 0 && k > 0, "empty product");
    assert!(dst.len() >= extent(m, n, dst_rs, 1));
    assert!(lhs.0.len() >= extent(m, k, lhs.1, lhs.2));
    assert!(rhs.0.len() >= extent(k, n, rhs.1, rhs.2));
    // SAFETY: the asserts above keep every index the strides reach inside its slice, and `dst`
    // does not alias the operands (it is a distinct &mut borrow).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            dst_rs as isize,
            accumulate,
            lhs.0.as_ptr(),
            lhs.2 as isize,
            lhs.1 as isize,
            rhs.0.as_ptr(),
            rhs.2 as isize,
            rhs.1 as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}
