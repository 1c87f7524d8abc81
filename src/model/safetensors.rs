//! Networks as `.safetensors` files in the seed's PyTorch layout ([`super::torch_layout`]): what
//! `safetensors.torch.save_file(net.state_dict())` writes for d2l's ResNet, and what
//! `net.load_state_dict(load_file(..), strict=True)` takes back.
//!
//! Our exports carry the [`ModelConfig`] and the note in the file's `__metadata__`
//! ([`MODEL_KEY`], [`NOTE_KEY`]), so a network comes back exactly, input size included. A file
//! without them (PyTorch's own) is read by [`torch_layout::infer_config`]: the input size is that
//! of the catalogue's ResNet preset with the same widths and blocks, else 28.
//!
//! Every name, shape and dtype is checked before anything is built: a bad file loads nothing.

use std::collections::BTreeMap;

use ::safetensors::tensor::{TensorInfo, TensorView};
use ::safetensors::{Dtype, SafeTensorError, SafeTensors};
use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::{bf16, f16};

use super::torch_layout::{self, LayoutError, Source, TorchTensor};
use super::weights::{self, WeightsError, WeightsHeader};
use super::{ModelConfig, Network, ResNet, ResNetConfig};

/// The `__metadata__` key of our [`ModelConfig`], as JSON.
pub const MODEL_KEY: &str = "resnet_explorer.model";
/// The `__metadata__` key of the [`WeightsHeader`]'s note.
pub const NOTE_KEY: &str = "resnet_explorer.note";

#[derive(Debug, thiserror::Error)]
pub enum TorchError {
    #[error(
        "safetensors export is for the ResNet presets (d2l's ResNet in the seed's PyTorch layout); {0} is not a ResNet"
    )]
    NotResNet(String),
    #[error("the seed's PyTorch ResNet cannot hold this network: {0}")]
    NotSeedLayout(String),
    #[error("the network does not match its header: {0}")]
    Mismatch(String),
    #[error("reading the weights from the device failed: {0}")]
    Device(String),
    #[error("neither a ResNet Explorer weights file (RNXW) nor a safetensors file")]
    UnknownFormat,
    #[error("the safetensors file is damaged: {0}")]
    Damaged(String),
    #[error("the network the safetensors file's tensors describe cannot be built: {0}")]
    Invalid(String),
    #[error("the safetensors file's metadata `{MODEL_KEY}` {0}")]
    Metadata(String),
    #[error("the safetensors file is not the seed's ResNet: {0}")]
    Layout(#[from] LayoutError),
    #[error("the safetensors file's tensors are not those of the seed's ResNet at {network}: {problems}")]
    Names { network: String, problems: String },
    #[error("tensor `{name}` has shape {found:?}, where the seed's ResNet at {network} has {expected:?}")]
    Shape { name: String, found: Vec<usize>, expected: Vec<usize>, network: String },
    #[error("tensor `{name}` is {dtype}; {expected}")]
    Dtype { name: String, dtype: String, expected: &'static str },
}

/// The two files a network travels in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsFormat {
    /// Ours ([`weights::save`]): the configuration as JSON, then burn's record.
    Rnxw,
    /// The seed's PyTorch `state_dict` ([`to_safetensors`]).
    Safetensors,
}

impl WeightsFormat {
    /// By the file name's extension (`.rnxw`, `.safetensors`, any case).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "rnxw" => Some(Self::Rnxw),
            "safetensors" => Some(Self::Safetensors),
            _ => None,
        }
    }

    /// By the content: `RNXW`, or safetensors' 8-byte little-endian header length and `{`.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [b'R', b'N', b'X', b'W', ..] => Some(Self::Rnxw),
            [_, _, _, _, _, _, _, _, b'{', ..] => Some(Self::Safetensors),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Rnxw => "rnxw",
            Self::Safetensors => "safetensors",
        }
    }
}

/// Rebuilds the network of a file of either format, told apart by its content.
pub fn load_any(bytes: &[u8], device: &Device) -> Result<(Network, WeightsHeader), WeightsError> {
    match WeightsFormat::sniff(bytes) {
        Some(WeightsFormat::Rnxw) => weights::load(bytes, device),
        Some(WeightsFormat::Safetensors) => Ok(from_safetensors(bytes, device)?),
        None => Err(TorchError::UnknownFormat.into()),
    }
}

/// Serialises `model` (described by `header.model`) in `format`.
pub async fn save_as(format: WeightsFormat, model: &Network, header: &WeightsHeader) -> Result<Vec<u8>, WeightsError> {
    match format {
        WeightsFormat::Rnxw => weights::save(model, header).await,
        WeightsFormat::Safetensors => Ok(to_safetensors(model, header).await?),
    }
}

