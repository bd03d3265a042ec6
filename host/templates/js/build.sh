#!/usr/bin/env bash
# Installs ComponentizeJS (once, into node_modules/) and builds __NAME__.wasm
# reproducibly: the same sources give the same bytes, in any directory. wizer snapshots
# SpiderMonkey after running app.js, so what that run draws from the machine (randomness,
# clocks, file times) ends up in the file: deterministic.c makes those constant for wizer
# on Linux, and build.mjs gives wizer fixed paths.
set -euo pipefail
cd "$(dirname "$0")"
# Up to date when __NAME__.wasm is newer than everything it is built from, as make decides.
if [ -f __NAME__.wasm ] && [ -z "$(find app.js files.js build.mjs package.json wit build.sh deterministic.c -newer __NAME__.wasm -print -quit)" ]; then
    exit 0
fi
[ -d node_modules/@bytecodealliance/componentize-js ] || npm install --no-audit --no-fund --loglevel=error
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
__PRELOAD__
DETERMINISTIC_PRELOAD="$preload" node build.mjs
