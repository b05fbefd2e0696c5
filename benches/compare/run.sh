#!/usr/bin/env bash
# The comparison harness of issue #6: keyrot against the ways people do the
# same job today, as whole processes, on deterministic generated reports.
#
# The job, for every tool: read a credential report, judge every active key
# against the 90-day rule at as_of 2026-11-26T00:00:00Z (fail when
# as_of - access_key_N_last_rotated > exactly 90 days, to the second), and
# write the failing keys (user, slot, age in whole days) as CSV to a file.
#
# Usage: benches/compare/run.sh [ROWS...]          (default: 5000 1000000)
# Environment (all optional):
#   RUNS=5              runs per tool and size (the median is shown); the
#                       first one's output is checked. Every tool runs once
#                       untimed before (the other-form check), the report is
#                       read once before, so binaries, imports and the file
#                       are in the page cache
#   MEM_ROWS=4000000    size of the memory check (one run of the streaming
#                       tools); 0 skips it
#   SEED=42             generator seed of the timed reports (even: `Z`
#                       timestamps, odd: `+00:00`); the equivalence check
#                       also runs on a 5,000-row report of the other form
#   FOLDERS="200x5000 2000x50"  folders of account reports (FILESxROWS: the
#                       rows of one generated report, cut into FILES reports
#                       of ROWS rows, one account each when ROWS is 5,000),
#                       judged by the tools that read a folder or a glob;
#                       "" skips them
#   MEM_FOLDER_FILES=1000  the folder memory check: that many reports of
#                       5,000 rows (one run of keyrot's command); 0 skips it
#   SLOW_MAX_ROWS=100000  above this size the slowest tool (csv.DictReader
#                       + strptime, 15 to 30 s at 1M rows) runs once, not
#                       RUNS times, to keep the whole run near 10 minutes
#   KEYROT_PYTHON=...   an interpreter that can `import keyrot` (default: the
#                       repository's .venv, else python/.venv, when it can);
#                       its keyrot package is copied and run by our venv
#   KEYROT_WASM_NODE=... keyrot's Node build (default: wasm/pkg/node)
#
# Makes its own venv (benches/compare/.venv) with pandas, pyarrow, polars
# and DuckDB from PyPI, builds the release binaries, and keeps reports,
# outputs and results in benches/compare/.work (both git-ignored). Fails
# loudly when any two tools disagree on the failing keys. Prints a markdown
# table; the same table is written to benches/compare/.work/table.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
AS_OF=2026-11-26T00:00:00Z
AS_OF_EPOCH=1795651200
RUNS=${RUNS:-5}
MEM_ROWS=${MEM_ROWS:-4000000}
SEED=${SEED:-42}
SLOW_MAX_ROWS=${SLOW_MAX_ROWS:-100000}
read -r -a FOLDERS <<<"${FOLDERS-200x5000 2000x50}"
MEM_FOLDER_FILES=${MEM_FOLDER_FILES:-1000}
if [ $# -gt 0 ]; then SIZES=("$@"); else SIZES=(5000 1000000); fi
WORK=$HERE/.work
VENV=$HERE/.venv
PY=$VENV/bin/python

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() {
    printf '\nrun.sh: FAILED: %s\n' "$*" >&2
    exit 1
}
for n in "${SIZES[@]}" "$MEM_ROWS" "$RUNS" "$SEED" "$SLOW_MAX_ROWS" "$MEM_FOLDER_FILES"; do
    [[ $n =~ ^[0-9]+$ ]] || die "'$n' is not a whole number (usage: run.sh [ROWS...])"
done
for shape in "${FOLDERS[@]}"; do
    [[ $shape =~ ^[0-9]+x[0-9]+$ ]] || die "folder shape '$shape' is not FILESxROWS"
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is needed for peak memory: apt-get install time"
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 is needed (EPOCHREALTIME)"
mkdir -p "$WORK/data" "$WORK/out" "$WORK/bin"

# --- Python baselines: our own venv, packages from PyPI -------------------
if ! "$PY" -c 'import pandas, pyarrow, polars, duckdb' 2>/dev/null; then
    log "creating $VENV and installing $(tr '\n' ' ' <"$HERE/requirements.txt")"
    python3 -m venv "$VENV"
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -r "$HERE/requirements.txt"
fi

# --- Rust: keyrot and the baselines ----------------------------------------
log "cargo build --release -p keyrot-cli -p keyrot-benches"
(cd "$ROOT" && cargo build --release -p keyrot-cli -p keyrot-benches)
TARGET=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
# Copies, so that another build of the shared target folder cannot swap a
# binary in the middle of the measurements.
for b in keyrot gen-report plain-rust csv-floor simd-csv-floor io-floor; do
    cp -p "$TARGET/release/$b" "$WORK/bin/$b"
done
BIN=$WORK/bin

# --- The tools ---------------------------------------------------------------
# Each tool is a name; cmd_for sets CMD (the command line) for an input and
# an output file. Tools whose output is their stdout are in STDOUT_TOOLS;
# floors write no file (their stdout holds counts, checked against ROWS).
TOOLS=(io-floor simd-csv-floor csv-floor plain-rust)
KEYROT_THREADS=no
if "$BIN/keyrot" check --help | grep -q -- '--threads'; then
    KEYROT_THREADS=yes
    TOOLS+=(keyrot-threads-1 keyrot)
else
    TOOLS+=(keyrot)
fi
# The job's own three columns (user, slot, age_days), as the other tools
# write them, when the command can choose its CSV columns.
KEYROT_COLUMNS=no
if "$BIN/keyrot" check --help | grep -q -- '--columns'; then
    KEYROT_COLUMNS=yes
    TOOLS+=(keyrot-3col-threads-1 keyrot-3col)
fi
# keyrot's Python binding, when a venv can import it: its package folder
# (Python code and the abi3 extension) is copied, for the same reason as the
# binaries (other engineers reinstall it), and run by our venv's Python.
KEYROT_PY_FROM=""
if [ -n "${KEYROT_PYTHON:-}" ]; then
    candidates=("$KEYROT_PYTHON")
else
    candidates=("$ROOT/.venv/bin/python" "$ROOT/python/.venv/bin/python")
fi
for candidate in "${candidates[@]}"; do
    [ -x "$candidate" ] || continue
    package=$("$candidate" -c 'import keyrot, os; print(os.path.dirname(keyrot.__file__))' 2>/dev/null) || continue
    rm -rf "$WORK/keyrot-py"
    mkdir -p "$WORK/keyrot-py"
    cp -rp "$package" "$WORK/keyrot-py/keyrot"
    if PYTHONPATH=$WORK/keyrot-py "$PY" -c 'import keyrot' 2>/dev/null; then
        KEYROT_PY_FROM="$candidate ($(PYTHONPATH=$WORK/keyrot-py "$PY" -c 'import keyrot; print(keyrot.__version__)'), installed $(date -u -r "$package/__init__.py" +%Y-%m-%dT%H:%MZ))"
        TOOLS+=(keyrot-python)
        break
    fi
done
[ -n "$KEYROT_PY_FROM" ] || log "no venv (.venv, python/.venv) can import keyrot: keyrot-python skipped"
KEYROT_WASM_NODE=${KEYROT_WASM_NODE:-$ROOT/wasm/pkg/node}
if [ -f "$KEYROT_WASM_NODE/keyrot.js" ] && command -v node >/dev/null; then
    TOOLS+=(keyrot-wasm-node)
    # A copy, for the same reason as the binaries.
    WASM_BUILT=$(date -u -r "$KEYROT_WASM_NODE/keyrot_bg.wasm" +%Y-%m-%dT%H:%MZ)
    rm -rf "$WORK/wasm-node"
    cp -r "$KEYROT_WASM_NODE" "$WORK/wasm-node"
    KEYROT_WASM_NODE=$WORK/wasm-node
else
    log "no Node build at $KEYROT_WASM_NODE: keyrot-wasm-node skipped"
    KEYROT_WASM_NODE=
fi
TOOLS+=(py-strptime py-fromisoformat pandas-c pandas-pyarrow polars duckdb)
STDOUT_TOOLS=" keyrot keyrot-threads-1 keyrot-3col keyrot-3col-threads-1 "
# The slowest tool: above SLOW_MAX_ROWS it runs once, not RUNS times.
SLOWEST=py-strptime
# Tools that stream (or spill) and so are run at MEM_ROWS: the Rust ones,
# keyrot's Node build (checkCsv reading and writing in pieces), polars'
# streaming sink and DuckDB. The others hold the whole file, frame or list
# of findings in memory by design, or take minutes at that size.
MEM_TOOLS=" io-floor simd-csv-floor csv-floor plain-rust keyrot keyrot-threads-1 keyrot-3col keyrot-3col-threads-1 keyrot-wasm-node polars duckdb "
# The tools that judge a folder of reports: keyrot's command (a folder
# argument), its Python binding (analyze_many) and the engines that read a
# glob.
FOLDER_TOOLS=()
for tool in "${TOOLS[@]}"; do
    case $tool in keyrot | keyrot-threads-1 | keyrot-3col | keyrot-3col-threads-1 | keyrot-python | polars | duckdb) FOLDER_TOOLS+=("$tool") ;; esac
