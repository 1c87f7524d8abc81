#!/usr/bin/env python3
"""Sums a CubeCL profile log by kernel kind (run by hand, not by the tests).

    CUBECL_DEBUG_LOG=/tmp/cubecl.log CUBECL_DEBUG_OPTION=profile \
        resnet-explorer bench --backend wgpu --model fast --batch-size 64 --steps 10
    python3 bench/kernel_profile.py /tmp/cubecl.log [steps] [--skip 0.5]
    python3 bench/kernel_profile.py /tmp/cubecl.log --kind WeightGradKernel --every 21

CubeCL times every kernel it launches when profiling (it waits for each one, so the total is
above an unprofiled step); this prints each kind's share of that time, its launches, and, with
`steps` (the training steps the log covers), launches per step. `--skip F` leaves out the first
fraction F of the log (warm-up's one-off kernels). With `--kind K --every N` it prints, for the
kernels whose name starts with K, the median time of each launch position modulo N: with N the
launches of K in one step (21 convolutions in the fast preset), one row per layer.
"""
import argparse
import re
import statistics
from collections import defaultdict

LINE = re.compile(r"^\|\s*([\d.]+)(ns|µs|us|ms|s)\s*\|\s*(.+)$")
UNIT = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def kind(name: str) -> str:
    """DirectConv2dKernel_a1a157f9 -> DirectConv2dKernel; 'KernelBinop | AddOp_..' -> 'KernelBinop AddOp'."""
    parts = [re.sub(r"_[0-9a-f]{8}$", "", p.strip()) for p in name.split("|")]
    if parts[0] == "MatmulEntry":
        return "MatmulEntry (matmul)"
    if parts[0].startswith("Elemwise") or parts[0].startswith("Fuse"):
        return parts[0]
    return " ".join(parts[:2])


def launches(path: str, skip: float) -> list[tuple[str, float]]:
    """(name, seconds) of every profiled launch, in order, after the first `skip` of the log."""
    lines = open(path, encoding="utf-8", errors="replace").readlines()
    out = []
    for line in lines[int(len(lines) * skip):]:
        m = LINE.match(line.strip())
        if m:
            out.append((m.group(3), float(m.group(1)) * UNIT[m.group(2)]))
    return out


def by_kind(runs: list[tuple[str, float]], steps: int | None) -> None:
    total = defaultdict(float)
    count = defaultdict(int)
    for name, seconds in runs:
        k = kind(name)
        total[k] += seconds
        count[k] += 1
    all_time = sum(total.values())
    print(f"{sum(count.values())} kernel launches, {all_time:.2f} s of kernel time")
    print(f"{'kernel kind':<48} {'share':>6} {'time s':>8} {'launches':>9}" + (f" {'per step':>9}" if steps else ""))
    for k, t in sorted(total.items(), key=lambda kv: -kv[1])[:25]:
        row = f"{k[:48]:<48} {100 * t / all_time:5.1f}% {t:8.2f} {count[k]:9d}"
        if steps:
            row += f" {count[k] / steps:9.1f}"
        print(row)


def by_position(runs: list[tuple[str, float]], prefix: str, every: int) -> None:
    times = [seconds for name, seconds in runs if name.startswith(prefix)]
    slots = [times[i::every] for i in range(every)]
    print(f"{len(times)} launches of {prefix}*, median ms by position modulo {every}")
    for i, slot in enumerate(slots):
        if slot:
            print(f"{i:4d} {1e3 * statistics.median(slot):9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    parser.add_argument("steps", type=int, nargs="?")
    parser.add_argument("--skip", type=float, default=0.0)
    parser.add_argument("--kind")
    parser.add_argument("--every", type=int, default=1)
    args = parser.parse_args()
    runs = launches(args.log, args.skip)
    if args.kind:
        by_position(runs, args.kind, args.every)
    else:
        by_kind(runs, args.steps)


if __name__ == "__main__":
    main()
