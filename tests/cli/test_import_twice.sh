#!/usr/bin/env bash
# test_import_twice.sh — re-imports are idempotent (SPEC §2: "Importing the
# same file twice leaves the store as one import did").
#
# Contacts upsert by id; an event without event_id is the same event as an
# identical stored one; an event_id makes the re-import idempotent by id, and a
# changed event with a known event_id replaces the old one; consent records
# already held are not added again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
D=$T/d
python3 "$SHARED_BENCH/gen_crm.py" --contacts 5000 --out "$D" >/dev/null

# The stats without the store sizes, which may legitimately change.
stats_sans_size() {
    segrt stats --db "$1" | grep -Ev '^(store_bytes|store_used_bytes|store_free_bytes) '
}

# An export at a fixed NOW (in_force depends on NOW), to compare a contact over time.
export_of() {
    segrt export --db "$1" --now "$NOW" "$2"
}

# --- CSV: import the clean files twice; everything but the store sizes is identical.
S=$T/csv
run segrt import --db "$S" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "first CSV import"
assert_contains "$T/out" "contacts.csv: 5000 rows, 5000 kept (5000 new), 0 rejected" \
    "first import summary"
# (exports append audit entries, so they come before the stats snapshot)
for id in c0000001 c0000150 c0000300 c0002500 c0005000; do export_of "$S" "$id" >"$T/exp1.$id"; done
stats_sans_size "$S" >"$T/stats1"

run segrt import --db "$S" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "second CSV import"
# The second run finds everything already held: nothing new in any file.
for f in contacts events consents; do
    grep -E "^$D/$f\\.csv: [0-9]+ rows, [0-9]+ kept \\(0 new\\), 0 rejected" "$T/out" >/dev/null ||
        fail "second import of $f.csv added something: $(cat "$T/out")"
    ok
done
stats_sans_size "$S" >"$T/stats2"
cmp -s "$T/stats1" "$T/stats2" ||
    fail "stats differ after importing twice:
$(diff "$T/stats1" "$T/stats2")"
ok
assert_eq "$(stat_of "$T/stats2" contacts)" 5000 "contacts after two imports"
assert_eq "$(stat_of "$T/stats2" events)" "$(($(wc -l <"$D/events.csv") - 1))" \
    "events after two imports"
assert_eq "$(stat_of "$T/stats2" consents)" "$(($(wc -l <"$D/consents.csv") - 1))" \
    "consents after two imports"
# A contact's exported record (fields, timeline, consent history) is unchanged.
for id in c0000001 c0000150 c0000300 c0002500 c0005000; do
    export_of "$S" "$id" >"$T/exp2.$id"
    cmp -s "$T/exp1.$id" "$T/exp2.$id" ||
        fail "export of $id changed after the second import:
$(diff "$T/exp1.$id" "$T/exp2.$id" | head -20)"
    ok
done

# --- event_id: re-importing events with ids adds nothing; a changed event with
# a known id replaces the old one (also when its type changes).
cat >"$T/ev1.csv" <<'CSV'
contact_id,ts,type,amount,category,channel,event_id
c0000001,2025-03-01T10:00:00Z,purchase,10.10,coffee_beans,web,ev-1
c0000001,2025-03-02T10:00:00Z,purchase,20.20,coffee_beans,web,ev-2
c0000002,2025-03-03T10:00:00Z,login,,,app,ev-3
CSV
before_events=$(stat_of "$T/stats2" events)
before_purchase=$(stat_of "$T/stats2" events.purchase)
before_login=$(stat_of "$T/stats2" events.login)
before_pv=$(stat_of "$T/stats2" events.page_view)
run segrt import --db "$S" --events "$T/ev1.csv"
assert_rc 0 "import of events with event_id"
assert_contains "$T/out" "ev1.csv: 3 rows, 3 kept (3 new), 0 rejected" "first event_id import"
segrt stats --db "$S" >"$T/st"
assert_eq "$(stat_of "$T/st" events)" "$((before_events + 3))" "events after event_id import"
run segrt import --db "$S" --events "$T/ev1.csv"
assert_rc 0 "second import of events with event_id"
assert_contains "$T/out" "ev1.csv: 3 rows, 3 kept (0 new), 0 rejected" "second event_id import"
segrt stats --db "$S" >"$T/st"
assert_eq "$(stat_of "$T/st" events)" "$((before_events + 3))" \
    "events after importing the same event_ids twice"
export_of "$S" c0000001 >"$T/e1"
n=$(python3 -c 'import json,sys; print(sum(e.get("event_id")=="ev-1" for e in json.load(open(sys.argv[1]))["events"]))' "$T/e1")
assert_eq "$n" 1 "number of events with event_id ev-1"

cat >"$T/ev2.csv" <<'CSV'
contact_id,ts,type,amount,category,channel,event_id
c0000001,2025-03-05T09:30:00Z,purchase,11.00,ground_coffee,app,ev-1
c0000002,2025-03-03T10:00:00Z,page_view,,pricing,web,ev-3
CSV
run segrt import --db "$S" --events "$T/ev2.csv"
assert_rc 0 "import of changed events"
segrt stats --db "$S" >"$T/st"
assert_eq "$(stat_of "$T/st" events)" "$((before_events + 3))" "events after replacing by event_id"
assert_eq "$(stat_of "$T/st" events.purchase)" "$((before_purchase + 2))" \
    "purchases after replacing ev-1"
assert_eq "$(stat_of "$T/st" events.login)" "$before_login" "logins after ev-3 became a page_view"
assert_eq "$(stat_of "$T/st" events.page_view)" "$((before_pv + 1))" \
    "page views after ev-3 became a page_view"
