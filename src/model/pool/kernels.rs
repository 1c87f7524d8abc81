//! Max pooling over NCHW planes on the CPU, keeping where each maximum came from for the
//! backward pass.
//!
//! Why not burn flex's op: it runs every 2-D pool as a 3-D one and works out each window's valid
//! range per output through generic closures; the stem's 3x3 pool cost 8 % of a training step of
//! the fast preset. Here each window's rows and columns are clipped once per output row and
//! column, and the argmax is a plane-relative `u32`.

use crate::model::parallel;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Images x channels.
    pub planes: usize,
    pub in_size: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub out_size: [usize; 2],
}

impl Geometry {
    /// `None` when the window does not fit (burn's op then reports it) or the tensor is empty.
    pub fn new(x: [usize; 4], kernel: [usize; 2], stride: [usize; 2], padding: [usize; 2]) -> Option<Self> {
        let [n, c, h, w] = x;
        let fits = (0..2).all(|a| kernel[a] > 0 && stride[a] > 0 && padding[a] * 2 <= kernel[a]);
        if !fits || n * c * h * w == 0 {
            return None;
        }
        let out = |size: usize, a: usize| (size + 2 * padding[a]).checked_sub(kernel[a]).map(|d| d / stride[a] + 1);
        let out_size = [out(h, 0)?, out(w, 1)?];
        Some(Self { planes: n * c, in_size: [h, w], kernel, stride, padding, out_size })
    }

    pub fn out_shape(&self, x: [usize; 4]) -> [usize; 4] {
        [x[0], x[1], self.out_size[0], self.out_size[1]]
    }

    /// The input rows (axis 0) or columns (axis 1) that output `o`'s window covers.
    fn window(&self, o: usize, axis: usize) -> std::ops::Range<usize> {
        let start = o * self.stride[axis];
        let lo = start.saturating_sub(self.padding[axis]);
        let hi = (start + self.kernel[axis]).saturating_sub(self.padding[axis]).min(self.in_size[axis]);
        lo..hi
    }
}

/// The pooled planes and, per output, the plane-relative index of the input it took. A NaN
/// wins its window, as in burn and PyTorch.
pub fn forward(g: &Geometry, x: &[f32]) -> (Vec<f32>, Vec<u32>) {
    let (in_plane, out_plane) = (g.in_size[0] * g.in_size[1], g.out_size[0] * g.out_size[1]);
    let per_chunk = g.planes.div_ceil(2 * parallel::threads()).max(1);
    let mut y = vec![0.0; g.planes * out_plane];
    let (inputs, starts) = window_inputs(g);
    let argmax = parallel::for_each_chunk_map(&mut y, per_chunk * out_plane, |i, y| {
        let mut argmax = Vec::with_capacity(y.len());
        for (p, y) in y.chunks_exact_mut(out_plane).enumerate() {
            let x = &x[(i * per_chunk + p) * in_plane..][..in_plane];
            for (o, y) in y.iter_mut().enumerate() {
                // The window's first input, then any larger one (or a NaN) replaces it: selects,
                // not a branch (which input wins is data).
                let window = &inputs[starts[o]..starts[o + 1]];
                let (mut at, mut best) = (window[0], x[window[0] as usize]);
                for &i in &window[1..] {
                    let v = x[i as usize];
                    let take = v > best || v.is_nan() & !best.is_nan();
                    at = if take { i } else { at };
                    best = if take { v } else { best };
                }
                *y = best;
                argmax.push(at);
            }
        }
        argmax
    });
    (y, argmax.concat())
}

/// Each output's window as plane-relative input indices: output `o` reads
/// `inputs[starts[o]..starts[o + 1]]` (never empty: the padding is at most half a window).
/// Computed once per call, so the pooling loop does no clipping (it was 3.7 % of a step in wasm
/// with the windows clipped per output).
fn window_inputs(g: &Geometry) -> (Vec<u32>, Vec<usize>) {
    let (mut inputs, mut starts) = (Vec::new(), vec![0]);
    for oh in 0..g.out_size[0] {
        for ow in 0..g.out_size[1] {
            for ih in g.window(oh, 0) {
                inputs.extend(g.window(ow, 1).map(|iw| (ih * g.in_size[1] + iw) as u32));
            }
            starts.push(inputs.len());
        }
    }
    (inputs, starts)
}

/// The input gradient: each output's gradient added to the input it took.
pub fn backward(g: &Geometry, dy: &[f32], argmax: &[u32]) -> Vec<f32> {
    let (in_plane, out_plane) = (g.in_size[0] * g.in_size[1], g.out_size[0] * g.out_size[1]);
    let per_chunk = g.planes.div_ceil(2 * parallel::threads()).max(1);
    let mut dx = vec![0.0; g.planes * in_plane];
    parallel::for_each_chunk(&mut dx, per_chunk * in_plane, |i, dx| {
        for (p, dx) in dx.chunks_exact_mut(in_plane).enumerate() {
            let at = (i * per_chunk + p) * out_plane;
            for (d, &k) in dy[at..][..out_plane].iter().zip(&argmax[at..][..out_plane]) {
                dx[k as usize] += d;
            }
        }
    });
    dx
}
