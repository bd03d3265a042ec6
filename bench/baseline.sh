#!/usr/bin/env bash
# What `xhost build` replaces: the release of examples/hello-go made by a plain script
# with native tools. For each of the six targets: go build (-s -w, -trimpath), strip
# with the binutils that can write the format (Mach-O has no writer there; -s -w
# already left it bare), an archive with the docs (tar.gz, zip for windows; the wasm
# binary is shipped bare), then sha256sum over the downloads.
#
#   bench/baseline.sh SRC OUT [JOBS]     JOBS > 1 builds targets at once via xargs -P
#
# No SBOMs, signatures or provenance: the comparison flatters the baseline.
set -euo pipefail
src=$(cd "$1" && pwd)
out=$2
jobs=${3:-1}
export SRC=$src OUT=$out NAME=hello VERSION=1.0.0
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS= GOPROXY=off
mkdir -p "$out"

one() {
    local os=${1%/*} arch=${1#*/} ext=
    case $os in windows) ext=.exe ;; wasip1) ext=.wasm ;; esac
    local dir="$OUT/${NAME}_${os}_${arch}" bin="$NAME$ext"
    mkdir -p "$dir"
    (cd "$SRC" && GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false \
        -ldflags "-s -w -X main.version=$VERSION" -o "$dir/$bin" ./cmd/hello)
    case $os/$arch in
        linux/amd64 | windows/amd64) strip --strip-all "$dir/$bin" ;;
        linux/arm64) aarch64-linux-gnu-strip --strip-all "$dir/$bin" ;;
        wasip1/wasm) wasm-strip "$dir/$bin" ;;
    esac
    local stage="$dir/.archive"
    mkdir -p "$stage"
    cp "$dir/$bin" "$SRC"/LICENSE "$SRC"/README.md "$stage/"
    local base="${NAME}_${VERSION}_${os}_${arch}"
    case $os in
        wasip1) ;;
        windows) (cd "$stage" && zip -q -X "$OUT/$base.zip" ./*) ;;
        *) tar czf "$OUT/$base.tar.gz" -C "$stage" . ;;
    esac
    rm -rf "$stage"
}
export -f one

printf '%s\n' linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 wasip1/wasm |
    xargs -P "$jobs" -I{} bash -c 'one {}'
(cd "$out" && sha256sum ./*.tar.gz ./*.zip "${NAME}_wasip1_wasm/$NAME.wasm" >"${NAME}_${VERSION}_checksums.txt")
