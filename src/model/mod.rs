//! The d2l.ai ResNet, written once for every burn backend (the backend is picked by the `Device`).

mod buffers;
pub mod catalogue;
mod config;
pub mod conv;
mod cpu_tensor;
#[cfg(feature = "wgpu")]
mod cube;
mod init;
pub mod kernel_sets;
pub mod linear;
pub mod memory;
mod network;
pub mod norm;
pub(crate) mod parallel;
pub mod pool;
mod residual;
mod resnet;
pub mod safetensors;
mod shapes;
mod surgery;
pub mod torch_layout;
pub mod weights;
pub mod zoo;

pub use buffers::{check_network_fits, largest_activation_of, largest_weight};
pub use config::{BlockRef, ConfigError, Downsample, ResNetConfig, StemConfig};
pub use init::init_seeded;
pub use network::{Classifier, ModelConfig, Network, NotResidual};
pub use residual::{Residual, ResidualConfig};
pub use resnet::{ResNet, Stage, Stem, resnet_block};
pub use shapes::{LayerShape, check_batch_fits, infer_shapes, infer_top_level_shapes, largest_activation, totals};
pub use surgery::ZeroMode;
