#!/usr/bin/env bash
# bench_segments.sh — time the anchor segments S1–S12 (examples/bench_segments.lua)
# against the DuckDB anchor queries, on the 1M-contact data set: cold (each a
# whole `segrt count` process) and warm (evaluated again and again in one process).
#
# Run by hand, never by CI (the name is deliberately not test_*).
#
# Usage: tests/bench/bench_segments.sh [DATA_DIR] [--runs N] [--only S1_vip,...]
#                                      [--skip-duckdb] [--no-warm] [--reimport]
#
#   DATA_DIR       contacts.csv, events.csv, consents.csv (default /tmp/crm1m;
#                  generated with ../shared/bench/gen_crm.py defaults if missing).
#                  The segrt store is DATA_DIR/segrt.db, imported if missing,
#                  and the DuckDB file DATA_DIR/crm.duckdb, loaded if missing;
#                  both are kept for the next run.
#   --runs N       timed runs per segment and engine, cold and warm (default 5);
#                  medians reported.
#   --only LIST    only these segments (comma-separated names).
#   --skip-duckdb  time segrt only (counts then checked against queries.md's
#                  1M column, which holds for the default seed-42 data).
#   --no-warm      skip the warm section (--warm, the default, runs it).
#   --reimport     remove DATA_DIR/segrt.db first and import again (after a
#                  store format change).
#
# Environment:
#   SEGRT          use this segrt binary instead of building one (Release) into
#                  build-bench/ at the repository root.
#   SEGRT_BENCH_WARM  the warm program, examples/bench_warm.c (default: the
#                  segrt_bench_warm_example of SEGRT's build directory).
#   ANCHORS_DIR    writable copy of ../shared/bench/anchors with node_modules
#                  (default /tmp/segrt-anchors; created with npm when needed).
#
# Cold: each segrt run is one whole process,
#   segrt count --db DATA_DIR/segrt.db --now 2026-01-01T00:00:00Z bench_segments.lua Sx
# (opening the store, loading the script, evaluating, printing), timed from
# the shell (bash's EPOCHREALTIME, so no clock process or /usr/bin/time start
# is counted), after one untimed warm-up run under /usr/bin/time -v that
# gives its peak RSS. DuckDB: node run_duckdb.mjs DATA_DIR --reuse --threads 2
# --only Sx, in-process timing of the query (after 1 warm-up), so DuckDB is not
# charged for process start or opening its database. The two engines take
# turns segment by segment. speed-up = DuckDB ms / segrt ms.
# Warm (the REPL, embedding and server case): one process,
#   segrt_bench_warm_example --runs N --warmup 1 --now NOW DATA_DIR/segrt.db
#       bench_segments.lua S1_vip ... S12_vip_emailable
# under /usr/bin/time -v (its peak RSS), keeps the store and the script open
# and evaluates each segment 1 + N times, timing every evaluation
# (segrt_segment_eval, count, free: nothing is kept between evaluations);
# its medians against the same DuckDB figures, its counts checked against
# the cold ones.
# Also times a segment whose `where` selects every contact with and without a
# trivial `filter = function(c) return true end`, and reports contacts/s.
#
# Exit status: 0 all counts agree, 3 some count differs, 1 error, 2 usage.
set -euo pipefail

USAGE_LINES=8,51
# usage, die, need, median, calc, rss_of, duckdb_setup
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

# ---------------------------------------------------------------- arguments
DATA_DIR=/tmp/crm1m
RUNS=5
ONLY=
SKIP_DUCKDB=0
WARM=1
REIMPORT=0
data_given=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) [ $# -ge 2 ] || usage; RUNS=$2; shift 2 ;;
        --runs=*) RUNS=${1#--runs=}; shift ;;
        --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
        --only=*) ONLY=${1#--only=}; shift ;;
        --skip-duckdb) SKIP_DUCKDB=1; shift ;;
        --warm) WARM=1; shift ;;
        --no-warm) WARM=0; shift ;;
        --reimport) REIMPORT=1; shift ;;
        -h | --help) usage 0 ;;
        -*) echo "bench_segments: unknown option $1" >&2; usage ;;
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
LUA=$REPO/examples/bench_segments.lua
NOW=2026-01-01T00:00:00Z
FILES=(contacts events consents)
[ -f "$LUA" ] || die "missing $LUA"

