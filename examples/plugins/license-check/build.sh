#!/usr/bin/env bash
# Builds license-check.wasm from app.py and the contract (wit/ links to the repo's).
set -euo pipefail
cd "$(dirname "$0")"
componentize-py -d wit -w plugin componentize app -o license-check.wasm
