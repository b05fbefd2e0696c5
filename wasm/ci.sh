#!/usr/bin/env bash
# CI for the WebAssembly package and the page (wasm/). Run from the
# repository root, also on a fresh machine: it installs what it needs, then
# lints, builds and runs every test layer:
#   1. rustup target, wasm-bindgen-cli 0.2.130, Debian's chromium, npm ci
#   2. cargo fmt and clippy (host and wasm32) for keyrot-wasm
#   3. the crate's tests on the host, then wasm-bindgen-test under Node
#      (and tests/simd.rs again in a module built with simd128)
#   4. the build (scripts/build.sh: wasm-bindgen, wasm-opt, sizes)
#   5. node --test: every golden case, the JS API, checkCsv (against the
#      command's CSV: builds keyrot-cli), the types, the page's logic
#   6. node --test: the page in headless Chromium
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "toolchain"
rustup target add wasm32-unknown-unknown
if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
    # Not --locked: the CLI's lockfile pins a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version 0.2.130
fi
wasm-bindgen --version
if [[ ! -x /usr/bin/chromium ]]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
(cd wasm && npm ci --no-audit --no-fund)

step "format and lint"
cargo fmt -p keyrot-wasm --check
cargo clippy --locked -p keyrot-wasm --all-targets -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown -p keyrot-wasm --all-targets -- -D warnings

step "Rust tests on the host (option handling, doc tests)"
cargo test --locked -p keyrot-wasm

step "wasm-bindgen-test under Node (the JS boundary)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --locked --target wasm32-unknown-unknown -p keyrot-wasm

step "wasm-bindgen-test under Node, built with simd128 (the structural scan's simd128 level)"
KEYROT_EXPECT_SIMD128=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --locked --target wasm32-unknown-unknown -p keyrot-wasm --test simd --target-dir target/wasm-simd \
    --config 'target.wasm32-unknown-unknown.rustflags=["-C", "target-feature=+simd128"]'

step "build: pkg/node, pkg/web, www/pkg"
bash wasm/scripts/build.sh

step "node --test: golden cases, API, checkCsv against the command, types, page logic"
# The command, so that checkCsv's CSV is compared with its output byte for byte.
cargo build --locked -p keyrot-cli
KEYROT_CLI=$(cargo metadata --format-version 1 --no-deps --locked |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/keyrot
(cd wasm && KEYROT_CLI=$KEYROT_CLI node --test tests/*.test.mjs)

step "node --test: the page in headless Chromium"
(cd wasm && KEYROT_CLI=$KEYROT_CLI node --test tests/browser/)

step "wasm/ci.sh passed"
