#!/usr/bin/env bash
# test_import_dirty.sh — importing the bench generator's dirty data set.
#
# gen_crm.py --dirty breaks 2 % of the rows and lists each broken row in
# dirty_manifest.csv (file, physical line, kind of defect). segrt import must
# reject exactly those rows, with a reason that fits the defect, plus the
# events and consents of contacts whose own row was rejected (their contact
# is unknown), and keep every other row.
#
# A duplicate_email row is no bad row: it is another contact that gives the
# e-mail of an earlier one (up to case and spaces). segrt keeps it, with a
# note on stderr naming the contact that has the address (the first kept row
# that gave it), so that segrt dedupe --by email can find and merge the pair.
#
# One documented exception (decided by the lead): the "decimal comma" variant
# of non_numeric_amount turns an integer income such as 17000 into the quoted
# CSV field "17000", which is valid CSV for 17000. segrt accepts it, so those
# rows are expected to be imported with that income.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$T/d
python3 "$SHARED_BENCH/gen_crm.py" --contacts 20000 --dirty 0.02 --out "$D" >/dev/null

# --- The import runs (exit 0 even with rejects) and writes the rejects CSV.
run segrt import --db "$T/s" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv" --rejects "$T/rej.csv"
assert_rc 0 "import of the dirty data set"
[ -s "$T/rej.csv" ] || fail "--rejects file $T/rej.csv is missing or empty"
ok
assert_eq "$(head -n1 "$T/rej.csv" | tr -d '\r')" "file,line,reason" "header of the rejects file"
cp "$T/out" "$T/import.out"
cp "$T/err" "$T/import.err"

# --- Compare the rejects with the manifest, and compute the expected counts.
# The python below prints "checks N" (the number of checks it made) and the
# expected stats as "key value" lines; it exits 1 with a message on a mismatch.
segrt stats --db "$T/s" >"$T/stats"
rc=0
python3 - "$D" "$T/rej.csv" "$T/import.out" "$T/import.err" >"$T/expected" <<'PY' || rc=$?
import csv, os, re, sys
from collections import Counter, defaultdict

d, rej_path, import_out, import_err = sys.argv[1:5]
checks = 0
problems = []

def problem(msg):
    problems.append(msg)

def lines_of(name):
    """Physical lines of a generated file (index 0 = line 1), as bytes."""
    data = open(os.path.join(d, name), 'rb').read()
    lines = data.split(b'\n')
    if lines and lines[-1] == b'':
        lines.pop()
    return [l[:-1] if l.endswith(b'\r') else l for l in lines]

files = {n: lines_of(n) for n in ('contacts.csv', 'events.csv', 'consents.csv')}

# The manifest: (file, line) -> kind.
manifest = {}
with open(os.path.join(d, 'dirty_manifest.csv'), newline='') as f:
    for row in csv.DictReader(f):
        manifest[(row['file'], int(row['line']))] = row['kind']

# The documented exception: a quoted all-digit income is valid CSV.
accepted_income = {}  # contact line -> income
for (fname, line), kind in manifest.items():
    if fname == 'contacts.csv' and kind == 'non_numeric_amount':
        cell = files[fname][line - 1].split(b',')[9]
        m = re.fullmatch(rb'"(\d+)"', cell)
        if m:
            accepted_income[line] = int(m.group(1))

# Sanity of the generator's duplicate_email rows: each reuses (up to case and
# surrounding spaces) the e-mail of an earlier row, so segrt must see a duplicate.
first_line_of_email = {}
for i, raw in enumerate(files['contacts.csv'][1:], start=2):
    em = raw.split(b',')[1].strip().lower()
    if em and manifest.get(('contacts.csv', i)) != 'duplicate_email':
        first_line_of_email.setdefault(em, i)