# The segments, in queries.md order.
SEGMENTS=()
while read -r name; do
    if [ -z "$ONLY" ] || [[ ",$ONLY," == *",$name,"* ]]; then
        SEGMENTS+=("$name")
    fi
done < <(sed -n 's/^-- name: *\(S[0-9]*_[A-Za-z0-9_]*\) *$/\1/p' "$SHARED_BENCH/anchors/queries_duckdb.sql")
[ "${#SEGMENTS[@]}" -gt 0 ] || die "no segment matches --only '$ONLY'"

# ---------------------------------------------------------------- tools
[ -x /usr/bin/time ] || die "/usr/bin/time not found (GNU time; apt-get install -y time)"
need awk "Install gawk or mawk."
need python3 "Python 3 is needed to generate the data (gen_crm.py)."
if [ -z "${SEGRT:-}" ]; then
    need cmake "Install cmake, or point SEGRT at a segrt binary."
fi
if [ "$SKIP_DUCKDB" -eq 0 ]; then
    need node "Node 20 runs the DuckDB anchor (or use --skip-duckdb)."
    need npm "npm installs @duckdb/node-api for the DuckDB anchor (or use --skip-duckdb)."
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/segrt-bench-seg.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

now_ns() {
    date +%s%N
}

# segrt_run LOG ARGS... : one `segrt ARGS` process, timed from this shell
# with bash's clock (EPOCHREALTIME: no clock process of its own around the
# run, nor /usr/bin/time's start); sets RUN_MS and, with --time, EVAL_MS.
segrt_run() {
    local log=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    if ! "$SEGRT" "$@" >"$log" 2>"$log.err"; then
        echo "bench_segments: segrt $* failed:" >&2
        head -c 2000 "$log.err" >&2
        exit 1
    fi
    t1=$EPOCHREALTIME
    RUN_MS=$(calc "(${t1/[.,]/} - ${t0/[.,]/}) / 1e3")
    # with --time: the evaluation alone, as segrt measured it
    EVAL_MS=$(sed -n 's/^evaluated .* in \([0-9.]*\) ms$/\1/p' "$log.err")
}

# segrt_rss LOG ARGS... : one untimed `segrt ARGS` under /usr/bin/time -v;
# sets RUN_KIB (its peak RSS).
segrt_rss() {
    local log=$1
    shift
    /usr/bin/time -v -o "$log.time" "$SEGRT" "$@" >"$log" 2>"$log.err" ||
        die "segrt $* failed: $(head -c 2000 "$log.err")"
    RUN_KIB=$(rss_of "$log.time")
}

# ---------------------------------------------------------------- data
bench_data "$DATA_DIR" "${FILES[@]}"
DATA_DIR=$(cd "$DATA_DIR" && pwd)
STORE=$DATA_DIR/segrt.db

# ---------------------------------------------------------------- segrt binaries
segrt_binary "$T" segrt_bench_warm_example
if [ "$WARM" -eq 1 ]; then
    BENCH_WARM=${SEGRT_BENCH_WARM:-$(dirname "$SEGRT")/segrt_bench_warm_example}
    [ -x "$BENCH_WARM" ] || die "no warm program at $BENCH_WARM: build the target \
segrt_bench_warm_example beside SEGRT, set SEGRT_BENCH_WARM, or use --no-warm"
fi
unset SEGRT_DB
export CI=1  # no progress bars from segrt

# ---------------------------------------------------------------- segrt store
[ "$REIMPORT" -eq 0 ] || rm -rf "$STORE"
if [ ! -f "$STORE/data.mdb" ]; then
    echo "bench_segments: importing $DATA_DIR into $STORE" >&2
    rm -rf "$STORE"
    /usr/bin/time -v -o "$T/import.time" "$SEGRT" import --db "$STORE" \
        --contacts "$DATA_DIR/contacts.csv" --events "$DATA_DIR/events.csv" \
        --consents "$DATA_DIR/consents.csv" >"$T/import.log" 2>&1 || {
        tail -n 20 "$T/import.log" >&2
        rm -rf "$STORE"
        die "segrt import failed"
    }
fi
n_contacts=$("$SEGRT" stats --db "$STORE" 2>"$T/stats.err" | awk '$1 == "contacts" { print $2 }') ||
    true
