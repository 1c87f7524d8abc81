//! `--kernels`: which kernel set the model's convolutions and BatchNorms run on wgpu, the
//! choice of `auto` kept per adapter in a file; and the `kernels` subcommand, which times both
//! sets on every operation of a model (a benchmark run by hand).

use std::path::PathBuf;

use burn::prelude::Device;
use resnet_explorer::model::ModelConfig;
use resnet_explorer::model::kernel_sets::{KernelReport, KernelTable, Kernels, OpShape};

use super::model_args::ModelArgs;
use super::train::Backend;

/// `--kernels`: the setting's names, from the setting itself.
pub fn names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(Kernels::ALL.map(Kernels::name))
}

pub fn parse(name: &str) -> Kernels {
    Kernels::parse(name).unwrap_or_else(|| unreachable!("clap accepts only the setting's names"))
}

/// Where `auto`'s measurements are kept: one table per adapter.
fn cache_file() -> Option<PathBuf> {
    let dir = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(dir.join("resnet-explorer").join("kernels.json"))
}

#[cfg_attr(not(feature = "wgpu"), allow(dead_code))]
fn kept_tables() -> Vec<KernelTable> {
    let read = cache_file().and_then(|f| std::fs::read(f).ok());
    // A file this version cannot read is measured anew and written over: it holds timings only.
    read.and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

#[cfg_attr(not(feature = "wgpu"), allow(dead_code))]
fn keep(table: KernelTable) -> Result<(), String> {
    let Some(file) = cache_file() else { return Ok(()) };
    let mut tables = kept_tables();
    tables.retain(|t| t.adapter != table.adapter);
    tables.push(table);
    let json = serde_json::to_vec_pretty(&tables).map_err(|e| e.to_string())?;
    let dir = file.parent().expect("a file in a directory");
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&file, json))
        .map_err(|e| format!("{}: {e}", file.display()))
}

/// Chooses the kernels `model` trains with on `device` at `batch` (nothing on the CPU) and keeps
/// what `auto` measured. Returns what was chosen.
#[cfg(not(feature = "wgpu"))]
pub fn choose(_: &ModelConfig, _: &Device, _: usize, _: Kernels) -> Result<Option<KernelReport>, String> {
    Ok(None) // no CubeCL device in this build
}

#[cfg(feature = "wgpu")]
pub fn choose(
    model: &ModelConfig,
    device: &Device,
    batch: usize,
    kernels: Kernels,
) -> Result<Option<KernelReport>, String> {
    let Some((adapter, software)) = resnet_explorer::model::kernel_sets::adapter_of(device) else { return Ok(None) };
    let kept = kept_tables().into_iter().find(|t| t.adapter == adapter);
    let report = pollster::block_on(resnet_explorer::model::kernel_sets::choose_for(
        model, device, batch, kernels, &adapter, software, kept,
    ));
    if let Some(table) = &report.table {
        keep(table.clone())?;
    }
    Ok(Some(report))
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    model: ModelArgs,
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// The side of the square matrices of the matmul probe.
    #[arg(long, default_value_t = 1024)]
    matmul: usize,
}

/// Times both sets on each operation of the model (on any adapter, software ones included) and
/// prints the table, with the adapter's matmul rate beside.
#[cfg(not(feature = "wgpu"))]
pub fn run(_: Args) -> Result<(), String> {
    resnet_explorer::backend::init_native(Backend::Wgpu.into()).map(drop) // says how to build with wgpu
}

#[cfg(feature = "wgpu")]
pub fn run(args: Args) -> Result<(), String> {
    let model = args.model.config()?;
    let device = resnet_explorer::backend::init_native(Backend::Wgpu.into())?;
    let (adapter, software) =
        resnet_explorer::model::kernel_sets::adapter_of(&device).ok_or("the wgpu device is not a CubeCL one")?;
    println!("adapter: {adapter}{}", if software { " (software)" } else { "" });
    let matmul = pollster::block_on(resnet_explorer::model::kernel_sets::measure_matmul(&device, args.matmul));
    println!("matmul {0}x{0} fp32: {1:.1} GFLOP/s", args.matmul, 2.0 * matmul / 1e9);
    let report = pollster::block_on(resnet_explorer::model::kernel_sets::choose_for(
        &model,
        &device,
        args.batch_size,
        Kernels::Auto,
        &adapter,
        false,
        None,
    ));
    let table = report.table.ok_or("nothing was measured")?;
    println!(
        "{} ({}, {side}x{side} input): batch {}; ms per training step of the operation (forward and backward)",
        args.model.model,
        model.title(),
        args.batch_size,
        side = model.input_size()
    );
    println!(
        "{:<46} {:>9} {:>9} {:>7} {:>10} {:>10}",
        "operation", "ours ms", "burn ms", "choice", "ours GF/s", "burn GF/s"
    );
    // A training step does about three forward passes of work: the forward, and two gradients.
    let rate = |op: &OpShape, ms: f64| match op {
        OpShape::Conv { .. } => format!("{:.1}", 3.0 * 2.0 * op.forward_macs() as f64 / ms / 1e6),
        OpShape::Norm { .. } => "-".into(),
    };
    let (mut ours_total, mut burn_total, mut chosen_total) = (0.0, 0.0, 0.0);
    for m in &table.measured {
        println!(
            "{:<46} {:>9.3} {:>9.3} {:>7} {:>10} {:>10}",
            m.op.to_string(),
            m.ours_ms,
            m.burn_ms,
            m.choice().name(),
            rate(&m.op, m.ours_ms),
            rate(&m.op, m.burn_ms)
        );
        ours_total += m.ours_ms;
        burn_total += m.burn_ms;
        chosen_total += m.ours_ms.min(m.burn_ms);
    }
    println!(
        "sum over the distinct operations: ours {ours_total:.2} ms, burn {burn_total:.2} ms, chosen {chosen_total:.2} ms"
    );
    Ok(())
}
