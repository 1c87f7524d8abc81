//! A 2-D convolution and its gradients on the CPU, NCHW in and out, as im2col plus matrix
//! products per chunk of images and per [`TapClass`] of output pixels.
//!
//! Why not burn flex's own op: flex converts every input to NHWC and every weight to OHWI before
//! its forward gemm, computes the input gradient as a transposed convolution (one gemm per image
//! and scalar col2im loops) and the weight gradient as a convolution over swapped axes (one gemm
//! per input channel, N = 9). Here the three products read NCHW as it is, and each tap class's
//! columns hold only the taps that read the image (see [`super::taps`]). A chunk of images makes
//! one product per class whose N dimension is images x the class's pixels, which keeps gemm
//! efficient at ResNet's 7x7..1x1 stages.

use super::columns::{by_rows, col2im, gather, gather_transposed, im2col, scatter_add};
use super::geometry::Geometry;
use super::product::product;
use super::taps::TapClass;
use crate::model::parallel;
use std::borrow::Cow;
use std::ops::Range;

/// Column matrices kept from the forward pass for the weight gradient, at most this many floats
/// per convolution (64 MiB; the fast preset's largest is 0.6 M): above it, the backward pass
/// builds them again rather than hold that much memory for the whole step.
const KEEP_COLUMNS_FLOATS: usize = 16 << 20;

/// What the forward pass keeps for [`backward`]: each tap class with its packed weight, and the
/// column matrices per chunk of images and class (when they fit [`KEEP_COLUMNS_FLOATS`]).
pub struct Saved {
    classes: Vec<Prepared>,
    columns: Option<Vec<Vec<Vec<f32>>>>,
}

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let chunks = self.columns.as_ref().map(Vec::len);
        write!(f, "Saved({} classes, columns of {chunks:?} chunks)", self.classes.len())
    }
}

/// The output of [`backward`]: gradients for the input, weight and bias, each when asked for.
pub struct Gradients {
    pub x: Option<Vec<f32>>,
    pub weight: Option<Vec<f32>>,
    pub bias: Option<Vec<f32>>,
}

/// A class ready for the products: its packed weight and the index maps its gathers go through,
/// computed once per call rather than for every chunk of images.
pub struct Prepared {
    pub class: TapClass,
    packed: Vec<f32>,
    /// Where each column reads: a split class's [`TapClass::pixel_sources`] (with `rows`, its
    /// [`TapClass::row_offsets`]), or a padded class's [`Geometry::source_pixels`] (none where
    /// it moves row by row: [`by_rows`]).
    pub sources: Vec<usize>,
    pub rows: Vec<usize>,
    /// [`TapClass::pixel_outputs`].
    pub outputs: Vec<usize>,
}

/// The classes that read the image at all, prepared. (Outputs whose every tap is padding are
/// the bias alone, and pass no gradient to the input or weight.)
fn classes(g: &Geometry, weight: &[f32]) -> Vec<Prepared> {
    let classes = g.product_classes().into_iter().filter(|c| c.col_rows(g) > 0);
    classes
        .map(|class| {
            let (sources, rows) = if by_rows(g, &class) {
                (Vec::new(), Vec::new()) // the row-by-row moves need no map
            } else if class.padded {
                (g.source_pixels(), Vec::new())
            } else {
                (class.pixel_sources(g), class.row_offsets(g))
            };
            let (packed, outputs) = (class.pack_weight(g, weight), class.pixel_outputs(g));
            Prepared { class, packed, sources, rows, outputs }
        })
        .collect()
}

/// y = conv(x, weight) + bias, with `x`, `weight` and `bias` contiguous NCHW / OIHW / O. With
/// `save`, also what spares the backward pass packing the weights again and, when the column
/// matrices fit [`KEEP_COLUMNS_FLOATS`], a second im2col.
pub fn forward(g: &Geometry, x: &[f32], weight: &[f32], bias: &[f32], save: bool) -> (Vec<f32>, Option<Saved>) {
    let keep = save && g.col_rows() * g.batch * g.out_pixels() <= KEEP_COLUMNS_FLOATS;
    let per_chunk = g.images_per_chunk(parallel::threads());
    let out_image = g.out_channels * g.out_pixels();
    let in_image = g.in_channels * g.in_pixels();
    let classes = classes(g, weight);
    let mut y = vec![0.0; g.batch * out_image];
    let cols = parallel::for_each_chunk_map(&mut y, per_chunk * out_image, |i, y_chunk| {
        let images = y_chunk.len() / out_image;
        let x_chunk = &x[i * per_chunk * in_image..][..images * in_image];
        // Every output starts as its bias; the products add the taps that read the image.
        for (plane, y) in y_chunk.chunks_exact_mut(g.out_pixels()).enumerate() {
            y.fill(bias[plane % g.out_channels]);
        }
        let mut kept = Vec::new();
        for p in &classes {
            let col = im2col(g, p, x_chunk, images);
            // product[Cout, cols] = weight[Cout, K] . col[K, cols]
            let (k, n) = (p.class.col_rows(g), images * p.class.pixels());
            let product = product(g.out_channels, n, k, (n, 1), (&p.packed, k, 1), (&col, n, 1));
            scatter_add(g, p, &product, images, y_chunk);
            if keep {
                kept.push(col);
            }
        }
        kept
    });
    (y, save.then(|| Saved { classes, columns: keep.then_some(cols) }))
}