/// The ResNet configuration `model` describes, if the seed's code can build it.
fn seed_resnet(model: &ModelConfig) -> Result<&ResNetConfig, TorchError> {
    let config = model.as_resnet().ok_or_else(|| TorchError::NotResNet(model.title()))?;
    torch_layout::check_seed_layout(config).map_err(TorchError::NotSeedLayout)?;
    Ok(config)
}

fn describe(config: &ResNetConfig) -> String {
    format!("widths {:?}, blocks {:?}", config.widths, config.blocks)
}

/// Every float tensor of a CPU module by its path (`stem.conv.weight`, ...): shape and values.
#[derive(Default)]
struct ByPath {
    path: Vec<String>,
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
    error: Option<String>,
}

impl ModuleVisitor for ByPath {
    fn enter_module(&mut self, name: &str, _: &str) {
        self.path.push(name.into());
    }

    fn exit_module(&mut self, _: &str, _: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        match tensor.into_data().convert::<f32>().try_into_vec::<f32>() {
            Ok(values) => _ = self.tensors.insert(self.path.join("."), (shape, values)),
            Err(e) => self.error = Some(format!("{e:?}")),
        }
    }
}

/// `values` of a `rows` x `cols` row-major matrix, transposed.
fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    (0..cols).flat_map(|c| (0..rows).map(move |r| values[r * cols + c])).collect()
}

/// One tensor of the file: PyTorch's dtype, shape and little-endian bytes.
fn torch_bytes(
    tensor: &TorchTensor,
    ours: &mut BTreeMap<String, (Vec<usize>, Vec<f32>)>,
) -> Result<(Dtype, Vec<u8>), String> {
    let Source::Float { path, transpose: flip } = &tensor.source else {
        return Ok((Dtype::I64, 0i64.to_le_bytes().to_vec()));
    };
    let (shape, values) = ours.remove(path).ok_or_else(|| format!("it has no tensor `{path}`"))?;
    let (shape, values) = match (*flip, shape.as_slice()) {
        (true, &[rows, cols]) => (vec![cols, rows], transpose(&values, rows, cols)),
        _ => (shape, values),
    };
    if shape != tensor.shape {
        return Err(format!("its `{path}` has shape {shape:?}, `{}` needs {:?}", tensor.name, tensor.shape));
    }
    Ok((Dtype::F32, values.iter().flat_map(|v| v.to_le_bytes()).collect()))
}

/// `model` as the seed's `net.state_dict()` in a safetensors file, with `header` in its
/// metadata. Async like [`weights::save`]: the values are read back from the device.
pub async fn to_safetensors(model: &Network, header: &WeightsHeader) -> Result<Vec<u8>, TorchError> {
    let config = seed_resnet(&header.model)?;
    let Network::ResNet(resnet) = model else {
        return Err(TorchError::Mismatch("the header describes a ResNet, the network is a chapter-7 network".into()));
    };
    let cpu = weights::to_cpu(resnet).await.map_err(|e| TorchError::Device(e.to_string()))?;
    let mut ours = ByPath::default();
    cpu.visit(&mut ours);
    if let Some(e) = ours.error {
        return Err(TorchError::Device(e));
    }
    let mut tensors = ours.tensors;
    let mismatch = |e: String| TorchError::Mismatch(format!("the header describes {}, but {e}", describe(config)));
    let files = torch_layout::layout(config)
        .into_iter()
        .map(|t| Ok((torch_bytes(&t, &mut tensors).map_err(mismatch)?, t)))
        .collect::<Result<Vec<_>, TorchError>>()?;
    if let Some(path) = tensors.keys().next() {
        return Err(mismatch(format!("the network has a tensor `{path}` more")));
    }
    let views = files
        .iter()
        .map(|((dtype, bytes), t)| Ok((t.name.as_str(), TensorView::new(*dtype, t.shape.clone(), bytes)?)))
        .collect::<Result<Vec<_>, SafeTensorError>>()
        .map_err(|e| TorchError::Mismatch(e.to_string()))?;
    let model_json = serde_json::to_string(&header.model).expect("a configuration always serialises");
    // "format": "pt" is what Hugging Face's loaders look for in PyTorch state dicts.
    let metadata = [("format", "pt".to_string()), (MODEL_KEY, model_json), (NOTE_KEY, header.note.clone())];
    let metadata = metadata.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    ::safetensors::serialize(views, Some(metadata)).map_err(|e| TorchError::Mismatch(e.to_string()))
}

