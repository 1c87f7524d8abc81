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
        Spec::Flatten,
        // 256 * 5 * 5 = 6400 at 224.
        Spec::lazy_linear(4096),
        Spec::Relu,
        Spec::Dropout(0.5),
        Spec::Linear { inputs: 4096, outputs: 4096 },
        Spec::Relu,
        Spec::Dropout(0.5),
        Spec::Linear { inputs: 4096, outputs: 10 },
    ]
}
