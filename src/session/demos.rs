//! The demos on the network in memory: predictions, the identity checks, feature maps, and
//! inserting blocks (nested function classes). They run on the demo device (see
//! [`super::SessionDevices`]), after the network was moved there once.

use burn::prelude::*;

use super::protocol::{Inserted, WorkerEvent, predictions_event};
use super::{Current, GALLERY, Result, Session, refused};
use crate::data::{CLASS_NAMES, fingerprint};
use crate::explore::{self, BlockCheck, Insertion};
use crate::model::ZeroMode;
use crate::model::memory::prediction_batch;
use crate::train::{predict, read_f32};

impl Session {
    /// Predictions of the network in memory on the test subset (kept for the insertion demo).
    pub async fn evaluate(&mut self) -> Result<WorkerEvent> {
        self.not_training()?;
        self.move_to_demo_device().await?;
        let n = self.current()?;
        let test = self.test_subset();
        let batch = prediction_batch(&n.config)?;
        let predictions = predict(&n.model, &test, n.config.input_size(), batch, &self.demo_device).await?;
        let event = predictions_event(&predictions, test.labels(), GALLERY);
        let key = self.test_key();
        if let Some(n) = self.network.as_mut() {
            n.predictions = Some((key, predictions));
        }
        Ok(event)
    }

    /// A key for the predictions of the network in memory on the demos' test images, while that
    /// network is a weights file as loaded (else None): under one key, the same predictions. The
    /// worker keeps them in the browser so that a later visit need not compute them again.
    pub fn predictions_key(&self) -> Option<String> {
        let file = self.network.as_ref()?.file.filter(|_| self.run.is_none())?;
        let (test, count) = (self.test.fingerprint(), self.test_key().1);
        Some(format!("{file:016x}-{test:016x}-{count}-{}", env!("CARGO_PKG_VERSION")))
    }

    /// The network in memory was just saved as `file` (and kept in this browser): loading that
    /// file gives these very weights, so its predictions may be kept under the file's key too.
    pub fn saved_as(&mut self, file: &[u8]) {
        if let (None, Some(n)) = (&self.run, self.network.as_mut()) {
            n.file = Some(fingerprint(&[file]));
        }
    }

    /// The predictions [`Session::evaluate`] computed (and kept) for the network in memory, if
    /// they are for the test images the demos use now.
    pub fn computed_predictions(&self) -> Option<&[u8]> {
        match &self.network.as_ref()?.predictions {
            Some((key, p)) if *key == self.test_key() => Some(p),
            _ => None,
        }
    }

    /// Predictions kept under [`Session::predictions_key`] on an earlier visit, in place of
    /// [`Session::evaluate`]'s: checked against the test images, then used as its own would be.
    pub fn use_predictions(&mut self, predictions: Vec<u8>) -> Result<WorkerEvent> {
        self.not_training()?;
        let test = self.test_subset();
        if predictions.len() != test.len() || predictions.iter().any(|&p| usize::from(p) >= CLASS_NAMES.len()) {
            return Err(refused(format!(
                "the kept predictions are not for these {} test images ({} values)",
                test.len(),
                predictions.len()
            )));
        }
        let event = predictions_event(&predictions, test.labels(), GALLERY);
        let key = self.test_key();
        self.network.as_mut().ok_or_else(|| refused("no network in memory"))?.predictions = Some((key, predictions));
        Ok(event)
    }

    /// Both zeroings on every block, on the first `images` test images.
    pub async fn identity_checks(&mut self, images: usize) -> Result<Vec<BlockCheck>> {
        self.not_training()?;
        self.move_to_demo_device().await?;
        let (model, config) = self.current()?.resnet("identity demo")?;
        let x = self.images(0, images.max(1), config.input_size);
        Ok(explore::identity_checks(model, x).await?)
    }

    /// Input and output feature maps (the first `max_channels` channels) of one block for one
    /// test image (None: the user's picture), with the block's residual branch or conv2 zeroed
    /// (`mode`) or as trained.
    pub async fn feature_maps(
        &mut self,
        stage: usize,
        block: usize,
        mode: Option<ZeroMode>,
        image: Option<usize>,
        max_channels: usize,
    ) -> Result<WorkerEvent> {
        self.not_training()?;
        self.move_to_demo_device().await?;
        let (model, config) = self.current()?.resnet("identity demo")?;
        let x = match image {
            Some(image) => self.images(image, 1, config.input_size),
            None => self.picture_images(config.input_size)?,
        };
        let (input, output) = explore::block_io(model, x, stage, block, mode)
            .ok_or_else(|| refused(format!("there is no block {block} in stage b{}", stage + 2)))?;
        let max_abs_diff = match input.dims() == output.dims() {
            true => Some(read_f32((output.clone() - input.clone()).abs().max().reshape([1])).await?[0]),
            false => None,
        };
        let channels = max_channels.min(input.dims()[1]).min(output.dims()[1]).max(1);
        let [side_in, side_out] = [input.dims()[2], output.dims()[2]];
        let first = |t: Tensor<4>| t.narrow(1, 0, channels).reshape([-1]);
        Ok(WorkerEvent::FeatureMaps {
            label: format!("b{}.{}", stage + 2, block),
            channels,
            side_in,
            side_out,
            input: read_f32(first(input)).await?,
            output: read_f32(first(output)).await?,
            max_abs_diff,
        })
    }

    /// Inserts a block at the end of `stage` and compares test predictions before and after;
    /// the bigger network becomes the one in memory (the one before the first insertion is kept
    /// for [`Session::restore`]). Returns the `insertion` and `model` events.
    pub async fn insert(&mut self, insertion: Insertion, stage: usize) -> Result<Vec<WorkerEvent>> {
        self.not_training()?;
        self.move_to_demo_device().await?;
        let n = self.current()?;
        let (resnet, resnet_config) = n.resnet("block insertion")?;
        if stage >= resnet_config.widths.len() {
            return Err(refused(format!("there is no stage b{}", stage + 2)));
        }
        let test = self.test_subset();
        let device = &self.demo_device;
        let before = match &n.predictions {
            Some((key, p)) if *key == self.test_key() => p.clone(),
            _ => predict(resnet, &test, resnet_config.input_size, prediction_batch(&n.config)?, device).await?,
        };
        let (check, model, config) =
            explore::insertion_check(resnet, resnet_config, insertion, stage, &test, &before, device).await?;
        let bigger = Current {
            model: model.into(),
            config: config.into(),
            note: n.note.clone(),
            origin: n.origin.clone(),
            inserted: [n.inserted.clone(), vec![Inserted { insertion, stage }]].concat(),
            described: n.described,
            on_demo_device: true,
            predictions: None,
            file: None,
        };
        let previous = self.network.replace(bigger).expect("checked above");
        self.original.get_or_insert(previous);
        Ok(vec![WorkerEvent::Insertion(check), self.model_event()?])
    }

    /// Back to the network before the first insertion; returns its `model` event.
    pub fn restore(&mut self) -> Result<Vec<WorkerEvent>> {
        self.not_training()?;
        let original = self.original.take().ok_or_else(|| refused("nothing to restore: no block was inserted"))?;
        self.network = Some(original);
        Ok(vec![self.model_event()?])
    }

    /// `count` test images from `start`, as a tensor on the demo device.
    fn images(&self, start: usize, count: usize, side: usize) -> Tensor<4> {
        let end = (start + count).min(self.test.len());
        let indices: Vec<usize> = (start.min(end)..end).collect();
        let batch = self.test.batch(&indices, side);
        Tensor::from_data(TensorData::new(batch.images, [indices.len(), 1, side, side]), &self.demo_device)
    }
}
