#!/usr/bin/env bash
# test_reader_consistency.sh — readers see whole batches only.
#
# segrt import commits every --batch N rows in one LMDB write transaction.
# A reader (segrt stats, segrt check) running at the same time sees a committed
# snapshot: the contacts count is always a multiple of N (or the final total),
# never decreases, and the snapshot passes the integrity check.
#
# The first attempt uses 20 000 contacts with --batch 1000; if the import is
# too fast for the reader loop to see a few intermediate counts, the test
# retries with 200 000 contacts and --batch 10000.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MIN_INTERMEDIATE=3

# attempt CONTACTS BATCH: run the import with a concurrent reader loop; leaves
# the observed counts in $T/seen; sets INTERMEDIATE (distinct counts strictly
# between 0 and the total).
attempt() {
    local n=$1 batch=$2 d=$T/d$1 s=$T/s$1
    python3 "$SHARED_BENCH/gen_crm.py" --contacts "$n" --events-per-contact 0 --out "$d" >/dev/null
    # An empty store first, so that every reader finds one.
    head -n1 "$d/contacts.csv" >"$T/header.csv"
    run segrt import --db "$s" --contacts "$T/header.csv"
    assert_rc 0 "creating an empty store"

    : >"$T/seen"
    : >"$T/reader.err"
    segrt import --db "$s" --batch "$batch" --contacts "$d/contacts.csv" >"$T/imp.out" 2>"$T/imp.err" &
    local pid=$! i=0 rc
    track_bg "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if ! segrt stats --db "$s" >"$T/st" 2>>"$T/reader.err"; then
            echo "segrt stats failed during the import" >>"$T/reader.err"
            break
        fi
        awk '$1 == "contacts" { print $2 }' "$T/st" >>"$T/seen"
        # Every 4th round, the whole snapshot must pass the integrity check.
        if [ $((i % 4)) -eq 0 ] && ! segrt check --db "$s" >>"$T/reader.err" 2>&1; then
            echo "segrt check failed during the import" >>"$T/reader.err"
            break
        fi
    done
    rc=0
    wait "$pid" || rc=$?
    untrack_bg "$pid"
    [ "$rc" -eq 0 ] || fail "import of $n contacts failed (exit $rc): $(cat "$T/imp.err")"
    ok
    if grep -q failed "$T/reader.err"; then
        fail "a reader failed while the import ran: $(head -c 2000 "$T/reader.err")"
    fi
    ok
    segrt stats --db "$s" >>"$T/st.final"
    assert_eq "$(stat_of "$T/st.final" contacts)" "$n" "contacts after the import"
    rm -f "$T/st.final"

    # Whole batches only, in commit order.
    local prev=0 v bad=""
    while read -r v; do
        if [ $((v % batch)) -ne 0 ] && [ "$v" -ne "$n" ]; then
            bad="$bad $v"
        fi
        if [ "$v" -lt "$prev" ]; then
            fail "a reader saw the contacts count go down from $prev to $v"
        fi
        prev=$v
    done <"$T/seen"
    [ -z "$bad" ] || fail "readers saw counts that are not whole batches of $batch:$bad"
    ok
    [ -s "$T/seen" ] || fail "the reader loop made no observation"
    ok
    INTERMEDIATE=$(awk -v n="$n" '$1 > 0 && $1 < n' "$T/seen" | sort -un | wc -l)
    echo "$n contacts, --batch $batch: $(wc -l <"$T/seen") reads, $INTERMEDIATE distinct" \
        "intermediate counts: $(sort -un "$T/seen" | tr '\n' ' ')" >&2
}

attempt 20000 1000
if [ "$INTERMEDIATE" -lt "$MIN_INTERMEDIATE" ]; then
    echo "too few intermediate counts with 20 000 contacts; retrying with 200 000" >&2
    attempt 200000 10000
fi
[ "$INTERMEDIATE" -ge "$MIN_INTERMEDIATE" ] ||
    fail "the readers saw only $INTERMEDIATE intermediate counts (want $MIN_INTERMEDIATE)"
ok

finish