/// Rebuilds the network of a safetensors file in the seed's layout on `device`, with the header
/// it carries (or one saying where its input size came from).
pub fn from_safetensors(bytes: &[u8], device: &Device) -> Result<(Network, WeightsHeader), TorchError> {
    let damaged = |e: SafeTensorError| TorchError::Damaged(diagnose(bytes, &e));
    let (_, metadata) = SafeTensors::read_metadata(bytes).map_err(damaged)?;
    let file = SafeTensors::deserialize(bytes).map_err(damaged)?;
    let ours = |key: &str| metadata.metadata().as_ref().and_then(|m| m.get(key)).cloned();
    let (config, note) = config_of(&file, ours(MODEL_KEY), ours(NOTE_KEY))?;
    let values = read_tensors(&file, &config)?;
    let mut fill = Fill { path: Vec::new(), values, device: device.clone(), missing: Vec::new() };
    let model: ResNet = config.init(device).map(&mut fill);
    // The layout names every tensor of the network: a path left over is a bug of ours.
    if let Some(path) = fill.missing.first().or(fill.values.keys().next()) {
        return Err(TorchError::Mismatch(format!("the network's tensor `{path}` has no PyTorch name")));
    }
    Ok((Network::ResNet(model), WeightsHeader { model: config.into(), note }))
}

/// The configuration and note: ours from the metadata (`model_json`, `note`), else read from the
/// tensors' names and shapes.
fn config_of(
    file: &SafeTensors,
    model_json: Option<String>,
    note: Option<String>,
) -> Result<(ResNetConfig, String), TorchError> {
    let Some(json) = model_json else {
        let shapes = file.iter().map(|(name, view)| (name.to_string(), view.shape().to_vec())).collect();
        let inferred = torch_layout::infer_config(&shapes)?;
        let network = describe(&inferred.config);
        inferred.config.validate().map_err(|e| TorchError::Invalid(format!("the ResNet at {network}: {e}")))?;
        let note = format!("imported from a PyTorch safetensors file; {}", inferred.input_size_from);
        return Ok((inferred.config, note));
    };
    let model: ModelConfig =
        serde_json::from_str(&json).map_err(|e| TorchError::Metadata(format!("cannot be read ({e})")))?;
    model.validate().map_err(|e| TorchError::Metadata(format!("describes no valid network ({e})")))?;
    if model.as_resnet().is_none() {
        return Err(TorchError::Metadata(format!("describes a {}, not a ResNet", model.title())));
    }
    Ok((seed_resnet(&model)?.clone(), note.unwrap_or_default()))
}

/// Every tensor the network needs, checked and converted to f32 in burn's layout, by our path.
fn read_tensors(file: &SafeTensors, config: &ResNetConfig) -> Result<BTreeMap<String, Vec<f32>>, TorchError> {
    let layout = torch_layout::layout(config);
    check_names(file, &layout, config)?;
    let mut values = BTreeMap::new();
    for t in &layout {
        // Only `num_batches_tracked` may be absent (check_names): nothing of ours reads it.
        let Ok(view) = file.tensor(&t.name) else { continue };
        if view.shape() != t.shape.as_slice() {
            let (found, expected) = (view.shape().to_vec(), t.shape.clone());
            return Err(TorchError::Shape { name: t.name.clone(), found, expected, network: describe(config) });
        }
        let Source::Float { path, transpose: flip } = &t.source else {
            if view.dtype() != Dtype::I64 {
                let (name, dtype) = (t.name.clone(), view.dtype().to_string());
                return Err(TorchError::Dtype { name, dtype, expected: "PyTorch writes num_batches_tracked as I64" });
            }
            continue;
        };
        let floats = to_f32(&view, &t.name)?;
        let floats = match (*flip, t.shape.as_slice()) {
            (true, &[rows, cols]) => transpose(&floats, rows, cols),
            _ => floats,
        };
        values.insert(path.clone(), floats);
    }
    Ok(values)
}

/// The names missing and the names too many, in one message naming them.
fn check_names(file: &SafeTensors, layout: &[TorchTensor], config: &ResNetConfig) -> Result<(), TorchError> {
    let names = file.names();
    let missing: Vec<&str> = layout
        .iter()
        .filter(|t| t.source != Source::BatchCount && !names.contains(&t.name.as_str()))
        .map(|t| t.name.as_str())
        .collect();
    let mut unexpected: Vec<&str> = names.iter().copied().filter(|n| !layout.iter().any(|t| t.name == *n)).collect();
    unexpected.sort_unstable();
    // At most five names of each: a file of another network would list them all.
    let list = |what: &str, names: &[&str]| match names {
        [] => None,
        [one] => Some(format!("{what} tensor `{one}`")),
        many => {
            let shown: Vec<String> = many.iter().take(5).map(|n| format!("`{n}`")).collect();
            let more = if many.len() > 5 { format!(" and {} more", many.len() - 5) } else { String::new() };
            Some(format!("{what} tensors {}{more}", shown.join(", ")))
        }
    };
    let problems: Vec<String> =
        [list("missing", &missing), list("unexpected", &unexpected)].into_iter().flatten().collect();
    match problems.is_empty() {
        true => Ok(()),
        false => Err(TorchError::Names { network: describe(config), problems: problems.join("; ") }),
    }
}

