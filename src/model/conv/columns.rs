//! The moves between NCHW tensors and a tap class's [rows, images x pixels] matrices: im2col and
//! its adjoint col2im, the product's scatter into the output, and dy gathered for the backward
//! products.
//!
//! Every move runs image by image, so that each touches one image's planes at a time (a
//! cache-sized piece) rather than striding across the whole chunk for every row. (Building the
//! new matrices in their own order instead, to skip zeroing them, ran 7 % slower in the page's
//! threaded module.)

use super::geometry::Geometry;
use super::kernels::Prepared;
use super::taps::TapClass;
use std::ops::Range;

/// The class's column matrix [K, images x pixels] of a chunk's images `x`: row (c, ki, kj),
/// column (image, oh, ow) holds x[image, c, oh*sh + ki - ph, ow*sw + kj - pw] (0 in the padding).
pub fn im2col(g: &Geometry, p: &Prepared, x: &[f32], images: usize) -> Vec<f32> {
    let (pixels, n) = (p.outputs.len(), images * p.outputs.len());
    let mut col = vec![0.0; p.class.col_rows(g) * n];
    let kernel = g.kernel[0] * g.kernel[1];
    for (image, x) in x.chunks_exact(g.in_channels * g.in_pixels()).enumerate() {
        let at = |r: usize| r * n + image * pixels;
        if by_rows(g, &p.class) {
            for (channel, plane) in x.chunks_exact(g.in_pixels()).enumerate() {
                for (t, tap) in taps(g).enumerate() {
                    im2col_rows(g, &tap, plane, &mut col[at(channel * kernel + t)..][..pixels]);
                }
            }
        } else if p.class.padded {
            // Through `sources` ([`Geometry::source_pixels`]): out of range in the padding.
            let maps = p.sources.chunks_exact(pixels);
            let rows = x.chunks_exact(g.in_pixels()).flat_map(|plane| maps.clone().map(move |map| (plane, map)));
            for (r, (plane, map)) in rows.enumerate() {
                col[at(r)..][..pixels]
                    .iter_mut()
                    .zip(map)
                    .for_each(|(d, &i)| *d = plane.get(i).copied().unwrap_or(0.0));
            }
        } else {
            // Every tap of a split class reads inside the image.
            for (r, &offset) in p.rows.iter().enumerate() {
                let x = &x[offset..];
                col[at(r)..][..pixels].iter_mut().zip(&p.sources).for_each(|(d, &s)| *d = x[s]);
            }
        }
    }
    col
}

/// The adjoint of [`im2col`]: adds each column entry back into the input pixel it was read
/// from, into `dx` (the chunk's images).
pub fn col2im(g: &Geometry, p: &Prepared, dcol: &[f32], images: usize, dx: &mut [f32]) {
    let (pixels, n) = (p.outputs.len(), images * p.outputs.len());
    let kernel = g.kernel[0] * g.kernel[1];
    for (image, dx) in dx.chunks_exact_mut(g.in_channels * g.in_pixels()).enumerate() {
        let row = |r: usize| &dcol[r * n + image * pixels..][..pixels];
        if by_rows(g, &p.class) {
            for (channel, dx) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
                for (t, tap) in taps(g).enumerate() {
                    col2im_rows(g, &tap, row(channel * kernel + t), dx);
                }
            }
        } else if p.class.padded {
            for (channel, dx) in dx.chunks_exact_mut(g.in_pixels()).enumerate() {
                for (t, map) in p.sources.chunks_exact(pixels).enumerate() {
                    for (v, &i) in row(channel * kernel + t).iter().zip(map) {
                        if let Some(d) = dx.get_mut(i) {
                            *d += v;
                        }
                    }
                }
            }
        } else {
            for (r, &offset) in p.rows.iter().enumerate() {
                let dx = &mut dx[offset..];
                row(r).iter().zip(&p.sources).for_each(|(v, &s)| dx[s] += v);
            }
        }
    }
}

/// From this output width on, a padded class's columns move a row at a time (a slice copy or
/// add between the padding) rather than through its per-value map; below it the map is faster
/// (rows of 5-7 values cost more per row than the map does per value: bench/RESULTS.md).
const ROWS_FROM: usize = 8;

/// Whether a class's columns move a row at a time (see [`ROWS_FROM`]).
pub fn by_rows(g: &Geometry, class: &TapClass) -> bool {
    class.padded && g.out_size[1] >= ROWS_FROM
}

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

/// One tap's row of the column matrix for one image's input plane, into `dst` (zeros): the
/// plane's pixels (every `stride`-th) between the padding.
fn im2col_rows(g: &Geometry, tap: &Tap, plane: &[f32], dst: &mut [f32]) {
    let ([sh, sw], ow) = (g.stride, g.out_size[1]);
    let cols = &tap.cols;
    for (r, oh) in tap.rows.clone().enumerate() {
        let src = &plane[tap.first + r * sh * g.in_size[1]..];
        let dst = &mut dst[oh * ow + cols.start..oh * ow + cols.end];
        match sw {
            1 => dst.copy_from_slice(&src[..cols.len()]),
            _ => dst.iter_mut().zip(src.iter().step_by(sw)).for_each(|(d, v)| *d = *v),
        }
    }
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
    let (pixels, n) = (p.outputs.len(), images.len() * p.outputs.len());
    let out_image = g.out_channels * g.out_pixels();
    let mut out = vec![0.0; g.out_channels * n];
    for (image, dy) in dy[images.start * out_image..images.end * out_image].chunks_exact(out_image).enumerate() {
        for (c, dy) in dy.chunks_exact(g.out_pixels()).enumerate() {
            let dst = &mut out[c * n + image * pixels..][..pixels];
            dst.iter_mut().zip(&p.outputs).for_each(|(d, &o)| *d = dy[o]);
        }
    }
    out
}

/// [`gather`] transposed: [images x pixels, Cout].
pub fn gather_transposed(g: &Geometry, p: &Prepared, dy: &[f32], images: Range<usize>) -> Vec<f32> {
    let (pixels, cout) = (p.outputs.len(), g.out_channels);
    let out_image = cout * g.out_pixels();
    let mut out = vec![0.0; images.len() * pixels * cout];
    let dy = &dy[images.start * out_image..images.end * out_image];
    for (dy, out) in dy.chunks_exact(out_image).zip(out.chunks_exact_mut(pixels * cout)) {
        for (&o, out) in p.outputs.iter().zip(out.chunks_exact_mut(cout)) {
            out.iter_mut().zip(dy[o..].iter().step_by(g.out_pixels())).for_each(|(d, v)| *d = *v);
        }
    }
    out
}