[ -n "$n_contacts" ] || die "segrt stats --db $STORE failed: $(head -c 500 "$T/stats.err")
(after a store format change: --reimport)"

# ---------------------------------------------------------------- DuckDB
if [ "$SKIP_DUCKDB" -eq 0 ]; then
    duckdb_setup "$ANCHORS_DIR" "$T/npm.log"
    if [ ! -f "$DATA_DIR/crm.duckdb" ]; then
        echo "bench_segments: loading $DATA_DIR into $DATA_DIR/crm.duckdb (kept for later runs)" >&2
        node "$ANCHORS_DIR/run_duckdb.mjs" "$DATA_DIR" --load-only >"$T/duckdb_load.log" 2>&1 || {
            tail -n 20 "$T/duckdb_load.log" >&2
            rm -f "$DATA_DIR/crm.duckdb" "$DATA_DIR/crm.duckdb.wal"
            die "DuckDB load failed"
        }
    fi
fi

# ---------------------------------------------------------------- header
echo "# segrt segment benchmark (S1–S12 of queries.md)"
echo "date        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "host        $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, load avg before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "segrt       $build_note, commit $rev"
echo "store       $STORE: $n_contacts contacts, $(du -sb "$STORE" | cut -f1) B"
if [ "$SKIP_DUCKDB" -eq 0 ]; then
    echo "duckdb      @duckdb/node-api $duckdb_pkg (node $(node --version)), threads 2, $DATA_DIR/crm.duckdb"
fi
echo "runs        $RUNS timed per segment and engine (medians), 1 warm-up; NOW = $NOW"
echo

