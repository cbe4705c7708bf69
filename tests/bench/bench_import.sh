#!/usr/bin/env bash
# bench_import.sh — time `segrt import` of the synthetic CRM data set against the
# DuckDB and SQLite loads of ../shared/bench/anchors, and check the import targets.
#
# Run by hand, never by CI (the name is deliberately not test_*).
#
# Usage: tests/bench/bench_import.sh [DATA_DIR] [--runs N] [--skip-anchors]
#
#   DATA_DIR        directory with contacts.csv, events.csv, consents.csv
#                   (default /tmp/crm1m). Missing files are generated with
#                   ../shared/bench/gen_crm.py --out DATA_DIR (1M contacts, ~50 s).
#   --runs N        separate processes per engine (default 3); figures are medians.
#   --skip-anchors  time segrt only (the "2 x DuckDB" target is then not checked).
#
# Environment:
#   SEGRT           use this segrt binary instead of building one (Release) into
#                   build-bench/ at the repository root.
#   ANCHORS_DIR     writable copy of ../shared/bench/anchors with node_modules
#                   (default /tmp/segrt-anchors; created with `npm ci` when needed).
#   TMPDIR          where the segrt store is created (default /tmp).
#
# Each run removes the store and runs, under `/usr/bin/time -v`:
#   segrt import --db STORE --contacts ... --events ... --consents ...
#   node run_duckdb.mjs DATA_DIR --load-only          (DB file DATA_DIR/crm.duckdb)
#   load_sqlite.sh DATA_DIR DATA_DIR/crm.sqlite
# The three engines take turns within each run, so a noisy moment hits all of
# them. The CSVs are read once beforehand so every run starts from a warm page
# cache. The anchor DB files are removed at exit unless they existed before.
#
# Exit status: 0 all checked targets pass, 3 some target fails, 1 error, 2 usage.
set -euo pipefail

USAGE_LINES=7,28
# usage, die, need, median, calc, rss_of, duckdb_setup
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

# ---------------------------------------------------------------- arguments
DATA_DIR=/tmp/crm1m
RUNS=3
SKIP_ANCHORS=0
data_given=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs)
            [ $# -ge 2 ] || usage
            RUNS=$2
            shift 2
            ;;
        --runs=*)
            RUNS=${1#--runs=}
            shift
            ;;
        --skip-anchors)
            SKIP_ANCHORS=1
            shift
            ;;
        -h | --help) usage 0 ;;
        -*) echo "bench_import: unknown option $1" >&2; usage ;;
        *)
            [ "$data_given" -eq 0 ] || usage
            DATA_DIR=$1
            data_given=1
            shift
            ;;
    esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive integer, got '$RUNS'"

shared_bench_locate
FILES=(contacts events consents)

# ---------------------------------------------------------------- tools
[ -x /usr/bin/time ] || die "/usr/bin/time not found (GNU time; apt-get install -y time)"
need awk "Install gawk or mawk."
need du "Install coreutils."
need python3 "Python 3 is needed to generate the data (gen_crm.py)."
if [ -z "${SEGRT:-}" ]; then
    need cmake "Install cmake, or point SEGRT at a segrt binary."
fi
if [ "$SKIP_ANCHORS" -eq 0 ]; then
    need node "Node 20 runs the DuckDB anchor (or use --skip-anchors)."
    need npm "npm installs @duckdb/node-api for the DuckDB anchor (or use --skip-anchors)."
    if ! command -v sqlite3 >/dev/null 2>&1; then
        echo "bench_import: sqlite3 missing; installing it with apt-get" >&2
        command -v apt-get >/dev/null 2>&1 ||
            die "'sqlite3' not found and no apt-get to install it (or use --skip-anchors)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; } \
            >&2 || die "apt-get install sqlite3 failed"
    fi
fi

# ---------------------------------------------------------------- temp files
T=$(mktemp -d "${TMPDIR:-/tmp}/segrt-bench.XXXXXX")
ANCHOR_DBS=()  # anchor DB files this script created, removed at exit
cleanup() {
    local f
    rm -rf "$T"
    for f in "${ANCHOR_DBS[@]}"; do
        rm -f "$f" "$f.wal" "$f-journal" "$f-wal" "$f-shm"
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

minmax() {  # minmax VALUE...  ->  "min..max" with 2 decimals
    printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 }
        END { printf "%.2f..%.2f", lo, hi }'
}

wall_of() {  # wall_of TIME_V_FILE -> seconds
    awk -F': ' '/Elapsed \(wall clock\) time/ {
        n = split($NF, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        print s }' "$1"
}

loadavg() {
    cut -d' ' -f1-3 /proc/loadavg
}

