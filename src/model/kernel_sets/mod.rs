//! Which kernels compute the convolution and BatchNorm on burn's CubeCL backend (WebGPU, wgpu):
//! this crate's own, written and tuned for software adapters (no workgroup memory, blocks sized
//! for SwiftShader's SIMD lanes), or burn's. On a hardware adapter the choice is made per
//! operation shape by timing both ([`probe`]) and kept per adapter ([`KernelTable`]); on a
//! software adapter ours, unmeasured. The [`Kernels`] setting forces either set.

mod policy;
#[cfg(feature = "wgpu")]
mod probe;
mod shape;
mod table;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use policy::{Policy, install, pick, recorded, with_policy};
#[cfg(feature = "wgpu")]
pub use probe::{adapter_of, choose_for, measure, measure_matmul, operations};
pub use shape::OpShape;
pub use table::{KernelTable, Measured};

/// The setting: which kernel set runs on a CubeCL device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Kernels {
    /// Per shape, the faster set as measured on this adapter; ours on a software adapter.
    #[default]
    Auto,
    Ours,
    Burn,
}

impl Kernels {
    pub const ALL: [Kernels; 3] = [Kernels::Auto, Kernels::Ours, Kernels::Burn];

    pub fn name(self) -> &'static str {
        match self {
            Kernels::Auto => "auto",
            Kernels::Ours => "ours",
            Kernels::Burn => "burn",
        }
    }

    /// The setting by its name, as links and flags give it.
    pub fn parse(name: &str) -> Option<Kernels> {
        Kernels::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// One of the two kernel sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KernelSet {
    /// This crate's CubeCL kernels (src/model/conv/gpu, src/model/norm/gpu).
    Ours,
    /// burn's own convolution and BatchNorm, as this build compiles them.
    Burn,
}

impl KernelSet {
    pub fn name(self) -> &'static str {
        match self {
            KernelSet::Ours => "ours",
            KernelSet::Burn => "burn",
        }
    }
}

/// How the kernels were chosen, for the backend line, the benchmark and the cache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KernelReport {
    pub setting: Kernels,
    /// One line: what runs, and why.
    pub summary: String,
    /// The set every operation runs with; none when chosen per operation (as `table` says).
    pub all: Option<KernelSet>,
    /// What was measured on this adapter, to keep (auto on a hardware adapter only).
    pub table: Option<KernelTable>,
}
