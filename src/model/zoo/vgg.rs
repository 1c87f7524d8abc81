//! VGG (d2l 7.2): blocks of 3x3 convs, each block ending in a 2x2 max-pool that halves the side.

use super::layers::Spec;

/// VGG-11: 8 convs in 5 blocks, (number of convs, output channels) per block.
pub const VGG11_ARCH: [(usize, usize); 5] = [(1, 64), (1, 128), (2, 256), (2, 512), (2, 512)];

/// d2l's `vgg_block(num_convs, in_channels, out_channels)`.
pub fn vgg_block(num_convs: usize, in_channels: usize, out_channels: usize) -> Spec {
    let mut layers = Vec::new();
    for i in 0..num_convs {
        let from = if i == 0 { in_channels } else { out_channels };
        layers.extend([Spec::conv(from, out_channels, 3, 1, 1), Spec::Relu]);
    }
    layers.push(Spec::MaxPool { kernel: 2, stride: 2, padding: 0 });
    Spec::Sequential(layers)
}

/// d2l's `vgg(conv_arch)` with every width divided by `ratio` (1: VGG-11; 4: the small
/// version d2l trains). The classifier is AlexNet's, on `out_channels * 7 * 7` at 224.
pub fn vgg(conv_arch: &[(usize, usize)], ratio: usize) -> Vec<Spec> {
    let mut in_channels = 1;
    let mut layers: Vec<Spec> = conv_arch
        .iter()
        .map(|&(num_convs, channels)| {
            let block = vgg_block(num_convs, in_channels, channels / ratio);
            in_channels = channels / ratio;
            block
        })
        .collect();
    layers.extend(super::alexnet::classifier());
    layers
}
