//! GoogLeNet (d2l 7.4) at 96x96: the Inception block's four parallel paths, and `b1..b5`.

use burn::prelude::*;

use super::layers::{Features, Layer, Spec};

/// Parallel paths on the same input, concatenated along the channels.
#[derive(Module, Debug)]
pub struct Inception {
    /// d2l's `p1_1`; `p2_1, p2_2`; `p3_1, p3_2`; `p4_1, p4_2`, each path with its ReLUs.
    pub paths: Vec<Vec<Layer>>,
}

impl Inception {
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let paths = self
            .paths
            .iter()
            .map(|path| path.iter().fold(Features::Map(x.clone()), |x, layer| layer.forward(x)).into_map())
            .collect();
        Tensor::cat(paths, 1)
    }
}

/// d2l's `Inception(in_channels, c1, c2, c3, c4)`: a 1x1 conv; 1x1 then 3x3; 1x1 then 5x5;
/// 3x3 max-pool then 1x1. Every path keeps the height and width, so the outputs stack to
/// `c1 + c2.1 + c3.1 + c4` channels.
pub fn inception(in_channels: usize, c1: usize, c2: (usize, usize), c3: (usize, usize), c4: usize) -> Spec {
    let c = in_channels;
    Spec::Inception(vec![
        vec![Spec::conv(c, c1, 1, 1, 0), Spec::Relu],
        vec![Spec::conv(c, c2.0, 1, 1, 0), Spec::Relu, Spec::conv(c2.0, c2.1, 3, 1, 1), Spec::Relu],
        vec![Spec::conv(c, c3.0, 1, 1, 0), Spec::Relu, Spec::conv(c3.0, c3.1, 5, 1, 2), Spec::Relu],
        vec![Spec::MaxPool { kernel: 3, stride: 1, padding: 1 }, Spec::conv(c, c4, 1, 1, 0), Spec::Relu],
    ])
}

/// `nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))`, labelled by d2l's variable names.
pub fn googlenet() -> super::LabelledSpecs {
    let pool = || Spec::MaxPool { kernel: 3, stride: 2, padding: 1 };
    let b1 = vec![Spec::conv(1, 64, 7, 2, 3), Spec::Relu, pool()];
    let b2 = vec![Spec::conv(64, 64, 1, 1, 0), Spec::Relu, Spec::conv(64, 192, 3, 1, 1), Spec::Relu, pool()];
    let b3 = vec![inception(192, 64, (96, 128), (16, 32), 32), inception(256, 128, (128, 192), (32, 96), 64), pool()];
    let b4 = vec![
        inception(480, 192, (96, 208), (16, 48), 64),
        inception(512, 160, (112, 224), (24, 64), 64),
        inception(512, 128, (128, 256), (24, 64), 64),
        inception(512, 112, (144, 288), (32, 64), 64),
        inception(528, 256, (160, 320), (32, 128), 128),
        pool(),
    ];
    let b5 = vec![
        inception(832, 256, (160, 320), (32, 128), 128),
        inception(832, 384, (192, 384), (48, 128), 128),
        Spec::GlobalAvgPool,
        Spec::Flatten,
    ];
    let blocks =
        [b1, b2, b3, b4, b5].into_iter().enumerate().map(|(i, b)| (format!("b{}", i + 1), Spec::Sequential(b)));
    blocks.chain([("fc".to_string(), Spec::Linear { inputs: 1024, outputs: 10 })]).collect()
}