/// A float tensor's values as f32: F32 as is, F64 rounded, F16 and BF16 widened (exactly).
fn to_f32(view: &TensorView, name: &str) -> Result<Vec<f32>, TorchError> {
    let data = view.data();
    let halves = || data.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    Ok(match view.dtype() {
        Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Dtype::F64 => data.chunks_exact(8).map(|b| f64::from_le_bytes(b.try_into().unwrap()) as f32).collect(),
        Dtype::F16 => halves().map(|h| f16::from_bits(h).to_f32()).collect(),
        Dtype::BF16 => halves().map(|h| bf16::from_bits(h).to_f32()).collect(),
        other => {
            let expected = "only float tensors (F32, F64, F16, BF16) can be read";
            return Err(TorchError::Dtype { name: name.into(), dtype: other.to_string(), expected });
        }
    })
}

/// Puts the file's values into a freshly built network, by path.
struct Fill {
    path: Vec<String>,
    values: BTreeMap<String, Vec<f32>>,
    device: Device,
    missing: Vec<String>,
}

impl ModuleMapper for Fill {
    fn enter_module(&mut self, name: &str, _: &str) {
        self.path.push(name.into());
    }

    fn exit_module(&mut self, _: &str, _: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let path = self.path.join(".");
        let Some(values) = self.values.remove(&path) else {
            self.missing.push(path);
            return param;
        };
        let device = self.device.clone();
        param.map(|t| Tensor::from_data(TensorData::new(values, t.shape()), &device))
    }
}

/// What is wrong with a file the safetensors crate refused, in words naming the tensor where
/// one is at fault (the crate's own messages mostly do not).
fn diagnose(bytes: &[u8], error: &SafeTensorError) -> String {
    let len = bytes.len();
    let header_len = bytes.get(..8).map(|b| u64::from_le_bytes(b.try_into().unwrap()));
    match (error, header_len) {
        (SafeTensorError::HeaderTooSmall, _) | (_, None) => {
            format!("it is cut short: {len} bytes, fewer than the 8 that give its header's length")
        }
        (SafeTensorError::InvalidHeaderLength, Some(n)) => {
            format!("it is cut short: its header should take {n} bytes, only {} follow", len - 8)
        }
        (SafeTensorError::HeaderTooLarge, Some(n)) => {
            format!("its first 8 bytes give a header of {n} bytes: too large")
        }
        (SafeTensorError::InvalidHeader(_) | SafeTensorError::InvalidHeaderDeserialization(_), _) => {
            format!("its header is not the JSON list of tensors of a safetensors file ({error})")
        }
        (_, Some(n)) => offsets_problem(bytes, n as usize).unwrap_or_else(|| error.to_string()),
    }
}

/// Walks the header's tensors in the order of their data, as the crate does, and says which
/// tensor's offsets do not fit: a gap or overlap, a size that is not its shape's, data past the
/// end of the file (cut short), or bytes after the last tensor.
fn offsets_problem(bytes: &[u8], header_len: usize) -> Option<String> {
    let header: BTreeMap<String, serde_json::Value> = serde_json::from_slice(bytes.get(8..8 + header_len)?).ok()?;
    let mut tensors: Vec<(String, TensorInfo)> = header
        .into_iter()
        .filter(|(name, _)| name != "__metadata__")
        .map(|(name, info)| Some((name, serde_json::from_value(info).ok()?)))
        .collect::<Option<_>>()?;
    tensors.sort_by_key(|(_, info)| info.data_offsets);
    let data_len = bytes.len() - 8 - header_len;
    let mut end = 0;
    for (name, info) in &tensors {
        let (start, stop) = info.data_offsets;
        let bits = info.shape.iter().try_fold(info.dtype.bitsize(), |n, &d| n.checked_mul(d))?;
        if start != end {
            return Some(format!(
                "the header puts tensor `{name}` at bytes {start}..{stop}, but the tensor before it ends at {end}"
            ));
        }
        if stop < start || (stop - start) * 8 != bits {
            let (dtype, shape) = (info.dtype, &info.shape);
            return Some(format!(
                "the header gives tensor `{name}` ({dtype} {shape:?}: {} bytes) the {} bytes {start}..{stop}",
                bits / 8,
                stop.saturating_sub(start)
            ));
        }
        if stop > data_len {
            return Some(format!(
                "it is cut short: tensor `{name}` needs bytes {start}..{stop} of data, the file holds {data_len}"
            ));
        }
        end = stop;
    }
    let last = tensors.last().map_or("(none)", |(name, _)| name.as_str());
    (end < data_len).then(|| format!("it has {} bytes after its last tensor `{last}`", data_len - end))
}
