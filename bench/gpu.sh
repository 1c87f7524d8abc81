#!/usr/bin/env bash
# Training speed on a real GPU, natively and in the page (a benchmark run by hand, not a test).
#
#   bench/gpu.sh              on a Linux machine with a GPU and its Vulkan driver
#   bench/gpu.sh --software   the same end to end on a machine without one (Mesa's lavapipe
#                             natively, SwiftShader in Chromium), with fewer steps: a check
#                             that the script works, not a measurement of a GPU
#
# Prints, per convolution and BatchNorm shape, both kernel sets' times, their GFLOP/s and the
# choice, beside the adapter's fp32 matmul rate (`resnet-explorer kernels`); then steady
# examples/sec and the first step's time for: the native `bench` on burn's wgpu backend with each
# kernel setting (ours, burn, auto; the fast preset at batch 64, the seed's ResNet-18 at 96px at
# batch 256) and the page
# in headless Chromium on WebGPU (fast preset, batch 64), with seed 004's reference beside them.
#
# Chromium on Linux reaches a real GPU from headless mode with these flags (bench/page-speed.mjs,
# REAL_GPU_ARGS): --enable-unsafe-webgpu --ignore-gpu-blocklist
# --enable-features=Vulkan,VulkanFromANGLE --use-vulkan=native --use-angle=vulkan
# --disable-vulkan-surface --disable-software-rasterizer; the page run fails if the adapter it
# gets is a software one. Needs: the GPU's Vulkan driver (NVIDIA's, or Mesa's radv/anv), cargo,
# node and chromium (scripts/setup.sh installs the last ones).
set -euo pipefail
cd "$(dirname "$0")/.."
software=false
[ "${1:-}" = "--software" ] && software=true

scripts/setup.sh >/dev/null
source scripts/env.sh
# The Vulkan loader wants a runtime directory (test.sh does the same).
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
cargo build --release --features wgpu --quiet
bin="$CARGO_TARGET_DIR/release/resnet-explorer"

if $software; then steps=(--steps 5); big_steps=(--steps 1 --batch-size 16); big_batch=(--batch-size 16 --matmul 512); page=(--seconds 20 --images 1280);
else steps=(--steps 30); big_steps=(--steps 10 --batch-size 256); big_batch=(--batch-size 256 --matmul 4096); page=(--gpu); fi

echo "== native, burn wgpu: per operation, both kernel sets (ours, burn's) and the choice; the matmul probe"
"$bin" kernels --model fast --batch-size 64
echo
"$bin" kernels --model resnet18 --input 96 "${big_batch[@]}"
echo
echo "== native, burn wgpu: the fast preset (widths 16/32/64/128, 28px), batch 64, each kernel setting"
"$bin" bench --backend wgpu --model fast --batch-size 64 --kernels ours,burn,auto "${steps[@]}"
echo
echo "== native, burn wgpu: the seed's ResNet-18 at 96px, each kernel setting"
"$bin" bench --backend wgpu --model resnet18 --input 96 --kernels ours,burn,auto "${big_steps[@]}"
echo
for kernels in ours burn auto; do
  echo "== the page on WebGPU (headless Chromium), fast preset, batch 64, kernels $kernels"
  node bench/page-speed.mjs --backend wgpu --kernels "$kernels" "${page[@]}"
  echo
done
echo
echo "reference (seed 004): the seed's ResNet-18 at 96px, batch 256, PyTorch on a CUDA GPU: 1051 examples/sec"
