//! Saving and loading trained weights. A weights file is a short header (the network's
//! configuration and a note, as JSON) followed by burn's own record format (burnpack), so a file
//! carries everything needed to rebuild the network it came from.
//!
//! Layout: `RNXW` `1` `\0\0\0`, the JSON length as a little-endian u32, the JSON, the burnpack.

use std::collections::VecDeque;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

use super::config::ResNetConfig;
use super::resnet::ResNet;

const MAGIC: &[u8; 8] = b"RNXW\x01\0\0\0";

/// What a weights file says about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeightsHeader {
    pub model: ResNetConfig,
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
pub async fn to_cpu(model: &ResNet) -> Result<ResNet, WeightsError> {
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    let sizes: Vec<usize> = collect.0.iter().map(|t| t.dims()[0]).collect();
    // One transfer for everything.
    let all = Tensor::cat(collect.0, 0).into_data_async().await.map_err(|e| WeightsError::Device(format!("{e:?}")))?;
    let mut all = all.try_to_vec::<f32>().map_err(|e| WeightsError::Device(format!("{e:?}")))?.into_iter();
    let values = sizes.iter().map(|&n| all.by_ref().take(n).collect()).collect();
    Ok(model.clone().valid().map(&mut Replace { values, device: Device::flex() }))
}

/// Serialises `model` with its configuration.
pub async fn save(model: &ResNet, header: &WeightsHeader) -> Result<Vec<u8>, WeightsError> {
    let cpu = to_cpu(model).await?;
    let record = cpu.into_record().into_bytes().map_err(|e| WeightsError::Corrupt(e.to_string()))?;
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
    let header: WeightsHeader = serde_json::from_slice(json).map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    header.model.validate().map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    Ok((header, &rest[4 + len..]))
}

/// Rebuilds the network a file describes, with its weights, on `device`.
pub fn load(bytes: &[u8], device: &Device) -> Result<(ResNet, WeightsHeader), WeightsError> {
    let (header, record) = read_header(bytes)?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record.to_vec()))
        .map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    let model = header.model.init(device).try_load_record(record).map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    Ok((model, header))
}