done

cmd_for() { # TOOL INPUT OUTPUT
    local keyrot=("$BIN/keyrot" check --as-of "$AS_OF" --only fail --format csv)
    case $1 in
    io-floor | simd-csv-floor | csv-floor) CMD=("$BIN/$1" "$2") ;;
    plain-rust) CMD=("$BIN/plain-rust" "$2" "$3" "$AS_OF") ;;
    keyrot) CMD=("${keyrot[@]}" "$2") ;;
    keyrot-threads-1) CMD=("${keyrot[@]}" --threads 1 "$2") ;;
    keyrot-3col) CMD=("${keyrot[@]}" --columns user,slot,age_days "$2") ;;
    keyrot-3col-threads-1) CMD=("${keyrot[@]}" --columns user,slot,age_days --threads 1 "$2") ;;
    keyrot-python) CMD=(env PYTHONPATH="$WORK/keyrot-py" "$PY" "$HERE/keyrot_python.py" "$2" "$3" "$AS_OF") ;;
    keyrot-wasm-node) CMD=(node "$HERE/keyrot_node.mjs" "$KEYROT_WASM_NODE" "$2" "$3" "$AS_OF") ;;
    py-strptime) CMD=("$PY" "$HERE/py_strptime.py" "$2" "$3" "$AS_OF") ;;
    py-fromisoformat) CMD=("$PY" "$HERE/py_fromisoformat.py" "$2" "$3" "$AS_OF") ;;
    pandas-c) CMD=("$PY" "$HERE/pandas_rule.py" c "$2" "$3" "$AS_OF") ;;
    pandas-pyarrow) CMD=("$PY" "$HERE/pandas_rule.py" pyarrow "$2" "$3" "$AS_OF") ;;
    polars) CMD=("$PY" "$HERE/polars_rule.py" "$2" "$3" "$AS_OF") ;;
    duckdb) CMD=("$PY" "$HERE/duckdb_rule.py" "$2" "$3" "$AS_OF") ;;
    *) die "unknown tool $1" ;;
    esac
}

