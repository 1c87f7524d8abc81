//! LeNet with BatchNorm after every conv and linear layer (d2l 7.5): sigmoid activations and
//! average pooling as in the original LeNet, on 28x28 images.

use super::layers::Spec;

/// `scratch` uses the seed's own `BatchNorm` (our [`super::ScratchBatchNorm`]), otherwise
/// burn's (PyTorch's `BatchNorm2d` / `BatchNorm1d` in the concise version).
pub fn lenet_bn(scratch: bool) -> Vec<Spec> {
    let bn = |features| Spec::BatchNorm { features, scratch };
    let pool = || Spec::AvgPool { kernel: 2, stride: 2 };
    vec![
        Spec::conv(1, 6, 5, 1, 0),
        bn(6),
        Spec::Sigmoid,
        pool(),
        Spec::conv(6, 16, 5, 1, 0),
        bn(16),
        Spec::Sigmoid,
        pool(),
        Spec::Flatten,
        // 16 * 4 * 4 = 256 at 28x28, as the seed writes it.
        Spec::lazy_linear(120),
        bn(120),
        Spec::Sigmoid,
        Spec::Linear { inputs: 120, outputs: 84 },
        bn(84),
        Spec::Sigmoid,
        Spec::Linear { inputs: 84, outputs: 10 },
    ]
}
