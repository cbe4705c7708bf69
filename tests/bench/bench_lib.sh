# shellcheck shell=bash
# bench_lib.sh — what the benchmark scripts share; they source this file (it
# is not run on its own). Messages start with the calling script's name.
#
# usage [STATUS]   print the script's header comment, lines USAGE_LINES
#                  (e.g. "7,28"), and exit
# die MESSAGE      print "script: MESSAGE" and exit 1
# need TOOL HINT   die unless TOOL is on PATH
# median VALUE...  calc AWK_EXPRESSION   rss_of TIME_V_FILE (KiB)
# shared_bench_locate   set REPO, SHARED_BENCH (../shared/bench beside the
#                  repository, absolute) and ANCHORS_DIR (default /tmp/segrt-anchors)
# bench_data DIR FILE...  generate DIR/FILE.csv with gen_crm.py when one is missing
# segrt_binary TMP [TARGET...]  set SEGRT (the given $SEGRT, else a Release
#                  build in $REPO/build-bench, log in TMP, with the CMake
#                  TARGETs too), build_note and rev (git revision)
# duckdb_setup DIR LOG: refresh DIR, a writable copy of $SHARED_BENCH/anchors,
#   from the read-only shared copy (keeping DIR/node_modules); install
#   @duckdb/node-api there with `npm ci`, or `npm install` if that fails (npm
#   output to LOG), when it is missing; then check that the installed version
#   is the one the lock file pins, and set duckdb_pkg to it.

usage() {  # usage [EXIT_STATUS]
    sed -n "${USAGE_LINES}p" "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

die() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

need() {  # need TOOL HINT
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found. $2"
}

median() {  # median VALUE...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

calc() {  # calc AWK_EXPRESSION
    awk "BEGIN { print $1 }"
}

rss_of() {  # rss_of TIME_V_FILE -> KiB
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}

duckdb_setup() {  # duckdb_setup DIR LOG
    local dir=$1 log=$2 prog f duckdb_want
    prog=${0##*/}
    prog=${prog%.sh}
    mkdir -p "$dir"
    chmod -R u+w "$dir" 2>/dev/null || true
    # Refresh the scripts (the shared copy is read-only); keep node_modules.
    for f in "$SHARED_BENCH"/anchors/*; do
        if [ -f "$f" ]; then cp -f "$f" "$dir/"; fi
    done
    chmod -R u+w "$dir"
    if [ ! -d "$dir/node_modules/@duckdb/node-api" ]; then
        echo "$prog: npm ci in $dir (installs @duckdb/node-api once)" >&2
        # npm >= 11 rejects this lock file in `npm ci` (it lists only the
        # linux-x64 binding of the optional platform packages); `npm install`
        # then resolves the same exactly pinned versions, checked below.
        if ! (cd "$dir" && npm ci --no-audit --no-fund) >"$log" 2>&1; then
            echo "$prog: npm ci failed; trying npm install" >&2
            (cd "$dir" && npm install --no-audit --no-fund) >>"$log" 2>&1 || {
                tail -n 30 "$log" >&2
                die "npm ci and npm install failed in $dir (is the npm registry reachable?)"
            }
        fi
    fi
    duckdb_pkg=$(cd "$dir" && node -p \
        "require('./node_modules/@duckdb/node-api/package.json').version") ||
        die "cannot read the @duckdb/node-api version in $dir/node_modules"
    duckdb_want=$(awk -F'"' '/"node_modules\/@duckdb\/node-api"/ { f = 1 }
        f && /"version"/ { print $4; exit }' "$SHARED_BENCH/anchors/package-lock.json")
    [ "$duckdb_pkg" = "$duckdb_want" ] ||
        die "$dir has @duckdb/node-api $duckdb_pkg, the lock file pins $duckdb_want (remove $dir/node_modules)"
}

shared_bench_locate() {
    REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    SHARED_BENCH=$REPO/../shared/bench
    [ -d "$SHARED_BENCH" ] || die "shared bench kit not found at $SHARED_BENCH"
    SHARED_BENCH=$(cd "$SHARED_BENCH" && pwd)
    ANCHORS_DIR=${ANCHORS_DIR:-/tmp/segrt-anchors}
}

bench_data() {  # bench_data DIR FILE...
    local dir=$1 f missing=0
    shift
    for f in "$@"; do
        [ -f "$dir/$f.csv" ] || missing=1
    done
    [ "$missing" -eq 1 ] || return 0
    echo "$(basename "$0" .sh): generating data into $dir (gen_crm.py, ~50 s for 1M contacts)" >&2
    mkdir -p "$dir"
    python3 "$SHARED_BENCH/gen_crm.py" --out "$dir" >&2 || die "gen_crm.py failed"
}

segrt_binary() {  # segrt_binary TMP [TARGET...]
    local tmp=$1
    shift
    if [ -n "${SEGRT:-}" ]; then
        [ -x "$SEGRT" ] || die "SEGRT=$SEGRT is not an executable file"
        SEGRT=$(cd "$(dirname "$SEGRT")" && pwd)/$(basename "$SEGRT")
        build_note="SEGRT=$SEGRT (not built by this script)"
    else
        local build=$REPO/build-bench
        echo "$(basename "$0" .sh): building segrt (Release) in $build" >&2
        if ! { cmake -S "$REPO" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSEGRT_TESTS=OFF &&
               cmake --build "$build" -j2 --target segrt "$@"; } >"$tmp/build.log" 2>&1; then
            tail -n 30 "$tmp/build.log" >&2
            die "building segrt failed (full log above)"
        fi
        SEGRT=$build/segrt
        build_note="$SEGRT (Release)"
    fi
    rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        rev="$rev+local changes"
    fi
}
