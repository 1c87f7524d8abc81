//! Output pixels grouped by the kernel taps that fall inside the image.
//!
//! Why: at ResNet's small planes most of a padded 3x3 convolution multiplies zeros. At 1x1 only
//! the centre tap reads the image (8 of 9 products are padding), at 2x2 four of nine, and over
//! the fast preset's convolutions 44 % of im2col's products are padding. Along one axis, an
//! output coordinate reads a contiguous range of kernel positions, and the coordinates that read
//! the same range are contiguous too; so the outputs split into at most a few rectangles (the
//! interior, the edges and the corners), each reading one rectangle of taps. Each such class is
//! its own product with only the taps that read the image: no padding in the columns, no bounds
//! checks in im2col, and at 1x1 a ninth of the work.

use super::geometry::Geometry;
use std::ops::Range;

/// A rectangle of output pixels that all read the same rectangle of kernel taps inside the
/// image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TapClass {
    /// Output rows and columns.
    pub out: [Range<usize>; 2],
    /// Kernel rows and columns read inside the image (empty when every tap is padding).
    pub taps: [Range<usize>; 2],
    /// Some of its taps read the padding (as zeros): the one class of a convolution not split
    /// by taps.
    pub padded: bool,
}

impl TapClass {
    pub fn pixels(&self) -> usize {
        self.out[0].len() * self.out[1].len()
    }

    /// Rows of this class's column matrix: one per (input channel, tap).
    pub fn col_rows(&self, g: &Geometry) -> usize {
        g.in_channels * self.taps[0].len() * self.taps[1].len()
    }

    /// Where each pixel of the class reads from: the offset, in one NCHW image, of the pixel
    /// its first tap reads in channel 0. Row `r` of the column matrix reads, for image `i` and
    /// pixel `j`, `x[i x in_image + row_offsets[r] + pixel_sources[j]]`: offsets are split this
    /// way so that im2col is a gather through one short map per image and row.
    pub fn pixel_sources(&self, g: &Geometry) -> Vec<usize> {
        let [s, p] = [g.stride, g.padding];
        let first = |o: usize, axis: usize| o * s[axis] + self.taps[axis].start - p[axis];
        let rows = self.out[0].clone().map(|oh| first(oh, 0) * g.in_size[1]);
        rows.flat_map(|row| self.out[1].clone().map(move |ow| row + first(ow, 1))).collect()
    }

    /// For each row (input channel, tap) of the column matrix, its offset from
    /// [`Self::pixel_sources`].
    pub fn row_offsets(&self, g: &Geometry) -> Vec<usize> {
        let [t0, t1] = [&self.taps[0], &self.taps[1]];
        let taps = t0.clone().flat_map(|ki| t1.clone().map(move |kj| (ki - t0.start) * g.in_size[1] + kj - t1.start));
        let taps: Vec<usize> = taps.collect();
        (0..g.in_channels).flat_map(|c| taps.iter().map(move |t| c * g.in_pixels() + t)).collect()
    }

    /// For each pixel of the class, its offset in one output plane.
    pub fn pixel_outputs(&self, g: &Geometry) -> Vec<usize> {
        let rows = self.out[0].clone().map(|oh| oh * g.out_size[1]);
        rows.flat_map(|row| self.out[1].clone().map(move |ow| row + ow)).collect()
    }

    /// The taps as offsets into one kernel (ki x kw + kj), in the column matrix's row order.
    fn kernel_taps(&self, g: &Geometry) -> Vec<usize> {
        let t1 = &self.taps[1];
        self.taps[0].clone().flat_map(|ki| t1.clone().map(move |kj| ki * g.kernel[1] + kj)).collect()
    }

    /// Whether the class reads every tap of the kernel (its packed weight is the weight itself).
    fn all_taps(&self, g: &Geometry) -> bool {
        self.taps[0].len() * self.taps[1].len() == g.kernel[0] * g.kernel[1]
    }

    /// The class's weight matrix [Cout, Cin x taps], packed from the [Cout, Cin, kh, kw] weight.
    pub fn pack_weight(&self, g: &Geometry, weight: &[f32]) -> Vec<f32> {
        if self.all_taps(g) {
            return weight.to_vec();
        }
        let taps = self.kernel_taps(g);
        let kernel = g.kernel[0] * g.kernel[1];
        let mut packed = vec![0.0; weight.len() / kernel * taps.len()];
        for (packed, w) in packed.chunks_exact_mut(taps.len()).zip(weight.chunks_exact(kernel)) {
            packed.iter_mut().zip(&taps).for_each(|(p, &t)| *p = w[t]);
        }
        packed
    }

