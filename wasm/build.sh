#!/usr/bin/env bash
# Builds the wasm package: dist/ringo.wasm from cmd/ringo-wasm, and Go's own
# wasm_exec.js copied from the toolchain that built it (never kept in the
# repository, so the two always match). Usage: wasm/build.sh [OUTDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/dist}"
mkdir -p "$out"
goroot="$(go env GOROOT)"
exec_js="$goroot/lib/wasm/wasm_exec.js"
[ -f "$exec_js" ] || exec_js="$goroot/misc/wasm/wasm_exec.js" # Go before 1.24
cp "$exec_js" "$out/wasm_exec.js"
# -s -w drop the symbol table and DWARF; -trimpath keeps paths out.
(cd "$here" && GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$out/ringo.wasm" ./cmd/ringo-wasm)
ls -l "$out/ringo.wasm"
