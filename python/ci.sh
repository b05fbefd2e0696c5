#!/usr/bin/env bash
# Builds the keyrot Python package and checks it, on a fresh machine.
#
#   bash python/ci.sh        (from the repository root)
#
# 1. a venv (python/.venv, git-ignored; KEYROT_PY_VENV overrides) with
#    maturin, ziglang, pytest, mypy, ruff, pandas, polars, pyarrow, numpy,
#    duckdb, matplotlib, nbclient/ipykernel, moto[iam]/boto3 and the output
#    validators (jsonschema, junitparser, py-ocsf-models) from PyPI, and
#    a wheelhouse of pandas and pyarrow (target/python-wheelhouse) for the
#    test that installs the wheel into a fresh venv offline;
# 2. one abi3 manylinux2014 wheel, `maturin build --release --locked --zig
#    --compatibility manylinux2014` into target/python-wheels (git-ignored),
#    installed into the venv;
# 3. ruff, mypy --strict on the Python sources, and mypy.stubtest of the
#    stub against the built extension module;
# 4. pytest over python/tests: the golden suite (testdata/cases, in place),
#    boto3/moto, the DataFrames, the CLI and every README example.
#
# Exits non-zero when any step fails, pytest's "no tests ran" (5) included.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=${KEYROT_PY_VENV:-$ROOT/python/.venv}
WHEELS=$ROOT/target/python-wheels
export MYPY_CACHE_DIR=$ROOT/target/mypy-cache
export PIP_DISABLE_PIP_VERSION_CHECK=1
export MPLBACKEND=Agg

step() { printf '\n== %s\n' "$*"; }

step "venv: $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
PY=$VENV/bin/python
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet \
    'maturin>=1.16,<2' ziglang 'pytest>=8' 'mypy>=1.10' ruff \
    'pandas>=2' 'polars>=1.3' 'pyarrow>=15' numpy duckdb matplotlib \
    nbclient nbformat ipykernel 'moto[iam]>=5' boto3 jsonschema junitparser py-ocsf-models
"$PY" --version
WHEELHOUSE=$ROOT/target/python-wheelhouse
"$PY" -m pip download --quiet --only-binary=:all: --dest "$WHEELHOUSE" pandas pyarrow

step "build the wheel"
rm -rf "$WHEELS"
# zig links against glibc 2.17, so the wheel runs on any manylinux2014 Linux,
# not only on this machine's glibc.
(cd python && PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" build --release --locked --zig \
    --compatibility manylinux2014 --interpreter "$PY" --out "$WHEELS")
wheels=("$WHEELS"/keyrot-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
    echo "expected one wheel in $WHEELS, found: ${wheels[*]}" >&2
    exit 1
fi
"$PY" -m pip install --quiet --force-reinstall --no-deps "${wheels[0]}"

step "ruff (lint, format) and mypy --strict (python/py_src/keyrot)"
(cd python && "$VENV/bin/ruff" check py_src tests bench && "$VENV/bin/ruff" format --check py_src tests bench)
(cd python && "$PY" -m mypy)

step "mypy.stubtest keyrot._native"
# From the repository root, where `keyrot` is the installed wheel.
"$PY" -m mypy.stubtest keyrot._native

step "pytest"
status=0
(cd python && KEYROT_WHEEL="${wheels[0]}" KEYROT_WHEELHOUSE="$WHEELHOUSE" \
    "$PY" -m pytest -q -p no:cacheprovider tests) || status=$?
if [ "$status" -ne 0 ]; then
    echo "pytest failed (exit status $status)" >&2
    exit "$status"
fi
