//! The choice and its cache, on made-up timings.

use super::table::REVISION;
use super::*;

fn conv(channels: usize) -> OpShape {
    OpShape::Conv { input: [8, channels, 12, 12], weight: [channels, channels, 3, 3], stride: [1, 1], padding: [1, 1] }
}

fn timed(op: OpShape, ours_ms: f64, burn_ms: f64) -> Measured {
    Measured { op, ours_ms, burn_ms }
}

#[test]
fn the_faster_set_is_chosen_and_ours_on_a_tie_or_a_failed_timing() {
    assert_eq!(timed(conv(8), 2.0, 1.0).choice(), KernelSet::Burn);
    assert_eq!(timed(conv(8), 1.0, 2.0).choice(), KernelSet::Ours);
    assert_eq!(timed(conv(8), 1.0, 1.0).choice(), KernelSet::Ours);
    assert_eq!(timed(conv(8), 1.0, f64::NAN).choice(), KernelSet::Ours);
    assert_eq!(timed(conv(8), f64::INFINITY, 3.0).choice(), KernelSet::Burn);
}

#[test]
fn a_kept_table_is_used_for_its_adapter_and_dropped_for_another_or_other_kernels() {
    let mut kept = KernelTable::new("GPU A [spirv_1_2]");
    kept.add(timed(conv(8), 2.0, 1.0));
    let hit = KernelTable::for_adapter(Some(kept.clone()), "GPU A [spirv_1_2]");
    assert_eq!(hit, kept, "the same adapter keeps its measurements");
    assert!(hit.missing(&[conv(8)]).is_empty(), "nothing to measure again");
    assert_eq!(hit.missing(&[conv(8), conv(16)]), vec![conv(16)], "only the new shape");

    let other = KernelTable::for_adapter(Some(kept.clone()), "GPU B [spirv_1_3]");
    assert!(other.measured.is_empty() && other.adapter == "GPU B [spirv_1_3]", "another adapter measures anew");

    let stale = KernelTable { revision: "0.0.0+kernels0".into(), ..kept };
    assert!(KernelTable::for_adapter(Some(stale), "GPU A [spirv_1_2]").measured.is_empty(), "other kernels: anew");
    assert_eq!(KernelTable::for_adapter(None, "GPU A [spirv_1_2]").revision, REVISION);
}

#[test]
fn the_policy_runs_each_measured_shape_on_its_faster_set_and_others_on_ours() {
    let mut table = KernelTable::new("GPU");
    table.add(timed(conv(8), 2.0, 1.0));
    table.add(timed(conv(16), 1.0, 2.0));
    table.add(timed(conv(8), 1.0, 3.0)); // measured again: replaces the first
    assert_eq!(table.measured.len(), 2);
    let ((), _) = with_policy(table.policy(), || {
        assert_eq!(pick(&conv(8)), KernelSet::Ours);
        assert_eq!(pick(&conv(16)), KernelSet::Ours);
        assert_eq!(pick(&conv(32)), KernelSet::Ours, "not measured: ours");
    });
    let mut faster_burn = KernelTable::new("GPU");
    faster_burn.add(timed(conv(8), 2.0, 1.0));
    let ((), _) = with_policy(faster_burn.policy(), || assert_eq!(pick(&conv(8)), KernelSet::Burn));
}

#[test]
fn a_recording_notes_each_shape_once_and_runs_ours() {
    let ((), policy) = with_policy(Policy::Recording(Default::default()), || {
        for op in [conv(16), conv(8), conv(16)] {
            assert_eq!(pick(&op), KernelSet::Ours);
        }
    });
    assert_eq!(recorded(policy), vec![conv(8), conv(16)]);
    assert_eq!(pick(&conv(8)), KernelSet::Ours, "the previous policy is back");
    let ((), _) = with_policy(Policy::All(KernelSet::Burn), || assert_eq!(pick(&conv(8)), KernelSet::Burn));
}

#[test]
fn the_setting_reads_its_names_and_the_table_survives_json() {
    for k in Kernels::ALL {
        assert_eq!(Kernels::parse(k.name()), Some(k));
    }
    assert_eq!(Kernels::parse("fast"), None);
    let mut table = KernelTable::new("GPU");
    table.add(timed(OpShape::Norm { input: [8, 16, 12, 12], relu: true }, 0.5, 0.25));
    let json = serde_json::to_string(&table).unwrap();
    assert_eq!(serde_json::from_str::<KernelTable>(&json).unwrap(), table);
    assert_eq!(table.measured[0].op.to_string(), "batchnorm+relu 8x16x12x12");
    assert_eq!(conv(8).to_string(), "conv 8x8x12x12 * 8x8x3x3 s1 p1");
}

#[test]
fn a_step_moved_to_the_thread_pool_keeps_the_callers_policy_and_brings_it_back() {
    use crate::model::parallel::on_pool;
    let ((), _) = with_policy(Policy::All(KernelSet::Burn), || {
        assert_eq!(on_pool(|| pick(&conv(8))), KernelSet::Burn, "the pool thread runs the caller's set");
        assert_eq!(pick(&conv(8)), KernelSet::Burn, "and the caller still has it");
    });
    let ((), policy) = with_policy(Policy::Recording(Default::default()), || {
        on_pool(|| pick(&conv(16)));
        pick(&conv(8));
    });
    assert_eq!(recorded(policy), vec![conv(8), conv(16)], "shapes seen on the pool thread are recorded too");
}
