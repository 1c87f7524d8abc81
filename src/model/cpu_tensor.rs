//! Between burn's CPU tensors and the slices the CPU ops compute on.

use burn::backend::flex::{FlexTensor, Layout};
use burn::tensor::{Bytes, DType, Shape};

/// The values of a contiguous f32 tensor (callers make it contiguous and check the dtype).
pub fn floats(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().expect("a contiguous f32 tensor")
}

/// A contiguous f32 tensor of `shape` holding `data`.
pub fn tensor(data: Vec<f32>, shape: impl Into<Shape>) -> FlexTensor {
    FlexTensor::new(Bytes::from_elems(data), Layout::contiguous(shape.into()), DType::F32)
}
