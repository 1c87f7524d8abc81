#!/usr/bin/env bash
# Installs what the app and its tests need, then builds the wasm package. Idempotent: every step
# is skipped when its result is already there, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

# Debian packages for the tests: the browsers and Chromium's driver (Firefox ESR for the page's
# Firefox tests) and Mesa's Vulkan drivers. Not Debian's binaryen: see Cargo.toml.
# SETUP_BROWSERS=0 skips them (building the static site needs none).
missing=()
if [ "${SETUP_BROWSERS:-1}" != 0 ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  # Mesa's lavapipe, a software Vulkan device: the native wgpu gradient tests run on it.
  compgen -G '/usr/share/vulkan/icd.d/lvp_icd.*.json' >/dev/null || missing+=(mesa-vulkan-drivers)
fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || {
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
}

# wasm-pack uses the wasm-bindgen on PATH when its version equals the lockfile's; otherwise it
# would try to download one, which fails offline. So pin it to Cargo.lock.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  say "cargo install wasm-bindgen-cli $bindgen_version (about 5 minutes, once)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "cargo install wasm-pack (about 3 minutes, once)"
  cargo install wasm-pack --version 0.15.1
fi

# Keyed on npm's own record, not the folder: an emptied node_modules/ (seen here) reinstalls.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

# The wasm package (WebGPU + CPU backends in one module), rebuilt only when the Rust (ours or vendored) changed.
stamp=$(cat Cargo.toml Cargo.lock $(find src vendor crates -type f | sort) | sha256sum | cut -d' ' -f1)
if [ "$(cat pkg/.stamp 2>/dev/null)" != "$stamp" ]; then
  say "wasm-pack build (first time: about 12 minutes)"
  wasm-pack build --release --target web --out-dir pkg --no-typescript --no-pack -- --features wgpu
  # Drop the function-name and producers sections (40 MB -> 33 MB, 5.9 -> 4.7 MB gzipped) with
  # binaryen from npm (Debian's is too old for wasm-bindgen's externref table). Full -Oz
  # optimisation gains nothing more after gzip and takes 5+ minutes here.
  say "wasm-opt --strip-debug --strip-producers"
  node node_modules/binaryen/bin/wasm-opt --strip-debug --strip-producers --enable-reference-types \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-multivalue pkg/resnet_explorer_bg.wasm -o pkg/resnet_explorer_bg.wasm
  echo "$stamp" > pkg/.stamp
fi
# The page's catalogue module (pkg-catalogue/, crates/catalogue): the models and their layer
# tables for the page's main thread, without the training code (a small fraction of pkg/).
if [ "$(cat pkg-catalogue/.stamp 2>/dev/null)" != "$stamp" ]; then
  say "wasm-pack build crates/catalogue (first time: about 3 minutes)"
  wasm-pack build --release --target web --out-dir ../../pkg-catalogue --no-typescript --no-pack crates/catalogue
  node node_modules/binaryen/bin/wasm-opt -Oz --strip-debug --strip-producers --enable-reference-types \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-multivalue pkg-catalogue/resnet_explorer_catalogue_bg.wasm -o pkg-catalogue/resnet_explorer_catalogue_bg.wasm
  echo "$stamp" > pkg-catalogue/.stamp
fi
# The threaded CPU-only build (pkg-threads/): wasm threads need the standard library rebuilt
# with atomics (`-Z build-std`), which only a nightly toolchain does. The page uses it on the CPU
# when it is cross-origin isolated (scripts/serve.mjs sends the headers), else pkg/. If it
# cannot be built, the app still serves (one thread); the tests then fail on its absence.
# Atomics and shared memory (imported, so that every worker gets the same one; up to 4 GiB, the most wasm32 has: the
# explorer refuses a batch that would outgrow it, src/model/memory.rs),
# plus the thread-local storage symbols wasm-bindgen's thread start-up needs.
THREADS_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
  -C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
build_threads() {
  rustup run nightly rustc --version >/dev/null 2>&1 || {
    say "rustup toolchain install nightly (once)"
    rustup toolchain install nightly --profile minimal
  }
  rustup component list --toolchain nightly --installed | grep -q '^rust-src' || {
    say "rustup component add rust-src --toolchain nightly"
    rustup component add rust-src --toolchain nightly
  }
  rustup target list --toolchain nightly --installed | grep -q '^wasm32-unknown-unknown$' || {
    say "rustup target add wasm32-unknown-unknown --toolchain nightly"
    rustup target add wasm32-unknown-unknown --toolchain nightly
  }
  local threads_stamp="$stamp threads $(rustup run nightly rustc --version) $THREADS_RUSTFLAGS"
  [ "$(cat pkg-threads/.stamp 2>/dev/null)" = "$threads_stamp" ] && return 0
  say "wasm-pack build, threaded CPU-only module (first time: about 4 minutes)"
  CARGO_TARGET_DIR="$CARGO_TARGET_DIR-threads" RUSTFLAGS="$THREADS_RUSTFLAGS" \
    rustup run nightly wasm-pack build --release --target web --out-dir pkg-threads --no-typescript --no-pack \
    -- --features threads -Z build-std=panic_abort,std || return 1
  # As for pkg/ (6.2 -> 4.7 MB, 1.17 -> 1.03 MB gzipped); the module uses threads and SIMD.
  node node_modules/binaryen/bin/wasm-opt --strip-debug --strip-producers --enable-threads --enable-simd \
    --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue pkg-threads/resnet_explorer_bg.wasm -o pkg-threads/resnet_explorer_bg.wasm &&
    echo "$threads_stamp" > pkg-threads/.stamp
}
build_threads || say "WARNING: the threaded CPU module (pkg-threads/) could not be built; the page trains on one thread"
say "setup done"
