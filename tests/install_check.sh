#!/usr/bin/env bash
# Install segrt into a temporary prefix, then build the embedding example
# against it twice: with pkg-config and with find_package(segrt).
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
# shellcheck disable=SC2046
cc $host_cflags "$src/examples/embed.c" $(pkg-config --cflags --libs segrt) -Wl,-rpath,"$libdir" \
   -o "$tmp/embed_pc"
"$tmp/embed_pc" "$tmp/run1" | grep -q '"id": "c0000001"' || { echo "pkg-config build: wrong output"; exit 1; }
mkdir "$tmp/proj"
cat > "$tmp/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(host C)
find_package(segrt REQUIRED)
add_executable(embed "$src/examples/embed.c")
target_link_libraries(embed PRIVATE segrt::segrt_shared)
CMAKE
cmake -S "$tmp/proj" -B "$tmp/proj/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCMAKE_BUILD_RPATH="$libdir" -DCMAKE_C_FLAGS="$host_cflags" >/dev/null
cmake --build "$tmp/proj/build" >/dev/null
"$tmp/proj/build/embed" "$tmp/run2" | grep -q '"id": "c0000001"' || { echo "find_package build: wrong output"; exit 1; }
echo "2 passed, 0 failed"
