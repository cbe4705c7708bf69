# shellcheck shell=bash
# duckdb_setup.sh — the DuckDB anchor setup shared by bench_import.sh and
# bench_segments.sh, which source this file (it is not run on its own).
#
# duckdb_setup DIR LOG: refresh DIR, a writable copy of $SHARED_BENCH/anchors,
# from the read-only shared copy (keeping DIR/node_modules); install
# @duckdb/node-api there with `npm ci`, or `npm install` if that fails (npm
# output to LOG), when it is missing; then check that the installed version is
# the one the lock file pins, and set duckdb_pkg to it. Uses SHARED_BENCH and
# die from the calling script; exits through die on any failure. Messages start
# with the calling script's name ("bench_import: ...").

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
