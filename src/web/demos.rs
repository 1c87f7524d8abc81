//! The demos on the network in memory: predictions, the identity checks, feature maps, and
//! inserting blocks (nested function classes). They run on the demo device (see
//! `device::Devices`), after the network was moved there once.

use burn::prelude::*;
use wasm_bindgen::prelude::*;

use super::explorer::{Current, Explorer, GALLERY, from_js, to_js};
use super::protocol::{Inserted, WorkerEvent, predictions_event};
use crate::explore::{self, Insertion};
use crate::model::ZeroMode;
use crate::train::{predict, read_f32};

#[wasm_bindgen]
impl Explorer {
    /// Predictions of the current network on the test subset.
    pub async fn evaluate(&mut self) -> Result<JsValue, JsError> {
        self.not_training()?;
        self.to_demo_device().await?;
        let n = self.network()?;
        let test = self.test_subset();
        let predictions = predict(&n.model, &test, n.config.input_size(), 100, self.demo_device()).await?;
        let event = to_js(&predictions_event(&predictions, test.labels(), GALLERY));
        let key = self.test_key();
        if let Some(n) = self.network.as_mut() {
            n.predictions = Some((key, predictions));
        }
        event
    }

    /// Both zeroings on every block, on the first `images` test images.
    #[wasm_bindgen(js_name = identityChecks)]
    pub async fn identity_checks(&mut self, images: usize) -> Result<JsValue, JsError> {
        self.not_training()?;
        self.to_demo_device().await?;
        let (model, config) = self.network()?.resnet("identity demo")?;
        let x = self.images(0, images.max(1), config.input_size);
        to_js(&explore::identity_checks(model, x).await?)
    }

    /// Input and output feature maps of one block for one test image.
    #[wasm_bindgen(js_name = featureMaps)]
    pub async fn feature_maps(
        &mut self,
        stage: usize,
        block: usize,
        mode: String,
        image: usize,
        max_channels: usize,
    ) -> Result<JsValue, JsError> {
        self.not_training()?;
        self.to_demo_device().await?;
        let (model, config) = self.network()?.resnet("identity demo")?;
        let mode = match mode.as_str() {
            "none" => None,
            "branch" => Some(ZeroMode::Branch),
            "conv2" => Some(ZeroMode::Conv2),
            other => return Err(JsError::new(&format!("unknown zeroing mode {other:?}"))),
        };
        let x = self.images(image, 1, config.input_size);
        let (input, output) = explore::block_io(model, x, stage, block, mode)
            .ok_or_else(|| JsError::new(&format!("there is no block {block} in stage b{}", stage + 2)))?;
        let max_abs_diff = match input.dims() == output.dims() {
            true => Some(read_f32((output.clone() - input.clone()).abs().max().reshape([1])).await?[0]),
            false => None,
        };
        let channels = max_channels.min(input.dims()[1]).min(output.dims()[1]).max(1);
        let [side_in, side_out] = [input.dims()[2], output.dims()[2]];
        let first = |t: Tensor<4>| t.narrow(1, 0, channels).reshape([-1]);
        to_js(&WorkerEvent::FeatureMaps {
            label: format!("b{}.{}", stage + 2, block),
            channels,
            side_in,
            side_out,
            input: read_f32(first(input)).await?,
            output: read_f32(first(output)).await?,
            max_abs_diff,
        })
    }

    /// Inserts a block at the end of `stage`; compares test predictions before and after.
    pub async fn insert(&mut self, insertion: String, stage: usize) -> Result<JsValue, JsError> {
        self.not_training()?;
        let insertion: Insertion = from_js(JsValue::from_str(&insertion))?;
        self.to_demo_device().await?;
        let n = self.network()?;
        let (resnet, resnet_config) = n.resnet("block insertion")?;
        if stage >= resnet_config.widths.len() {
            return Err(JsError::new(&format!("there is no stage b{}", stage + 2)));
        }
        let test = self.test_subset();
        let device = self.demo_device();
        let before = match &n.predictions {
            Some((key, p)) if *key == self.test_key() => p.clone(),
            _ => predict(resnet, &test, resnet_config.input_size, 256, device).await?,
        };
        let (check, model, config) =
            explore::insertion_check(resnet, resnet_config, insertion, stage, &test, &before, device).await?;
        let bigger = Current {
            model: model.into(),
            config: config.into(),
            note: n.note.clone(),
            inserted: [n.inserted.clone(), vec![Inserted { insertion, stage }]].concat(),
            on_demo_device: true,
            predictions: None,
        };
        let previous = self.network.replace(bigger).expect("checked above");
        self.original.get_or_insert(previous);
        to_js(&[WorkerEvent::Insertion(check), self.model_event()?])
    }

    /// Back to the network before the first insertion.
    pub fn restore(&mut self) -> Result<JsValue, JsError> {
        self.not_training()?;
        let original = self.original.take().ok_or_else(|| JsError::new("nothing to restore: no block was inserted"))?;
        self.network = Some(original);
        to_js(&[self.model_event()?])
    }
}

impl Explorer {
    /// `count` test images from `start`, as a tensor on the demo device.
    fn images(&self, start: usize, count: usize, side: usize) -> Tensor<4> {
        let end = (start + count).min(self.test.len());
        let indices: Vec<usize> = (start.min(end)..end).collect();
        let batch = self.test.batch(&indices, side);
        Tensor::from_data(TensorData::new(batch.images, [indices.len(), 1, side, side]), self.demo_device())
    }
}
