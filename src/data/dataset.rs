//! Fashion-MNIST held in memory as bytes: 47 MB for the training set, decoded once.

use std::hash::{DefaultHasher, Hasher};

use super::idx::{self, IdxError};

/// A hash of `parts` (SipHash with fixed keys: the same bytes give the same hash in one build).
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for part in parts {
        hasher.write(part);
    }
    hasher.finish()
}

pub const CLASS_NAMES: [&str; 10] =
    ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/// Side of every stored image.
pub const SIDE: usize = 28;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    /// The file names of the original distribution, gzip-compressed.
    pub fn file_names(self) -> (&'static str, &'static str) {
        match self {
            Split::Train => ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            Split::Test => ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
        }
    }
}

/// Images (28x28, row-major, 0..=255) and their labels; empty by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dataset {
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl Dataset {
    /// Parses and cross-checks an image file and a label file (each gzip or raw IDX).
    pub fn from_idx(images: &[u8], images_file: &str, labels: &[u8], labels_file: &str) -> Result<Self, IdxError> {
        let images = idx::parse_images(images, images_file)?;
        let labels = idx::parse_labels(labels, labels_file, CLASS_NAMES.len())?;
        if images.count != labels.len() {
            return Err(IdxError::CountMismatch {
                images_file: images_file.into(),
                images: images.count,
                labels_file: labels_file.into(),
                labels: labels.len(),
            });
        }
        Ok(Self { pixels: images.pixels, labels })
    }

    /// Images the page made (the user's own picture), `SIDE` x `SIDE` bytes each, with their
    /// labels; None when the bytes are not that many images.
    pub fn from_pixels(pixels: Vec<u8>, labels: Vec<u8>) -> Option<Self> {
        (!labels.is_empty() && pixels.len() == labels.len() * SIDE * SIDE).then_some(Self { pixels, labels })
    }

    /// Reads one split from a directory holding the four original `.gz` files.
    #[cfg(not(target_family = "wasm"))]
    pub fn load(dir: &std::path::Path, split: Split) -> Result<Self, IdxError> {
        let (images, labels) = split.file_names();
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| IdxError::Io { file: path.display().to_string(), reason: e.to_string() })
        };
        let path = |name: &str| dir.join(name).display().to_string();
        Self::from_idx(&read(images)?, &path(images), &read(labels)?, &path(labels))
    }

    /// Keeps the first `n` examples (all of them when `n` is larger).
    pub fn truncate(mut self, n: usize) -> Self {
        let n = n.min(self.len());
        self.pixels.truncate(n * SIDE * SIDE);
        self.labels.truncate(n);
        self
    }

    /// Splits off the last `n` examples (all of them when `n` is larger): a held-out test set
    /// for a dataset that comes as a single pair of files.
    pub fn split_off(&mut self, n: usize) -> Self {
        let at = self.len() - n.min(self.len());
        Self { pixels: self.pixels.split_off(at * SIDE * SIDE), labels: self.labels.split_off(at) }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * SIDE * SIDE..(i + 1) * SIDE * SIDE]
    }

    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// A hash of its images and labels: equal for the same data (within one build of this code).
    pub fn fingerprint(&self) -> u64 {
        fingerprint(&[&self.pixels, &self.labels])
    }

    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }
}
