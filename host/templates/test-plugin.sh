#!/usr/bin/env bash
# Builds __NAME__, then runs it once in xhost's sandbox on a sample input and checks
# what it wrote. Needs `xhost` on PATH.
set -euo pipefail
cd "$(dirname "$0")"
__BUILD__
xhost plugin inspect "$wasm"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'hello\n' > "$tmp/sample.txt"
xhost plugin run "$wasm" --input "$tmp/sample.txt" --config '{ title = "Test run" }' --out "$tmp/out"

report="$tmp/out/example_0.0.0___NAME__.txt"
grep -q '^Test run: example 0.0.0$' "$report"
grep -Eq '^ +6  sample.txt$' "$report"
echo "ok: __NAME__ listed sample.txt"
