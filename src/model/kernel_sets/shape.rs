//! The operations whose kernels are chosen, by the shapes that decide their speed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A convolution or a BatchNorm in training, as the model calls it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum OpShape {
    /// `input` `[n, ci, h, w]` by `weight` `[co, ci, kh, kw]`, with a bias.
    Conv { input: [usize; 4], weight: [usize; 4], stride: [usize; 2], padding: [usize; 2] },
    /// BatchNorm over `input` `[n, c, h, w]`, then ReLU with `relu`.
    Norm { input: [usize; 4], relu: bool },
}

impl OpShape {
    /// Multiply-adds of the forward pass (a convolution's; a BatchNorm's are its elements).
    pub fn forward_macs(&self) -> u64 {
        match self {
            OpShape::Conv { input, weight, stride, padding } => {
                let out = |i: usize| (input[2 + i] + 2 * padding[i] - weight[2 + i]) / stride[i] + 1;
                let per_output = (weight[1] * weight[2] * weight[3]) as u64;
                (input[0] * weight[0] * out(0) * out(1)) as u64 * per_output
            }
            OpShape::Norm { input, .. } => input.iter().product::<usize>() as u64,
        }
    }
}

impl fmt::Display for OpShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dims = |d: &[usize]| d.iter().map(usize::to_string).collect::<Vec<_>>().join("x");
        match self {
            OpShape::Conv { input, weight, stride, padding } => {
                let pair = |p: &[usize; 2]| if p[0] == p[1] { p[0].to_string() } else { dims(p) };
                write!(f, "conv {} * {} s{} p{}", dims(input), dims(weight), pair(stride), pair(padding))
            }
            OpShape::Norm { input, relu } => write!(f, "batchnorm{} {}", if *relu { "+relu" } else { "" }, dims(input)),
        }
    }
}
