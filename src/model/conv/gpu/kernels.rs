//! The convolution's CubeCL kernels over NCHW: forward, input gradient, weight gradient and
//! bias gradient, f32, one group, no dilation.
//!
//! Written for how software GPUs (SwiftShader in the browser, lavapipe natively) and small
//! batches run them: neighbouring invocations share one SIMD register, so each invocation owns a
//! small block of outputs (`nb` images x `cb` channels) and every value it loads feeds several
//! multiply-adds; neighbouring invocations read neighbouring pixels; no shared memory and no
//! barriers (a barrier costs a coroutine switch per invocation on those). Every tensor stays in
//! burn's NCHW (weights `[co, ci, kh, kw]`): burn's own kernels work in NHWC and copy every
//! operand to it and back, a dispatch each.

use cubecl::prelude::*;

use crate::model::cube::batch_range;

/// The convolution's geometry, beside the tensors' own shapes.
#[derive(CubeLaunch, CubeType)]
pub struct ConvArgs {
    pub stride_h: usize,
    pub stride_w: usize,
    pub pad_h: usize,
    pub pad_w: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
}

/// The output positions `lo..hi` along one axis at which tap `k` reads inside the input
/// (`o·stride + k - pad` in `0..size`), so the loops over them test nothing.
#[cube]
fn reach(k: usize, size: usize, out: usize, stride: usize, pad: usize) -> (usize, usize) {
    let lo = if k >= pad { 0usize.runtime() } else { (pad - k).div_ceil(stride) };
    let end = size + pad;
    let hi = if end > k { clamp_max((end - k).div_ceil(stride), out) } else { 0usize.runtime() };
    (lo, hi)
}

/// `acc[j·cb + c] += src[image[j] + at] · weight[tap + c·step]` for the block's `nb` images
/// and `cb` channels: each value loaded feeds `cb` (or `nb`) multiply-adds.
#[cube]
#[allow(clippy::too_many_arguments)]
fn multiply_add(
    acc: &mut Array<f32>,
    src: &Tensor<f32>,
    image: &Array<usize>,
    at: usize,
    weight: &Tensor<f32>,
    tap: usize,
    step: usize,
    #[comptime] nb: usize,
    #[comptime] cb: usize,
) {
    let mut vals = Array::<f32>::new(nb);
    #[unroll]
    for j in 0..nb {
        vals[j] = src[image[j] + at];
    }
    #[unroll]
    for c in 0..cb {
        let wv = weight[tap + c * step];
        #[unroll]
        for j in 0..nb {
            acc[j * cb + c] += vals[j] * wv;
        }
    }
}

/// Where each of the block's `nb` images starts in a tensor of `size` values per image. Past
/// the batch's end a block reads the last image again (and writes nothing).
#[cube]
fn image_starts(n0: usize, batch: usize, size: usize, #[comptime] nb: usize) -> Array<usize> {
    let mut image = Array::<usize>::new(nb);
    #[unroll]
    for j in 0..nb {
        image[j] = clamp_max(n0 + j, batch - 1) * size;
    }
    image
}

