#!/usr/bin/env bash
# bench_live.sh — the real-time path: events/s through examples/embed.c with
# every bundled pack loaded (41 segments), and the time of one membership
# test (segrt_live_contains), on a copy of the `segrt demo` store.
#
# Usage: tests/bench/bench_live.sh [BUILD_DIR] [--events N] [--runs R]
#   BUILD_DIR defaults to ./build (segrt and segrt_embed_example in it).
#   N random events (default 200000) of the demo's types for random contacts
#   are streamed in batches of 1000 and, for a tenth of them, one at a time
#   (each its own commit). Medians of R runs (default 3), each on a fresh copy.
# Target (issue 7): >= 100,000 events/s with all packs; a membership test < 20 us.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
USAGE_LINES=2,11
. "$HERE/bench_lib.sh"
BUILD=build EVENTS=200000 RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    -*) usage ;;
    *) BUILD=$1; shift ;;
    esac
done
EMBED=$BUILD/segrt_embed_example
[ -x "$BUILD/segrt" ] && [ -x "$EMBED" ] || die "build segrt first (no $EMBED)"
NOW=2026-11-30T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$BUILD/segrt" demo --db "$T/demo" --now "$NOW" >/dev/null
cat >"$T/all_packs.lua" <<'LUA'
for _, p in ipairs { "ecommerce_coffee", "saas", "fitness", "b2b_sales", "retail_regional",
                     "food_delivery", "rfm_lifecycle" } do
  require("packs." .. p)
end
LUA
python3 - "$EVENTS" >"$T/events.jsonl" <<'PY'
import random, sys
r = random.Random(5)
types = [("purchase", "coffee_beans"), ("purchase", "grinder"), ("purchase", "vegan"),
         ("login", ""), ("page_view", "pricing"), ("card_scan", ""),
         ("class_attended", "yoga"), ("email_open", "")]
for i in range(int(sys.argv[1])):
    t, c = r.choice(types)
    cat = ',"category":"%s"' % c if c else ''
    print('{"contact_id":"c%07d","ts":"2026-11-%02dT%02d:%02d:00Z","type":"%s","amount":%d.50%s}'
          % (r.randint(1, 20000), r.randint(1, 29), r.randint(0, 23), r.randint(0, 59), t,
             r.randint(1, 300), cat))
PY
head -n $((EVENTS / 10)) "$T/events.jsonl" >"$T/events_one.jsonl"

# run BATCH FILE -> "events_per_s membership_us"
run() {
    rm -rf "$T/db" && cp -r "$T/demo" "$T/db"
    "$EMBED" --batch "$1" --stats "$T/db" "$T/all_packs.lua" "$NOW" <"$2" >/dev/null 2>"$T/stats"
    awk '/events\/s/ { e = $(NF - 5) } /membership test/ { m = $3 } END { print e, m }' "$T/stats"
}

for batch in 1000 1; do
    file=$T/events.jsonl
    [ "$batch" = 1 ] && file=$T/events_one.jsonl
    rates=() tests=()
    for _ in $(seq "$RUNS"); do
        read -r rate us < <(run "$batch" "$file")
        rates+=("$rate") tests+=("$us")
    done
    printf 'batch %-5s %8s events  %9.0f events/s  membership test %s us  (median of %s)\n' \
        "$batch" "$(wc -l <"$file")" "$(median "${rates[@]}")" "$(median "${tests[@]}")" "$RUNS"
done
