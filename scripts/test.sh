#!/usr/bin/env bash
# One command for every test: unit tests of the page's pure modules, native cargo tests, wasm
# tests in headless Chromium (WebGPU on SwiftShader and the CPU fallback), and the end-to-end
# tests of the real page (served from the repository) and of the static site (built into a
# temporary folder and served by python3's http.server), in headless Chromium and Firefox ESR.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
start=$(date +%s)
step() { printf '\n\033[1m== %s (at %ds)\033[0m\n' "$*" $(( $(date +%s) - start )); }

step "1/4 the page's pure modules: tsc --noEmit (the // @ts-check modules), sizes (files <= 400 lines, functions <= 80: scripts/check-sizes.mjs), node --test tests/unit/"
npx tsc -p tsconfig.json
node scripts/check-sizes.mjs
node --test --test-reporter=spec tests/unit/

step "2/4 native: cargo fmt --check, cargo test (CPU backend; with \`ts\`: the TypeScript contract is current), the GPU kernels' gradient tests and both kernel sets on wgpu (Mesa's lavapipe)"
cargo fmt --check
# `ts`: tests/contract.rs checks www/generated/rust.d.ts (which step 1's tsc used) against Rust's types.
cargo test --release --features ts
# Our CubeCL convolution and BatchNorm kernels against burn's ops and finite differences, on a
# software Vulkan device (the CPU tests above run the same checks on the CPU backend); both kernel
# sets training alike, and the measured choice between them.
XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}" cargo test --release --features wgpu --test conv_gradients --test norm_gradients --test kernel_sets

step "3/4 wasm: wasm-pack test --headless --chrome (WebGPU and CPU fallback)"
wasm-pack test --headless --chrome --release -- --features wgpu --test wasm

step "4/4 end to end: the page and the static site in headless Chromium and Firefox"
node --test --test-reporter=spec tests/e2e/  # spec: the failures again at the end, with what the page showed

step "all tests passed"
