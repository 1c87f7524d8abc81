//! The moves between NCHW tensors and a tap class's [rows, images x pixels] matrices: im2col and
//! its adjoint col2im, the product's scatter into the output, and dy gathered for the backward
//! products.
//!
//! The new matrices are built in their own order by `extend` (no zeroed buffer written a second
//! time), a channel's planes at a time: the images' planes of one input channel, reused by its
//! taps, are a cache-sized piece. The adds back into NCHW (col2im, scatter) run image by image,
//! so that each touches one image's planes at a time rather than striding across the whole chunk
//! for every row.

use super::geometry::Geometry;
use super::kernels::Prepared;
use std::ops::Range;

/// The class's column matrix [K, images x pixels] of a chunk's images `x`: row (c, ki, kj),
/// column (image, oh, ow) holds x[image, c, oh*sh + ki - ph, ow*sw + kj - pw] (0 in the padding).
pub fn im2col(g: &Geometry, p: &Prepared, x: &[f32], images: usize) -> Vec<f32> {
    let in_image = g.in_channels * g.in_pixels();
    let mut col = Vec::with_capacity(p.class.col_rows(g) * images * p.outputs.len());
    if p.class.padded && g.out_size[1] >= ROWS_FROM {
        for channel in 0..g.in_channels {
            for tap in taps(g) {
                for image in 0..images {
                    im2col_rows(g, &tap, &x[image * in_image + channel * g.in_pixels()..][..g.in_pixels()], &mut col);
                }
            }
        }
    } else if p.class.padded {
        // Through `sources` ([`Geometry::source_pixels`]): out of range in the padding.
        let pixels = g.out_pixels();
        for channel in 0..g.in_channels {
            for map in p.sources.chunks_exact(pixels) {
                for image in 0..images {
                    let x = &x[image * in_image + channel * g.in_pixels()..][..g.in_pixels()];
                    col.extend(map.iter().map(|&i| x.get(i).copied().unwrap_or(0.0)));
                }
            }
        }
    } else {
        // Every tap of a split class reads inside the image.
        for &offset in &p.rows {
            for image in 0..images {
                let x = &x[image * in_image + offset..];
                col.extend(p.sources.iter().map(|&s| x[s]));
            }
        }
    }
    col
}

/// The adjoint of [`im2col`]: adds each column entry back into the input pixel it was read
/// from, into `dx` (the chunk's images).
pub fn col2im(g: &Geometry, p: &Prepared, dcol: &[f32], images: usize, dx: &mut [f32]) {
    let (pixels, n) = (p.outputs.len(), images * p.outputs.len());
    for (image, dx) in dx.chunks_exact_mut(g.in_channels * g.in_pixels()).enumerate() {
        if p.class.padded && g.out_size[1] >= ROWS_FROM {
            for (channel, dx) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
                for (t, tap) in taps(g).enumerate() {
                    let row = channel * g.kernel[0] * g.kernel[1] + t;
                    col2im_rows(g, &tap, &dcol[row * n + image * pixels..][..pixels], dx);
                }
            }
        } else if p.class.padded {
            let kernel = g.kernel[0] * g.kernel[1];
            for (channel, dx) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
                for (tap, map) in p.sources.chunks_exact(pixels).enumerate() {
                    let src = &dcol[(channel * kernel + tap) * n + image * pixels..][..pixels];
                    for (v, &i) in src.iter().zip(map) {
                        if let Some(d) = dx.get_mut(i) {
                            *d += v;
                        }
                    }
                }
            }
        } else {
            for (r, &offset) in p.rows.iter().enumerate() {
                let (src, dx) = (&dcol[r * n + image * pixels..][..pixels], &mut dx[offset..]);
                src.iter().zip(&p.sources).for_each(|(v, &s)| dx[s] += v);
            }
        }
    }
}

/// From this output width on, a padded class's columns move a row at a time (a slice copy or
/// add between the padding) rather than through its per-value map; below it the map is faster
/// (rows of 5-7 values cost more per row than the map does per value: bench/RESULTS.md).
const ROWS_FROM: usize = 8;

/// One kernel position of a padded class and the outputs at which it reads inside the image.
struct Tap {
    rows: Range<usize>,
    cols: Range<usize>,
    /// The input pixel read at the first of them (output `rows.start`, `cols.start`).
    first: usize,
}

