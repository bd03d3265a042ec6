#!/usr/bin/env bash
# Builds __NAME__, then runs it once in xhost's sandbox, granting it `go`, and checks
# what it wrote. Needs `xhost` and `go` on PATH.
set -euo pipefail
cd "$(dirname "$0")"
__BUILD__
xhost plugin inspect "$wasm"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xhost plugin run "$wasm" --exec go --out "$tmp/out"

grep -q "^$(go version)\$" "$tmp/out/toolchain.txt"
echo "ok: __NAME__ recorded $(cat "$tmp/out/toolchain.txt")"
