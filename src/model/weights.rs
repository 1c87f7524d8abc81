//! Saving and loading trained weights. A weights file is a short header (the network's
//! configuration and a note, as JSON) followed by burn's own record format (burnpack), so a file
//! carries everything needed to rebuild the network it came from.
//!
//! Layout: `RNXW` `1` `\0\0\0`, the JSON length as a little-endian u32, the JSON, the burnpack.
//!
//! The header's `model` is a [`ModelConfig`]: a ResNet's is written exactly as a `ResNetConfig`
//! (so files from before the zoo load unchanged), a zoo network's as its `ZooConfig`. The
//! burnpack holds the record of the network itself (the `ResNet` or the `Zoo`), not of the
//! [`Network`] enum around it, whose parameter paths would carry the variant's name.

use std::collections::VecDeque;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use super::network::{ModelConfig, Network};

const MAGIC: &[u8; 8] = b"RNXW\x01\0\0\0";

/// What a weights file says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsHeader {
    pub model: ModelConfig,
    /// How the weights were made, e.g. the command and its test accuracy.
    pub note: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("not a ResNet Explorer weights file (it does not start with the RNXW header)")]
    NotWeights,
    #[error("the weights file is damaged: {0}")]
    Corrupt(String),
    #[error("reading the weights from the device failed: {0}")]
    Device(String),
    #[error("the header describes a {header} network but the weights are of another kind")]
    Mismatch { header: String },
    /// A `.safetensors` file in the seed's PyTorch layout ([`super::safetensors`]).
    #[error(transparent)]
    Torch(#[from] super::safetensors::TorchError),
}

/// Every float tensor of the module (parameters and BatchNorm running statistics), flattened,
/// in traversal order.
struct Collect(Vec<Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.val().reshape([-1]));
    }
}

/// Puts host values back, in the same traversal order, on `device`.
struct Replace {
    values: VecDeque<Vec<f32>>,
    device: Device,
}

impl ModuleMapper for Replace {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let values = self.values.pop_front().expect("one value per visited tensor");
        let device = self.device.clone();
        param.map(|t| Tensor::from_data(TensorData::new(values, t.shape()), &device))
    }
}

/// A copy of `model` on the CPU device, read back with async reads (a synchronous read panics
/// on WebGPU, and burn's record writer reads synchronously).
pub async fn to_cpu<M: Module>(model: &M) -> Result<M, WeightsError> {
    // `valid` first: it folds the BatchNorm running statistics' last update in (burn keeps it
    // apart until then, and visiting reads the value before it: a file saved right after a
    // run would miss the last batch's statistics, or all of them after one batch).
    let model = model.valid();
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    let sizes: Vec<usize> = collect.0.iter().map(|t| t.dims()[0]).collect();
    // One transfer for everything.
    let all = Tensor::cat(collect.0, 0).into_data_async().await.map_err(|e| WeightsError::Device(format!("{e:?}")))?;
    let mut all = all.try_to_vec::<f32>().map_err(|e| WeightsError::Device(format!("{e:?}")))?.into_iter();
    let values = sizes.iter().map(|&n| all.by_ref().take(n).collect()).collect();
    Ok(model.map(&mut Replace { values, device: Device::flex() }))
}

/// Every float of `model` (parameters and BatchNorm statistics) in traversal order: what two
/// networks must share to be the same network (a saved file's bytes are not: the record's
/// metadata is written in no fixed order).
pub async fn values(model: &Network) -> Result<Vec<f32>, WeightsError> {
    let mut collect = Collect(Vec::new());
    match model {
        Network::ResNet(m) => m.valid().visit(&mut collect), // `valid`: see `to_cpu`
        Network::Zoo(m) => m.valid().visit(&mut collect),
    }
    let all = Tensor::cat(collect.0, 0).into_data_async().await.map_err(|e| WeightsError::Device(format!("{e:?}")))?;
    all.try_to_vec::<f32>().map_err(|e| WeightsError::Device(format!("{e:?}")))
}

/// Serialises `model` with its configuration (`header.model` must describe it).
pub async fn save(model: &Network, header: &WeightsHeader) -> Result<Vec<u8>, WeightsError> {
    if !model.is_built_from(&header.model) {
        return Err(WeightsError::Mismatch { header: header.model.name().into() });
    }
    let record = match model {
        Network::ResNet(m) => to_cpu(m).await?.into_record(),
        Network::Zoo(m) => to_cpu(m).await?.into_record(),
    };
    let record = record.into_bytes().map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    let json = serde_json::to_vec(header).expect("a header always serialises");
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + json.len() + record.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&record);
    Ok(out)
}

/// Reads only the header (cheap: tells which network the file holds).
pub fn read_header(bytes: &[u8]) -> Result<(WeightsHeader, &[u8]), WeightsError> {
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or(WeightsError::NotWeights)?;
    let too_short = || WeightsError::Corrupt("the file is cut short".into());
    let len = u32::from_le_bytes(rest.get(..4).ok_or_else(too_short)?.try_into().unwrap()) as usize;
    let json = rest.get(4..4 + len).ok_or_else(too_short)?;
    let header: WeightsHeader = serde_json::from_slice(json)
        .map_err(|e| WeightsError::Corrupt(format!("its header, the network's description, cannot be read ({e})")))?;
    header
        .model
        .validate()
        .map_err(|e| WeightsError::Corrupt(format!("its header describes no valid network ({e})")))?;
    Ok((header, &rest[4 + len..]))
}

/// Rebuilds the network a file describes, with its weights, on `device`.
pub fn load(bytes: &[u8], device: &Device) -> Result<(Network, WeightsHeader), WeightsError> {
    let (header, record) = read_header(bytes)?;
    // burn's own messages ("Metadata deserialization error: Syntax(4733)") say nothing to a
    // user: these say which part of the file is wrong.
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec())).map_err(|_| {
        WeightsError::Corrupt(
            "the list of its tensors cannot be read: some bytes of the file were changed or it was cut short".into(),
        )
    })?;
    let corrupt = |_: burn::store::RecordError| {
        WeightsError::Corrupt(format!(
            "its tensors do not fit the {} its header describes (a changed byte, or a file edited by hand)",
            header.model.title()
        ))
    };
    let model = match &header.model {
        ModelConfig::ResNet(c) => Network::ResNet(c.init(device).try_load_record(record).map_err(corrupt)?),
        ModelConfig::Zoo(c) => Network::Zoo(c.init(device).try_load_record(record).map_err(corrupt)?),
    };
    Ok((model, header))
}