/// `y[n, co, oh, ow] = bias[co] + Σ x[n, ci, oh·s + kh - p, ow·s + kw - p] · w[co, ci, kh, kw]`.
/// One invocation: one output pixel, `cb` output channels, `nb` images; the taps that fall in
/// the padding are skipped before the loop over input channels.
#[cube(launch_unchecked)]
pub fn forward_kernel(
    x: &Tensor<f32>,
    weight: &Tensor<f32>,
    bias: &Tensor<f32>,
    y: &mut Tensor<f32>,
    args: &ConvArgs,
    #[comptime] nb: usize,
    #[comptime] cb: usize,
) {
    let (batch, cout, out_h, out_w) = (y.shape(0), y.shape(1), y.shape(2), y.shape(3));
    let (cin, h, w) = (x.shape(1), x.shape(2), x.shape(3));
    let pixels = out_h * out_w;
    // The block of output channels is the workgroup's (its `y`), so the weights' addresses
    // are the same in every invocation of it: software GPUs then load them once, not per lane.
    let co0 = CUBE_POS_Y as usize * cb;
    let pos = ABSOLUTE_POS_X as usize;
    if pos >= pixels * batch.div_ceil(nb) {
        terminate!();
    }
    let p = pos % pixels;
    let n0 = (pos / pixels) * nb;
    let (oh, ow) = (p / out_w, p % out_w);

    let (plane, taps) = (h * w, args.kernel_h * args.kernel_w);
    let per_co = cin * taps;
    let mut acc = Array::<f32>::new(nb * cb);
    #[unroll]
    for i in 0..nb * cb {
        acc[i] = 0.0;
    }
    let image = image_starts(n0, batch, cin * plane, nb);
    for kh in 0..args.kernel_h {
        let ihp = oh * args.stride_h + kh;
        if ihp >= args.pad_h && ihp < h + args.pad_h {
            for kw in 0..args.kernel_w {
                let iwp = ow * args.stride_w + kw;
                if iwp >= args.pad_w && iwp < w + args.pad_w {
                    let mut at = (ihp - args.pad_h) * w + iwp - args.pad_w;
                    let mut tap = co0 * per_co + kh * args.kernel_w + kw;
                    for _ci in 0..cin {
                        multiply_add(&mut acc, x, &image, at, weight, tap, per_co, nb, cb);
                        at += plane;
                        tap += taps;
                    }
                }
            }
        }
    }
    #[unroll]
    for j in 0..nb {
        if n0 + j < batch {
            #[unroll]
            for c in 0..cb {
                y[((n0 + j) * cout + co0 + c) * pixels + p] = acc[j * cb + c] + bias[co0 + c];
            }
        }
    }
}

/// `dx[n, ci, ih, iw] = Σ dy[n, co, oh, ow] · w[co, ci, kh, kw]` over `oh·s + kh - p = ih` (and
/// the same along the width). One invocation: one input pixel, `cb` input channels, `nb` images.
/// The taps that reach an output are enumerated directly (`kh ≡ ih + p mod s`), so the loops
/// divide nothing: integer division has no SIMD instruction on the CPUs software GPUs run on.
#[cube(launch_unchecked)]
pub fn input_grad_kernel(
    dy: &Tensor<f32>,
    weight: &Tensor<f32>,
    dx: &mut Tensor<f32>,
    args: &ConvArgs,
    #[comptime] nb: usize,
    #[comptime] cb: usize,
) {
    let (batch, cin, h, w) = (dx.shape(0), dx.shape(1), dx.shape(2), dx.shape(3));
    let (cout, out_h, out_w) = (dy.shape(1), dy.shape(2), dy.shape(3));
    let plane = h * w;
    // The block of input channels is the workgroup's, as in the forward kernel.
    let ci0 = CUBE_POS_Y as usize * cb;
    let pos = ABSOLUTE_POS_X as usize;
    if pos >= plane * batch.div_ceil(nb) {
        terminate!();
    }
    let q = pos % plane;
    let n0 = (pos / plane) * nb;
    let (ih, iw) = (q / w, q % w);

    let (pixels, taps) = (out_h * out_w, args.kernel_h * args.kernel_w);
    let per_co = cin * taps;
    let mut acc = Array::<f32>::new(nb * cb);
    #[unroll]
    for i in 0..nb * cb {
        acc[i] = 0.0;
    }
    let image = image_starts(n0, batch, cout * pixels, nb);
    // Tap `kh = first_h + m·s` reaches output row `last_h - m`.
    let (first_h, last_h) = ((ih + args.pad_h) % args.stride_h, (ih + args.pad_h) / args.stride_h);
    let (first_w, last_w) = ((iw + args.pad_w) % args.stride_w, (iw + args.pad_w) / args.stride_w);
    let mut kh = first_h;
    let mut oh = last_h;
    while kh < args.kernel_h && oh + 1 > 0 {
        if oh < out_h {
            let mut kw = first_w;
            let mut ow = last_w;
            while kw < args.kernel_w && ow + 1 > 0 {
                if ow < out_w {
                    let mut at = oh * out_w + ow;
                    let mut tap = ci0 * taps + kh * args.kernel_w + kw;
                    for _co in 0..cout {
                        multiply_add(&mut acc, dy, &image, at, weight, tap, taps, nb, cb);
                        at += pixels;
                        tap += per_co;
                    }
                }
                if ow == 0 {
                    break;
                }
                kw += args.stride_w;
                ow -= 1;
            }
        }
        if oh == 0 {
            break;
        }
        kh += args.stride_h;
        oh -= 1;
    }
    #[unroll]
    for j in 0..nb {
        if n0 + j < batch {
            #[unroll]
            for c in 0..cb {
                dx[((n0 + j) * cin + ci0 + c) * plane + q] = acc[j * cb + c];
            }
        }
    }
}

