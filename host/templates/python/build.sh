#!/usr/bin/env bash
# Builds __NAME__.wasm from app.py and the contract in wit/.
set -euo pipefail
cd "$(dirname "$0")"
# Up to date when __NAME__.wasm is newer than everything it is built from, as make decides.
if [ -f __NAME__.wasm ] && [ -z "$(find app.py wit build.sh -newer __NAME__.wasm -print -quit)" ]; then
    exit 0
fi
componentize-py -d wit -w __WORLD__ componentize app -o __NAME__.wasm
