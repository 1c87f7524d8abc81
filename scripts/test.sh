#!/usr/bin/env bash
# One command for every test: native cargo tests, wasm tests in headless Chromium (WebGPU on
# SwiftShader and the CPU fallback), and the end-to-end test of the real page.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
start=$(date +%s)
step() { printf '\n\033[1m== %s (at %ds)\033[0m\n' "$*" $(( $(date +%s) - start )); }

step "1/3 native: cargo fmt --check, cargo test (CPU backend)"
cargo fmt --check
cargo test --release

step "2/3 wasm: wasm-pack test --headless --chrome (WebGPU and CPU fallback)"
wasm-pack test --headless --chrome --release -- --features wgpu --test wasm

step "3/3 end to end: the real page in headless Chromium"
node --test tests/e2e/

step "all tests passed"
