#!/usr/bin/env bash
# Builds the package and serves the page on http://127.0.0.1:${PORT:-8000}/
# (127.0.0.1 only). Run from anywhere; needs what scripts/build.sh needs
# (installs the npm tools first if they are missing).
set -euo pipefail
cd "$(dirname "$0")"
[[ -x node_modules/.bin/wasm-opt ]] || npm ci --no-audit --no-fund
bash scripts/build.sh
# exec: the server is this process, so its pid stops it.
exec node scripts/serve.mjs "${PORT:-8000}"
