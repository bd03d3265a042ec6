#!/usr/bin/env bash
# Installs ComponentizeJS (once, into node_modules/) and builds __NAME__.wasm.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/@bytecodealliance/componentize-js ] || npm install --no-audit --no-fund --loglevel=error
node build.mjs
