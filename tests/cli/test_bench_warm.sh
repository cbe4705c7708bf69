#!/usr/bin/env bash
# test_bench_warm.sh — the warm benchmark program (examples/bench_warm.c,
# run by tests/bench/bench_segments.sh) keeps working: on a small store of
# gen_crm.py data it prints one well-formed line per segment whose count is
# `segrt count`'s, and it fails cleanly on bad usage, a missing store, a bad
# script and an unknown segment. No timing is checked.
#
# SEGRT_BENCH_WARM is the program (default: segrt_bench_warm_example beside SEGRT).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
LUA=$REPO/examples/bench_segments.lua
NOW=2026-01-01T00:00:00Z
WARM=${SEGRT_BENCH_WARM:-$(dirname "$SEGRT")/segrt_bench_warm_example}
[ -x "$WARM" ] || fail "warm program not found at $WARM"

python3 "$SHARED_BENCH/gen_crm.py" --contacts 2000 --seed 7 --out "$T/crm" >/dev/null
run segrt import --db "$T/db" --contacts "$T/crm/contacts.csv" --events "$T/crm/events.csv" \
    --consents "$T/crm/consents.csv"
assert_rc 0 "import of 2000 generated contacts"

# --- Every segment of the script, in its order, with segrt count's count.
run "$WARM" --runs 3 --warmup 1 --now "$NOW" "$T/db" "$LUA"
assert_rc 0 "warm run of every segment"
cp "$T/out" "$T/all"
head -n 1 "$T/all" | grep -q '^# segment count median_ms min_ms max_ms (3 runs after 1 warm-up)$' ||
    fail "header line: $(head -n 1 "$T/all")"
ok
expected=$(sed -n 's/^seg.segment "\([^"]*\)".*/\1/p' "$LUA")
assert_eq "$(grep -v '^#' "$T/all" | cut -d' ' -f1)" "$expected" "segments and their order"
nonzero=0
while read -r name count med min max; do
    [[ "$count" =~ ^[0-9]+$ ]] || fail "$name: count '$count'"
    awk -v a="$min" -v b="$med" -v c="$max" 'BEGIN { exit !(0 <= a && a <= b && b <= c) }' ||
        fail "$name: expected min <= median <= max, got $min $med $max"
    assert_eq "$count" "$(segrt count --db "$T/db" --now "$NOW" "$LUA" "$name")" \
        "$name: warm count against segrt count"
    [ "$count" = 0 ] || nonzero=$((nonzero + 1))
done < <(grep -v '^#' "$T/all")
[ "$nonzero" -ge 10 ] || fail "only $nonzero segments have members: the data set is too small"
ok

# --- Named segments only, in the order given; no warm-up; NOW as a date.
run "$WARM" --runs 1 --warmup 0 --now 2026-01-01 "$T/db" "$LUA" S10_young_families S1_vip
assert_rc 0 "warm run of two named segments"
assert_eq "$(grep -v '^#' "$T/out" | cut -d' ' -f1,2)" \
    "$(grep '^S10_young_families ' "$T/all" | cut -d' ' -f1,2)
$(grep '^S1_vip ' "$T/all" | cut -d' ' -f1,2)" "two named segments, their counts"

# --- A different NOW gives the counts segrt count gives at that NOW.
run "$WARM" --runs 2 --now 2025-06-01T00:00:00Z "$T/db" "$LUA" S3_inactive_customers_90d
assert_rc 0 "warm run at another NOW"
assert_eq "$(grep -v '^#' "$T/out" | cut -d' ' -f2)" \
    "$(segrt count --db "$T/db" --now 2025-06-01T00:00:00Z "$LUA" S3_inactive_customers_90d)" \
    "count at another NOW"

# --- The store is opened read-only: its data file is left as it was.
sum_before=$(cksum <"$T/db/data.mdb")
run "$WARM" --runs 1 --now "$NOW" "$T/db" "$LUA" S9_lost_on_price
assert_rc 0 "warm run of one segment"
assert_eq "$(cksum <"$T/db/data.mdb")" "$sum_before" "data.mdb unchanged by a warm run"

# --- Usage errors: exit 2 and the usage line.
for args in "" "$T/db" "--runs 0 $T/db $LUA" "--runs x $T/db $LUA" "--runs $T/db $LUA" \
    "--warmup -1 $T/db $LUA" "--now yesterday $T/db $LUA" "--now" "--frobnicate $T/db $LUA"; do
    # shellcheck disable=SC2086  # the words of args are the arguments
    run "$WARM" $args
    assert_rc 2 "usage error: '$args'"
    assert_contains "$T/err" "usage: bench_warm" "usage line for '$args'"
done

# --- Failures: exit 1 with a message.
run "$WARM" --now "$NOW" "$T/nothing" "$LUA"
assert_rc 1 "missing store"
assert_contains "$T/err" "bench_warm: $T/nothing" "missing store message"

run "$WARM" --now "$NOW" "$T/db" "$T/nothing.lua"
assert_rc 1 "missing script"
assert_contains "$T/err" "nothing.lua" "missing script message"

printf 'local seg = require "segrt"\nseg.segment "bad" { where = seg.F.no_such_field:eq "x" }\n' \
    >"$T/bad.lua"
run "$WARM" --runs 1 --now "$NOW" "$T/db" "$T/bad.lua"
assert_rc 1 "segment over an unknown field"
assert_contains "$T/err" "no_such_field" "unknown field message"

printf 'local seg = require "segrt"\n' >"$T/empty.lua"
run "$WARM" --now "$NOW" "$T/db" "$T/empty.lua"
assert_rc 1 "script without segments"
assert_contains "$T/err" "defines no segments" "no segments message"

run "$WARM" --runs 1 --now "$NOW" "$T/db" "$LUA" S1_vip S1_vipp
assert_rc 1 "unknown segment"
assert_contains "$T/err" "bench_warm: S1_vipp: unknown segment 'S1_vipp'" "unknown segment message"
assert_contains "$T/out" "S1_vip " "the segment before the unknown one is printed"

finish
