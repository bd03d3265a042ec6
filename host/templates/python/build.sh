#!/usr/bin/env bash
# Builds __NAME__.wasm from app.py and the contract in wit/, reproducibly: the same
# sources give the same bytes, in any directory. componentize-py snapshots CPython after
# importing app.py inside wasmtime, so whatever that run sees ends up in the file: this
# directory's listing and __pycache__/ (so it runs on a copy without them), and
# randomness, clocks, file times and inode numbers (made constant by deterministic.c,
# preloaded into componentize-py on Linux).
set -euo pipefail
cd "$(dirname "$0")"
# Up to date when __NAME__.wasm is newer than everything it is built from, as make decides.
if [ -f __NAME__.wasm ] && [ -z "$(find app.py wit build.sh deterministic.c -newer __NAME__.wasm -print -quit)" ]; then
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
__PRELOAD__
mkdir "$work/src"
tar -c --exclude='./*.wasm' --exclude=__pycache__ --exclude=./.git . | tar -x -C "$work/src"
(cd "$work/src" && LD_PRELOAD="$preload" componentize-py -d wit -w __WORLD__ componentize app -o "$work/__NAME__.wasm")
mv "$work/__NAME__.wasm" __NAME__.wasm
