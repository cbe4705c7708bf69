#!/usr/bin/env bash
# bench_serve.sh — segrt serve under load on the 1M-contact bench store, every
# bundled pack loaded (issue 14's targets): 8 clients posting batches of 1,000
# events as fast as they are acknowledged (events/s), then the same paced to
# 50,000 events/s while single-event POSTs and GET /v1/segments/NAME are timed
# in processes of their own (p50, p99), and the server's peak RSS.
#
# Run by hand, never by CI (the name is deliberately not test_*).
#
# Usage: tests/bench/bench_serve.sh [DATA_DIR] [--seconds N]
#   DATA_DIR   holds segrt.db (imported by bench_segments.sh) and events.csv
#              (default /tmp/crm1m). The store is copied: the run writes.
#   --seconds  length of each of the two loads (default 15)
# Environment: SEGRT, the segrt binary (default build-bench/segrt, a Release
# build made at the repository root when missing).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DATA_DIR=/tmp/crm1m
SECONDS_EACH=15
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) SECONDS_EACH=$2; shift 2 ;;
        -h | --help) sed -n 2,17p "$0"; exit 0 ;;
        *) DATA_DIR=$1; shift ;;
    esac
done
[ -d "$DATA_DIR/segrt.db" ] && [ -f "$DATA_DIR/events.csv" ] ||
    { echo "bench_serve: $DATA_DIR needs segrt.db and events.csv (run bench_segments.sh first)" >&2; exit 1; }
if [ -z "${SEGRT:-}" ]; then
    cmake -S "$repo" -B "$repo/build-bench" -DCMAKE_BUILD_TYPE=Release -DSEGRT_TESTS=OFF >/dev/null
    cmake --build "$repo/build-bench" -j2 --target segrt >/dev/null
    SEGRT=$repo/build-bench/segrt
fi

work=$(mktemp -d /tmp/bench-serve.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill -9 "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cp -r "$DATA_DIR/segrt.db" "$work/segrt.db"
token=bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf 'bench %s read,write\n' "$token" >"$work/tokens"
chmod 600 "$work/tokens"
packs=$("$SEGRT" packs | awk 'NR > 1 && NF >= 3 && $3 == "bundled" { print $1 }')

echo "store: $DATA_DIR/segrt.db (copied), packs: $(echo $packs | tr ' ' ',')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
"$SEGRT" serve --db "$work/segrt.db" --now 2026-01-01T00:00:00Z --token-file "$work/tokens" \
    --listen 127.0.0.1:0 $packs >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    grep -q "listening on" "$work/serve.log" && break
    sleep 0.1
done
url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/serve.log")
[ -n "$url" ] || { echo "bench_serve: the server did not start: $(cat "$work/serve.log")" >&2; exit 1; }
echo "server up in $(echo "$(date +%s.%N) - $t0" | bc) s: $(cat "$work/serve.log")"

echo
echo "## as fast as acknowledged"
python3 "$here/serve_load.py" "$url" "$token" "$DATA_DIR/events.csv" vip \
    --seconds "$SECONDS_EACH" --pid "$server"
echo
echo "## paced to 50,000 events/s (the latency targets: single POST p99 <= 10 ms, GET p99 <= 5 ms)"
python3 "$here/serve_load.py" "$url" "$token" "$DATA_DIR/events.csv" vip \
    --seconds "$SECONDS_EACH" --rate 50000 --years 2 --pid "$server"
kill -TERM "$server"
wait "$server" || { echo "bench_serve: the server did not stop cleanly" >&2; exit 1; }
server=
"$SEGRT" check --db "$work/segrt.db" >/dev/null && echo "segrt check: ok"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
