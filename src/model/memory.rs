//! Whether a training run fits the memory it will get: the browser's WebAssembly memory (at
//! most 4 GiB) on the CPU backends. A run that outgrows it does not fail cleanly: the allocation
//! traps, in whichever thread asked, so the explorer checks before it starts.
//!
//! The estimate counts what a step keeps alive at its peak: every layer's output for the batch
//! (kept for the backward pass) and its gradient, the input images, and the weights with their
//! gradients and momentum. ResNet-18 at 96x96 counts 4.3 MB of layer outputs an image; natively
//! its peak grew by 6 MB an image (batch 64 to 128), so two copies (8.6 MB) leave room for the
//! convolution's scratch buffers and the allocator's fragmentation.

use super::network::ModelConfig;
use super::{ConfigError, LayerShape};

const F32: u64 = 4;
/// Copies of the layer outputs a step holds at its peak (see the module's notes).
const ACTIVATION_COPIES: u64 = 2;
/// What the page holds besides the run: the data sets (55 MB of Fashion-MNIST), the network in
/// memory and the demos' buffers.
pub const RESERVED_BYTES: u64 = 384 << 20;

/// The layer outputs a batch of predictions may hold: what lets the fast network predict 500
/// images at a time (fewer, larger products) keeps ResNet-18 at 96x96 to a few dozen.
const PREDICTION_BYTES: u64 = 128 << 20;
/// More images a batch no longer make the predictions faster (natively: 100 -> 500 took 18 % off).
const PREDICTION_BATCH_MAX: usize = 500;

fn gib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 30)
}

/// The outputs of the table's leaf layers for one image (a row whose next row is not nested in it).
fn leaf_outputs(rows: &[LayerShape]) -> u64 {
    rows.iter()
        .enumerate()
        .filter(|(i, r)| rows.get(i + 1).is_none_or(|next| next.level <= r.level))
        .map(|(_, r)| r.shape.iter().product::<usize>() as u64)
        .sum()
}

/// Bytes a training step of `config` on batches of `batch` needs at its peak (an estimate).
pub fn training_bytes(config: &ModelConfig, batch: usize) -> Result<u64, ConfigError> {
    let rows = config.layers()?;
    let side = config.input_size() as u64;
    let per_image = ACTIVATION_COPIES * leaf_outputs(&rows) + 2 * config.in_channels() as u64 * side * side;
    let weights = 4 * config.parameter_count() as u64; // weights, gradients, momentum, an update's copy
    Ok((per_image * batch as u64 + weights) * F32)
}

/// Test images per batch of predictions (eval mode) for `config`: as many as fit
/// [`PREDICTION_BYTES`] of layer outputs, at most [`PREDICTION_BATCH_MAX`], at least one.
pub fn prediction_batch(config: &ModelConfig) -> Result<usize, ConfigError> {
    let per_image = leaf_outputs(&config.layers()?) * F32;
    Ok(usize::try_from(PREDICTION_BYTES / per_image.max(1)).unwrap_or(usize::MAX).clamp(1, PREDICTION_BATCH_MAX))
}

/// Refuses a batch whose training step would not fit `memory_bytes` (the whole memory the run
/// lives in, [`RESERVED_BYTES`] of it taken by the rest of the page), naming the largest batch
/// that fits.
pub fn check_memory_fits(config: &ModelConfig, batch: usize, memory_bytes: u64) -> Result<(), String> {
    let need = training_bytes(config, batch).map_err(|e| e.to_string())?;
    let available = memory_bytes.saturating_sub(RESERVED_BYTES);
    if need <= available {
        return Ok(());
    }
    let fixed = training_bytes(config, 0).map_err(|e| e.to_string())?;
    let per_image = (need - fixed) / batch.max(1) as u64;
    let fits = available.saturating_sub(fixed) / per_image.max(1);
    let side = config.input_size();
    let advice = match fits {
        0 => "no batch size fits: choose a smaller input size or a smaller network".to_string(),
        n => format!("the largest batch that fits is {n}"),
    };
    Err(format!(
        "a batch of {batch} of {title} at {side}x{side} needs about {need:.1} GiB to train on the CPU, more than the \
         {available:.1} GiB this page's WebAssembly memory has for it ({total:.0} GiB in all): {advice}",
        title = config.title(),
        need = gib(need),
        available = gib(available),
        total = gib(memory_bytes),
    ))
}