for (fname, line), kind in manifest.items():
    if kind == 'duplicate_email':
        em = files[fname][line - 1].split(b',')[1].strip().lower()
        if first_line_of_email.get(em, line) >= line:
            problem('generator quirk: duplicate_email row contacts.csv:%d reuses no earlier '
                    'e-mail (the expectations below do not model this)' % line)
checks += 1

rejected_contact_lines = {line for (fname, line), kind in manifest.items()
                          if fname == 'contacts.csv' and line not in accepted_income
                          and kind != 'duplicate_email'}
rejected_ids = {('c%07d' % (line - 1)).encode() for line in rejected_contact_lines}

# Expected rejects: (file, line) -> acceptable reason fragments.
fits = {
    'malformed_date': ['is not a date', 'is not a timestamp'],
    'non_numeric_amount': ['is not a number', 'is not an integer'],
    'missing_id': ['id is missing'],
    'unknown_contact_id': ['unknown contact'],
    'wrong_column_count': ['fields, the header has'],
    'stray_quote': ['stray quote'],
    'very_long_field': ['longer than 65536'],
    'invalid_utf8': ['not valid UTF-8'],
}
expected = {}
for (fname, line), kind in manifest.items():
    if fname == 'contacts.csv' and (line in accepted_income or kind == 'duplicate_email'):
        continue
    expected[(fname, line)] = (kind, list(fits[kind]))
for fname in ('events.csv', 'consents.csv'):
    for i, raw in enumerate(files[fname][1:], start=2):
        if raw.split(b',', 1)[0] in rejected_ids:
            kind, frags = expected.get((fname, i), ('of a rejected contact', []))
            # A broken row of a rejected contact may be reported either way.
            expected[(fname, i)] = (kind, frags + ['unknown contact'])

# The rejects segrt wrote.
got = {}
dups = []
bad_paths = set()
with open(rej_path, newline='', encoding='utf-8', errors='surrogateescape') as f:
    for row in csv.DictReader(f):
        if row['file'] != os.path.join(d, os.path.basename(row['file'])):
            bad_paths.add(row['file'])
        key = (os.path.basename(row['file']), int(row['line']))
        if key in got:
            dups.append(key)
        got[key] = row['reason']
if dups:
    problem('rows rejected more than once: %s' % dups[:5])
checks += 1
if bad_paths:
    problem('file column is not the path as given on the command line: %s' % sorted(bad_paths))
checks += 1

missing = sorted(set(expected) - set(got))
extra = sorted(set(got) - set(expected))
if missing:
    problem('%d expected rejects are missing, e.g. %s' % (len(missing), [
        '%s:%d (%s) %r' % (k[0], k[1], expected[k][0],
                           files[k[0]][k[1] - 1][:120]) for k in missing[:8]]))
checks += 1
if extra:
    problem('%d rows rejected unexpectedly, e.g. %s' % (len(extra), [
        '%s:%d %r' % (k[0], k[1], got[k]) for k in extra[:8]]))
checks += 1

# Every reason fits its defect (one check per kind).
bad_by_kind = defaultdict(list)
for key, (kind, frags) in expected.items():
    reason = got.get(key)
    if reason is not None and not any(fr in reason for fr in frags):
        bad_by_kind[kind].append('%s:%d %r (want one of %s)' % (key[0], key[1], reason, frags))
for kind in sorted({k for k, _ in expected.values()}):
    if bad_by_kind[kind]:
        problem('%d rejects of kind %s have an unfitting reason, e.g. %s'
                % (len(bad_by_kind[kind]), kind, bad_by_kind[kind][:4]))
    checks += 1

# The notes on stderr: one per kept row whose e-mail an earlier kept row gave,
# naming that row's contact.
want_notes = {}
owner_of_email = {}
for i, raw in enumerate(files['contacts.csv'][1:], start=2):
    if i in rejected_contact_lines:
        continue
    f = raw.split(b',')
    em = f[1].strip().lower()
    if not em:
        continue
    if em in owner_of_email:
        want_notes[i] = owner_of_email[em]
    else:
        owner_of_email[em] = f[0].decode()
