#!/usr/bin/env bash
# bench_sql.sh — per-segment times of S1–S12 (examples/bench_segments.lua) in
# segrt and, rendered by `segrt sql`, in DuckDB, PostgreSQL 15 and a two-shard
# ClickHouse 18.16 cluster on loopback, side by side on one store's dump.
#
# Run by hand, never by CI (the name is deliberately not test_*).
#
# Usage: tests/bench/bench_sql.sh [STORE]
#
#   STORE   a segrt store of the bench data (default /tmp/crm1m/segrt.db)
#
# Environment: SEGRT (a segrt binary; default: a Release build in build-bench/),
# ANCHORS_DIR (DuckDB's npm module, default /tmp/segrt-anchors), PG_BIN
# (default /usr/lib/postgresql/15/bin), TMPDIR (the dumps, DuckDB in memory,
# a PostgreSQL cluster as nobody when run as root, the ClickHouse servers;
# removed at exit).
#
# Each engine counts each query's rows twice; the second time is reported (warm).
# NOW is 2026-01-01T00:00:00Z, the anchors' reference time.
set -euo pipefail

USAGE_LINES=7,15
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"
# shellcheck source=../cli/ch_cluster.sh
. "$(dirname "$0")/../cli/ch_cluster.sh"

[ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ] && usage 0
STORE=${1:-/tmp/crm1m/segrt.db}
NOW=2026-01-01T00:00:00Z
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
shared_bench_locate
[ -d "$STORE" ] || die "no store at $STORE"
need node "DuckDB runs through node (npm @duckdb/node-api)"
[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 not found in $PG_BIN"
W=$(mktemp -d "${TMPDIR:-/tmp}/bench-sql.XXXXXX")
as_pg=()
[ "$(id -u)" -ne 0 ] || { as_pg=(runuser -u nobody --); chmod 711 "$W"; }
mkdir "$W/pg"
[ ${#as_pg[@]} -eq 0 ] || chown nobody "$W/pg"
stop() {
    [ ! -d "$W/pg/data" ] || "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$W/pg/data" -m fast stop >/dev/null 2>&1 || true
    ch_cluster_stop
    rm -rf "$W"
}
trap stop EXIT
segrt_binary "$W"
duckdb_setup "$ANCHORS_DIR" "$W/npm.log"
LUA=$REPO/examples/bench_segments.lua
S() { "$SEGRT" "$@"; }

t0=$(date +%s.%N)
S dump --db "$STORE" --now "$NOW" --format csv "$W/dump" 2>"$W/dump.log" || die "dump: $(cat "$W/dump.log")"
echo "dump: $(calc "$(date +%s.%N) - $t0") s ($(cat "$W/dump.log"))"
S dump --db "$STORE" --now "$NOW" --format jsonl "$W/dumpj" 2>/dev/null || die "dump --format jsonl failed"
for d in duckdb postgres clickhouse; do
    { S sql --db "$STORE" --dialect $d --ddl && S sql --db "$STORE" --dialect $d --load "$W/dump"; } >"$W/$d.setup.sql"
    S sql --db "$STORE" --now "$NOW" --dialect $d "$LUA" >"$W/$d.q.sql"
done

ch_cluster_start "$W" || die "the ClickHouse cluster did not start"
S sql --db "$STORE" --dialect clickhouse --ddl --cluster two >"$W/ch.ddl"
for port in "$CH1" "$CH2"; do ch "$port" -n <"$W/ch.ddl" || die "ClickHouse DDL failed"; done
S sql --db "$STORE" --dialect clickhouse --load "$W/dumpj" >"$W/ch.load"
t0=$(date +%s.%N)
ch_cluster_load "$W/dumpj" "$W/ch.load" || die "loading ClickHouse failed"
echo "ClickHouse load: $(calc "$(date +%s.%N) - $t0") s (both shards)"
awk '/^-- segment: / { name = $3; next } { q = q $0 "\n" }
     /;$/ { sub(/;\n$/, "", q); f = dir "/chq." name; printf "SELECT count() FROM (%s)", q > f; close(f); q = "" }' \
    dir="$W" "$W/clickhouse.q.sql"
for f in "$W"/chq.*; do
    name=${f#"$W"/chq.}
    for _ in 1 2; do ch "$CH1" -t <"$f" >"$W/ch.n" 2>"$W/ch.t" || die "ClickHouse: $name: $(head -c 300 "$W/ch.t")"; done
    echo "$name $(cat "$W/ch.n") $(awk '{ printf "%.1f", $1 * 1000 }' "$W/ch.t")"
done | sort -V >"$W/ch.times"

"${as_pg[@]}" "$PG_BIN/initdb" -D "$W/pg/data" -A trust -U segrt --no-sync >"$W/initdb.log" 2>&1 ||
    die "initdb: $(tail -5 "$W/initdb.log")"
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w \
    -o "-k $W/pg -c listen_addresses='' -c fsync=off -c shared_buffers=2GB -c work_mem=256MB -c max_parallel_workers_per_gather=2" \
    start >/dev/null || die "pg_ctl: $(tail -5 "$W/pg/log")"
pg() { psql -h "$W/pg" -U segrt -d postgres -v ON_ERROR_STOP=1 -q -At "$@"; }
t0=$(date +%s.%N)
pg -f "$W/postgres.setup.sql" -c "VACUUM ANALYZE" >/dev/null
echo "PostgreSQL load: $(calc "$(date +%s.%N) - $t0") s"

# each query twice (count only), \timing's second figure per segment
awk '/^-- segment: / { name = $3; next }
     /^WITH/ { q = "" } { q = q $0 "\n" }
     /;$/ { sub(/;\n$/, "", q); for (i = 0; i < 2; i++) printf "\\echo %s\nSELECT count(*) FROM (%s) x;\n", name, q }' \
    "$W/postgres.q.sql" >"$W/pg.run"
pg -f <(echo '\timing on'; cat "$W/pg.run") | awk '
    /^S[0-9]+_/ { name = $1; next }
    /^Time: / { ms[name] = $2; next }
    /^[0-9]+$/ { n[name] = $1 }
    END { for (k in ms) print k, n[k], ms[k] }' | sort -V >"$W/pg.times"

awk '/^-- segment: / { hdr = $0; next } { q = q $0 "\n" }
     /;$/ { sub(/;\n$/, "", q); for (i = 0; i < 2; i++) printf "%s\nSELECT count(*) FROM (%s) x;\n", hdr, q; q = "" }' \
    "$W/duckdb.q.sql" >"$W/duck.run"
node "$REPO/tests/cli/sql_duckdb.mjs" "$ANCHORS_DIR" --times "$W/duckdb.setup.sql" "$W/duck.run" >"$W/duck.out"
echo "DuckDB load: $(awk -F'\t' '$1 == "(setup)" { s += $3 } END { printf "%.1f", s / 1000 }' "$W/duck.out") s"
awk -F'\t' '$1 != "(setup)" { t[$1] = $3 } END { for (k in t) print k, t[k] }' "$W/duck.out" |
    sort -V >"$W/duck.times"

printf '%-30s %9s %10s %10s %12s %14s\n' segment members segrt_ms duckdb_ms postgres_ms clickhouse_ms
while read -r name dms; do
    S count --db "$STORE" --now "$NOW" --time "$LUA" "$name" >/dev/null 2>&1
    out=$(S count --db "$STORE" --now "$NOW" --time "$LUA" "$name" 2>&1 >/dev/null)
    sms=$(sed -n 's/.* in \([0-9.]*\) ms/\1/p' <<<"$out")
    n=$(awk -v k="$name" '$1 == k { print $2 }' "$W/pg.times")
    pms=$(awk -v k="$name" '$1 == k { print $3 }' "$W/pg.times")
    cms=$(awk -v k="$name" '$1 == k { print $3 }' "$W/ch.times")
    [ "$(awk -v k="$name" '$1 == k { print $2 }' "$W/ch.times")" = "$n" ] || cms="$cms (count differs)"
    printf '%-30s %9s %10s %10s %12s %14s\n' "$name" "$n" "$sms" "$dms" "$pms" "$cms"
done <"$W/duck.times"