# ---------------------------------------------------------------- measure
# segrt and DuckDB take turns segment by segment, so a noisy moment on the
# machine hits both.
declare -A S_MS S_EVAL S_COUNT D_MS D_COUNT
max_kib=0
for name in "${SEGMENTS[@]}"; do
    segrt_rss "$T/warm" count --db "$STORE" --now "$NOW" "$LUA" "$name" # also the warm-up
    [ "$RUN_KIB" -le "$max_kib" ] || max_kib=$RUN_KIB
    ms=() evals=()
    for _ in $(seq 1 "$RUNS"); do
        segrt_run "$T/run" count --time --db "$STORE" --now "$NOW" "$LUA" "$name"
        ms+=("$RUN_MS")
        evals+=("$EVAL_MS")
        c=$(tr -d '[:space:]' <"$T/run")
        [[ "$c" =~ ^[0-9]+$ ]] || die "segrt count $name printed '$(head -c 200 "$T/run")'"
        S_COUNT[$name]=$c
    done
    S_MS[$name]=$(median "${ms[@]}")
    S_EVAL[$name]=$(median "${evals[@]}")
    line=$(printf '%-30s segrt %9.1f ms (evaluation %.1f ms)' "$name" "${S_MS[$name]}" \
        "${S_EVAL[$name]}")

    if [ "$SKIP_DUCKDB" -eq 0 ]; then
        node "$ANCHORS_DIR/run_duckdb.mjs" "$DATA_DIR" --reuse --threads 2 --runs "$RUNS" \
            --warmup 1 --only "$name" --json "$T/duckdb.json" >"$T/duckdb.log" 2>&1 || {
            tail -n 20 "$T/duckdb.log" >&2
            die "DuckDB query $name failed"
        }
        read -r count med < <(node -e '
            const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
            for (const q of r.results) console.log(q.count, q.median_ms);' "$T/duckdb.json")
        [ -n "${med:-}" ] || die "run_duckdb.mjs reported nothing for $name"
        D_COUNT[$name]=$count
        D_MS[$name]=$med
        line="$line, DuckDB $(printf '%9.1f' "$med") ms"
    fi
    echo "bench_segments: $line" >&2
done
if [ "$SKIP_DUCKDB" -ne 0 ] && [ "$n_contacts" = 1000000 ]; then
    # queries.md's 1M column (seed 42, the generator's defaults)
    while read -r name count; do
        D_COUNT[$name]=$count
    done < <(awk -F'|' '$2 ~ /^ *S[0-9]+_/ { gsub(/ /, "", $2); gsub(/ /, "", $4); print $2, $4 }' \
        "$SHARED_BENCH/queries.md")
fi

# ---------------------------------------------------------------- warm
# One process for every segment, as a server keeps its store and script open.
declare -A W_MS W_MIN W_COUNT
if [ "$WARM" -eq 1 ]; then
    echo "bench_segments: warm, one process: ${#SEGMENTS[@]} segments x (1 + $RUNS) evaluations" >&2
    t0=$(now_ns)
    if ! /usr/bin/time -v -o "$T/warm_eval.time" "$BENCH_WARM" --runs "$RUNS" --warmup 1 \
            --now "$NOW" "$STORE" "$LUA" "${SEGMENTS[@]}" >"$T/warm_eval" 2>"$T/warm_eval.err"; then
        echo "bench_segments: $BENCH_WARM failed:" >&2
        head -c 2000 "$T/warm_eval.err" >&2
        exit 1
    fi
    WARM_WALL_MS=$(calc "($(now_ns) - $t0) / 1e6")
    WARM_KIB=$(rss_of "$T/warm_eval.time")
    while read -r name count med min _; do
        W_COUNT[$name]=$count
        W_MS[$name]=$med
        W_MIN[$name]=$min
    done < <(grep -v '^#' "$T/warm_eval")
    for name in "${SEGMENTS[@]}"; do
        [ -n "${W_MS[$name]:-}" ] || die "$BENCH_WARM printed no line for $name"
    done
fi

# ---------------------------------------------------------------- filter hatch
cat >"$T/hatch.lua" <<'LUA'
local seg = require "segrt"
local F = seg.F
local everybody = F.email:present() | F.email:missing()
seg.segment "all_where" { where = everybody }
seg.segment "all_filter" { where = everybody, filter = function(c) return true end }
LUA
hatch_ms=() base_ms=()
segrt_run "$T/warm" count --db "$STORE" --now "$NOW" "$T/hatch.lua" all_filter
for _ in $(seq 1 "$RUNS"); do
    segrt_run "$T/run" count --db "$STORE" --now "$NOW" "$T/hatch.lua" all_where
    base_ms+=("$RUN_MS")
    base_count=$(tr -d '[:space:]' <"$T/run")
    segrt_run "$T/run" count --db "$STORE" --now "$NOW" "$T/hatch.lua" all_filter
    hatch_ms+=("$RUN_MS")
    [ "$RUN_KIB" -le "$max_kib" ] || max_kib=$RUN_KIB
    hatch_count=$(tr -d '[:space:]' <"$T/run")
done
BASE_MS=$(median "${base_ms[@]}")
HATCH_MS=$(median "${hatch_ms[@]}")

# ---------------------------------------------------------------- report
# ratio DUCKDB_MS SEGRT_MS: the speed-up (segrt's time at least 1 µs)
ratio() {
    calc "$1 / ($2 > 0.001 ? $2 : 0.001)"
}

echo "## Segments (median of $RUNS; segrt = whole process and its evaluation alone,"
echo "## DuckDB = in-process query; speed-ups: DuckDB / process, DuckDB / evaluation)"
echo
printf '%-30s %8s %9s %9s %10s %8s %8s  %s\n' segment count "process" "eval" "DuckDB ms" \
    "vs proc" "vs eval" check
bad=0
log_sum=0
log_eval=0
n_ratio=0
for name in "${SEGMENTS[@]}"; do
    sc=${S_COUNT[$name]}
    dc=${D_COUNT[$name]:-}
    dm=${D_MS[$name]:-}
    check=-
    if [ -n "$dc" ]; then
        if [ "$sc" = "$dc" ]; then check=ok; else check="MISMATCH (expected $dc)"; bad=1; fi
    fi
    if [ -n "$dm" ]; then
        ratio=$(ratio "$dm" "${S_MS[$name]}")
        eratio=$(ratio "$dm" "${S_EVAL[$name]}")
        log_sum=$(calc "$log_sum + log($ratio)")
        log_eval=$(calc "$log_eval + log($eratio)")
        n_ratio=$((n_ratio + 1))
        printf '%-30s %8s %9.1f %9.1f %10.1f %7.2fx %7.2fx  %s\n' "$name" "$sc" "${S_MS[$name]}" \
            "${S_EVAL[$name]}" "$dm" "$ratio" "$eratio" "$check"
    else
        printf '%-30s %8s %9.1f %9.1f %10s %8s %8s  %s\n' "$name" "$sc" "${S_MS[$name]}" \
            "${S_EVAL[$name]}" - - - "$check"
    fi
done
echo
if [ "$n_ratio" -gt 0 ]; then
    printf 'geometric mean speed-up over %d segments: %.2fx (whole process), %.2fx (evaluation)\n' \
        "$n_ratio" "$(calc "exp($log_sum / $n_ratio)")" "$(calc "exp($log_eval / $n_ratio)")"
fi
printf 'segrt total of medians: %.1f ms' "$(for n in "${SEGMENTS[@]}"; do echo "${S_MS[$n]}"; done |
    awk '{ s += $1 } END { print s }')"
