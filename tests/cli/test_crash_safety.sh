#!/usr/bin/env bash
# test_crash_safety.sh — an import killed with SIGKILL at random moments
# leaves a store that opens and passes `segrt check`, and re-running the import
# to completion gives exactly the store an uninterrupted import gives.
#
# segrt commits an import in batches (one LMDB write transaction each); a kill
# loses at most the batch in flight, and a re-run converges because contacts
# upsert by id and events and consent records are idempotent (SPEC §2).
#
# The kill moments are random fractions of the uninterrupted run time; they
# are printed, and CRASH_SEED=N replays a run's choice of fractions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BATCH=20000
KILLS=6            # wanted kills that hit a running import (at least 4)
SEED=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "crash seed $SEED (CRASH_SEED=$SEED replays the kill fractions)" >&2

D=$T/d
python3 "$SHARED_BENCH/gen_crm.py" --contacts 100000 --out "$D" >/dev/null
FILES=(--contacts "$D/contacts.csv" --events "$D/events.csv" --consents "$D/consents.csv")

now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# --- Reference: an uninterrupted import into a fresh store, timed.
t0=$(now_ms)
run segrt import --db "$T/ref" --batch "$BATCH" "${FILES[@]}"
assert_rc 0 "uninterrupted import"
DUR=$(( $(now_ms) - t0 ))
counts_of "$T/ref" >"$T/ref.stats"
assert_eq "$(stat_of "$T/ref.stats" contacts)" 100000 "contacts of the uninterrupted import"
echo "uninterrupted import: ${DUR} ms" >&2

# --- Kill imports into one store at random moments; after each kill the store
# opens, passes the integrity check and holds only whole contact batches.
S=$T/crash
after_kill() {
    run segrt check --db "$S"
    assert_rc 0 "segrt check after kill $1 (at $2)"
    assert_eq "$(cat "$T/out")" ok "segrt check output after kill $1"
    run segrt stats --db "$S"
    assert_rc 0 "segrt stats after kill $1"
    c=$(stat_of "$T/out" contacts)
    [ $((c % BATCH)) -eq 0 ] && [ "$c" -le 100000 ] ||
        fail "after kill $1 the store holds $c contacts: not whole batches of $BATCH"
    ok
}
kill_repeatedly "$KILLS" "$DUR" after_kill "$SEGRT" import --db "$S" --batch "$BATCH" "${FILES[@]}"

# --- Re-run the import to completion: the store equals the reference.
run segrt import --db "$S" --batch "$BATCH" "${FILES[@]}"
assert_rc 0 "import re-run after $KILLS kills"
counts_of "$S" >"$T/crash.stats"
cmp -s "$T/ref.stats" "$T/crash.stats" ||
    fail "stats after kills and a re-run differ from an uninterrupted import:
$(diff "$T/ref.stats" "$T/crash.stats")"
ok
for key in contacts events consents; do
    assert_eq "$(stat_of "$T/crash.stats" "$key")" "$(stat_of "$T/ref.stats" "$key")" \
        "$key after kills and a re-run"
done
# A sample of contacts export the same as in the reference store.
for id in c0000001 c0033333 c0066666 c0100000; do
    a=$(segrt export --db "$T/ref" --now 2026-01-01T00:00:00Z "$id")
    b=$(segrt export --db "$S" --now 2026-01-01T00:00:00Z "$id")
    [ "$a" == "$b" ] || fail "export of $id differs between the reference and the crashed store:
$(diff <(echo "$a") <(echo "$b") | head -20)"
    ok
done
run segrt check --db "$S"
assert_rc 0 "segrt check after the re-run"
assert_eq "$(cat "$T/out")" ok "segrt check output after the re-run"

finish