/// The kernel positions in the column matrix's row order.
fn taps(g: &Geometry) -> impl Iterator<Item = Tap> + '_ {
    let [sh, sw] = g.stride;
    let [ph, pw] = g.padding;
    (0..g.kernel[0]).flat_map(move |ki| {
        (0..g.kernel[1]).map(move |kj| {
            let (rows, cols) = (g.inside(0, ki), g.inside(1, kj));
            let first =
                (rows.start * sh + ki).saturating_sub(ph) * g.in_size[1] + (cols.start * sw + kj).saturating_sub(pw);
            Tap { rows, cols, first }
        })
    })
}

/// Appends one tap's row of the column matrix for one image's input plane: zeros in the
/// padding, the plane's pixels (every `stride`-th) between.
fn im2col_rows(g: &Geometry, tap: &Tap, plane: &[f32], col: &mut Vec<f32>) {
    let ([sh, sw], ow) = (g.stride, g.out_size[1]);
    let (rows, cols) = (&tap.rows, &tap.cols);
    if rows.is_empty() || cols.is_empty() {
        return col.resize(col.len() + g.out_pixels(), 0.0);
    }
    col.resize(col.len() + rows.start * ow, 0.0);
    for r in 0..rows.len() {
        let src = &plane[tap.first + r * sh * g.in_size[1]..];
        col.resize(col.len() + cols.start, 0.0);
        match sw {
            1 => col.extend_from_slice(&src[..cols.len()]),
            _ => col.extend(src.iter().step_by(sw).take(cols.len())),
        }
        col.resize(col.len() + ow - cols.end, 0.0);
    }
    col.resize(col.len() + (g.out_size[0] - rows.end) * ow, 0.0);
}

/// The adjoint of [`im2col_rows`]: adds one tap's row `src` (one image's pixels) into the
/// image's input gradient plane `dx`.
fn col2im_rows(g: &Geometry, tap: &Tap, src: &[f32], dx: &mut [f32]) {
    let ([sh, sw], ow) = (g.stride, g.out_size[1]);
    let (rows, cols) = (&tap.rows, &tap.cols);
    for (r, oh) in rows.clone().enumerate() {
        let src = &src[oh * ow + cols.start..oh * ow + cols.end];
        let dst = &mut dx[tap.first + r * sh * g.in_size[1]..];
        match sw {
            1 => dst.iter_mut().zip(src).for_each(|(d, v)| *d += v),
            _ => dst.iter_mut().step_by(sw).zip(src).for_each(|(d, v)| *d += v),
        }
    }
}

/// Adds the class's product [Cout, images x pixels] into the chunk's NCHW output `y`.
pub fn scatter_add(g: &Geometry, p: &Prepared, product: &[f32], images: usize, y: &mut [f32]) {
    let outputs = &p.outputs;
    let (pixels, n) = (outputs.len(), images * outputs.len());
    for (image, y) in y.chunks_exact_mut(g.out_channels * g.out_pixels()).enumerate() {
        for (c, y) in y.chunks_exact_mut(g.out_pixels()).enumerate() {
            let src = &product[c * n + image * pixels..][..pixels];
            src.iter().zip(outputs).for_each(|(v, &o)| y[o] += v);
        }
    }
}

/// The class's pixels of dy[image, Cout, pixels] for the given images, as [Cout, images x
/// pixels], the layout of a product.
pub fn gather(g: &Geometry, p: &Prepared, dy: &[f32], images: Range<usize>) -> Vec<f32> {
    let out_image = g.out_channels * g.out_pixels();
    let mut out = Vec::with_capacity(g.out_channels * images.len() * p.outputs.len());
    for c in 0..g.out_channels {
        for image in images.clone() {
            let dy = &dy[image * out_image + c * g.out_pixels()..][..g.out_pixels()];
            out.extend(p.outputs.iter().map(|&o| dy[o]));
        }
    }
    out
}

/// [`gather`] transposed: [images x pixels, Cout].
pub fn gather_transposed(g: &Geometry, p: &Prepared, dy: &[f32], images: Range<usize>) -> Vec<f32> {
    let out_image = g.out_channels * g.out_pixels();
    let mut out = Vec::with_capacity(images.len() * p.outputs.len() * g.out_channels);
    for image in images {
        let dy = &dy[image * out_image..][..out_image];
        for &o in &p.outputs {
            out.extend(dy[o..].iter().step_by(g.out_pixels()));
        }
    }
    out
}
