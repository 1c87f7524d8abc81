# Shared by the scripts: where cargo builds. Outside the clone by default, so a fresh clone (and
# CI) reuses earlier builds; an empty directory works too, it is just slower the first time.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/resnet-explorer/target}"
export PATH="$HOME/.cargo/bin:$PATH"
# Chromium for wasm-bindgen-test: the flags live in webdriver.json.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# burn tests compile and run slowly on SwiftShader; the default is 20 s for the whole binary.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-900}"
