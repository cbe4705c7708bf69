#!/usr/bin/env bash
# test_export_erase.sh — GDPR access (segrt export, Art. 15) and erasure
# (segrt erase, Art. 17) on a small store made from bench data.
#
# export must hold everything about the contact (its fields, every event,
# the full consent history); erase must remove the contact, its events and
# consents so that no command shows its id or e-mail again, leaving only an
# audit line without personal data; a later re-import brings the contact back
# as a new contact.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
D=$T/d
S=$T/s
python3 "$SHARED_BENCH/gen_crm.py" --contacts 500 --out "$D" >/dev/null
run segrt import --db "$S" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "import of 500 contacts"

# Pick the contact: the one with the longest consent history among those with
# several events, whose e-mail is not part of another contact's e-mail (so a
# substring search for it is meaningful). Prints: id email.
read -r ID EMAIL < <(python3 - "$D" <<'PY'
import csv, os, sys
from collections import Counter
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, 'contacts.csv'), newline='', encoding='utf-8')))
ev = Counter(r['contact_id'] for r in csv.DictReader(open(os.path.join(d, 'events.csv'), newline='')))
cs = Counter(r['contact_id'] for r in csv.DictReader(open(os.path.join(d, 'consents.csv'), newline='')))
emails = [r['email'] for r in rows]
best = max((r for r in rows if ev[r['id']] >= 3 and r['email']
            and sum(r['email'].lower() in e.lower() for e in emails) == 1),
           key=lambda r: (cs[r['id']], ev[r['id']]))
print(best['id'], best['email'])
PY
)
[ -n "$ID" ] && [ -n "$EMAIL" ] || fail "no suitable contact found in the generated data"
echo "contact under test: $ID <$EMAIL>" >&2

# --- export: one JSON object with the four keys, matching the CSV rows.
run segrt export --db "$S" --now "$NOW" "$ID"
assert_rc 0 "export of $ID"
cp "$T/out" "$T/export.before"
python3 - "$D" "$ID" "$T/export.before" >"$T/checks" <<'PY' || fail "export of $ID does not match the CSV rows (see above)"
import csv, json, os, sys
from collections import Counter
from decimal import Decimal
d, cid, path = sys.argv[1:4]
problems, checks = [], 0

def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        problems.append(msg)

try:
    doc = json.load(open(path, encoding='utf-8'))
except ValueError as e:
    sys.stderr.write('export is not valid JSON: %s\n' % e)
    sys.exit(1)
check(isinstance(doc, dict) and sorted(doc) == ['consents', 'contact', 'events', 'segments'],
      'top-level keys are %s' % (sorted(doc) if isinstance(doc, dict) else type(doc)))
check(isinstance(doc.get('segments'), list), 'segments is not an array')

# contact: every non-empty CSV cell, typed; no field the CSV leaves empty.
row = next(r for r in csv.DictReader(open(os.path.join(d, 'contacts.csv'), newline='',
                                          encoding='utf-8')) if r['id'] == cid)
contact = doc['contact']
ints, nums, sets = {'income', 'company_size'}, {'lat', 'lon'}, {'interests', 'tags'}
for k, v in row.items():
    got = contact.get(k)
    if v == '':
        check(k not in contact, 'field %s is empty in the CSV but exported as %r' % (k, got))
    elif k in ints:
        check(got == int(v), 'field %s: CSV %r, export %r' % (k, v, got))
    elif k in nums:
        check(isinstance(got, (int, float)) and Decimal(repr(got)) == Decimal(v),
              'field %s: CSV %r, export %r' % (k, v, got))
    elif k in sets:
        check(isinstance(got, list) and sorted(got) == sorted(v.split(';')),
              'field %s: CSV %r, export %r' % (k, v, got))
    else:
        check(got == v, 'field %s: CSV %r, export %r' % (k, v, got))
extra = set(contact) - set(row) - {'age'}
check(not extra, 'export has fields the CSV does not: %s' % extra)

# events: the same multiset as the CSV rows (count, timestamps, attributes).
def ev_key(e):
    amt = e.get('amount')
    return (e.get('ts'), e.get('type'), None if amt in (None, '') else Decimal(str(amt)),
            e.get('category') or None, e.get('channel') or None)
want = [r for r in csv.DictReader(open(os.path.join(d, 'events.csv'), newline='', encoding='utf-8'))
        if r['contact_id'] == cid]
got = doc['events']
check(len(got) == len(want), 'events: export has %d, CSV %d' % (len(got), len(want)))
check(sorted(e['ts'] for e in got) == sorted(r['ts'] for r in want), 'event timestamps differ')
check([e['ts'] for e in got] == sorted(e['ts'] for e in got), 'events are not in time order')
check(Counter(map(ev_key, got)) == Counter(map(ev_key, want)), 'event attributes differ:\n %s\n %s'
      % (sorted(map(ev_key, got)), sorted(map(ev_key, want))))

# consents: the full history, every record.
def cs_key(c):
    return tuple(c.get(k) or None for k in ('purpose', 'status', 'legal_basis', 'ts',
                                            'expires_at', 'source'))
want = [r for r in csv.DictReader(open(os.path.join(d, 'consents.csv'), newline='',
                                       encoding='utf-8')) if r['contact_id'] == cid]
got = doc['consents']
check(len(got) == len(want) and len(want) >= 2,
      'consents: export has %d, CSV %d' % (len(got), len(want)))
check(Counter(map(cs_key, got)) == Counter(map(cs_key, want)), 'consent records differ:\n %s\n %s'
      % (sorted(map(cs_key, got)), sorted(map(cs_key, want))))
