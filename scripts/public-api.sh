#!/usr/bin/env bash
# The public API of the `keyrot` crate, listed from rustdoc's JSON
# (scripts/public_api.py), against the committed core/public-api.txt.
#   bash scripts/public-api.sh          check: fails, with the difference, when they differ
#   bash scripts/public-api.sh --bless  rewrite core/public-api.txt (review the diff)
# rustdoc's JSON output is unstable: RUSTC_BOOTSTRAP lets the stable
# toolchain write it. Its own target folder keeps it from rebuilding the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 cargo rustdoc -q --locked -p keyrot --all-features --target-dir target/public-api \
    -- -Z unstable-options --output-format json
listing=$(python3 scripts/public_api.py target/public-api/doc/keyrot.json)
if [ "${1:-}" = "--bless" ]; then
    printf '%s\n' "$listing" > core/public-api.txt
    echo "wrote core/public-api.txt ($(wc -l < core/public-api.txt) items)"
    exit 0
fi
if ! diff -u core/public-api.txt <(printf '%s\n' "$listing"); then
    echo "The public API differs from core/public-api.txt (above: - committed, + now)." >&2
    echo "If the change is meant, run: bash scripts/public-api.sh --bless" >&2
    exit 1
fi
# The crate root holds what a Rust user reaches for: at most 50 names
# re-exported there (`pub use`; the modules lib.rs itself declares, `read`,
# `options` and `spec`, are the doors to the rest).
root=$(printf '%s\n' "$listing" | python3 -c '
import re, sys
names = set()
for line in sys.stdin:
    m = re.match(r"pub (?:const fn|fn|struct|enum|const|type|mod|trait|macro) keyrot::([A-Za-z_0-9]+)(?:[<( :]|$)", line)
    if m and not re.match(r"pub \w+(?: fn)? keyrot::\w+::", line):
        names.add(m.group(1))
own = {"read", "options", "spec"}
print(len(names), len(names - own))')
set -- $root
echo "public API: $(printf '%s\n' "$listing" | wc -l) items; the crate root: $1 names, $2 of them re-exported"
if [ "$2" -gt 50 ]; then
    echo "the crate root re-exports $2 names (at most 50)" >&2
    exit 1
fi