export_of "$S" c0000001 >"$T/e1"
got=$(python3 -c '
import json, sys
evs = [e for e in json.load(open(sys.argv[1]))["events"] if e.get("event_id") == "ev-1"]
print(";".join("%s %s %s %s %s" % (e["ts"], e["type"], e.get("amount"), e.get("category"), e.get("channel")) for e in evs))
' "$T/e1")
assert_eq "$got" "2025-03-05T09:30:00Z purchase 11 ground_coffee app" "ev-1 after replacement"
export_of "$S" c0000002 >"$T/e2"
got=$(python3 -c '
import json, sys
evs = [e for e in json.load(open(sys.argv[1]))["events"] if e.get("event_id") == "ev-3"]
print(";".join("%s %s %s" % (e["ts"], e["type"], e.get("category")) for e in evs))
' "$T/e2")
assert_eq "$got" "2025-03-03T10:00:00Z page_view pricing" "ev-3 after replacement"

run segrt check --db "$S"
assert_rc 0 "segrt check after the re-imports"
assert_eq "$(cat "$T/out")" ok "segrt check output"

# --- JSONL: a few hundred contacts with their events and consents, converted
# from the CSV (sets as arrays, numbers as numbers, missing values as null or
# absent), imported twice into a fresh store.
python3 - "$D" "$T" <<'PY'
import csv, json, os, sys
d, t = sys.argv[1:3]
ids = set()
ints, nums, sets = {'income', 'company_size'}, {'lat', 'lon'}, {'interests', 'tags'}
with open(os.path.join(d, 'contacts.csv'), newline='', encoding='utf-8') as f, \
        open(os.path.join(t, 'contacts.jsonl'), 'w', encoding='utf-8') as out:
    for i, row in enumerate(csv.DictReader(f)):
        if i == 300:
            break
        ids.add(row['id'])
        obj = {}
        for k, v in row.items():
            if v == '':
                if i % 2:          # missing: null on odd rows, absent on even rows
                    obj[k] = None
                continue
            obj[k] = int(v) if k in ints else float(v) if k in nums else \
                v.split(';') if k in sets else v
        out.write(json.dumps(obj, ensure_ascii=False) + '\n')
counts = {}
for name, numeric in (('events', {'amount'}), ('consents', set())):
    n = 0
    with open(os.path.join(d, name + '.csv'), newline='', encoding='utf-8') as f, \
            open(os.path.join(t, name + '.jsonl'), 'w', encoding='utf-8') as out:
        for row in csv.DictReader(f):
            if row['contact_id'] not in ids:
                continue
            obj = {k: (float(v) if k in numeric else v) for k, v in row.items() if v != ''}
            out.write(json.dumps(obj, ensure_ascii=False) + '\n')
            n += 1
    counts[name] = n
with open(os.path.join(t, 'jsonl.counts'), 'w') as f:
    f.write('contacts %d\nevents %d\nconsents %d\n' % (len(ids), counts['events'],
                                                      counts['consents']))
PY
J=$T/jsonl
run segrt import --db "$J" --contacts "$T/contacts.jsonl" --events "$T/events.jsonl" \
    --consents "$T/consents.jsonl"
assert_rc 0 "first JSONL import"
assert_contains "$T/out" "contacts.jsonl: 300 rows, 300 kept (300 new), 0 rejected" \
    "first JSONL import summary"
# The JSONL contact holds the same as the CSV one (compared as parsed JSON);
# exports append audit entries, so they come before the stats snapshot.
for id in c0000001 c0000150 c0000300; do
    export_of "$J" "$id" >"$T/jexp.$id"
    python3 - "$T/exp1.$id" "$T/jexp.$id" <<'PY' || fail "JSONL export of $id differs from the CSV one"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for key in ('contact', 'events', 'consents'):
    if a[key] != b[key]:
        sys.stderr.write('%s differs:\n csv:   %s\n jsonl: %s\n' % (key, a[key], b[key]))
        sys.exit(1)
PY
    ok
done

stats_sans_size "$J" >"$T/jstats1"
for key in contacts events consents; do
    assert_eq "$(stat_of "$T/jstats1" "$key")" "$(stat_of "$T/jsonl.counts" "$key")" \
        "JSONL $key after one import"
done
# Events and consents again: nothing is added.
run segrt import --db "$J" --events "$T/events.jsonl" --consents "$T/consents.jsonl"
assert_rc 0 "second JSONL import of events and consents"
stats_sans_size "$J" >"$T/jstats2"
cmp -s "$T/jstats1" "$T/jstats2" ||
    fail "JSONL stats differ after importing events and consents twice:
$(diff "$T/jstats1" "$T/jstats2")"
ok
# Contacts again: they upsert onto themselves.
run segrt import --db "$J" --contacts "$T/contacts.jsonl"
assert_rc 0 "second JSONL import of contacts"
assert_contains "$T/out" "contacts.jsonl: 300 rows, 300 kept (0 new), 0 rejected" \
    "second JSONL contacts import summary"
stats_sans_size "$J" >"$T/jstats3"
cmp -s "$T/jstats1" "$T/jstats3" ||
    fail "JSONL stats differ after importing the contacts twice:
$(diff "$T/jstats1" "$T/jstats3")"
ok
run segrt check --db "$J"
assert_rc 0 "segrt check of the JSONL store"
assert_eq "$(cat "$T/out")" ok "segrt check output (JSONL store)"

finish
