#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, with a corpus seeded
# from the golden cases. Needs the nightly toolchain and cargo-fuzz.
# Usage: bash fuzz/run.sh [SECONDS] [TARGET...]   (default: every target)
# A target with a dictionary (TARGET.dict: `scan`'s holds CSV's own bytes)
# gets it; `scan` runs on inputs of at most 4 KiB, which cross many 64-byte
# blocks and chunks and run fast.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse analyze plan paths scan)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  for f in ../testdata/cases/*/input.*; do
    cp "$f" "corpus/$target/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  # `paths` judges on two threads: LeakSanitizer takes the thread-local
  # state std's channels keep in each worker for a leak, so it is off there.
  leaks=1
  [ "$target" = paths ] && leaks=0
  extra=()
  [ -f "$target.dict" ] && extra+=(-dict="$target.dict")
  [ "$target" = scan ] && extra+=(-max_len=4096)
  cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -detect_leaks=$leaks "${extra[@]}" 2>&1 | tee "fuzz-$target.log" | grep -E "^(#[0-9]+: *DONE|Done|==[0-9]+==|SUMMARY)" || true
  tail -n 3 "fuzz-$target.log"
done
