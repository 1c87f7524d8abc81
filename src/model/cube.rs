//! What this crate's CubeCL ops (the GPU convolution and BatchNorm) share: allocating outputs,
//! one-dimensional launches, and summing the partial results of slices of a batch.

use burn::tensor::Shape;
use burn_cubecl::ops::numeric::empty_device_dtype;
use burn_cubecl::tensor::CubeTensor;
use cubecl::prelude::*;
use cubecl::{CubeCount, CubeDim, calculate_cube_count_elemwise};

/// An uninitialised tensor of `shape` on `like`'s device, of its dtype.
pub fn empty_like(like: &CubeTensor, shape: Shape) -> CubeTensor {
    empty_device_dtype(like.client.clone(), like.device.clone(), shape, like.dtype)
}

/// A 1-D launch over `units` invocations. Workgroups of 64: software GPUs (lavapipe,
/// SwiftShader) run one workgroup per core at a time, so many small ones keep every core busy.
pub fn grid(like: &CubeTensor, units: usize) -> (CubeCount, CubeDim) {
    let dim = CubeDim::new_1d(64);
    (calculate_cube_count_elemwise(&like.client, units, dim), dim)
}

/// Slices of the batch for a reduction whose `units` invocations each sum over the whole batch:
/// enough that about 4096 invocations run in all (a real GPU wants thousands), at most one
/// image each.
pub fn batch_slices(units: usize, batch: usize) -> usize {
    4096usize.div_ceil(units.max(1)).clamp(1, batch.max(1))
}

/// `out[i] = Σ_s partial[s, i]` for `partial` of shape `[slices, ..shape]`.
pub fn sum_slices(partial: CubeTensor, shape: Shape) -> CubeTensor {
    let out = empty_like(&partial, shape);
    let (cubes, dim) = grid(&partial, out.meta.num_elements());
    // SAFETY: one invocation per value of `out`, checked against its length; `partial` holds
    // `slices` contiguous copies of it.
    unsafe {
        sum_slices_kernel::launch_unchecked(
            &partial.client.clone(),
            cubes,
            dim,
            partial.into_tensor_arg(),
            out.clone().into_tensor_arg(),
        );
    }
    out
}

/// The images `first..end` of slice `slice` when `batch` images are cut into `slices` equal
/// slices (the last may be shorter or empty).
#[cube]
pub fn batch_range(slice: usize, slices: usize, batch: usize) -> (usize, usize) {
    let per = batch.div_ceil(slices);
    (slice * per, clamp_max(slice * per + per, batch))
}

#[cube(launch_unchecked)]
fn sum_slices_kernel(partial: &Tensor<f32>, out: &mut Tensor<f32>) {
    let size = out.len();
    if ABSOLUTE_POS >= size {
        terminate!();
    }
    let mut sum = 0.0f32;
    for s in 0..partial.shape(0) {
        sum += partial[s * size + ABSOLUTE_POS];
    }
    out[ABSOLUTE_POS] = sum;
}
