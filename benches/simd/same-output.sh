#!/usr/bin/env bash
# The output does not depend on the reader's vector instructions or on the
# threads, at scale: `keyrot check` on a ROWS-row generated report (default
# 1,000,000, 224 MB) in every output format, on 1, 2 and 3 threads and at
# every --simd level this machine has (forced), must write the same bytes
# (SHA-256 of standard output) and exit with the same status as
# `--simd auto --threads 1`. The same then runs on a quoted copy of the first
# QUOTED_ROWS rows (every field in quotes, CRLF line endings: every row takes
# the tokenizer's path, its quotes and line ends across blocks and chunks).
# With BEFORE=path/to/an/older/keyrot, that binary's output (default level,
# one thread) must be the same bytes too: "unchanged" against the build of
# another commit.
#
# DIAGONAL=1 runs each level once instead of on every thread count (auto on
# 3 threads, the forced levels on 2, 3, 1, ... threads): every level and
# every thread count, in a quarter of the runs, for the formats that hold
# every finding (a minute or more a run at 1M rows).
#
# FORMATS (default: every one) picks the output formats of the first report;
# `csv` adds the `--rules all` run. The formats that hold every finding until
# the end (table, json, sarif, junit, ocsf, html) take minutes a run at 1M
# rows on a busy machine: FORMATS=csv on the big report and every format on
# a smaller one is the quick way.
#
# Usage: bash benches/simd/same-output.sh
#        ROWS=100000 QUOTED_ROWS=20000 BEFORE=/tmp/keyrot-main bash benches/simd/same-output.sh
#        FORMATS=csv bash benches/simd/same-output.sh
#        DIAGONAL=1 FORMATS="json sarif junit ocsf html" bash benches/simd/same-output.sh
# Writes nothing but target/simd-same-output/ (the reports, deleted unless
# KEEP=1). Prints one line per run and a summary; exits 1 on any difference.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
QUOTED_ROWS=${QUOTED_ROWS:-200000}
AS_OF=2026-11-26T00:00:00Z
AS_OF_EPOCH=1795651200
DATA=target/simd-same-output
mkdir -p "$DATA"

cargo build --release --locked -q -p keyrot-cli
cargo build --release --locked -q -p keyrot-benches --bin gen-report
KEYROT=$DATA/keyrot
cp -p target/release/keyrot "$KEYROT" # a copy: another build cannot swap it mid-run

report=$DATA/report-$ROWS.csv
[ -s "$report" ] || target/release/gen-report "$ROWS" 42 "$AS_OF_EPOCH" >"$report"
quoted=$DATA/quoted-$QUOTED_ROWS.csv
[ -s "$quoted" ] || head -n $((QUOTED_ROWS + 1)) "$report" | sed -e 's/[^,]*/"&"/g' -e 's/$/\r/' >"$quoted"

levels=(auto)
for level in avx2 sse2 neon simd128 portable; do
    # 2: refused (this machine lacks it); 0 or 1: judged.
    status=0
    "$KEYROT" check --simd "$level" --as-of "$AS_OF" testdata/cases/timestamp_forms/input.csv >/dev/null 2>&1 || status=$?
    [ "$status" -ne 2 ] && levels+=("$level")
done
echo "levels this machine has: ${levels[*]}; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs BINARY on INPUT with ARGS...; prints "sha256-of-stdout exit-status".
digest() {
    local bin=$1 input=$2 sum
    shift 2
    sum=$({
        status=0
        "$bin" check --as-of "$AS_OF" "$@" "$input" 2>"$DATA/stderr" || status=$?
        echo "$status" >"$DATA/status"
    } | sha256sum | cut -d' ' -f1)
    # `keyrot check` exits 1 when a key fails: expected here.
    echo "$sum $(cat "$DATA/status")"
}

failures=0 runs=0
compare() { # INPUT ARGS...
    local input=$1
    shift
    local reference got
    reference=$(digest "$KEYROT" "$input" --simd auto --threads 1 "$@")
    if [ "${reference##* }" = 2 ]; then
        cat "$DATA/stderr" >&2
        echo "FAILED: keyrot check $* could not judge $input"
        exit 1
    fi
    printf '%-24s %-28s auto, 1 thread          %s\n' "$(basename "$input")" "$*" "$reference"
    if [ -n "${BEFORE:-}" ]; then
        got=$(digest "$BEFORE" "$input" --threads 1 "$@")
        runs=$((runs + 1))
        if [ "$got" != "$reference" ]; then
            echo "DIFFERENT: BEFORE ($BEFORE) $*: $got"
            failures=$((failures + 1))
        else
            printf '%-24s %-28s BEFORE, 1 thread        same\n' "$(basename "$input")" "$*"
        fi
    fi
    local pairs=() i=0
    for level in "${levels[@]}"; do
        for threads in 1 2 3; do
            [ "$level" = auto ] && [ "$threads" = 1 ] && continue
            pairs+=("$level $threads")
        done
    done
    if [ "${DIAGONAL:-0}" = 1 ]; then
        # Every level once and every thread count at least once: auto on 3
        # threads, then the forced levels on 2, 3, 1, 2, ... threads.
        pairs=("auto 3")
        for level in "${levels[@]:1}"; do
            pairs+=("$level $((((i + 1) % 3) + 1))")
            i=$((i + 1))
        done
    fi
    for pair in "${pairs[@]}"; do
        read -r level threads <<<"$pair"
        {
            got=$(digest "$KEYROT" "$input" --simd "$level" --threads "$threads" "$@")
            runs=$((runs + 1))
            if [ "$got" != "$reference" ]; then
                echo "DIFFERENT: --simd $level --threads $threads $*: $got"
                failures=$((failures + 1))
            fi
        }
    done
    local label="every level x 1-3 threads"
    [ "${DIAGONAL:-0}" = 1 ] && label="levels/threads $(printf '%s ' "${pairs[@]/ //}")"
    printf '%-24s %-28s %s: %s\n' "$(basename "$input")" "$*" "$label" \
        "$([ "$failures" -eq 0 ] && echo same || echo "$failures differ so far")"
}

started=$SECONDS
read -r -a formats <<<"${FORMATS:-table json csv sarif junit ocsf html}"
for format in "${formats[@]}"; do
    compare "$report" --format "$format" --color never
done
case " ${formats[*]} " in *" csv "*) compare "$report" --format csv --rules all ;; esac
for format in json csv; do
    compare "$quoted" --format "$format"
done
echo "$runs forced runs against their reference in $((SECONDS - started)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${KEEP:-0}" = 1 ] || rm -f "$report" "$quoted"
if [ "$failures" -ne 0 ]; then
    echo "FAILED: $failures runs wrote other bytes"
    exit 1
fi
echo "every run wrote the same bytes"
