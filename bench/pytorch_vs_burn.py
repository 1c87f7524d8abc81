#!/usr/bin/env python3
"""Training throughput of the same ResNet in PyTorch (CPU) and in resnet-explorer (burn's CPU
backend `flex`), same widths, blocks, input size, batch, SGD settings and thread count, on the
same machine in one run. A benchmark run by hand, not a test:

    python3 -m venv ~/.cache/torch-venv && ~/.cache/torch-venv/bin/pip install torch numpy
    ~/.cache/torch-venv/bin/python bench/pytorch_vs_burn.py            # fast preset and d2l's 96px

It prints examples/sec for both and the ratio burn / PyTorch.
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

ROOT = Path(__file__).resolve().parent.parent

# (name, widths, blocks, input side, timed steps): the page's fast preset and d2l's ResNet-18 at 96px.
CASES = {
    "fast": ([16, 32, 64, 128], [2, 2, 2, 2], 28, 30),
    "d2l96": ([64, 128, 256, 512], [2, 2, 2, 2], 96, 4),
}


class Residual(nn.Module):
    """d2l's residual block: conv3x3-BN-ReLU-conv3x3-BN, optional strided 1x1 shortcut, add, ReLU."""

    def __init__(self, cin, cout, projection, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv3 = nn.Conv2d(cin, cout, 1, stride=stride) if projection else None
        self.bn1, self.bn2 = nn.BatchNorm2d(cout), nn.BatchNorm2d(cout)

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.conv3(x) if self.conv3 is not None else x))


def resnet(widths, blocks):
    layers = [nn.Sequential(nn.Conv2d(1, widths[0], 7, stride=2, padding=3), nn.BatchNorm2d(widths[0]), nn.ReLU(),
                            nn.MaxPool2d(3, stride=2, padding=1))]
    cin = widths[0]
    for i, (w, n) in enumerate(zip(widths, blocks)):
        stage = [Residual(cin if j == 0 else w, w, j == 0 and i > 0, 2 if j == 0 and i > 0 else 1) for j in range(n)]
        layers.append(nn.Sequential(*stage))
        cin = w
    net = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    return net


def idx(path):
    data = gzip.open(path).read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def pytorch_rate(widths, blocks, side, batch, steps, threads):
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    images = idx(ROOT / "www/data/train-images-idx3-ubyte.gz")[: batch * 2 * steps]
    labels = idx(ROOT / "www/data/train-labels-idx1-ubyte.gz")[: batch * 2 * steps]
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    if side != 28:
        x_all = F.interpolate(x_all, size=side, mode="bilinear", align_corners=False)
    y_all = torch.from_numpy(labels.astype(np.int64))
    net = resnet(widths, blocks)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()

    def step(i):
        x, y = x_all[i * batch:(i + 1) * batch], y_all[i * batch:(i + 1) * batch]
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss

    for i in range(steps):  # warm-up, same length as burn's
        step(i)
    start = time.perf_counter()
    for i in range(steps, 2 * steps):
        loss = step(i)
    loss.item()
    return batch * steps / (time.perf_counter() - start)


def burn_rate(widths, blocks, side, batch, steps, threads, binary):
    cmd = [binary, "bench", "--model", "fast", "--widths", ",".join(map(str, widths)),
           "--blocks", ",".join(map(str, blocks)), "--input", str(side), "--batch-size", str(batch), "--steps", str(steps)]
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    match = re.search(r"^cpu \(burn flex\)\s+([\d.]+)", out, re.M)
    if not match:
        sys.exit(f"could not read the burn figure from:\n{out}")
    return float(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="fast,d2l96")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, help="timed steps for every case instead of its own (longer runs "
                        "average out a noisy machine; PyTorch's real batches last for 468 steps at batch 64)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/resnet-explorer/target"))
    parser.add_argument("--binary", default=f"{target}/release/resnet-explorer",
                        help="a release build of resnet-explorer (cargo build --release)")
    parser.add_argument("--baseline", help="another release build (e.g. of an earlier commit), timed in the same run")
    args = parser.parse_args()

    print(f"same machine, {args.threads} threads, batch {args.batch}, SGD lr 0.05, real Fashion-MNIST batches, "
          f"torch {torch.__version__}")
    base = f" {'baseline ex/s':>14} {'baseline / PyTorch':>18}" if args.baseline else ""
    print(f"{'model':<8} {'input':>5} {'steps':>5} {'PyTorch ex/s':>13} {'burn flex ex/s':>15} {'burn / PyTorch':>15}{base}")
    for name in args.cases.split(","):
        widths, blocks, side, steps = CASES[name]
        steps = args.steps or steps
        theirs = pytorch_rate(widths, blocks, side, args.batch, steps, args.threads)
        ours = burn_rate(widths, blocks, side, args.batch, steps, args.threads, args.binary)
        line = f"{name:<8} {side:>5} {steps:>5} {theirs:>13.1f} {ours:>15.1f} {ours / theirs:>15.2f}"
        if args.baseline:
            old = burn_rate(widths, blocks, side, args.batch, steps, args.threads, args.baseline)
            line += f" {old:>14.1f} {old / theirs:>18.2f}"
        print(line)


if __name__ == "__main__":
    main()
