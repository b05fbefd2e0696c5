#!/usr/bin/env bash
# `keyrot history` at scale, against `keyrot check` on the same files.
#
# Generates WEEKS weekly reports of ACCOUNTS accounts of USERS users each
# (benches/src/bin/gen-season.rs: the generator's report as week 0, then
# keys used, rotated, stalled, deactivated and deleted, users deleted and
# added, the same on every run) under target/history-bench/, then runs on
# the first 13, 26 and WEEKS weeks:
#   check          keyrot check --format csv (the findings of every report)
#   history-csv    keyrot history --format csv (a row per key, written as keys end)
#   history-table  keyrot history (the table)
# each once, reporting wall-clock seconds, CPU seconds (user + system: the
# figure to compare when the machine is shared) and peak RSS (GNU time), and
# deletes the data afterwards (KEEP=1 keeps it).
#
# Usage: bash benches/history/run.sh            (200 accounts x 5,000 users x 52 weeks: about 12 GB)
#        ACCOUNTS=20 WEEKS=13 bash benches/history/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ACCOUNTS=${ACCOUNTS:-200}
USERS=${USERS:-5000}
WEEKS=${WEEKS:-52}
DATA=target/history-bench

cargo build --release --locked -q -p keyrot-cli
cargo build --release --locked -q -p keyrot-benches --bin gen-season
KEYROT=target/release/keyrot

need=$((ACCOUNTS * USERS * WEEKS * 240 / 1000000))
avail=$(df -Pm target | awk 'NR==2 {print $4}')
if [ "$avail" -lt $((need * 13 / 10)) ]; then
    echo "needs about ${need} MB under target/, ${avail} MB free" >&2
    exit 1
fi

# A season generated before with the same sizes (KEEP=1) is used again.
if [ "$(cat "$DATA/.season" 2>/dev/null)" != "$ACCOUNTS $USERS $WEEKS" ]; then
    rm -rf "$DATA"
    start=$EPOCHREALTIME
    target/release/gen-season "$ACCOUNTS" "$USERS" "$WEEKS" "$DATA"
    echo "$ACCOUNTS $USERS $WEEKS" > "$DATA/.season"
    echo "generated $((ACCOUNTS * WEEKS)) reports of $USERS users in $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}') s: $(du -sh "$DATA" | cut -f1)"
fi
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$DATA"' EXIT

# Runs "$@" with stdout to $OUT, prints "seconds cpu_seconds peak_MiB".
measure() {
    /usr/bin/time -f '%e %U %S %M' -o "$DATA/time" "$@" > "$OUT" 2>/dev/null || true
    tail -1 "$DATA/time" | awk '{printf "%s %.1f %.0f\n", $1, $2 + $3, $4 / 1024}'
}

echo
echo "| weeks | reports | rows | input | command | seconds | CPU seconds | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
for weeks in $(printf '%s\n' 13 26 "$WEEKS" | awk -v max="$WEEKS" '$1 <= max' | sort -nu); do
    folders=()
    for w in $(seq 1 "$weeks"); do folders+=("$DATA/$(printf 'week-%02d' "$w")"); done
    rows=$(find "${folders[@]}" -name '*.csv' -print0 | xargs -0 cat | wc -l)
    rows=$((rows - ACCOUNTS * weeks))
    bytes=$(du -sch "${folders[@]}" | tail -1 | cut -f1)
    # Read once before, so that every tool finds the files in the page cache
    # as far as memory allows.
    find "${folders[@]}" -name '*.csv' -print0 | xargs -0 cat > /dev/null
    OUT=/dev/null
    read -r s c m < <(measure "$KEYROT" check --format csv "${folders[@]}")
    echo "| $weeks | $((ACCOUNTS * weeks)) | $rows | $bytes | check --format csv | $s | $c | $m |"
    OUT="$DATA/keys.csv"
    read -r s c m < <(measure "$KEYROT" history --time-from-name %Y-%m-%d --format csv "${folders[@]}")
    keys=$(($(wc -l < "$DATA/keys.csv") - 1))
    echo "| $weeks | $((ACCOUNTS * weeks)) | $rows | $bytes | history --format csv ($keys keys) | $s | $c | $m |"
    OUT="$DATA/table.txt"
    read -r s c m < <(measure "$KEYROT" history --time-from-name %Y-%m-%d "${folders[@]}")
    echo "| $weeks | $((ACCOUNTS * weeks)) | $rows | $bytes | history (table) | $s | $c | $m |"
    if [ "$weeks" = "$WEEKS" ]; then
        tail -3 "$DATA/table.txt" | sed 's/^/    /' >&2
    fi
done
