//! The sizes of one 2-D convolution (NCHW input, OIHW weight) and how its batch is cut into chunks
//! of images, each chunk being one matrix product.

use std::ops::Range;

/// Floats in one chunk's column matrix (4 MiB): big enough that the product's N dimension fills
/// gemm's microkernels even at 1x1 outputs, small enough to stay in cache beside the weights.
const CHUNK_FLOATS: usize = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub batch: usize,
    pub in_channels: usize,
    pub in_size: [usize; 2],
    pub out_channels: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub out_size: [usize; 2],
}

impl Geometry {
    /// `None` when the shapes do not make a convolution (channel mismatch, a zero stride, or an
    /// empty output); callers then leave the work to burn's own op, which reports the error.
    pub fn new(x: [usize; 4], weight: [usize; 4], stride: [usize; 2], padding: [usize; 2]) -> Option<Self> {
        let [batch, in_channels, h, w] = x;
        let [out_channels, weight_in, kh, kw] = weight;
        if weight_in != in_channels || stride.contains(&0) || kh == 0 || kw == 0 {
            return None;
        }
        let out = |size: usize, k: usize, s: usize, p: usize| (size + 2 * p).checked_sub(k).map(|d| d / s + 1);
        let out_size = [out(h, kh, stride[0], padding[0])?, out(w, kw, stride[1], padding[1])?];
        let empty = [batch, in_channels, out_channels, h, w].contains(&0);
        (!empty).then_some(Self {
            batch,
            in_channels,
            in_size: [h, w],
            out_channels,
            kernel: [kh, kw],
            stride,
            padding,
            out_size,
        })
    }

    /// Rows of the column matrix: one per (input channel, kernel row, kernel column).
    pub fn col_rows(&self) -> usize {
        self.in_channels * self.kernel[0] * self.kernel[1]
    }

    pub fn in_pixels(&self) -> usize {
        self.in_size[0] * self.in_size[1]
    }

    pub fn out_pixels(&self) -> usize {
        self.out_size[0] * self.out_size[1]
    }

    pub fn out_shape(&self) -> [usize; 4] {
        [self.batch, self.out_channels, self.out_size[0], self.out_size[1]]
    }

    /// Along `axis`, the outputs whose kernel position `k` reads inside the input
    /// (`o * stride + k - padding` in `0..in_size`): a contiguous range, possibly empty.
    pub fn inside(&self, axis: usize, k: usize) -> Range<usize> {
        let (stride, pad, size, out) = (self.stride[axis], self.padding[axis], self.in_size[axis], self.out_size[axis]);
        let lo = pad.saturating_sub(k).div_ceil(stride).min(out);
        let hi = (size + pad).saturating_sub(k).div_ceil(stride).min(out);
        lo..hi.max(lo)
    }

    /// Images per chunk: as many as fit [`CHUNK_FLOATS`], but at least two chunks per thread
    /// when the batch allows, so that threads share the work evenly.
    pub fn images_per_chunk(&self, threads: usize) -> usize {
        let per_image = self.col_rows() * self.out_pixels();
        let fit = (CHUNK_FLOATS / per_image).max(1);
        let spread = self.batch.div_ceil(2 * threads.max(1)).max(1);
        if threads > 1 { fit.min(spread) } else { fit.min(self.batch) }
    }

    /// The batch cut into consecutive ranges of `images_per_chunk` images (the last may be short).
    pub fn chunks(&self, images_per_chunk: usize) -> Vec<Range<usize>> {
        (0..self.batch).step_by(images_per_chunk).map(|s| s..(s + images_per_chunk).min(self.batch)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_sizes_follow_the_conv_formula() {
        let g = Geometry::new([2, 3, 28, 28], [8, 3, 7, 7], [2, 2], [3, 3]).unwrap();
        assert_eq!(g.out_size, [14, 14]);
        let g = Geometry::new([1, 4, 5, 7], [2, 4, 1, 1], [2, 2], [0, 0]).unwrap();
        assert_eq!(g.out_size, [3, 4]);
        assert!(Geometry::new([1, 3, 2, 2], [1, 3, 5, 5], [1, 1], [0, 0]).is_none());
        assert!(Geometry::new([1, 3, 8, 8], [1, 2, 3, 3], [1, 1], [1, 1]).is_none());
    }

    #[test]
    fn chunks_cover_the_batch_once() {
        let g = Geometry::new([64, 16, 7, 7], [16, 16, 3, 3], [1, 1], [1, 1]).unwrap();
        for threads in [1, 2, 8] {
            let per = g.images_per_chunk(threads);
            let chunks = g.chunks(per);
            assert_eq!(chunks.first().unwrap().start, 0);
            assert_eq!(chunks.last().unwrap().end, 64);
            assert!(chunks.windows(2).all(|w| w[0].end == w[1].start));
            assert!(threads == 1 || chunks.len() >= 2 * threads.min(32));
        }
    }
}
