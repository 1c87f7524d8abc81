#!/usr/bin/env python3
"""Sums a CubeCL profile log by kernel kind (run by hand, not by the tests).

    CUBECL_DEBUG_LOG=/tmp/cubecl.log CUBECL_DEBUG_OPTION=profile \
        resnet-explorer bench --backend wgpu --model fast --batch-size 64 --steps 10
    python3 bench/kernel_profile.py /tmp/cubecl.log [steps]

CubeCL times every kernel it launches when profiling (it waits for each one, so the total is
above an unprofiled step); this prints each kind's share of that time, its launches, and, with
`steps` (the training steps the log covers), launches per step.
"""
import re
import sys
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


def main() -> None:
    path = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else None
    total = defaultdict(float)
    count = defaultdict(int)
    for line in open(path, encoding="utf-8", errors="replace"):
        m = LINE.match(line.strip())
        if not m:
            continue
        seconds = float(m.group(1)) * UNIT[m.group(2)]
        k = kind(m.group(3))
        total[k] += seconds
        count[k] += 1
    all_time = sum(total.values())
    launches = sum(count.values())
    print(f"{launches} kernel launches, {all_time:.2f} s of kernel time")
    print(f"{'kernel kind':<48} {'share':>6} {'time s':>8} {'launches':>9}" + (f" {'per step':>9}" if steps else ""))
    for k, t in sorted(total.items(), key=lambda kv: -kv[1])[:25]:
        row = f"{k[:48]:<48} {100 * t / all_time:5.1f}% {t:8.2f} {count[k]:9d}"
        if steps:
            row += f" {count[k] / steps:9.1f}"
        print(row)


if __name__ == "__main__":
    main()
