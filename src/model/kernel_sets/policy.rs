//! The kernel set each operation runs with on this thread: the model code asks [`pick`] at each
//! convolution and BatchNorm on a CubeCL device. Per thread, because the thread that builds the
//! model's graph is the one that trains (the page's worker, the CLI's main thread, a test's own
//! thread), and tests running side by side must not see each other's setting.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use super::{KernelSet, OpShape};

/// How operations get their kernel set.
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// One set for every operation: a forced setting, or ours on a software adapter.
    All(KernelSet),
    /// Per shape, as measured; a shape not measured runs ours.
    Chosen(HashMap<OpShape, KernelSet>),
    /// Ours, noting each shape asked for: which operations a model runs.
    Recording(BTreeSet<OpShape>),
}

impl Default for Policy {
    fn default() -> Self {
        Policy::All(KernelSet::Ours)
    }
}

thread_local! {
    static POLICY: RefCell<Policy> = RefCell::new(Policy::default());
}

/// The set `op` runs with.
pub fn pick(op: &OpShape) -> KernelSet {
    POLICY.with(|p| match &mut *p.borrow_mut() {
        Policy::All(set) => *set,
        Policy::Chosen(chosen) => chosen.get(op).copied().unwrap_or(KernelSet::Ours),
        Policy::Recording(seen) => {
            seen.insert(op.clone());
            KernelSet::Ours
        }
    })
}

/// Makes `policy` this thread's; returns the one it replaces.
pub fn install(policy: Policy) -> Policy {
    POLICY.with(|p| p.replace(policy))
}

/// Runs `f` under `policy`, then puts the previous one back. Returns `f`'s result and the policy
/// as `f` left it (a recording holds the shapes seen).
pub fn with_policy<R>(policy: Policy, f: impl FnOnce() -> R) -> (R, Policy) {
    let previous = install(policy);
    let result = f();
    (result, install(previous))
}

/// The shapes a recording saw, in order; nothing for any other policy.
pub fn recorded(policy: Policy) -> Vec<OpShape> {
    match policy {
        Policy::Recording(seen) => seen.into_iter().collect(),
        _ => Vec::new(),
    }
}
