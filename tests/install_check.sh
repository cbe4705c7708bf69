#!/usr/bin/env bash
# Install segrt into a temporary prefix, then build the embedding examples
# against it twice: with pkg-config and with find_package(segrt). Each build
# makes a demo store (quickstart.c) and streams an event into it (embed.c).
# Usage: install_check.sh BUILD_DIR SOURCE_DIR   ($HOST_CFLAGS: extra flags for the host)
set -euo pipefail
build=$1 src=$2
host_cflags=${HOST_CFLAGS:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pcdir=$(dirname "$(find "$tmp/prefix" -name segrt.pc)")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH="$pcdir"
mkdir "$tmp/run1" "$tmp/run2"
cat >"$tmp/seg.lua" <<'LUA'
local seg = require "segrt"
seg.segment "whales" { where = seg.E.purchase:sum "amount" :gt(1000000) }
LUA
event='{"contact_id":"c0000001","ts":"2026-01-01T00:00:00Z","type":"purchase","amount":2000000}'

# check_host DIR QUICKSTART EMBED: the two programs, built one way, work.
check_host() {
    "$2" "$1" | grep -q '"id": "c0000001"' || { echo "$2: wrong output"; exit 1; }
    out=$(echo "$event" | "$3" "$1/store" "$tmp/seg.lua" 2026-01-02T00:00:00Z)
    [ "$out" = "c0000001 entered whales" ] || { echo "$3: printed '$out'"; exit 1; }
}

for ex in quickstart embed; do
    # shellcheck disable=SC2046
    cc $host_cflags "$src/examples/$ex.c" $(pkg-config --cflags --libs segrt) \
       -Wl,-rpath,"$libdir" -o "$tmp/${ex}_pc"
done
check_host "$tmp/run1" "$tmp/quickstart_pc" "$tmp/embed_pc"
mkdir "$tmp/proj"
cat > "$tmp/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(host C)
find_package(segrt REQUIRED)
foreach(ex quickstart embed)
  add_executable(\${ex} "$src/examples/\${ex}.c")
  target_link_libraries(\${ex} PRIVATE segrt::segrt_shared)
endforeach()
CMAKE
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCMAKE_BUILD_RPATH="$libdir" -DCMAKE_C_FLAGS="$host_cflags" >/dev/null
cmake --build "$tmp/proj/build" >/dev/null
check_host "$tmp/run2" "$tmp/proj/build/quickstart" "$tmp/proj/build/embed"
echo "2 passed, 0 failed"
