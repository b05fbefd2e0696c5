#!/usr/bin/env bash
# Builds the npm package and the page's copy of it, from wasm/:
#   pkg/node/   ES module for Node (loads the .wasm synchronously on import)
#   pkg/web/    ES module for browsers and bundlers (call the default `init` first)
#   www/pkg/    the page's copy: pkg/web's glue plus the .wasm inlined as a JS
#               module, so the page loads it without fetch (its CSP has
#               connect-src 'none')
# Needs: the wasm32-unknown-unknown target, wasm-bindgen 0.2.130 and
# `npm ci` done in wasm/ (for binaryen's wasm-opt). Prints the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_OPT=node_modules/.bin/wasm-opt
if [[ ! -x $WASM_OPT ]]; then
    echo "build.sh: $WASM_OPT is missing: run 'npm ci' in wasm/ first" >&2
    exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q '0\.2\.130'; then
    echo "build.sh: wasm-bindgen 0.2.130 is needed: cargo install wasm-bindgen-cli --version 0.2.130" >&2
    exit 1
fi

# The workspace's release profile (lto, one codegen unit) with opt-level 2,
# and WebAssembly SIMD (simd128: memchr, which finds the report's commas,
# quotes and line ends, uses it; Node 16.4+, Chrome 91+, Firefox 89+,
# Safari 16.4+). A custom profile and target flags given on the command
# line, so the root Cargo.toml and the host's release builds are untouched.
# Measured on a 200,000-row report (checkCsv, Node 20, best of 12): opt-level
# "s" without SIMD took 370 ms, "s" with SIMD 330, 2 with SIMD 225 (3: the
# same); the module is 8 % larger gzipped than with "s".
PROFILE=wasm-release
cargo build --locked --target wasm32-unknown-unknown -p keyrot-wasm \
    --config "profile.$PROFILE.inherits=\"release\"" \
    --config "profile.$PROFILE.opt-level=2" \
    --config 'target.wasm32-unknown-unknown.rustflags=["-C", "target-feature=+simd128"]' \
    --profile "$PROFILE"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps --locked |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
RAW="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/keyrot_wasm.wasm"

rm -rf pkg/node pkg/web www/pkg
wasm-bindgen --target experimental-nodejs-module --out-dir pkg/node --out-name keyrot "$RAW"
wasm-bindgen --target web --out-dir pkg/web --out-name keyrot "$RAW"

# Both targets get the same module; shrink it once and share it.
bindgen_size=$(wc -c <pkg/web/keyrot_bg.wasm)
"$WASM_OPT" -Oz --enable-simd pkg/web/keyrot_bg.wasm -o pkg/web/keyrot_bg.opt.wasm
mv pkg/web/keyrot_bg.opt.wasm pkg/web/keyrot_bg.wasm
cmp pkg/node/keyrot_bg.wasm.d.ts pkg/web/keyrot_bg.wasm.d.ts
cp pkg/web/keyrot_bg.wasm pkg/node/keyrot_bg.wasm

# The web glue declares the raw exports with `any`; they are internal, but
# the package promises declarations without `any`.
sed -i -E 's/\b([a-z]): any\b/\1: unknown/g' pkg/web/keyrot.d.ts pkg/web/keyrot_bg.wasm.d.ts pkg/node/keyrot_bg.wasm.d.ts
# A class's `[Symbol.dispose]` needs TypeScript's esnext.disposable lib
# (TypeScript 5.2); without it the declaration is an error in the consumer's
# build. Ignored there, as Emscripten's typings do: `using` works where the
# lib is, and `free()` everywhere.
sed -i -E 's/^( *)\[Symbol\.dispose\]\(\): void;/\1\/\/ @ts-ignore: Symbol.dispose is declared by the esnext.disposable lib\n\1[Symbol.dispose](): void;/' \
    pkg/web/keyrot.d.ts pkg/node/keyrot.d.ts
if grep -nE ':\s*any\b|<any>|\bany\[\]|\|\s*any\b' pkg/*/*.d.ts; then
    echo "build.sh: a declaration still says any" >&2
    exit 1
fi

mkdir -p www/pkg
cp pkg/web/keyrot.js www/pkg/keyrot.js
node scripts/inline-wasm.mjs pkg/web/keyrot_bg.wasm www/pkg/keyrot_bg.wasm.js

echo "keyrot_bg.wasm: $(wc -c <"$RAW") bytes from cargo, $bindgen_size from wasm-bindgen," \
    "$(wc -c <pkg/web/keyrot_bg.wasm) after wasm-opt -Oz, $(gzip -9 -c pkg/web/keyrot_bg.wasm | wc -c) gzipped (gzip -9 -c pkg/web/keyrot_bg.wasm | wc -c)"
