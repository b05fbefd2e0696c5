#!/usr/bin/env bash
# Runs every test of keyrot, installing what a fresh machine lacks.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --workspace -q

step "the public API of the keyrot crate against core/public-api.txt"
bash scripts/public-api.sh

step "cargo test (core, command line, golden cases, property tests, doc examples)"
cargo test --locked --workspace

step "Python package: wheel in a fresh venv, stub check, pytest"
bash python/ci.sh

step "WebAssembly package, Node tests and the page in headless Chromium"
bash wasm/ci.sh
