#!/usr/bin/env bash
# Memory of `keyrot check --format csv` on hostile reports, against a normal
# report of the same number of rows, in the same run: peak RSS (GNU time's
# maximum resident set size), the median of RUNS runs each. A benchmark, not a
# test: it prints the figures and their ratios, and asserts nothing.
#
#   benches/compare/memory-hostile.sh            # 1,000,000 rows, 3 runs
#   ROWS=200000 RUNS=1 benches/compare/memory-hostile.sh
#
# The reports:
#   normal         gen-report's realistic report (accounts of up to 5,000 users)
#   repeated-user  one user of one account on every row (a concatenation, a
#                  broken export, a hostile file): every row after the first is
#                  a duplicate_user anomaly, counted, and the first 100 kept
#   repeated-user --format json   the same, whose JSON holds every finding
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
WORK=${WORK:-target/memory-hostile}
mkdir -p "$WORK"

cargo build --release --locked -q -p keyrot-cli -p keyrot-benches
KEYROT=target/release/keyrot

normal="$WORK/normal.$ROWS.csv"
repeated="$WORK/repeated-user.$ROWS.csv"
[ -s "$normal" ] || target/release/gen-report "$ROWS" 1 > "$normal"
if [ ! -s "$repeated" ]; then
    head -1 "$normal" > "$repeated"
    row='deploy,arn:aws:iam::111122223333:user/deploy,2024-01-01T00:00:00Z,false,N/A,N/A,N/A,false,true,2026-01-01T00:00:00Z,2026-11-20T08:15:00Z,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A'
    yes "$row" | head -n "$ROWS" >> "$repeated"
fi

# Peak RSS in KiB of one run; stdout to /dev/null, exit status 1 (keys fail) expected.
peak() {
    /usr/bin/time -f '%M' -o "$WORK/time" "$KEYROT" check --as-of 2026-11-26T00:00:00Z "$@" > /dev/null 2> "$WORK/stderr" || true
    tail -1 "$WORK/time"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A KB
for _ in $(seq "$RUNS"); do
    KB[normal]+="$(peak --format csv "$normal") "
    KB[repeated]+="$(peak --format csv "$repeated") "
    KB[repeated_json]+="$(peak --format json "$repeated") "
done
grep -m1 'anomalies' "$WORK/stderr" || true

base=$(median ${KB[normal]})
printf '\n%d rows, peak RSS, median of %d runs (ratio to the normal report in this run)\n\n' "$ROWS" "$RUNS"
printf '| report | output | peak RSS | ratio |\n|---|---|---|---|\n'
for key in normal repeated repeated_json; do
    kb=$(median ${KB[$key]})
    case $key in
        normal) what="normal|csv" ;;
        repeated) what="repeated user|csv" ;;
        repeated_json) what="repeated user|json (holds every finding)" ;;
    esac
    awk -v w="$what" -v kb="$kb" -v base="$base" 'BEGIN { printf "| %s | %.1f MB | %.2fx |\n", w, kb / 1024, kb / base }'
done
