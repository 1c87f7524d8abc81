//! Whether a training batch fits a GPU's per-buffer limit, for any network. A GPU refuses any
//! single buffer above that limit (WebGPU's `maxBufferSize` / `maxStorageBufferBindingSize`:
//! often 256 MiB, 128 MiB on some), so the explorer checks before anything is allocated. Two
//! kinds of tensors can be too big: an activation, which grows with the batch, and a weight
//! (with its gradient and momentum, each as big), which does not: VGG-11's first linear layer
//! at 224x224 is a 25088 x 4096 matrix, 392 MiB whatever the batch.
//!
//! For a ResNet the activation check is [`super::check_batch_fits`], unchanged; the weight check
//! comes first for every network, since no batch size helps when it fails.

use super::network::ModelConfig;
use super::{ConfigError, LayerShape, check_batch_fits};

const F32: u64 = 4;

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The largest weight tensor of a layer table (f32 bytes), with its row. Conv and linear rows
/// count their bias in `params` (one per output channel or feature), so the weight is the rest.
pub fn largest_weight(rows: &[LayerShape]) -> Option<(u64, &LayerShape)> {
    rows.iter()
        .filter(|r| matches!(r.kind.as_str(), "Conv2d" | "Linear"))
        .map(|r| ((r.params - r.shape[1]) as u64 * F32, r))
        .max_by_key(|(bytes, _)| *bytes)
}

/// The largest activation a batch of `batch` images creates (f32 bytes), and what produces it
/// (`label (kind)` of a layer, or the input images), from any layer table.
pub fn largest_activation_of(config: &ModelConfig, batch: usize) -> Result<(u64, String), ConfigError> {
    let side = config.input_size();
    let input = (config.in_channels() * side * side, "the input images".to_string());
    let per_image = config
        .layers()?
        .into_iter()
        .map(|r| (r.shape.iter().product::<usize>(), format!("{} ({})", r.label, r.kind)))
        .fold(input, |best, row| if row.0 > best.0 { row } else { best });
    Ok((per_image.0 as u64 * batch as u64 * F32, per_image.1))
}

/// Refuses a network whose largest weight, or a batch whose largest activation, exceeds
/// `max_buffer_bytes`; the message names the layer, the limit and, for activations, the largest
/// batch that fits.
pub fn check_network_fits(config: &ModelConfig, batch: usize, max_buffer_bytes: u64) -> Result<(), String> {
    let rows = config.layers().map_err(|e| e.to_string())?;
    let side = config.input_size();
    if let Some((bytes, row)) = largest_weight(&rows).filter(|(bytes, _)| *bytes > max_buffer_bytes) {
        let hint = match row.kind.as_str() {
            "Linear" => ": try a smaller input size (it shrinks the linear layers after the flatten)",
            _ => "",
        };
        return Err(format!(
            "{title} at {side}x{side} has a {need:.0} MiB weight tensor in layer {label} ({kind}), more than this \
             GPU's per-buffer limit of {limit:.0} MiB: no batch size fits{hint}",
            title = config.title(),
            need = mib(bytes),
            label = row.label,
            kind = row.kind,
            limit = mib(max_buffer_bytes),
        ));
    }
    if let ModelConfig::ResNet(c) = config {
        return check_batch_fits(c, batch, max_buffer_bytes);
    }
    let (bytes, layer) = largest_activation_of(config, batch).map_err(|e| e.to_string())?;
    if bytes <= max_buffer_bytes {
        return Ok(());
    }
    // The same message as the ResNet's (see `check_batch_fits`).
    let per_image = bytes / batch as u64;
    Err(format!(
        "a batch of {batch} at {side}x{side} needs a {need:.0} MiB buffer for the output of {layer}, more than this GPU's \
         per-buffer limit of {limit:.0} MiB: the largest batch that fits is {fits}",
        need = mib(bytes),
        limit = mib(max_buffer_bytes),
        fits = max_buffer_bytes / per_image,
    ))
}
