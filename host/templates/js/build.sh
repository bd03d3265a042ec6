#!/usr/bin/env bash
# Installs ComponentizeJS (once, into node_modules/) and builds __NAME__.wasm.
set -euo pipefail
cd "$(dirname "$0")"
# Up to date when __NAME__.wasm is newer than everything it is built from, as make decides.
if [ -f __NAME__.wasm ] && [ -z "$(find app.js files.js build.mjs package.json wit build.sh -newer __NAME__.wasm -print -quit)" ]; then
    exit 0
fi
[ -d node_modules/@bytecodealliance/componentize-js ] || npm install --no-audit --no-fund --loglevel=error
node build.mjs