    /// Adds a weight gradient laid out [Cin x taps, Cout] (the packed weight's transpose, as the
    /// weight-gradient product writes it) into the full [Cout, Cin, kh, kw] one.
    pub fn unpack_add(&self, g: &Geometry, packed_t: &[f32], dw: &mut [f32]) {
        // A transpose in blocks of out channels: each packed row gives a block a short
        // contiguous read, and the block's `dw` planes are written in order, a few streams at
        // once. (A stride of Cin x kernel per write, or of Cout per read, made this a cache miss
        // per value at 512 channels: 7.6 % of a ResNet-18 step at 96px.)
        const BLOCK: usize = 16;
        let taps = self.kernel_taps(g);
        let (kernel, cout) = (g.kernel[0] * g.kernel[1], g.out_channels);
        let per_out = g.in_channels * kernel;
        for o0 in (0..cout).step_by(BLOCK) {
            let outs = o0..(o0 + BLOCK).min(cout);
            for ci in 0..g.in_channels {
                for (ti, &t) in taps.iter().enumerate() {
                    let row = &packed_t[(ci * taps.len() + ti) * cout..][outs.clone()];
                    for (o, v) in outs.clone().zip(row) {
                        dw[o * per_out + ci * kernel + t] += v;
                    }
                }
            }
        }
    }
}

/// Splitting by taps pays where padding is a large share of the products (ResNet's small planes);
/// where it is under this share (large planes), one product over every tap, reading the padding
/// as zeros, runs faster than several smaller ones (ResNet-18 at 96px lost 15 % split everywhere,
/// and 10 % when it padded its inputs beforehand instead: three more passes over large tensors).
const SPLIT_BELOW_VALID: f64 = 0.8;

impl Geometry {
    /// The classes the products run over: the [`TapClass`]es where that skips at least a fifth
    /// of the products, else one class of every output and every tap that reads the padding as
    /// zeros ([`TapClass::padded`]).
    pub fn product_classes(&self) -> Vec<TapClass> {
        let classes = self.tap_classes();
        let valid: usize = classes.iter().map(|c| c.pixels() * c.taps[0].len() * c.taps[1].len()).sum();
        let all = self.out_pixels() * self.kernel[0] * self.kernel[1];
        if (valid as f64) < SPLIT_BELOW_VALID * all as f64 {
            return classes;
        }
        let padded = self.padding != [0, 0];
        vec![TapClass {
            out: [0..self.out_size[0], 0..self.out_size[1]],
            taps: [0..self.kernel[0], 0..self.kernel[1]],
            padded,
        }]
    }

    /// For each kernel position (ki, kj) and output pixel (oh, ow), the input pixel it reads,
    /// ih * w + iw, or `usize::MAX` where that falls in the padding: the map a padded class's
    /// im2col gathers through and its col2im scatters back through.
    pub fn source_pixels(&self) -> Vec<usize> {
        let [kh, kw] = self.kernel;
        let [ho, wo] = self.out_size;
        let inside = |o: usize, k: usize, axis: usize| {
            (o * self.stride[axis] + k).checked_sub(self.padding[axis]).filter(|&i| i < self.in_size[axis])
        };
        let mut map = Vec::with_capacity(kh * kw * ho * wo);
        for (ki, kj) in (0..kh).flat_map(|ki| (0..kw).map(move |kj| (ki, kj))) {
            for (oh, ow) in (0..ho).flat_map(|oh| (0..wo).map(move |ow| (oh, ow))) {
                let pixel = inside(oh, ki, 0).zip(inside(ow, kj, 1)).map(|(ih, iw)| ih * self.in_size[1] + iw);
                map.push(pixel.unwrap_or(usize::MAX));
            }
        }
        map
    }

    /// The output pixels cut into [`TapClass`]es, every pixel in exactly one.
    pub fn tap_classes(&self) -> Vec<TapClass> {
        let rows = self.axis_groups(0);
        let cols = self.axis_groups(1);
        rows.iter()
            .flat_map(|(out_r, taps_r)| {
                cols.iter().map(|(out_c, taps_c)| TapClass {
                    out: [out_r.clone(), out_c.clone()],
                    taps: [taps_r.clone(), taps_c.clone()],
                    padded: false,
                })
            })
            .collect()
    }

