#!/usr/bin/env python3
"""Training quality of builds of resnet-explorer, seed by seed and paired.

One training run's test accuracy moves by a point or more with nothing but the order of its
floating-point sums (bench/RESULTS.md, "Quality"), so "quality unchanged" is read here from many
seeds, paired: each build trains the same recipe on the same seeds, and the differences from
the first build are summarised (mean, its standard error, spread, the largest). A benchmark run
by hand, not a test. Standard library only.

  bench/quality.py --build ours=target/release/resnet-explorer --build base=/tmp/rx-base --seeds 0-11
  bench/quality.py --recorded burn=0.8717,0.8588 --build ours=/tmp/rx --seeds 0-1
"""
import argparse
import os
import re
import statistics
import subprocess
import sys


def seed_list(text):
    """'0-3,7' -> [0, 1, 2, 3, 7]"""
    seeds = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        seeds.extend(range(int(lo), int(hi or lo) + 1))
    return seeds


def named(text):
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def train(binary, seed, args):
    cmd = [binary, "train", "--model", args.model, "--epochs", str(args.epochs),
           "--batch-size", str(args.batch_size), "--lr", str(args.lr), "--seed", str(seed)]
    env = dict(os.environ, **({"RAYON_NUM_THREADS": str(args.threads)} if args.threads else {}))
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=args.cwd)
    found = re.search(r"final test acc ([0-9.]+)", run.stdout)
    if run.returncode != 0 or not found:
        sys.exit(f"{' '.join(cmd)} failed ({run.returncode}):\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return float(found.group(1))


def summary(name, base_name, base, values):
    """The paired differences (points) of `values` from `base`, seed by seed."""
    diffs = [100 * (v - b) for v, b in zip(values, base)]
    sd = statistics.stdev(diffs) if len(diffs) > 1 else float("nan")
    se = sd / len(diffs) ** 0.5
    mean = statistics.mean(diffs)
    beyond = sum(abs(d) > 1.5 for d in diffs)
    t = f"{mean / se:+.1f}" if se > 0 else "-"
    return (f"{name} - {base_name}: mean {mean:+.2f} points, standard error {se:.2f} (t = {t}), "
            f"sd of a pair {sd:.2f}, largest {max(diffs, key=abs):+.2f}, "
            f"{beyond} of {len(diffs)} seeds more than 1.5 points apart")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", type=named, action="append", default=[], metavar="NAME=BINARY",
                   help="a build to train (the first build or recording is the base of the pairs)")
    p.add_argument("--recorded", type=named, action="append", default=[], metavar="NAME=ACC,ACC,...",
                   help="test accuracies already measured, one per seed in --seeds order")
    p.add_argument("--seeds", type=seed_list, default=seed_list("0-5"))
    p.add_argument("--model", default="fast")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, help="RAYON_NUM_THREADS for every run (default: the pool's own)")
    p.add_argument("--cwd", default=".", help="where the binaries find www/data (default: here)")
    args = p.parse_args()
    if len(args.build) + len(args.recorded) < 1:
        p.error("give at least one --build or --recorded")

    results = {}
    for name, values in args.recorded:
        accs = [float(v) for v in values.split(",")]
        if len(accs) != len(args.seeds):
            p.error(f"--recorded {name}: {len(accs)} values for {len(args.seeds)} seeds")
        results[name] = accs
    for name, _ in args.build:
        results[name] = []
    for seed in args.seeds:  # seed by seed, builds alternated: drift hits every build alike
        for name, binary in args.build:
            results[name].append(train(binary, seed, args))
            print(f"seed {seed} {name}: {results[name][-1]:.4f}", flush=True)

    names = list(results)
    print("\n| build | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean | sd (points) |")
    print("|---|" + "---|" * (len(args.seeds) + 2))
    for name in names:
        accs = results[name]
        sd = 100 * statistics.stdev(accs) if len(accs) > 1 else float("nan")
        cells = " | ".join(f"{a:.4f}" for a in accs)
        print(f"| {name} | {cells} | {statistics.mean(accs):.4f} | {sd:.2f} |")
    base = results[names[0]]
    for name in names[1:]:
        print(summary(name, names[0], base, results[name]))


if __name__ == "__main__":
    main()
