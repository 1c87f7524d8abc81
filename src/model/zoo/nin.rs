//! Network in Network (d2l 7.3): each block is a conv followed by two 1x1 convs (a per-pixel
//! MLP); no linear layer at all, the last block has one channel per class and is averaged.

use super::layers::Spec;

/// d2l's `nin_block(in_channels, out_channels, kernel_size, strides, padding)`.
pub fn nin_block(in_channels: usize, out_channels: usize, kernel: usize, stride: usize, padding: usize) -> Spec {
    let c = out_channels;
    Spec::Sequential(vec![
        Spec::conv(in_channels, c, kernel, stride, padding),
        Spec::Relu,
        Spec::conv(c, c, 1, 1, 0),
        Spec::Relu,
        Spec::conv(c, c, 1, 1, 0),
        Spec::Relu,
    ])
}

pub fn nin() -> Vec<Spec> {
    let pool = || Spec::MaxPool { kernel: 3, stride: 2, padding: 0 };
    vec![
        nin_block(1, 96, 11, 4, 0),
        pool(),
        nin_block(96, 256, 5, 1, 2),
        pool(),
        nin_block(256, 384, 3, 1, 1),
        pool(),
        Spec::Dropout(0.5),
        // 10 classes.
        nin_block(384, 10, 3, 1, 1),
        Spec::GlobalAvgPool,
        // [batch, 10, 1, 1] to the logits [batch, 10].
        Spec::Flatten,
    ]
}