/// `dw[co, ci, kh, kw] = Σ dy[n, co, oh, ow] · x[n, ci, oh·s + kh - p, ow·s + kw - p]`.
/// One invocation: one tap, `cib` input channels, `cob` output channels, summed over one slice
/// of the batch and the output pixels at which the tap reads inside the input; `dw` is
/// `[slices, co, ci, kh, kw]`, one partial sum per slice (summed afterwards), so that layers
/// with few channels and taps still run on every core.
#[cube(launch_unchecked)]
pub fn weight_grad_kernel(
    x: &Tensor<f32>,
    dy: &Tensor<f32>,
    dw: &mut Tensor<f32>,
    args: &ConvArgs,
    #[comptime] cob: usize,
    #[comptime] cib: usize,
) {
    let (batch, cin, h, w) = (x.shape(0), x.shape(1), x.shape(2), x.shape(3));
    let (cout, out_h, out_w) = (dy.shape(1), dy.shape(2), dy.shape(3));
    let taps = args.kernel_h * args.kernel_w;
    let ci_blocks = cin / cib;
    let units = taps * ci_blocks * (cout / cob);
    let slices = dw.shape(0);
    if ABSOLUTE_POS >= units * slices {
        terminate!();
    }
    let slice = ABSOLUTE_POS / units;
    let (first, end) = batch_range(slice, slices, batch);
    // Neighbouring invocations share the tap (and so their loops' bounds) and the output
    // channels (so their `dy` reads), and differ in the input channels.
    let pos = ABSOLUTE_POS % units;
    let ci0 = (pos % ci_blocks) * cib;
    let rest = pos / ci_blocks;
    let t = rest % taps;
    let co0 = (rest / taps) * cob;
    let (kh, kw) = (t / args.kernel_w, t % args.kernel_w);
    let (oh_lo, oh_hi) = reach(kh, h, out_h, args.stride_h, args.pad_h);
    let (ow_lo, ow_hi) = reach(kw, w, out_w, args.stride_w, args.pad_w);

    let (plane, pixels) = (h * w, out_h * out_w);
    let mut acc = Array::<f32>::new(cob * cib);
    #[unroll]
    for i in 0..cob * cib {
        acc[i] = 0.0;
    }
    let mut xs = Array::<f32>::new(cib);
    // The batch innermost: one loop of equal length in every invocation, with no tests inside.
    for oh in oh_lo..oh_hi {
        for ow in ow_lo..ow_hi {
            let mut at_x =
                (first * cin + ci0) * plane + (oh * args.stride_h + kh - args.pad_h) * w + ow * args.stride_w + kw
                    - args.pad_w;
            let mut at_dy = (first * cout + co0) * pixels + oh * out_w + ow;
            for _n in first..end {
                #[unroll]
                for i in 0..cib {
                    xs[i] = x[at_x + i * plane];
                }
                #[unroll]
                for c in 0..cob {
                    let g = dy[at_dy + c * pixels];
                    #[unroll]
                    for i in 0..cib {
                        acc[c * cib + i] += g * xs[i];
                    }
                }
                at_x += cin * plane;
                at_dy += cout * pixels;
            }
        }
    }
    #[unroll]
    for c in 0..cob {
        #[unroll]
        for i in 0..cib {
            dw[slice * cout * cin * taps + ((co0 + c) * cin + ci0 + i) * taps + t] = acc[c * cib + i];
        }
    }
}

/// `db[co] = Σ dy[n, co, oh, ow]`. One invocation per output channel.
#[cube(launch_unchecked)]
pub fn bias_grad_kernel(dy: &Tensor<f32>, db: &mut Tensor<f32>) {
    let (batch, cout) = (dy.shape(0), dy.shape(1));
    let pixels = dy.shape(2) * dy.shape(3);
    if ABSOLUTE_POS >= cout {
        terminate!();
    }
    let mut sum = 0.0f32;
    for n in 0..batch {
        let base = (n * cout + ABSOLUTE_POS) * pixels;
        for p in 0..pixels {
            sum += dy[base + p];
        }
    }
    db[ABSOLUTE_POS] = sum;
}
