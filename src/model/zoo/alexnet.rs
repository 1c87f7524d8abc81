//! AlexNet (d2l 7.1), Fashion-MNIST version: one input channel, 10 classes, 224x224 input.

use super::layers::Spec;

pub fn alexnet() -> Vec<Spec> {
    let pool = || Spec::MaxPool { kernel: 3, stride: 2, padding: 0 };
    vec![
        // An 11x11 window, stride 4: ImageNet objects are big.
        Spec::conv(1, 96, 11, 4, 1),
        Spec::Relu,
        pool(),
        Spec::conv(96, 256, 5, 1, 2),
        Spec::Relu,
        pool(),
        Spec::conv(256, 384, 3, 1, 1),
        Spec::Relu,
        Spec::conv(384, 384, 3, 1, 1),
        Spec::Relu,
        Spec::conv(384, 256, 3, 1, 1),
        Spec::Relu,
        pool(),
    ]
    .into_iter()
    // 256 * 5 * 5 = 6400 inputs at 224.
    .chain(classifier())
    .collect()
}

/// AlexNet's classifier, which VGG reuses: flatten, two 4096-wide layers with dropout, 10 classes.
/// The first layer's width follows the feature map (PyTorch's `LazyLinear`).
pub fn classifier() -> [Spec; 8] {
    [
        Spec::Flatten,
        Spec::lazy_linear(4096),
        Spec::Relu,
        Spec::Dropout(0.5),
        Spec::Linear { inputs: 4096, outputs: 4096 },
        Spec::Relu,
        Spec::Dropout(0.5),
        Spec::Linear { inputs: 4096, outputs: 10 },
    ]
}
