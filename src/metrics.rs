//! Classification metrics computed from predictions on the host.

use serde::{Deserialize, Serialize};

/// `counts[true][predicted]` for the 10 classes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub counts: Vec<Vec<u32>>,
}

impl ConfusionMatrix {
    pub fn new(classes: usize, predictions: &[u8], labels: &[u8]) -> Self {
        let mut counts = vec![vec![0; classes]; classes];
        for (&p, &l) in predictions.iter().zip(labels) {
            counts[l as usize][p as usize] += 1;
        }
        Self { counts }
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let correct: u32 = (0..self.counts.len()).map(|i| self.counts[i][i]).sum();
        correct as f64 / self.total().max(1) as f64
    }

    /// Recall of each class: the fraction of its examples predicted correctly.
    pub fn per_class_accuracy(&self) -> Vec<f64> {
        self.counts.iter().enumerate().map(|(i, row)| row[i] as f64 / row.iter().sum::<u32>().max(1) as f64).collect()
    }
}
