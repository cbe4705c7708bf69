#!/usr/bin/env bash
# test_changes.sh — segrt changes: who entered and who left a segment since
# a stored run. On the demo store, three `segrt run`s at different NOWs,
# with new contacts, moved contacts and new purchases imported between
# them; after each run `segrt members` at that NOW is saved, and the changes
# since run 1 and run 2 (by number and by time) must equal the set
# differences of those lists computed with comm. Then an erased contact
# disappears from every answer, the JSON lines say the same as the CSV,
# and unknown segments, runs that do not exist, a time before the first
# run and bad options get clear errors.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export LC_ALL=C # comm and sort in byte order, as segrt sorts ids

S=$T/demo
NOW1=2025-11-01T00:00:00Z
NOW2=2025-12-01T00:00:00Z
NOW3=2026-01-01T00:00:00Z

run segrt demo --db "$S" --now "$NOW3"
assert_rc 0 "demo store"

cat >"$T/sync.lua" <<'LUA'
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days
seg.segment "recent" { where = E.purchase:within(days(30)):exists() }
seg.segment "maz_mail" { where = F.region:eq "mazowieckie", purpose = "email_marketing" }
LUA
SEGMENTS="recent maz_mail"

# After run k: what `segrt members` says at NOW_k, per segment.
snapshot() {
    local k=$1 now=$2 seg
    run segrt run --db "$S" --now "$now" "$T/sync.lua"
    assert_rc 0 "run $k"
    for seg in $SEGMENTS; do
        segrt members --db "$S" --now "$now" "$T/sync.lua" "$seg" >"$T/m$k.$seg"
    done
}

