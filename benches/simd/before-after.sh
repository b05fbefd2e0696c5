#!/usr/bin/env bash
# Issue 27's figures for two builds of `keyrot` in the same run: BEFORE (an
# older build, e.g. main's) and AFTER (default: this tree's release build).
#
#   1. wall clock, one thread: `check --only fail --format csv --columns
#      user,slot,age_days --threads 1` on a ROWS-row report (default
#      1,000,000), against `csv-floor` (the csv crate counting records) in
#      the same run; RUNS runs each (default 7), interleaved, medians;
#   2. judging under every rule against the rotation rule only: `check
#      --only invalid --format csv --threads 1` with and without
#      `--rules all` (nothing is written: the cost is reading and judging);
#   3. callgrind instructions per input byte, one thread, 3 columns, on the
#      report's first CG_ROWS rows (default 50,000), when valgrind is here.
#
# Also checks that both builds write the same bytes for the CSV runs it times
# (benches/simd/same-output.sh compares every format).
#
# Usage: BEFORE=/path/to/old/keyrot bash benches/simd/before-after.sh
#        ROWS=200000 RUNS=3 CG_ROWS=20000 BEFORE=... AFTER=... bash benches/simd/before-after.sh
# Writes only to target/simd-before-after/ (the reports deleted unless KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${BEFORE:?BEFORE=path to the older keyrot binary}"
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-7}
CG_ROWS=${CG_ROWS:-50000}
AS_OF=2026-11-26T00:00:00Z
AS_OF_EPOCH=1795651200
DATA=target/simd-before-after
mkdir -p "$DATA"

cargo build --release --locked -q -p keyrot-cli
cargo build --release --locked -q -p keyrot-benches --bin gen-report --bin csv-floor
AFTER=${AFTER:-target/release/keyrot}
cp -p "$AFTER" "$DATA/after"
cp -p "$BEFORE" "$DATA/before"
cp -p target/release/csv-floor "$DATA/csv-floor"
report=$DATA/report-$ROWS.csv
[ -s "$report" ] || target/release/gen-report "$ROWS" 42 "$AS_OF_EPOCH" >"$report"
echo "report: $ROWS rows, $(wc -c <"$report") bytes; load average $(cut -d' ' -f1-3 /proc/loadavg)"

same=0 differ=0
for args in "--only fail --format csv" "--only fail --format csv --columns user,slot,age_days" \
    "--only invalid --format csv --rules all" "--format csv --rules all"; do
    # shellcheck disable=SC2086
    a=$("$DATA/before" check --as-of "$AS_OF" $args "$report" | sha256sum | cut -c1-16 || true)
    # shellcheck disable=SC2086
    b=$("$DATA/after" check --as-of "$AS_OF" $args "$report" | sha256sum | cut -c1-16 || true)
    if [ "$a" = "$b" ]; then same=$((same + 1)); else differ=$((differ + 1)); echo "DIFFERENT: $args"; fi
done
echo "same bytes before and after: $same formats; different: $differ"

# Seconds of one run of CMD..., output to /dev/null.
seconds() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null || true
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}
median() { tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

declare -A T
names=(csv-floor before-3col after-3col before-rotation after-rotation before-all after-all)
for _ in $(seq "$RUNS"); do
    for name in "${names[@]}"; do
        case $name in
        csv-floor) cmd=("$DATA/csv-floor" "$report") ;;
        *-3col) cmd=("$DATA/${name%-3col}" check --as-of "$AS_OF" --only fail --format csv --columns user,slot,age_days --threads 1 "$report") ;;
        *-rotation) cmd=("$DATA/${name%-rotation}" check --as-of "$AS_OF" --only invalid --format csv --threads 1 "$report") ;;
        *-all) cmd=("$DATA/${name%-all}" check --as-of "$AS_OF" --only invalid --format csv --rules all --threads 1 "$report") ;;
        esac
        T[$name]="${T[$name]:-} $(seconds "${cmd[@]}")"
    done
done
declare -A M
for name in "${names[@]}"; do M[$name]=$(echo "${T[$name]}" | xargs -n1 | median); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "median of $RUNS runs, ms (load average now $(cut -d' ' -f1-3 /proc/loadavg)):"
for name in "${names[@]}"; do printf '  %-16s %6s ms   runs:%s\n' "$name" "${M[$name]}" "${T[$name]}"; done
echo
echo "| measure | before | after |"
echo "|---|---:|---:|"
echo "| one thread, 3 columns / csv-floor | $(ratio "${M[before-3col]}" "${M[csv-floor]}")x | $(ratio "${M[after-3col]}" "${M[csv-floor]}")x |"
echo "| --rules all / rotation only (--only invalid, one thread) | $(ratio "${M[before-all]}" "${M[before-rotation]}")x | $(ratio "${M[after-all]}" "${M[after-rotation]}")x |"

if command -v valgrind >/dev/null && [ "$CG_ROWS" -gt 0 ]; then
    small=$DATA/report-$CG_ROWS.csv
    head -n $((CG_ROWS + 1)) "$report" >"$small"
    bytes=$(wc -c <"$small")
    cg() { # BINARY ARGS...
        local out=$DATA/callgrind.out
        valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>"$DATA/cg.err" || true
        grep -E '^(summary|totals):' "$out" | head -1 | awk '{print $2}'
    }
    echo
    echo "callgrind, $CG_ROWS rows ($bytes bytes), instructions (per input byte):"
    for who in before after; do
        i3=$(cg "$DATA/$who" check --as-of "$AS_OF" --only fail --format csv --columns user,slot,age_days --threads 1 "$small")
        i19=$(cg "$DATA/$who" check --as-of "$AS_OF" --only fail --format csv --threads 1 "$small")
        rot=$(cg "$DATA/$who" check --as-of "$AS_OF" --only invalid --format csv --threads 1 "$small")
        all=$(cg "$DATA/$who" check --as-of "$AS_OF" --only invalid --format csv --rules all --threads 1 "$small")
        printf '  %-6s 3 columns %s (%s)   19 columns %s (%s)   rotation only %s   --rules all %s (%sx)\n' "$who" \
            "$i3" "$(ratio "$i3" "$bytes")" "$i19" "$(ratio "$i19" "$bytes")" "$rot" "$all" "$(ratio "$all" "$rot")"
    done
    rm -f "$small" "$DATA/callgrind.out"
fi
[ "${KEEP:-0}" = 1 ] || rm -f "$report"
