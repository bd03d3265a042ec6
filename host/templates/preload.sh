# Sets $preload to deterministic.c built in $work, where it can be built.
preload=
if [ "$(uname -s)" = Linux ] && command -v cc >/dev/null; then
    cc -O2 -shared -fPIC -o "$work/deterministic.so" deterministic.c -ldl
    preload="$work/deterministic.so"
else
    echo "build.sh: not reproducible here: deterministic.c needs Linux and a C compiler (cc)" >&2
fi