/// Gradients of the loss with respect to the input, weight and bias, from the gradient `dy` of
/// the output. Per class, the input gradient is W^T . dy then col2im, the weight gradient
/// dy . col^T summed over chunks; the bias gradient is dy summed over images and pixels.
/// `saved`: what the forward pass saved, if it did.
pub fn backward(
    g: &Geometry,
    x: &[f32],
    weight: &[f32],
    dy: &[f32],
    want: [bool; 3],
    saved: Option<&Saved>,
) -> Gradients {
    let [want_x, want_w, want_b] = want;
    let per_chunk = g.images_per_chunk(parallel::threads());
    let chunks = g.chunks(per_chunk);
    let in_image = g.in_channels * g.in_pixels();
    let packed_here;
    let classes = match saved {
        Some(saved) => &saved.classes,
        None => {
            packed_here = classes(g, weight);
            &packed_here
        }
    };
    let mut dx = if want_x { vec![0.0; g.batch * in_image] } else { Vec::new() };
    let chunk_len = if want_x { per_chunk * in_image } else { 0 };
    // Each chunk returns its share of the weight (per class, packed) and bias gradients; they
    // are summed after.
    let partials = parallel::map_chunks(&mut dx, chunk_len, chunks.len(), |i, dx_chunk| {
        let images = chunks[i].clone();
        let mut dw = want_w.then(Vec::new);
        for (c, p) in classes.iter().enumerate() {
            let (k, n) = (p.class.col_rows(g), images.len() * p.class.pixels());
            if want_x {
                let dy_cols = gather(g, p, dy, images.clone());
                // dcol[K, cols] = weight^T[K, Cout] . dy[Cout, cols]
                let dcol = product(k, n, g.out_channels, (n, 1), (&p.packed, 1, k), (&dy_cols, n, 1));
                col2im(g, p, &dcol, images.len(), dx_chunk);
            }
            if let Some(dw) = &mut dw {
                let col = match saved.and_then(|s| s.columns.as_ref()) {
                    Some(cols) => Cow::Borrowed(&cols[i][c]),
                    None => Cow::Owned(im2col(g, p, &x[images.start * in_image..images.end * in_image], images.len())),
                };
                dw.push(weight_gradient(g, p, dy, images.clone(), &col));
            }
        }
        (dw, want_b.then(|| bias_gradient(g, dy, images)))
    });
    let (dws, dbs): (Vec<_>, Vec<_>) = partials.into_iter().unzip();
    let weight = want_w.then(|| {
        let mut dw = vec![0.0; weight.len()];
        let mut per_chunk: Vec<_> = dws.into_iter().flatten().map(Vec::into_iter).collect();
        for p in classes {
            let parts = per_chunk.iter_mut().map(|chunk| Some(chunk.next().expect("one per class")));
            let sum = sum_all(parts.collect()).expect("at least one chunk");
            p.class.unpack_add(g, &sum, &mut dw);
        }
        dw
    });
    Gradients { x: want_x.then_some(dx), weight, bias: sum_all(dbs) }
}

/// dw = dy[Cout, cols] . col^T[cols, K] for one class and chunk of images, written as [K, Cout]:
/// with dy gathered as [cols, Cout], gemm reads it in place, where the [Cout, K] product had it
/// pack the whole column matrix (K x cols) for every product (1.06x in wasm, 1.09x natively on
/// the fast preset).
fn weight_gradient(g: &Geometry, p: &Prepared, dy: &[f32], images: Range<usize>, col: &[f32]) -> Vec<f32> {
    let (k, n, cout) = (p.class.col_rows(g), images.len() * p.class.pixels(), g.out_channels);
    let dy_t = gather_transposed(g, p, dy, images);
    product(cout, k, n, (1, cout), (&dy_t, 1, cout), (col, 1, n))
}

fn sum_all(parts: Vec<Option<Vec<f32>>>) -> Option<Vec<f32>> {
    parts.into_iter().flatten().reduce(|mut acc, part| {
        acc.iter_mut().zip(&part).for_each(|(a, p)| *a += p);
        acc
    })
}

/// dy summed over the given images' pixels, per out channel.
fn bias_gradient(g: &Geometry, dy: &[f32], images: Range<usize>) -> Vec<f32> {
    let mut db = vec![0.0; g.out_channels];
    let planes = dy[images.start * g.out_channels * g.out_pixels()..].chunks_exact(g.out_pixels());
    for (plane, values) in planes.take(images.len() * g.out_channels).enumerate() {
        db[plane % g.out_channels] += values.iter().sum::<f32>();
    }
    db
}