runs_at() { # TOOL ROWS: does TOOL run more than once at this size?
    [ "$1" != "$SLOWEST" ] || [ "$2" -le "$SLOW_MAX_ROWS" ]
}

# Runs TOOL once on INPUT; sets SECS (wall clock, from bash's EPOCHREALTIME
# around the process) and KB (peak RSS from GNU time). Fails loudly on a bad
# exit status (keyrot's 1 means "keys fail", which is expected here).
run_once() { # TOOL INPUT TAG
    local tool=$1 input=$2 tag=$3
    local out=$WORK/out/$tool.$tag.csv stdout=$WORK/out/$tool.$tag.stdout
    local stderr=$WORK/out/$tool.$tag.stderr timing=$WORK/out/$tool.$tag.time
    cmd_for "$tool" "$input" "$out"
    [[ $STDOUT_TOOLS == *" $tool "* ]] && stdout=$out
    rm -f "$out"
    local start=$EPOCHREALTIME status=0
    /usr/bin/time -f '%e %M' -o "$timing" "${CMD[@]}" >"$stdout" 2>"$stderr" || status=$?
    local end=$EPOCHREALTIME
    local allowed=0
    [[ $STDOUT_TOOLS == *" $tool "* ]] && allowed=1 # keyrot check: 1 = some key fails
    if [ "$status" -ne 0 ] && [ "$status" -ne "$allowed" ]; then
        cat "$stderr" >&2
        die "$tool exited with status $status on $input"
    fi
    SECS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    KB=$(tail -n 1 "$timing" | awk '{ print $2 }')
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The equivalence check: every job tool's failing keys (user, slot,
# age_days, sorted) must be the same, and the floors must count every row.
check_outputs() { # ROWS TAG TOOL...
    local rows=$1 tag=$2
    shift 2
    local ref="" ref_tool="" tool got
    for tool in "$@"; do
        local stdout=$WORK/out/$tool.$tag.stdout out=$WORK/out/$tool.$tag.csv
        case $tool in
        io-floor) got=$(cat "$stdout") && [ "$got" = "$((rows + 1))" ] ||
            die "io-floor counted '$got' lines in the $tag report, expected $((rows + 1))" ;;
        csv-floor) got=$(cat "$stdout") && [ "$got" = "$rows" ] ||
            die "csv-floor counted '$got' records in the $tag report, expected $rows" ;;
        simd-csv-floor) got=$(cut -d' ' -f1,2 "$stdout") && [ "$got" = "$rows $((rows * 22))" ] ||
            die "simd-csv-floor counted '$got' records and fields in the $tag report, expected $rows $((rows * 22))" ;;
        *)
            [ -s "$out" ] || die "$tool wrote no output for the $tag report"
            got=$("$PY" "$HERE/normalize.py" "$out") || die "cannot read $tool's output $out"
            printf '  %-18s %s\n' "$tool" "$got" >&2
            if [ -z "$ref" ]; then
                ref=$got ref_tool=$tool
            elif [ "$got" != "$ref" ]; then
                die "EQUIVALENCE CHECK: on the $tag report $tool found '$got' (failing keys, sha256 of the sorted user/slot/age_days) but $ref_tool found '$ref'"
            fi
            ;;
        esac
    done
    FAILING=${ref%% *}
    log "equivalence on the $tag report: every tool found the same $FAILING failing keys"
}

