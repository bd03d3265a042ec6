#!/usr/bin/env bash
# Builds __NAME__, then runs it once in xhost's sandbox with a fresh Ed25519 key and
# checks the signature with openssl. Needs `xhost` and `openssl` on PATH.
set -euo pipefail
cd "$(dirname "$0")"
__BUILD__
xhost plugin inspect "$wasm"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl genpkey -algorithm ed25519 -out "$tmp/release.pem"
openssl pkey -in "$tmp/release.pem" -pubout -out "$tmp/release.pub"
printf 'hello\n' > "$tmp/sample.txt"
xhost plugin run "$wasm" --input "$tmp/sample.txt=binary" --key "release=$tmp/release.pem" --out "$tmp/out"

base64 -d "$tmp/out/sample.txt.sig" > "$tmp/sample.sig"
openssl pkeyutl -verify -pubin -inkey "$tmp/release.pub" -rawin -in "$tmp/sample.txt" -sigfile "$tmp/sample.sig"
echo "ok: __NAME__ signed sample.txt"
