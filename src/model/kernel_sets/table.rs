//! What was measured on one adapter, kept between visits (IndexedDB in the page, a file
//! natively): both sets' times per operation, and so the choice.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{KernelSet, OpShape, Policy};

/// Names the kernels measured: a table kept from another version is measured again. Bump the
/// suffix when a kernel changes within a version.
pub const REVISION: &str = concat!(env!("CARGO_PKG_VERSION"), "+kernels1");

/// Both sets' times for one operation (forward and backward, milliseconds per step).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Measured {
    pub op: OpShape,
    pub ours_ms: f64,
    pub burn_ms: f64,
}

impl Measured {
    /// The faster set; ours on a tie, or when burn's could not be timed.
    pub fn choice(&self) -> KernelSet {
        let timed = |ms: f64| ms.is_finite() && ms >= 0.0;
        match (timed(self.ours_ms), timed(self.burn_ms)) {
            (true, true) if self.burn_ms < self.ours_ms => KernelSet::Burn,
            (false, true) => KernelSet::Burn,
            _ => KernelSet::Ours,
        }
    }
}

/// The measurements of one adapter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KernelTable {
    /// The adapter, as its vendor, device and driver name it.
    pub adapter: String,
    /// The kernels' [`REVISION`].
    pub revision: String,
    pub measured: Vec<Measured>,
}

impl KernelTable {
    pub fn new(adapter: &str) -> Self {
        KernelTable { adapter: adapter.into(), revision: REVISION.into(), measured: Vec::new() }
    }

    /// The kept table when it was measured on this adapter with these kernels; else an empty one
    /// (another adapter's timings say nothing of this one).
    pub fn for_adapter(kept: Option<KernelTable>, adapter: &str) -> Self {
        kept.filter(|t| t.adapter == adapter && t.revision == REVISION).unwrap_or_else(|| KernelTable::new(adapter))
    }

    /// The operations of `ops` not measured yet, in order.
    pub fn missing(&self, ops: &[OpShape]) -> Vec<OpShape> {
        ops.iter().filter(|op| self.get(op).is_none()).cloned().collect()
    }

    pub fn get(&self, op: &OpShape) -> Option<&Measured> {
        self.measured.iter().find(|m| &m.op == op)
    }

    /// Adds a measurement, replacing an earlier one of the same operation.
    pub fn add(&mut self, measured: Measured) {
        self.measured.retain(|m| m.op != measured.op);
        self.measured.push(measured);
    }

    /// Each measured operation on its faster set.
    pub fn policy(&self) -> Policy {
        Policy::Chosen(self.measured.iter().map(|m| (m.op.clone(), m.choice())).collect::<HashMap<_, _>>())
    }
}