# --- Reports -----------------------------------------------------------------
report() { # ROWS SEED -> path
    local path=$WORK/data/report-$1-s$2.csv
    if [ ! -s "$path" ] || [ "$BIN/gen-report" -nt "$path" ]; then
        "$BIN/gen-report" "$1" "$2" "$AS_OF_EPOCH" >"$path.tmp"
        mv "$path.tmp" "$path"
    fi
    printf '%s' "$path"
}
warm() { cat "$1"/* >/dev/null 2>&1 || cat "$1" >/dev/null; }

# A folder of FILES account reports of ROWS rows: the rows of one generated
# report of FILES * ROWS rows, cut in order, each piece with the header.
folder() { # FILES ROWS SEED -> path
    local files=$1 rows=$2 dir=$WORK/data/folder-$1x$2-s$3
    if [ ! -f "$dir/.done" ] || [ "$BIN/gen-report" -nt "$dir/.done" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        local whole
        whole=$(report $((files * rows)) "$3")
        tail -n +2 "$whole" | split -l "$rows" -d -a 5 --additional-suffix=.csv - "$dir/part-"
        local header
        header=$(head -n 1 "$whole")
        local i=0 part
        for part in "$dir"/part-*.csv; do
            { printf '%s\n' "$header"; cat "$part"; } >"$dir/$(printf 'credentialReport_%05d.csv' "$i")"
            rm "$part"
            i=$((i + 1))
        done
        [ "$i" -eq "$files" ] || die "$dir holds $i reports, not $files"
        touch "$dir/.done"
    fi
    printf '%s' "$dir"
}

STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A TIME MEM

# The other timestamp form (odd seed: `+00:00`, even: `Z`), checked only.
OTHER_SEED=$((SEED + 1))
log "equivalence check on 5000 rows, seed $OTHER_SEED (the other timestamp form)"
input=$(report 5000 "$OTHER_SEED")
warm "$input"
for tool in "${TOOLS[@]}"; do run_once "$tool" "$input" "other-form"; done
check_outputs 5000 other-form "${TOOLS[@]}"

for rows in "${SIZES[@]}"; do
    input=$(report "$rows" "$SEED")
    warm "$input"
    log "$rows rows ($(du -h "$input" | cut -f1)): $RUNS runs of every tool, round robin"
    # Round robin, so that a burst of load from another build spreads over
    # every tool instead of landing on one. Every tool already ran once (the
    # form check above), so binaries, libraries and imports are warm too.
    for ((run = 1; run <= RUNS; run++)); do
        log "$rows rows: run $run of $RUNS"
        for tool in "${TOOLS[@]}"; do
            [ "$run" -gt 1 ] && ! runs_at "$tool" "$rows" && continue
            run_once "$tool" "$input" "$rows"
            TIME[$tool,$rows]+="$SECS "
            MEM[$tool,$rows]+="$KB "
        done
        [ "$run" -eq 1 ] && check_outputs "$rows" "$rows" "${TOOLS[@]}"
    done
done

if [ "$MEM_ROWS" -gt 0 ]; then
    input=$(report "$MEM_ROWS" "$SEED")
    warm "$input"
    mem_tools=()
    for tool in "${TOOLS[@]}"; do [[ $MEM_TOOLS == *" $tool "* ]] && mem_tools+=("$tool"); done
    log "memory check at $MEM_ROWS rows ($(du -h "$input" | cut -f1)): one run of ${mem_tools[*]}"
    for tool in "${mem_tools[@]}"; do
        run_once "$tool" "$input" "$MEM_ROWS"
        TIME[$tool,mem]=$SECS
        MEM[$tool,mem]=$KB
    done
    check_outputs "$MEM_ROWS" "$MEM_ROWS" "${mem_tools[@]}"
    rm -f "$WORK/out/"*".$MEM_ROWS.csv" # about 700 MB each
fi
for shape in "${FOLDERS[@]}"; do
    files=${shape%x*} rows=${shape#*x}
    input=$(folder "$files" "$rows" "$SEED")
    warm "$input"
    log "folder of $files reports of $rows rows ($(du -sh "$input" | cut -f1)): $RUNS runs of ${FOLDER_TOOLS[*]}"
    for ((run = 1; run <= RUNS; run++)); do
        for tool in "${FOLDER_TOOLS[@]}"; do
            run_once "$tool" "$input" "$shape"
            TIME[$tool,$shape]+="$SECS "
            MEM[$tool,$shape]+="$KB "
        done
        [ "$run" -eq 1 ] && check_outputs $((files * rows)) "$shape" "${FOLDER_TOOLS[@]}"
    done
done
if [ "${#FOLDERS[@]}" -gt 0 ] && [ "$MEM_FOLDER_FILES" -gt 0 ]; then
    shape=${MEM_FOLDER_FILES}x5000
    input=$(folder "$MEM_FOLDER_FILES" 5000 "$SEED")
    rm -f "$WORK/data/report-$((MEM_FOLDER_FILES * 5000))-s$SEED.csv" # the folder holds the same rows
    warm "$input"
    log "folder memory check: $MEM_FOLDER_FILES reports of 5000 rows ($(du -sh "$input" | cut -f1)), one run of keyrot"
    for tool in keyrot-3col-threads-1 keyrot-3col keyrot; do
        [[ " ${FOLDER_TOOLS[*]} " == *" $tool "* ]] || continue
        run_once "$tool" "$input" "$shape"
        TIME[$tool,$shape]=$SECS
        MEM[$tool,$shape]=$KB
    done
    rm -f "$WORK/out/"*".$shape.csv"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- The table -----------------------------------------------------------------
big=${SIZES[${#SIZES[@]} - 1]}
big_bytes=$(stat -c %s "$(report "$big" "$SEED")")
med() { tr ' ' '\n' <<<"${1:-}" | grep . | median; }
fmt_rows() { sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta' <<<"$1"; }
{
    echo "Measured $STARTED on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
    echo "$(uname -sr); load average before $LOAD_BEFORE, after $LOAD_AFTER."
    echo "Median of $RUNS runs (\"1 run\": the slowest tool above $(fmt_rows "$SLOW_MAX_ROWS") rows), file in the page cache,"
    echo "whole processes (start-up included);"
    echo "seconds of wall clock, and in brackets the ratio to csv-floor's median in this run."
    echo "Reports: benches' gen-report, seed $SEED; the $(fmt_rows "$big")-row one is $((big_bytes / 1000000)) MB."
    echo
    header="| tool |"
    rule="|---|"
    for rows in "${SIZES[@]}"; do
        header+=" $(fmt_rows "$rows") rows, s |"
        rule+="---:|"
    done
    header+=" MB/s at $(fmt_rows "$big") | peak RSS at $(fmt_rows "$big"), MiB |"
    rule+="---:|---:|"
    if [ "$MEM_ROWS" -gt 0 ]; then
        header+=" $(fmt_rows "$MEM_ROWS") rows: s / peak RSS MiB |"
        rule+="---:|"
    fi
    echo "$header"
    echo "$rule"
    for tool in "${TOOLS[@]}"; do
        line="| $tool |"
        for rows in "${SIZES[@]}"; do
            t=$(med "${TIME[$tool,$rows]:-}")
            f=$(med "${TIME[csv-floor,$rows]:-}")
            once=""
            [ "$RUNS" -gt 1 ] && ! runs_at "$tool" "$rows" && once=", 1 run"
            line+=" $(awk -v t="$t" -v f="$f" -v o="$once" 'BEGIN { printf "%.3f (%.2f×%s)", t, t / f, o }') |"
        done
        t=$(med "${TIME[$tool,$big]:-}")
        m=$(med "${MEM[$tool,$big]:-}")
        line+=" $(awk -v t="$t" -v b="$big_bytes" 'BEGIN { printf "%.0f", b / t / 1e6 }') |"
        line+=" $(awk -v m="$m" 'BEGIN { printf "%.0f", m / 1024 }') |"
        if [ "$MEM_ROWS" -gt 0 ]; then
            if [ -n "${TIME[$tool,mem]:-}" ]; then
                line+=" $(awk -v t="${TIME[$tool,mem]}" -v m="${MEM[$tool,mem]}" 'BEGIN { printf "%.2f / %.0f", t, m / 1024 }') |"
            else
                line+=" not run |"
            fi
        fi
        echo "$line"
    done
    if [ "${#FOLDERS[@]}" -gt 0 ]; then
        echo
        echo "Folders of account reports (FILES × ROWS: the same generated rows cut into FILES reports;"
        echo "median seconds, and in brackets the ratio to DuckDB's median on the same folder; peak RSS in MiB):"
        echo
        header="| tool |"
        rule="|---|"
        for shape in "${FOLDERS[@]}"; do
            header+=" $(fmt_rows "${shape%x*}") × $(fmt_rows "${shape#*x}"), s | peak RSS, MiB |"
            rule+="---:|---:|"
        done
        mem_shape=${MEM_FOLDER_FILES}x5000
        [ "$MEM_FOLDER_FILES" -gt 0 ] && header+=" $(fmt_rows "$MEM_FOLDER_FILES") × 5,000: s / peak RSS MiB |" && rule+="---:|"
        echo "$header"
        echo "$rule"
        for tool in "${FOLDER_TOOLS[@]}"; do
            line="| $tool |"
            for shape in "${FOLDERS[@]}"; do
                t=$(med "${TIME[$tool,$shape]:-}")
                d=$(med "${TIME[duckdb,$shape]:-}")
                m=$(med "${MEM[$tool,$shape]:-}")
                line+=" $(awk -v t="$t" -v d="$d" 'BEGIN { if (d > 0) printf "%.3f (%.2f×)", t, t / d; else printf "%.3f", t }') |"
                line+=" $(awk -v m="$m" 'BEGIN { printf "%.0f", m / 1024 }') |"
            done
            if [ "$MEM_FOLDER_FILES" -gt 0 ]; then
                if [ -n "${TIME[$tool,$mem_shape]:-}" ]; then
                    line+=" $(awk -v t="${TIME[$tool,$mem_shape]}" -v m="${MEM[$tool,$mem_shape]}" 'BEGIN { printf "%.2f / %.0f", t, m / 1024 }') |"
                else
                    line+=" not run |"
                fi
            fi
            echo "$line"
        done
        for tool in keyrot-3col keyrot; do
            for shape in "${FOLDERS[@]}"; do
                files=${shape%x*} rows=${shape#*x}
                [ -n "${TIME[$tool,$((files * rows))]:-}" ] || continue
                awk -v f="$(med "${TIME[$tool,$shape]}")" -v o="$(med "${TIME[$tool,$((files * rows))]}")" -v t="$tool" -v s="$shape" \
                    'BEGIN { printf "%s on the %s folder: %.2f× its own time on the same rows as one file.\n", t, s, f / o }'
            done
        done
    fi
    echo
    echo "Equivalence: every tool reported the same failing keys (count and sha256 of the sorted"
    echo "user/slot/age_days) at every size, and on a report in the other timestamp form (seed $OTHER_SEED)."
    [ "$KEYROT_THREADS" = yes ] || echo "keyrot has no --threads option in this build: one keyrot row."
    [ "$KEYROT_COLUMNS" = no ] || echo "keyrot and keyrot-threads-1 write all 19 columns of the command's CSV; keyrot-3col* write user, slot, age_days (--columns), as the other tools do."
    [ -z "$KEYROT_PY_FROM" ] || echo "keyrot-python: a copy of the package in $KEYROT_PY_FROM."
    [ -z "$KEYROT_WASM_NODE" ] || echo "keyrot-wasm-node: a copy of wasm/pkg/node built $WASM_BUILT."
    echo "Versions: $("$BIN/keyrot" --version 2>/dev/null || echo keyrot ?), $(rustc --version | cut -d' ' -f1-2),"
    echo "$("$PY" -c 'import sys, pandas, pyarrow, polars, duckdb; print(f"Python {sys.version.split()[0]}, pandas {pandas.__version__}, pyarrow {pyarrow.__version__}, polars {polars.__version__}, duckdb {duckdb.__version__}")')$(command -v node >/dev/null && echo ", Node $(node --version)")."
} >"$WORK/table.md"
cat "$WORK/table.md"