got_notes = {}
note_re = re.compile(r'^segrt: import: (.*):(\d+): note: duplicate email: .* is also the e-mail '
                     r'of contact (\S+); both are kept')
for l in open(import_err, encoding='utf-8', errors='surrogateescape'):
    m = note_re.match(l)
    if m and os.path.basename(m.group(1)) == 'contacts.csv':
        got_notes[int(m.group(2))] = m.group(3)
if not want_notes:
    problem('the data set has no kept duplicate e-mail: the notes are untested')
if got_notes != want_notes:
    problem('duplicate e-mail notes: expected %s, got %s' % (sorted(want_notes.items())[:8],
                                                            sorted(got_notes.items())[:8]))
checks += 1

# Expected counts: every row not rejected is kept; identical rows are one record.
def kept(fname):
    return [raw for i, raw in enumerate(files[fname][1:], start=2) if (fname, i) not in expected]

contacts = kept('contacts.csv')
events = kept('events.csv')
consents = kept('consents.csv')
n_events = len(set(events))
n_consents = len(set(consents))
types = Counter(raw.split(b',')[2].decode() for raw in set(events))

# The per-file summary lines of segrt import agree with the rejects.
summary = open(import_out).read()
for fname in ('contacts.csv', 'events.csv', 'consents.csv'):
    nrej = sum(1 for k in expected if k[0] == fname)
    rows = len(files[fname]) - 1
    m = re.search(re.escape(fname) + r': (\d+) rows, (\d+) kept \((\d+) new\), (\d+) rejected',
                  summary)
    if not m:
        problem('no summary line for %s in: %r' % (fname, summary))
    elif (int(m.group(1)), int(m.group(2)), int(m.group(4))) != (rows, rows - nrej, nrej):
        problem('summary of %s is %r, expected %d rows, %d kept, %d rejected'
                % (fname, m.group(0), rows, rows - nrej, nrej))
    checks += 1

if problems:
    sys.stderr.write('\n'.join(problems) + '\n')
    sys.exit(1)
print('checks %d' % checks)
print('contacts %d' % len(contacts))
print('events %d' % n_events)
print('consents %d' % n_consents)
for t in sorted(types):
    print('events.%s %d' % (t, types[t]))
for line, income in sorted(accepted_income.items()):
    print('income c%07d %d' % (line - 1, income))
PY
[ $rc -eq 0 ] || fail "rejects do not match dirty_manifest.csv (see above)"
PASSED=$((PASSED + $(awk '$1 == "checks" { print $2 }' "$T/expected")))

# --- segrt stats shows exactly the expected numbers (contacts, events,
# consents and each event type).
while read -r key value; do
    [ "$key" = checks ] && continue
    [ "$key" = income ] && continue
    assert_eq "$(stat_of "$T/stats" "$key")" "$value" "stats $key"
done <"$T/expected"
# ... and no event type the files do not have.
assert_eq "$(grep -c '^events\.' "$T/stats")" "$(grep -c '^events\.' "$T/expected")" \
    "number of per-type event lines in stats"

# --- The exception: a quoted all-digit income was imported with its value.
n_exc=0
while read -r _ id income; do
    run segrt export --db "$T/s" "$id"
    assert_rc 0 "export of $id (quoted integer income)"
    got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["contact"].get("income"))' "$T/out")
    assert_eq "$got" "$income" "income of $id imported from a quoted integer"
    n_exc=$((n_exc + 1))
done < <(grep '^income ' "$T/expected")
[ "$n_exc" -gt 0 ] || fail "the data set has no quoted-integer income row; the exception is untested"
ok

# --- The store is sound after an import with rejects.
run segrt check --db "$T/s"
assert_rc 0 "segrt check"
assert_eq "$(cat "$T/out")" "ok" "segrt check output"

finish
