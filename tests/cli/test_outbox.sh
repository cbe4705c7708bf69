#!/usr/bin/env bash
# test_outbox.sh — segrt outbox's command line: --help, a missing store, bad
# options and environment, an empty outbox listed in both formats and
# delivered. The outbox with entries, listed and delivered to a webhook
# receiver, is tests/cli/test_outbox_deliver.c.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

printf 'id,email\nc1,c1@example.com\n' >"$T/c.csv"
segrt import --db "$T/db" --contacts "$T/c.csv" >/dev/null

run segrt outbox --help
assert_rc 0 "segrt outbox --help"
assert_contains "$T/out" "SEGRT_OUTBOX_BACKOFF_MS" "the help names the backoff variable"

run segrt outbox --db "$T/none"
assert_rc 1 "segrt outbox without a store"
assert_contains "$T/err" "no store here" "a missing store is named"

run segrt outbox --db "$T/db" --format xml
assert_rc 2 "--format xml"
assert_contains "$T/err" "--format 'xml' is not text or jsonl" "a bad format is named"

run segrt outbox --db "$T/db" --deliver --format jsonl
assert_rc 2 "--deliver with --format"
assert_contains "$T/err" "give one" "--deliver and --format exclude each other"

run segrt outbox --db "$T/db" extra
assert_rc 2 "an argument"

# An empty outbox: the header only, no JSON lines, nothing to deliver.
run segrt outbox --db "$T/db"
assert_rc 0 "listing an empty outbox"
assert_eq "$(cat "$T/out")" "$(printf 'seq\tkey\tsegment\tcontact\tevent\tat\tattempts\tnext_attempt\tstate\twebhook\tlast_error')" "an empty outbox lists its header"
run segrt outbox --db "$T/db" --format jsonl
assert_rc 0 "listing an empty outbox as JSON lines"
assert_eq "$(wc -c <"$T/out")" "0" "an empty outbox has no JSON lines"
run segrt outbox --db "$T/db" --deliver
assert_rc 0 "delivering an empty outbox"
assert_contains "$T/err" "0 delivered, 0 failed" "delivering an empty outbox says so"

# The retry settings from the environment are checked before anything is sent.
for bad in abc 0 -5 100,x 100, ,100 "100,200,300" " 100" 99999999999; do
    SEGRT_OUTBOX_BACKOFF_MS=$bad run segrt outbox --db "$T/db" --deliver
    assert_rc 2 "SEGRT_OUTBOX_BACKOFF_MS='$bad'"
    assert_contains "$T/err" "SEGRT_OUTBOX_BACKOFF_MS '$bad' is not BASE[,CAP]" "'$bad' is named"
done
for bad in x -1 1.5; do
    SEGRT_OUTBOX_MAX_ATTEMPTS=$bad run segrt outbox --db "$T/db" --deliver
    assert_rc 2 "SEGRT_OUTBOX_MAX_ATTEMPTS='$bad'"
    assert_contains "$T/err" "SEGRT_OUTBOX_MAX_ATTEMPTS '$bad' is not a count" "'$bad' is named"
done
SEGRT_OUTBOX_BACKOFF_MS=50,2000 SEGRT_OUTBOX_MAX_ATTEMPTS=3 run segrt outbox --db "$T/db" --deliver
assert_rc 0 "good retry settings"

# The store stays sound.
run segrt check --db "$T/db"
assert_rc 0 "segrt check after the outbox commands"
finish
