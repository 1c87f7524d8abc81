//! Seeded shuffling and batching, like `DataLoader(shuffle=True)` with the last partial batch kept.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::dataset::{Dataset, SIDE};
use super::resize::resize_bilinear;

/// The order in which one epoch visits the examples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOrder {
    indices: Vec<usize>,
    batch_size: usize,
}

impl BatchOrder {
    /// A fresh permutation for every (seed, epoch) pair; StdRng is the same on every platform.
    pub fn shuffled(len: usize, batch_size: usize, seed: u64, epoch: usize) -> Self {
        let mut indices: Vec<usize> = (0..len).collect();
        let mut rng = StdRng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        indices.shuffle(&mut rng);
        Self { indices, batch_size }
    }

    /// The dataset's own order, for evaluation.
    pub fn sequential(len: usize, batch_size: usize) -> Self {
        Self { indices: (0..len).collect(), batch_size }
    }

    pub fn num_batches(&self) -> usize {
        self.indices.len().div_ceil(self.batch_size)
    }

    /// Indices of batch `i`.
    pub fn batch(&self, i: usize) -> &[usize] {
        let start = i * self.batch_size;
        &self.indices[start..(start + self.batch_size).min(self.indices.len())]
    }
}

/// One batch on the host, ready to become tensors: images `[n, 1, side, side]` scaled to [0, 1]
/// (like `ToTensor`), labels `[n]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub images: Vec<f32>,
    pub labels: Vec<i32>,
    pub side: usize,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

impl Dataset {
    /// Gathers the examples at `indices`, optionally resized to `side` x `side`.
    pub fn batch(&self, indices: &[usize], side: usize) -> Batch {
        let mut images = Vec::with_capacity(indices.len() * side * side);
        let mut scaled = Vec::with_capacity(SIDE * SIDE);
        for &i in indices {
            scaled.clear();
            scaled.extend(self.image(i).iter().map(|&p| p as f32 / 255.0));
            match side == SIDE {
                true => images.extend_from_slice(&scaled),
                false => resize_bilinear(&scaled, SIDE, side, &mut images),
            }
        }
        Batch { images, labels: indices.iter().map(|&i| self.label(i) as i32).collect(), side }
    }
}