snapshot 1 "$NOW1"
# Between runs 1 and 2: new contacts (some in mazowieckie, with consent and a
# purchase), five contacts moved to mazowieckie and five moved out.
python3 - "$T" <<'PY'
import csv, os, sys
d = sys.argv[1]
with open(os.path.join(d, 'new_contacts.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['id', 'email', 'region'])
    for i in range(40):
        w.writerow(['n%03d' % i, 'n%03d@example.com' % i, 'mazowieckie' if i % 2 else 'pomorskie'])
with open(os.path.join(d, 'new_events.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['contact_id', 'ts', 'type', 'amount'])
    for i in range(0, 40, 3):
        w.writerow(['n%03d' % i, '2025-11-20T10:00:00Z', 'purchase', '12.50'])
with open(os.path.join(d, 'new_consents.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['contact_id', 'purpose', 'status', 'legal_basis', 'ts'])
    for i in range(0, 40, 2):
        w.writerow(['n%03d' % (i + 1), 'email_marketing', 'granted', 'consent', '2025-11-10T00:00:00Z'])
PY
segrt members --db "$S" --now "$NOW1" --purpose email_marketing "$T/sync.lua" recent >"$T/consenting"
head -5 "$T/consenting" | awk 'BEGIN { print "id,region" } { print $1 ",mazowieckie" }' >"$T/moved_in.csv"
head -5 "$T/m1.maz_mail" | awk 'BEGIN { print "id,region" } { print $1 ",slaskie" }' >"$T/moved_out.csv"
for f in new_contacts moved_in moved_out; do
    run segrt import --db "$S" --contacts "$T/$f.csv"
    assert_rc 0 "import $f"
done
run segrt import --db "$S" --events "$T/new_events.csv" --consents "$T/new_consents.csv"
assert_rc 0 "import events and consents"
snapshot 2 "$NOW2"
snapshot 3 "$NOW3"

# The independent answer: entered = later \ earlier, left = earlier \ later, merged by id.
expected() {
    local from=$1 to=$2 seg=$3
    {
        comm -13 "$T/m$from.$seg" "$T/m$to.$seg" | sed 's/^/entered,/'
        comm -23 "$T/m$from.$seg" "$T/m$to.$seg" | sed 's/^/left,/'
    } | sort -t, -k2,2 | cut -d, -f1,2
}

for seg in $SEGMENTS; do
    for from in 1 2 3; do
        run segrt changes --db "$S" --since-run "$from" "$T/sync.lua" "$seg"
        assert_rc 0 "changes $seg since run $from"
        assert_eq "$(head -1 "$T/out")" "change,id,email" "csv header"
        tail -n +2 "$T/out" | cut -d, -f1,2 >"$T/got"
        expected "$from" 3 "$seg" >"$T/want"
        cmp -s "$T/got" "$T/want" || fail "changes $seg since run $from differ from comm: $(diff "$T/got" "$T/want" | head -5)"
        ok
        assert_contains "$T/err" "'$seg' from run $from" "summary"
    done
    [ -n "$(expected 2 3 "$seg")" ] || fail "$seg: no change between runs 2 and 3 to compare"
    [ -z "$(expected 3 3 "$seg")" ] || fail "$seg: the model sees changes since the last run"
done
# the runs really moved: the new contacts and the moved ones are among the changes
run segrt changes --db "$S" --since-run 1 "$T/sync.lua" maz_mail
assert_contains "$T/out" "entered,n001,n001@example.com" "a new consenting contact entered"
assert_contains "$T/out" "left,$(head -1 "$T/m1.maz_mail")," "a moved contact left"
assert_not_contains "$T/out" "n000" "a new contact outside mazowieckie"
cp "$T/out" "$T/maz_since1.csv"

# --since T picks the last run at or before T.
run segrt changes --db "$S" --since 2025-12-15T00:00:00Z "$T/sync.lua" recent
assert_rc 0 "--since between runs 2 and 3"
tail -n +2 "$T/out" | cut -d, -f1,2 >"$T/got"
expected 2 3 recent >"$T/want"
cmp -s "$T/got" "$T/want" || fail "--since 2025-12-15 is not the changes since run 2"
ok
run segrt changes --db "$S" --since "$NOW1" "$T/sync.lua" recent
tail -n +2 "$T/out" | cut -d, -f1,2 >"$T/got"
expected 1 3 recent >"$T/want"
cmp -s "$T/got" "$T/want" || fail "--since NOW1 (a run's own NOW) is not the changes since run 1"
ok

# JSON lines: the same changes.
run segrt changes --db "$S" --since-run 1 --format jsonl "$T/sync.lua" maz_mail
assert_rc 0 "jsonl"
python3 - "$T/out" "$T/maz_since1.csv" <<'PY' || fail "jsonl differs from csv"
import csv, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
rows = list(csv.DictReader(open(sys.argv[2], newline='')))
assert [list(g) for g in got] == [['change', 'id', 'email']] * len(got)
assert [(g['change'], g['id'], g['email'] or '') for g in got] == \
       [(r['change'], r['id'], r['email']) for r in rows], 'different changes'
PY
ok

# Erasure: an entered and a left contact vanish from every answer; the rest stays.
in_id=$(grep -m1 '^entered,' "$T/maz_since1.csv" | cut -d, -f2)
out_id=$(grep -m1 '^left,' "$T/maz_since1.csv" | cut -d, -f2)
for id in "$in_id" "$out_id"; do
    run segrt erase --db "$S" "$id"
    assert_rc 0 "erase $id"
done
for from in 1 2; do
    run segrt changes --db "$S" --since-run "$from" "$T/sync.lua" maz_mail
    assert_rc 0 "changes after erasure"
    assert_not_contains "$T/out" ",$in_id," "erased (entered) contact"
    assert_not_contains "$T/out" ",$out_id," "erased (left) contact"
done
grep -v -e ",$in_id," -e ",$out_id," "$T/maz_since1.csv" >"$T/want"
run segrt changes --db "$S" --since-run 1 "$T/sync.lua" maz_mail
cmp -s "$T/out" "$T/want" || fail "erasure changed more than the erased contacts"
ok
run segrt check --db "$S"
assert_rc 0 "store consistent after erasure"

# Errors.
run segrt changes --db "$S" --since-run 9 "$T/sync.lua" recent
assert_rc 1 "a run that does not exist"
assert_contains "$T/err" "segment 'recent' has no run 9 (its runs: 1-3)" "run message"
assert_eq "$(wc -c <"$T/out")" "0" "nothing printed on an error"
run segrt changes --db "$S" --since 2025-01-01 "$T/sync.lua" recent
assert_rc 1 "a time before the first run"
assert_contains "$T/err" "has no run at or before 2025-01-01T00:00:00Z (its earliest is run 1 at $NOW1)" \
    "time message"
run segrt changes --db "$S" --since-run 1 "$T/sync.lua" recnt
assert_rc 1 "unknown segment"
assert_contains "$T/err" "unknown segment 'recnt'" "unknown segment"
assert_contains "$T/err" "(did you mean 'recent'?)" "segment hint"
echo 'seg.segment "later" { }' >>"$T/sync.lua"
run segrt changes --db "$S" --since-run 1 "$T/sync.lua" later
assert_rc 1 "a segment never run"
assert_contains "$T/err" "segment 'later' has no stored runs yet" "never-run message"
run segrt changes --db "$S" "$T/sync.lua" recent
assert_rc 2 "neither --since-run nor --since"
run segrt changes --db "$S" --since-run 1 --since "$NOW1" "$T/sync.lua" recent
assert_rc 2 "both --since-run and --since"
run segrt changes --db "$S" --since-run x1 "$T/sync.lua" recent
assert_rc 2 "bad run number"
run segrt changes --db "$S" --since 2025-13-01 "$T/sync.lua" recent
assert_rc 2 "bad time"
run segrt changes --db "$S" --since-run 1 --format xml "$T/sync.lua" recent
assert_rc 2 "bad format"
run segrt changes --help
assert_rc 0 "--help"
assert_contains "$T/out" "(--since-run N | --since T)" "usage"
finish