# timed NAME LOG CMD... : run CMD under /usr/bin/time -v; stdout+stderr to LOG,
# the time report to LOG.time. Aborts with the tail of LOG if CMD fails.
timed() {
    local name=$1 log=$2
    shift 2
    if ! /usr/bin/time -v -o "$log.time" "$@" >"$log" 2>&1; then
        echo "bench_import: $name failed; last lines of its output:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------- data
bench_data "$DATA_DIR" "${FILES[@]}"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
csv_bytes=0
for f in "${FILES[@]}"; do
    csv_bytes=$((csv_bytes + $(stat -c %s "$DATA_DIR/$f.csv")))
done

# ---------------------------------------------------------------- segrt binary
segrt_binary "$T"

# ---------------------------------------------------------------- anchors setup
if [ "$SKIP_ANCHORS" -eq 0 ]; then
    duckdb_setup "$ANCHORS_DIR" "$T/npm.log"
    for db in "$DATA_DIR/crm.duckdb" "$DATA_DIR/crm.sqlite"; do
        [ -e "$db" ] || ANCHOR_DBS+=("$db")
    done
fi

# ---------------------------------------------------------------- measure
unset SEGRT_DB
export CI=1  # no progress bars from segrt
STORE=$T/store
load_before=$(loadavg)

echo "# segrt import benchmark"
echo "date        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host        $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, load avg before: $load_before"
echo "segrt       $build_note, commit $rev"
echo "data        $DATA_DIR: $(for f in "${FILES[@]}"; do printf '%s.csv %s B  ' "$f" "$(stat -c %s "$DATA_DIR/$f.csv")"; done)(total $csv_bytes B)"
echo "runs        $RUNS per engine, medians reported; page cache warmed first"
if [ "$SKIP_ANCHORS" -eq 0 ]; then
    echo "anchors     DuckDB @duckdb/node-api $duckdb_pkg (node $(node --version)), $(sqlite3 --version | cut -d' ' -f1-2 | sed 's/^/SQLite /')"
fi
echo

# Warm the page cache so the first run does not pay for disk reads alone.
for f in "${FILES[@]}"; do cat "$DATA_DIR/$f.csv" >/dev/null; done

s_wall=() s_rss=() s_evps=() s_rowps=() s_store=() s_contacts=() s_events=() s_consents=()
d_wall=() d_rss=() d_bytes=() q_wall=() q_rss=() q_bytes=()
ev_rows=0 all_rows=0 rejected=0

for run in $(seq 1 "$RUNS"); do
    # ---- segrt
    rm -rf "$STORE"
    log=$T/segrt.$run
    timed "segrt import (run $run)" "$log" "$SEGRT" import --db "$STORE" \
        --contacts "$DATA_DIR/contacts.csv" --events "$DATA_DIR/events.csv" \
        --consents "$DATA_DIR/consents.csv"
    # "PATH: N rows, K kept (I new), R rejected, X.XX s", one line per file.
    for f in "${FILES[@]}"; do
        grep -q "/$f\.csv: [0-9]* rows, .* s\$" "$log" ||
            die "segrt printed no '$f.csv: N rows, ..., X.XX s' line (run $run):
$(head -c 2000 "$log")"
    done
    read -r c_s e_s k_s ev_rows all_rows rejected < <(awk '
        / rows, .* s$/ {
            n = $2; t = $(NF - 1); r = $(NF - 3); rows += n; rej += r
            if ($1 ~ /\/contacts\.csv:$/) c = t
            if ($1 ~ /\/events\.csv:$/) { e = t; ev = n }
            if ($1 ~ /\/consents\.csv:$/) k = t
        }
        END { print c, e, k, ev, rows, rej }' "$log")
    [ -f "$STORE/data.mdb" ] || die "no $STORE/data.mdb after segrt import (run $run)"
    wall=$(wall_of "$log.time")
    s_wall+=("$wall")
    s_rss+=("$(rss_of "$log.time")")
    s_contacts+=("$c_s") s_events+=("$e_s") s_consents+=("$k_s")
    s_evps+=("$(calc "$ev_rows / $e_s")")
    s_rowps+=("$(calc "$all_rows / $wall")")
    s_store+=("$(du -b "$STORE/data.mdb" | cut -f1)")
    printf 'run %d  segrt   wall %7.2f s  rss %6.0f MiB  (contacts %s s, events %s s, consents %s s)\n' \
        "$run" "$wall" "$(calc "$(rss_of "$log.time") / 1024")" "$c_s" "$e_s" "$k_s"
    [ "$rejected" -eq 0 ] || echo "        warning: segrt rejected $rejected rows"
    rm -rf "$STORE"

    [ "$SKIP_ANCHORS" -eq 0 ] || continue

    # ---- DuckDB: typed read_csv into DATA_DIR/crm.duckdb, then CHECKPOINT
    log=$T/duckdb.$run
    timed "DuckDB load (run $run)" "$log" node "$ANCHORS_DIR/run_duckdb.mjs" "$DATA_DIR" --load-only
    d_wall+=("$(wall_of "$log.time")")
    d_rss+=("$(rss_of "$log.time")")
    d_bytes+=("$(du -b "$DATA_DIR/crm.duckdb" | cut -f1)")
    printf 'run %d  duckdb  wall %7.2f s  rss %6.0f MiB  (%s)\n' "$run" "${d_wall[-1]}" \
        "$(calc "${d_rss[-1]} / 1024")" "$(grep -m1 '^load_s' "$log" | cut -d' ' -f2-6)"

    # ---- SQLite: .import, typed copy, 7 indexes, ANALYZE
    log=$T/sqlite.$run
    timed "SQLite load (run $run)" "$log" "$ANCHORS_DIR/load_sqlite.sh" "$DATA_DIR" "$DATA_DIR/crm.sqlite"
    q_wall+=("$(wall_of "$log.time")")
    q_rss+=("$(rss_of "$log.time")")
    q_bytes+=("$(du -b "$DATA_DIR/crm.sqlite" | cut -f1)")
    printf 'run %d  sqlite  wall %7.2f s  rss %6.0f MiB  (%s)\n' "$run" "${q_wall[-1]}" \
        "$(calc "${q_rss[-1]} / 1024")" "$(grep -m1 '^load_sqlite: import' "$log" | cut -d' ' -f2-)"
done
load_after=$(loadavg)

# ---------------------------------------------------------------- report
S_WALL=$(median "${s_wall[@]}")
S_EVPS=$(median "${s_evps[@]}")
S_ROWPS=$(median "${s_rowps[@]}")
S_RSS_MIB=$(calc "$(median "${s_rss[@]}") / 1024")
S_STORE=$(median "${s_store[@]}")
S_RATIO=$(calc "$S_STORE / $csv_bytes")

echo
echo "## Results (median of $RUNS; min..max in brackets)"
echo
printf '%-7s %24s %12s %12s %9s %14s %7s\n' engine "wall s" "events/s" "rows/s" "RSS MiB" "on disk B" "/ CSV"
printf '%-7s %24s %12s %12s %9.0f %14.0f %7.3f\n' segrt \
    "$(printf '%.2f [%s]' "$S_WALL" "$(minmax "${s_wall[@]}")")" \
    "$(printf '%.0f' "$S_EVPS")" "$(printf '%.0f' "$S_ROWPS")" "$S_RSS_MIB" "$S_STORE" "$S_RATIO"
if [ "$SKIP_ANCHORS" -eq 0 ]; then
    D_WALL=$(median "${d_wall[@]}")
    Q_WALL=$(median "${q_wall[@]}")
    printf '%-7s %24s %12s %12s %9.0f %14.0f %7.3f\n' duckdb \
        "$(printf '%.2f [%s]' "$D_WALL" "$(minmax "${d_wall[@]}")")" - - \
        "$(calc "$(median "${d_rss[@]}") / 1024")" "$(median "${d_bytes[@]}")" \
        "$(calc "$(median "${d_bytes[@]}") / $csv_bytes")"
    printf '%-7s %24s %12s %12s %9.0f %14.0f %7.3f\n' sqlite \
        "$(printf '%.2f [%s]' "$Q_WALL" "$(minmax "${q_wall[@]}")")" - - \
        "$(calc "$(median "${q_rss[@]}") / 1024")" "$(median "${q_bytes[@]}")" \
        "$(calc "$(median "${q_bytes[@]}") / $csv_bytes")"
fi
echo
printf 'segrt per file (median s): contacts %.2f, events %.2f, consents %.2f; rows: events %s, all %s\n' \
    "$(median "${s_contacts[@]}")" "$(median "${s_events[@]}")" "$(median "${s_consents[@]}")" \
    "$ev_rows" "$all_rows"
echo "events/s = events rows / events-file seconds; rows/s = all rows / wall; on disk = du -b of data.mdb"
echo "(DuckDB: DATA_DIR/crm.duckdb, SQLite: DATA_DIR/crm.sqlite)"

echo
echo "## Targets"
echo
failed=0
check() {  # check DESCRIPTION ACTUAL_TEXT AWK_CONDITION
    local verdict=FAIL
    if [ "$(calc "($3) ? 1 : 0")" = 1 ]; then verdict=PASS; else failed=1; fi
    printf '%-4s  %-34s %s\n' "$verdict" "$1" "$2"
}
if [ "$SKIP_ANCHORS" -eq 0 ]; then
    check "segrt wall <= 2 x DuckDB wall" \
        "$(printf '%.2f s, limit %.2f s (%.2f x DuckDB)' "$S_WALL" "$(calc "2 * $D_WALL")" "$(calc "$S_WALL / $D_WALL")")" \
        "$S_WALL <= 2 * $D_WALL"
else
    printf '%-4s  %-34s %s\n' SKIP "segrt wall <= 2 x DuckDB wall" "(--skip-anchors)"
fi
check "events/s >= 1,000,000" "$(printf '%.0f events/s' "$S_EVPS")" "$S_EVPS >= 1000000"
check "peak RSS < 1 GiB" "$(printf '%.0f MiB, limit 1024 MiB' "$S_RSS_MIB")" "$S_RSS_MIB < 1024"
check "store <= 2 x CSV size" \
    "$(printf '%s B, limit %s B (%.3f x CSV)' "$S_STORE" "$((2 * csv_bytes))" "$S_RATIO")" \
    "$S_STORE <= 2 * $csv_bytes"
echo
echo "load avg before: $load_before; after: $load_after"
[ "$failed" -eq 0 ] || exit 3
