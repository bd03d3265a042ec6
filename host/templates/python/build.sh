#!/usr/bin/env bash
# Builds __NAME__.wasm from app.py and the contract in wit/.
set -euo pipefail
cd "$(dirname "$0")"
componentize-py -d wit -w __WORLD__ componentize app -o __NAME__.wasm