    /// Along one axis: consecutive output coordinates that read the same kernel positions inside
    /// the input, with those positions.
    fn axis_groups(&self, axis: usize) -> Vec<(Range<usize>, Range<usize>)> {
        let (k, s, p, size) = (self.kernel[axis], self.stride[axis], self.padding[axis], self.in_size[axis]);
        let taps = |o: usize| {
            let start = o * s; // where tap 0 lands, counted in the padded input
            let lo = p.saturating_sub(start).min(k);
            let hi = (p + size).saturating_sub(start).min(k).max(lo);
            lo..hi
        };
        let mut groups: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        for o in 0..self.out_size[axis] {
            match groups.last_mut() {
                Some((out, t)) if *t == taps(o) => out.end = o + 1,
                _ => groups.push((o..o + 1, taps(o))),
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_padded_3x3_on_one_pixel_reads_only_the_centre_tap() {
        let g = Geometry::new([1, 4, 1, 1], [4, 4, 3, 3], [1, 1], [1, 1]).unwrap();
        assert_eq!(g.tap_classes(), vec![TapClass { out: [0..1, 0..1], taps: [1..2, 1..2], padded: false }]);
    }

    #[test]
    fn a_7x7_plane_splits_into_interior_edges_and_corners() {
        let g = Geometry::new([1, 1, 7, 7], [1, 1, 3, 3], [1, 1], [1, 1]).unwrap();
        let classes = g.tap_classes();
        assert_eq!(classes.len(), 9);
        let interior = classes.iter().find(|c| c.out == [1..6, 1..6]).unwrap();
        assert_eq!(interior.taps, [0..3, 0..3]);
        let corner = classes.iter().find(|c| c.out == [0..1, 6..7]).unwrap();
        assert_eq!(corner.taps, [1..3, 0..2]);
    }

    #[test]
    fn large_planes_make_one_padded_class_and_small_ones_split() {
        let plane = |size: usize| Geometry::new([1, 1, size, size], [1, 1, 3, 3], [1, 1], [1, 1]).unwrap();
        let whole = plane(24).product_classes();
        assert_eq!(whole, vec![TapClass { out: [0..24, 0..24], taps: [0..3, 0..3], padded: true }]);
        assert_eq!(plane(4).product_classes(), plane(4).tap_classes(), "4x4: a third of the products are padding");
        assert_eq!(plane(1).product_classes().len(), 1);
        assert!(!plane(1).product_classes()[0].padded);
    }

    #[test]
    fn source_pixels_point_inside_the_image_or_at_the_padding() {
        // 3x3 input, 2x2 kernel, stride 2, padding 1: outputs 2x2.
        let g = Geometry::new([1, 1, 3, 3], [1, 1, 2, 2], [2, 2], [1, 1]).unwrap();
        let pad = usize::MAX;
        #[rustfmt::skip]
        let want = [
            pad, pad, pad, 4, // (ki, kj) = (0, 0): only output (1, 1) reads inside, pixel (1, 1)
            pad, pad, 3, 5,   // (0, 1)
            pad, 1, pad, 7,   // (1, 0)
            0, 2, 6, 8,       // (1, 1)
        ];
        assert_eq!(g.source_pixels(), want);
    }

    #[test]
    fn classes_cover_every_output_once_and_read_only_inside() {
        let shapes = [
            ([2, 3, 28, 28], [4, 3, 7, 7], [2, 2], [3, 3]),
            ([1, 2, 5, 7], [3, 2, 3, 3], [2, 1], [1, 1]),
            ([1, 1, 2, 2], [1, 1, 3, 3], [2, 2], [1, 1]),
            ([1, 1, 3, 3], [1, 1, 2, 2], [2, 2], [1, 1]),
            ([1, 1, 2, 2], [1, 1, 1, 1], [1, 1], [2, 2]), // outputs that read only padding
        ];
        for (x, w, s, p) in shapes {
            let g = Geometry::new(x, w, s, p).unwrap();
            let mut seen = vec![0; g.out_pixels()];
            for class in g.tap_classes() {
                for (oh, ow) in class.out[0].clone().flat_map(|r| class.out[1].clone().map(move |c| (r, c))) {
                    seen[oh * g.out_size[1] + ow] += 1;
                    for axis in 0..2 {
                        let o = [oh, ow][axis];
                        for k in 0..g.kernel[axis] {
                            let i = (o * g.stride[axis] + k) as isize - g.padding[axis] as isize;
                            let inside = i >= 0 && (i as usize) < g.in_size[axis];
                            assert_eq!(class.taps[axis].contains(&k), inside, "{g:?} {class:?} axis {axis} k {k}");
                        }
                    }
                }
            }
            assert!(seen.iter().all(|&n| n == 1), "{g:?}");
        }
    }
}
