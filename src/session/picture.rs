//! The user's own picture: drawn or uploaded in the page, made a 28x28 Fashion-MNIST-like image
//! there (grey, dark background, the object centred and scaled into the frame), then classified
//! by the network in memory here, and shown to the identity demo like a test image.

use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::protocol::WorkerEvent;
use super::{Result, Session, refused};
use crate::data::{Dataset, SIDE};
use crate::model::Classifier;
use crate::train::read_f32;

impl Session {
    /// The class probabilities of the network in memory for `picture` (28x28 grey bytes, row by
    /// row), in eval mode; the picture is kept for the identity demo's feature maps.
    pub async fn classify(&mut self, picture: Vec<u8>) -> Result<WorkerEvent> {
        self.not_training()?;
        let got = picture.len();
        let picture = Dataset::from_pixels(picture, vec![0])
            .ok_or_else(|| refused(format!("a picture is {SIDE}x{SIDE} = {} grey values, not {got}", SIDE * SIDE)))?;
        self.move_to_demo_device().await?;
        let n = self.current()?;
        let x = picture_tensor(&picture, n.config.input_size(), &self.demo_device);
        let logits = n.model.valid().logits(x);
        let probabilities = read_f32(softmax(logits, 1).reshape([-1])).await?;
        let predicted = argmax(&probabilities);
        self.picture = Some(picture);
        Ok(WorkerEvent::Picture { probabilities, predicted, class_names: self.class_names.clone() })
    }

    /// The kept picture as a batch of one at `side` (the network's input size), else why not.
    pub(super) fn picture_images(&self, side: usize) -> Result<Tensor<4>> {
        let picture = self.picture.as_ref().ok_or_else(|| refused("draw or upload a picture first"))?;
        Ok(picture_tensor(picture, side, &self.demo_device))
    }
}

/// The picture as the test images are made into tensors (`Dataset::batch`: scaled to [0, 1],
/// resized to `side` the same way).
fn picture_tensor(picture: &Dataset, side: usize, device: &Device) -> Tensor<4> {
    let batch = picture.batch(&[0], side);
    Tensor::from_data(TensorData::new(batch.images, [1, 1, side, side]), device)
}

/// The index of the largest value (the first of equals).
fn argmax(values: &[f32]) -> u8 {
    let best = values.iter().enumerate().fold(0, |best, (i, &v)| if v > values[best] { i } else { best });
    best as u8
}