if problems:
    sys.stderr.write('\n'.join(problems) + '\n')
    sys.exit(1)
print(checks, len(doc['events']), len(doc['consents']))
print(' '.join('%s=%d' % kv for kv in sorted(Counter(e['type'] for e in doc['events']).items())))
PY
read -r n NEV NCS < <(head -n1 "$T/checks")
PASSED=$((PASSED + n))
TYPES=$(sed -n 2p "$T/checks")

# --- erase.
segrt stats --db "$S" >"$T/stats.before"
run segrt erase --db "$S" "$ID"
assert_rc 0 "erase of $ID"

# export and show now fail, naming the id.
for cmd in export show; do
    run segrt "$cmd" --db "$S" "$ID"
    assert_rc 1 "$cmd of the erased contact"
    assert_contains "$T/err" "$ID" "$cmd error message names the id"
done
# erasing again fails too.
run segrt erase --db "$S" "$ID"
assert_rc 1 "second erase of $ID"

# stats drop by exactly the contact, its events and its consents.
segrt stats --db "$S" >"$T/stats.after"
assert_eq "$(stat_of "$T/stats.after" contacts)" "$(($(stat_of "$T/stats.before" contacts) - 1))" \
    "contacts after erase"
assert_eq "$(stat_of "$T/stats.after" events)" "$(($(stat_of "$T/stats.before" events) - NEV))" \
    "events after erase"
assert_eq "$(stat_of "$T/stats.after" consents)" \
    "$(($(stat_of "$T/stats.before" consents) - NCS))" "consents after erase"
for tn in $TYPES; do
    t=${tn%=*} n=${tn#*=}
    assert_eq "$(stat_of "$T/stats.after" "events.$t")" \
        "$(($(stat_of "$T/stats.before" "events.$t") - n))" "events.$t after erase"
done

# No output about any contact shows the id or the e-mail.
: >"$T/all"
segrt stats --db "$S" >>"$T/all"
segrt audit --db "$S" >>"$T/all"
while IFS=, read -r cid _; do
    [ "$cid" = id ] || [ "$cid" = "$ID" ] && continue
    segrt show --db "$S" --now "$NOW" "$cid" >>"$T/all"
    segrt export --db "$S" --now "$NOW" "$cid" >>"$T/all"
done <"$D/contacts.csv"
[ "$(grep -c '^Contact ' "$T/all")" -eq 499 ] || fail "expected 499 contact cards"
ok
assert_not_contains "$T/all" "$ID" "stats/audit/show/export of every other contact, id"
grep -qiF -- "$EMAIL" "$T/all" && fail "the erased e-mail $EMAIL appears in the output of another contact"
ok

# The audit log has an erase line, without the id or the e-mail.
segrt audit --db "$S" >"$T/audit"
grep $'\terase\t' "$T/audit" >"$T/erase.line" || fail "no erase line in the audit log: $(cat "$T/audit")"
ok
assert_eq "$(wc -l <"$T/erase.line")" 1 "number of erase lines in the audit log"
assert_not_contains "$T/audit" "$ID" "audit log, id"
grep -qiF -- "$EMAIL" "$T/audit" && fail "the audit log contains the erased e-mail"
ok
OLD_ORD=$(sed -n 's/.*contact#\([0-9]*\).*/\1/p' "$T/erase.line")
[ -n "$OLD_ORD" ] || fail "the erase line names no contact ordinal: $(cat "$T/erase.line")"

run segrt check --db "$S"
assert_rc 0 "segrt check after erase"
assert_eq "$(cat "$T/out")" ok "segrt check output after erase"

# --- Re-importing the same files brings the contact back, as a new contact
# (a new ordinal), with its events and consents.
run segrt import --db "$S" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "re-import after erase"
grep -qE "contacts.csv: 500 rows, 500 kept \\(1 new\\), 0 rejected" "$T/out" ||
    fail "re-import should add exactly the erased contact: $(cat "$T/out")"
ok
grep -qE "events.csv: [0-9]+ rows, [0-9]+ kept \\($NEV new\\), 0 rejected" "$T/out" ||
    fail "re-import should add exactly the $NEV events of the erased contact: $(cat "$T/out")"
ok
segrt stats --db "$S" | grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes|erased_awaiting_compaction) ' >"$T/stats.again"
grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes|erased_awaiting_compaction) ' "$T/stats.before" | cmp -s - "$T/stats.again" ||
    fail "stats after re-import differ from before the erase:
$(grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes|erased_awaiting_compaction) ' "$T/stats.before" | diff - "$T/stats.again")"
ok
run segrt export --db "$S" --now "$NOW" "$ID"
assert_rc 0 "export of the re-imported contact"
python3 - "$T/export.before" "$T/out" <<'PY' || fail "the re-imported contact differs from the original"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for key in ('contact', 'events', 'consents'):
    if a[key] != b[key]:
        sys.stderr.write('%s differs:\n before: %s\n after:  %s\n' % (key, a[key], b[key]))
        sys.exit(1)
PY
ok
NEW_ORD=$(segrt audit --db "$S" | tail -n1 | sed -n 's/.*contact#\([0-9]*\).*/\1/p')
[ "$NEW_ORD" != "$OLD_ORD" ] || fail "the re-imported contact reuses the erased ordinal $OLD_ORD"
ok
run segrt check --db "$S"
assert_rc 0 "segrt check after re-import"
assert_eq "$(cat "$T/out")" ok "segrt check output after re-import"

finish
