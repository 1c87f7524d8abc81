//! Fashion-MNIST from its IDX files: parsing and validation, the in-memory dataset, resizing
//! and seeded batches.

mod batches;
mod dataset;
mod idx;
mod resize;

pub use batches::{Batch, BatchOrder};
pub use dataset::{CLASS_NAMES, Dataset, SIDE, Split, fingerprint};
pub use idx::{IdxError, IdxImages, parse_images, parse_labels};
pub use resize::resize_bilinear;
