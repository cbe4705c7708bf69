#!/usr/bin/env bash
# Install segrt into a temporary prefix, then build the embedding examples
# against it twice: with pkg-config and with find_package(segrt X.Y). Each
# build makes a demo store (quickstart.c) and streams an event into it
# (embed.c), and a host prints segrt_version() and SEGRT_VERSION: both are
# the project's VERSION, as are pkg-config --modversion and the version the
# CMake package accepts (a later major version is refused). segrt(1) and the
# bash completion are installed too, and the completion completes.
# Usage: install_check.sh BUILD_DIR SOURCE_DIR   ($HOST_CFLAGS: extra flags for the host)
set -euo pipefail
build=$1 src=$2
host_cflags=${HOST_CFLAGS:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# segrt(1) and bash completion are installed, and work
man=$(find "$tmp/prefix" -name segrt.1)
[ -n "$man" ] && grep -q '^\.SS serve' "$man" || { echo "segrt.1 missing or without serve"; exit 1; }
comp=$(find "$tmp/prefix" -path '*bash-completion/completions/segrt')
[ -n "$comp" ] || { echo "bash completion not installed"; exit 1; }
got=$(PATH="$tmp/prefix/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(segrt cou); COMP_CWORD=1; _segrt
    echo "${COMPREPLY[*]}"; COMP_WORDS=(segrt members --fo); COMP_CWORD=2; _segrt
    echo "${COMPREPLY[*]}"' _ "$comp")
[ "$got" = "count
--format" ] || { echo "bash completion offered: $got"; exit 1; }
pcdir=$(dirname "$(find "$tmp/prefix" -name segrt.pc)")
libdir=$(dirname "$pcdir")
export PKG_CONFIG_PATH="$pcdir"
mkdir "$tmp/run1" "$tmp/run2"
cat >"$tmp/seg.lua" <<'LUA'
local seg = require "segrt"
seg.segment "whales" { where = seg.E.purchase:sum "amount" :gt(1000000) }
LUA
event='{"contact_id":"c0000001","ts":"2026-01-01T00:00:00Z","type":"purchase","amount":2000000}'
version=$(sed -n 's/^project(segrt VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
major=${version%%.*} minor_patch=${version#*.}
cat >"$tmp/version.c" <<'C'
#include <segrt.h>
#include <stdio.h>
int main(void)
{
    printf("%s %s %d.%d.%d\n", segrt_version(), SEGRT_VERSION, SEGRT_VERSION_MAJOR,
           SEGRT_VERSION_MINOR, SEGRT_VERSION_PATCH);
    return 0;
}
C
[ "$(pkg-config --modversion segrt)" = "$version" ] ||
    { echo "pkg-config --modversion: '$(pkg-config --modversion segrt)', not $version"; exit 1; }

# check_host DIR QUICKSTART EMBED VERSION: the three programs, built one way, work.
check_host() {
    "$2" "$1" | grep -q '"id": "c0000001"' || { echo "$2: wrong output"; exit 1; }
    out=$(echo "$event" | "$3" "$1/store" "$tmp/seg.lua" 2026-01-02T00:00:00Z)
    [ "$out" = "c0000001 entered whales" ] || { echo "$3: printed '$out'"; exit 1; }
    out=$("$4")
    [ "$out" = "$version $version $version" ] || { echo "$4: printed '$out'"; exit 1; }
}

for ex in "$src/examples/quickstart.c" "$src/examples/embed.c" "$tmp/version.c"; do
    # shellcheck disable=SC2046
    cc $host_cflags "$ex" $(pkg-config --cflags --libs segrt) \
       -Wl,-rpath,"$libdir" -o "$tmp/$(basename "$ex" .c)_pc"
done
check_host "$tmp/run1" "$tmp/quickstart_pc" "$tmp/embed_pc" "$tmp/version_pc"
# host_project DIR WANT: a CMake project that builds the hosts with find_package(segrt WANT).
host_project() {
    mkdir "$1"
    cat > "$1/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(host C)
find_package(segrt $2 REQUIRED)
foreach(ex "$src/examples/quickstart.c" "$src/examples/embed.c" "$tmp/version.c")
  get_filename_component(name \${ex} NAME_WE)
  add_executable(\${name} \${ex})
  target_link_libraries(\${name} PRIVATE segrt::segrt_shared)
endforeach()
CMAKE
    cmake -S "$1" -B "$1/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
          -DCMAKE_BUILD_RPATH="$libdir" -DCMAKE_C_FLAGS="$host_cflags" >"$1/configure.log" 2>&1
}
host_project "$tmp/proj" "$major.${minor_patch%%.*}" || { cat "$tmp/proj/configure.log"; exit 1; }
cmake --build "$tmp/proj/build" >/dev/null
check_host "$tmp/run2" "$tmp/proj/build/quickstart" "$tmp/proj/build/embed" \
           "$tmp/proj/build/version"
if host_project "$tmp/next" "$((major + 1)).0"; then
    echo "find_package(segrt $((major + 1)).0) accepted version $version"; exit 1
fi
echo "3 passed, 0 failed"
