"""The PyTorch side of the safetensors import and export (tests/torch_layout.rs).

Builds the seed's ResNet (d2l chapter 8: `Residual`, `resnet_block`, `b1` .. `b5`, ported
here) at the widths and block counts of the catalogue's `tiny` preset (8, 16, 32 channels, one
block a stage: the smallest of our presets in d2l's structure), seeds torch, gives every
BatchNorm a non-trivial state (random weight and bias, running statistics from a few train-mode
passes over test images), and writes

    tests/fixtures/torch/tiny.safetensors   safetensors.torch.save_file(net.state_dict())
    tests/fixtures/torch/tiny-logits.json   its eval-mode logits on the first 8 test images

The fixture was made with (PyTorch is never needed by the tests themselves):

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy safetensors
    /tmp/torchenv/bin/python scripts/torch-fixture.py

With `--check FILE` it writes nothing: it builds the seed's ResNet at the configuration FILE's
metadata records (a file from `resnet-explorer convert`; the tiny preset when there is none),
loads FILE with `net.load_state_dict(load_file(FILE), strict=True)` and prints the eval-mode
logits on the first 8 test images:

    /tmp/torchenv/bin/python scripts/torch-fixture.py --check /tmp/tiny.safetensors
"""

import argparse
import gzip
import json
import pathlib

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn import functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "torch"
IMAGES = ROOT / "www" / "data" / "t10k-images-idx3-ubyte.gz"
# The tiny preset (src/model/config.rs, ResNetConfig::tiny) with d2l's b1.
TINY = {
    "in_channels": 1,
    "widths": [8, 16, 32],
    "blocks": [1, 1, 1],
    "classes": 10,
    "stem": {"kernel": 7, "stride": 2, "padding": 3, "pool_kernel": 3, "pool_stride": 2, "pool_padding": 1},
}


class Residual(nn.Module):
    """d2l's Residual: conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the (1x1-projected) input."""

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.conv3 is not None:
            x = self.conv3(x)
        return F.relu(y + x)


def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """d2l's resnet_block: every stage but the first starts with a strided 1x1 projection."""
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


def resnet(config):
    """d2l's `net` at the configuration's widths and block counts."""
    s, widths = config["stem"], config["widths"]
    b1 = nn.Sequential(
        nn.Conv2d(config["in_channels"], widths[0], kernel_size=s["kernel"], stride=s["stride"], padding=s["padding"]),
        nn.BatchNorm2d(widths[0]),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=s["pool_kernel"], stride=s["pool_stride"], padding=s["pool_padding"]),
    )
    stages, previous = [], widths[0]
    for i, (width, blocks) in enumerate(zip(widths, config["blocks"])):
        stages.append(nn.Sequential(*resnet_block(previous, width, blocks, first_block=i == 0)))
        previous = width
    return nn.Sequential(
        b1, *stages, nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(previous, config["classes"])
    )


def test_images(start, count):
    """Test images start.. as [count, 1, 28, 28] scaled to [0, 1] like src/data (p / 255 in f32)."""
    with gzip.open(IMAGES, "rb") as f:
        raw = f.read()
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16)[start * 784 : (start + count) * 784]
    return torch.from_numpy(pixels.astype(np.float32).reshape(count, 1, 28, 28)) / 255.0


def make_fixture():
    torch.manual_seed(26)
    net = resnet(TINY)
    with torch.no_grad():
        for m in net.modules():
            # d2l's train_ch6 initialises like this; it also spreads the logits apart.
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)
        # Train-mode passes move the running statistics away from 0 and 1 (and count batches).
        net.train()
        for start in (100, 164, 228):
            net(test_images(start, 64))
    net.eval()
    with torch.no_grad():
        logits = net(test_images(0, 8))
    OUT.mkdir(parents=True, exist_ok=True)
    save_file(net.state_dict(), OUT / "tiny.safetensors")
    record = {
        "made_by": "scripts/torch-fixture.py",
        "torch": torch.__version__,
        "images": "the first 8 images of www/data/t10k-images-idx3-ubyte.gz, pixel / 255",
        "logits": logits.tolist(),
    }
    (OUT / "tiny-logits.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {OUT / 'tiny.safetensors'} ({len(net.state_dict())} tensors) and tiny-logits.json")


def check(path):
    """Loads a file of ours strictly into the seed's ResNet at the configuration it records."""
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
    config = json.loads(metadata["resnet_explorer.model"]) if "resnet_explorer.model" in metadata else TINY
    net = resnet(config)
    net.load_state_dict(load_file(path), strict=True)
    net.eval()
    with torch.no_grad():
        logits = net(test_images(0, 8))
    print(f"ok: {path} loads strictly into the seed's ResNet at widths {config['widths']}, blocks {config['blocks']}")
    print("eval-mode logits of the first 8 test images:")
    print(json.dumps(logits.tolist()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="FILE", help="load FILE (from resnet-explorer convert) strictly instead")
    args = parser.parse_args()
    if args.check:
        check(args.check)
    else:
        make_fixture()