if [ "$n_ratio" -gt 0 ]; then
    printf '; DuckDB: %.1f ms' "$(for n in "${SEGMENTS[@]}"; do echo "${D_MS[$n]}"; done |
        awk '{ s += $1 } END { print s }')"
fi
echo
printf 'segrt max peak RSS: %.0f MiB\n' "$(calc "$max_kib / 1024")"
echo
if [ "$WARM" -eq 1 ]; then
    echo "## Warm: one process keeps the store and the script open (examples/bench_warm.c)"
    echo "## and evaluates each segment 1 + $RUNS times; median and min of the $RUNS timed"
    echo "## evaluations; DuckDB as above; speed-up = DuckDB / warm median"
    echo
    printf '%-30s %8s %9s %9s %10s %8s  %s\n' segment count "warm ms" "min ms" "DuckDB ms" \
        speed-up check
    log_warm=0
    for name in "${SEGMENTS[@]}"; do
        wc=${W_COUNT[$name]}
        dm=${D_MS[$name]:-}
        check=ok
        if [ "$wc" != "${S_COUNT[$name]}" ]; then
            check="MISMATCH (cold ${S_COUNT[$name]})"
            bad=1
        fi
        if [ -n "$dm" ]; then
            wratio=$(ratio "$dm" "${W_MS[$name]}")
            log_warm=$(calc "$log_warm + log($wratio)")
            printf '%-30s %8s %9.2f %9.2f %10.1f %7.2fx  %s\n' "$name" "$wc" "${W_MS[$name]}" \
                "${W_MIN[$name]}" "$dm" "$wratio" "$check"
        else
            printf '%-30s %8s %9.2f %9.2f %10s %8s  %s\n' "$name" "$wc" "${W_MS[$name]}" \
                "${W_MIN[$name]}" - - "$check"
        fi
    done
    echo
    if [ "$n_ratio" -gt 0 ]; then
        printf 'geometric mean speed-up over %d segments (warm): %.2fx\n' "$n_ratio" \
            "$(calc "exp($log_warm / $n_ratio)")"
    fi
    printf 'warm total of medians: %.1f ms\n' "$(for n in "${SEGMENTS[@]}"; do echo "${W_MS[$n]}"; done |
        awk '{ s += $1 } END { print s }')"
    printf 'warm process: peak RSS %.0f MiB, %.0f ms wall (open, load, %d evaluations)\n' \
        "$(calc "$WARM_KIB / 1024")" "$WARM_WALL_MS" "$(( ${#SEGMENTS[@]} * (RUNS + 1) ))"
    echo
fi
echo "## Filter hatch (where selects every contact)"
echo
printf 'where only:                    %9.1f ms  (%s members)\n' "$BASE_MS" "$base_count"
printf 'where + filter(c) return true: %9.1f ms  (%s members)  %.0f contacts/s\n' \
    "$HATCH_MS" "$hatch_count" "$(calc "$n_contacts / ($HATCH_MS / 1000)")"
if [ "$(calc "($HATCH_MS > 1.05 * $BASE_MS) ? 1 : 0")" = 1 ]; then  # else within noise
    printf 'filter cost alone:             %9.1f ms  %.0f contacts/s\n' \
        "$(calc "$HATCH_MS - $BASE_MS")" "$(calc "$n_contacts / (($HATCH_MS - $BASE_MS) / 1000)")"
fi
[ "$hatch_count" = "$n_contacts" ] || { echo "MISMATCH: the filter segment has $hatch_count members, the store $n_contacts contacts"; bad=1; }
echo
echo "load avg after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$bad" -eq 0 ] || exit 3
