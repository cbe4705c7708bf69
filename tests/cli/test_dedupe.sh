#!/usr/bin/env bash
# test_dedupe.sh — segrt dedupe on the bench generator's dirty data set
# (gen_crm.py --contacts 5000 --seed 3 --dirty 0.05).
#
# The generator injects duplicate_email rows (dirty_manifest.csv): another
# contact giving the e-mail of an earlier one up to case and spaces. After the
# import (which keeps them), segrt dedupe --by email must report exactly the
# groups of kept contacts that share a normalised e-mail, computed here from
# the CSV and the manifest, with the survivor the rule names; every injected
# pair whose first contact was kept must be in one group.
#
# Then --merge --survivor most_events: per group the survivor holds the sum of
# the group's events, its consent history is the union plus "dedupe" copies
# that keep every protective record in force (checked against the exports
# taken before), the others are gone, the audit log has one "merge" entry per
# group without personal data, and segrt check passes. Then every merge is
# undone: the export of every contact involved equals the one before the
# merge (fields, events, consents, stored segment memberships), and so do the
# store's counts and who entered and left a segment between two stored runs. Undoing twice, an unknown id and a non-merge entry fail.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)

NOW=2026-01-01T00:00:00Z
D=$T/d
S=$T/s
python3 "$SHARED_BENCH/gen_crm.py" --contacts 5000 --seed 3 --dirty 0.05 --out "$D" >/dev/null
run segrt import --db "$S" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv" --rejects "$T/rej.csv"
assert_rc 0 "import of the dirty data set"
# Stored memberships in two runs, so that the exports compared below have
# segments and the per-run entered/left sets hold some of the duplicates.
BENCH_LUA=$REPO/examples/bench_segments.lua
run segrt run --db "$S" --now 2025-03-01T00:00:00Z "$BENCH_LUA"
assert_rc 0 "first segrt run of the bench segments"
run segrt run --db "$S" --now "$NOW" "$BENCH_LUA"
assert_rc 0 "second segrt run of the bench segments"

# --- The groups expected: kept contacts (not broken by the generator, but for
# a duplicate e-mail or the quoted-integer income segrt accepts) that share a
# trimmed, lower-cased e-mail; the survivor for oldest and for most_events.
python3 - "$D" >"$T/expected" <<'PY' || fail "could not compute the expected groups"
import csv, os, re, sys
from collections import defaultdict
d = sys.argv[1]
lines = open(os.path.join(d, 'contacts.csv'), 'rb').read().split(b'\n')
broken = {}
for r in csv.DictReader(open(os.path.join(d, 'dirty_manifest.csv'), newline='')):
    if r['file'] == 'contacts.csv':
        broken[int(r['line'])] = r['kind']
groups = defaultdict(list)
created = {}
injected = []
first_kept = {}
for n, raw in enumerate(lines[1:], start=2):
    raw = raw.rstrip(b'\r')
    if not raw:
        continue
    f = raw.split(b',')
    kind = broken.get(n)
    quoted_income = kind == 'non_numeric_amount' and re.fullmatch(rb'"\d+"', f[9])
    if kind not in (None, 'duplicate_email') and not quoted_income:
        continue  # rejected by the import: no contact
    cid, em = f[0].decode(), f[1].strip().lower().decode()
    created[cid] = f[25].decode()
    groups[em].append(cid)
    if kind == 'duplicate_email' and em in first_kept:
        injected.append((first_kept[em], cid))
    first_kept.setdefault(em, cid)
for em in sorted(groups, key=lambda e: e.encode()):
    ids = groups[em]
    if len(ids) < 2:
        continue
    oldest = min(ids, key=lambda i: (created[i], i.encode()))
    print('group', em, oldest, ' '.join(sorted(ids)))
for a, b in injected:
    print('pair', a, b)
PY
grep -q '^pair ' "$T/expected" || fail "the data set has no injected duplicate pair to find"
npairs=$(grep -c '^pair ' "$T/expected")
ngroups=$(grep -c '^group ' "$T/expected")
echo "expected: $ngroups groups, $npairs injected pairs" >&2

# --- The report: header, one line per group in key order, survivor = oldest.
run segrt dedupe --db "$S" --by email
assert_rc 0 "dedupe --by email"
cp "$T/out" "$T/report"
assert_eq "$(head -n1 "$T/report")" "$(printf 'group\tkey\tsurvivor\tduplicates')" "report header"
assert_contains "$T/err" "$ngroups groups" "summary line"
python3 - "$T/report" "$T/expected" <<'PY' || fail "the report does not match the expected groups (see above)"
import sys
report, expected = sys.argv[1:3]
want, pairs = [], []
for l in open(expected):
    f = l.split()
    if f[0] == 'group':
        want.append((f[1], f[2], sorted(f[3:])))
    else:
        pairs.append((f[1], f[2]))
got, problems = [], []
for n, l in enumerate(open(report).read().splitlines()[1:], start=1):
    f = l.split('\t')
    if len(f) != 4 or f[0] != str(n):
        problems.append('bad report line %d: %r' % (n, l))
        continue
    got.append((f[1], f[2], sorted([f[2]] + f[3].split(','))))
if got != want:
    problems.append('groups differ:\n  got  %s\n  want %s' % (got[:5], want[:5]))
members = {i: g[0] for g in got for i in g[2]}
for a, b in pairs:
    if members.get(a) is None or members.get(a) != members.get(b):
        problems.append('injected pair %s, %s not in one group' % (a, b))
if problems:
    sys.exit('\n'.join(problems))
PY
ok

# --- Before the merge: the exports and event counts of every contact involved.
cut -f3,4 "$T/report" | tail -n +2 | tr '\t,' '\n\n' >"$T/involved"
mkdir -p "$T/before" "$T/after"
while read -r id; do
    segrt export --db "$S" --now "$NOW" "$id" >"$T/before/$id.json" ||
        fail "export of $id before the merge"
done <"$T/involved"
segrt stats --db "$S" >"$T/stats.before"
CHANGED=S3_inactive_customers_90d
segrt changes --db "$S" --since-run 1 "$BENCH_LUA" "$CHANGED" >"$T/changes.before" 2>/dev/null ||
    fail "segrt changes of $CHANGED before the merge"
# Not grep -q: it stops at the first match, cut may then die of SIGPIPE, and
# under pipefail that fails the pipeline now and then (under load).
cut -d, -f2 "$T/changes.before" | grep -xFf "$T/involved" >/dev/null ||
    fail "no duplicate entered or left $CHANGED between the runs: the per-run sets are untested"

run segrt dedupe --db "$S" --now "$NOW" --actor dedupe-test --by email --merge \
    --survivor most_events
assert_rc 0 "dedupe --merge --survivor most_events"
cp "$T/out" "$T/merged"
assert_eq "$(head -n1 "$T/merged")" "$(printf 'group\tkey\tsurvivor\tduplicates\tmerge')" \
    "merge report header"
assert_eq "$(($(wc -l <"$T/merged") - 1))" "$ngroups" "groups merged"
while IFS=$'\t' read -r _ _ survivor dups _; do
    segrt export --db "$S" --now "$NOW" "$survivor" >"$T/after/$survivor.json" ||
        fail "export of survivor $survivor after the merge"
    for id in ${dups//,/ }; do
        run segrt export --db "$S" --now "$NOW" "$id"
        assert_rc 1 "export of $id, merged into $survivor"
    done
done < <(tail -n +2 "$T/merged")
segrt stats --db "$S" >"$T/stats.after"
python3 - "$T/merged" "$T/before" "$T/after" "$T/stats.before" "$T/stats.after" <<'PY' ||
import json, os, sys
merged, before, after, sb, sa = sys.argv[1:6]
def stats(p):
    return dict(l.split()[:2] for l in open(p) if len(l.split()) >= 2)
def protects(r):
    return r['status'] == 'granted' if r['purpose'] == 'objection' else r['status'] != 'granted'
problems = []
ndup = added = 0
for l in open(merged).read().splitlines()[1:]:
    n, key, surv, dups, mid = l.split('\t')
    ids = [surv] + dups.split(',')
    ndup += len(ids) - 1
    b = {i: json.load(open(os.path.join(before, i + '.json'))) for i in ids}
    a = json.load(open(os.path.join(after, surv + '.json')))
    # The survivor is the one with the most events; ties: smaller id.
    want = min(ids, key=lambda i: (-len(b[i]['events']), i.encode()))
    if surv != want:
        problems.append('group %s: survivor %s, expected %s' % (n, surv, want))
    # Events add up: the survivor holds every event of the group.
    if len(a['events']) != sum(len(b[i]['events']) for i in ids):
        problems.append('group %s: %d events after, %d before' % (
            n, len(a['events']), sum(len(b[i]['events']) for i in ids)))
    if sorted(json.dumps(e, sort_keys=True) for e in a['events']) != sorted(
            json.dumps(e, sort_keys=True) for i in ids for e in b[i]['events']):
        problems.append('group %s: the survivor\'s events are not the group\'s' % n)
    # Consents: the union, plus "dedupe" copies.
    copies = [r for r in a['consents'] if r['source'] == 'dedupe']
    added += len(copies)
    if len(a['consents']) - len(copies) != sum(len(b[i]['consents']) for i in ids):
        problems.append('group %s: consent records do not add up' % n)
    # The most protective state in force is kept for every purpose.
    for p in {r['purpose'] for i in ids for r in b[i]['consents']}:
        was = [r for i in ids for r in b[i]['consents'] if r['purpose'] == p and r['in_force']]
        now = [r for r in a['consents'] if r['purpose'] == p and r['in_force']]
        if any(protects(r) for r in was) and not (now and protects(now[0])):
            problems.append('group %s: %s lost its protective state: %s -> %s' % (n, p, was, now))
        if not any(protects(r) for r in was) and any(r['source'] == 'dedupe' and r['purpose'] == p
                                                     for r in a['consents']):
            problems.append('group %s: a needless dedupe copy for %s' % (n, p))
    if a['contact']['email'].strip().lower() != key:
        problems.append('group %s: survivor e-mail %r, key %r' % (n, a['contact']['email'], key))
s0, s1 = stats(sb), stats(sa)
for k, want in (('contacts', int(s0['contacts']) - ndup), ('events', int(s0['events'])),
                ('consents', int(s0['consents']) + added)):
    if int(s1[k]) != want:
        problems.append('stats %s: %s, expected %d' % (k, s1[k], want))
for k in s0:
    if k.startswith('events.') and s1.get(k) != s0[k]:
        problems.append('stats %s: %s, expected %s' % (k, s1.get(k), s0[k]))
if added == 0:
    problems.append('no protective copy in the whole data set: the rule is untested')
if problems:
    sys.exit('\n'.join(problems))
print('%d merged away, %d protective copies' % (ndup, added), file=sys.stderr)
PY
    fail "the merge did not move what it should (see above)"
ok
run segrt check --db "$S"
assert_rc 0 "segrt check after the merge"

# --- The audit log: one merge entry per group, naming the survivor's
# ordinal and the merged ones, without ids or e-mails.
segrt audit --db "$S" >"$T/audit"
assert_eq "$(grep -c $'\tmerge\t' "$T/audit")" "$ngroups" "merge entries in the audit log"
while IFS=$'\t' read -r _ _ survivor dups mid; do
    line=$(awk -F'\t' -v m="$mid" '$1 == m' "$T/audit")
    case $line in
        *$'\tdedupe-test\tmerge\tcontact#'*"merged $(echo "$dups" | tr ',' '\n' | wc -l | tr -d ' ') contact"*) ;;
        *) fail "audit entry $mid of the merge into $survivor: '$line'" ;;
    esac
    for id in $survivor ${dups//,/ }; do
        case $line in *"$id"*) fail "audit entry $mid names contact $id" ;; esac
    done
done < <(tail -n +2 "$T/merged")
assert_not_contains "$T/audit" "@" "e-mails in the audit log"
run segrt dedupe --db "$S" --by email
assert_eq "$(wc -l <"$T/out")" 1 "groups left after the merge (header only)"

# --- The merges can be listed and undone; each undo restores the exact state.
run segrt dedupe --db "$S" --merges
assert_rc 0 "dedupe --merges"
assert_eq "$(($(wc -l <"$T/out") - 1))" "$ngroups" "merges listed"
while IFS=$'\t' read -r _ _ survivor dups mid; do
    run segrt dedupe --db "$S" --actor dedupe-test --undo "$mid"
    assert_rc 0 "undo of merge $mid"
    assert_eq "$(sort "$T/out" | tr '\n' ',')" "$(echo "$dups" | tr ',' '\n' | sort | tr '\n' ',')" \
        "ids restored by the undo of merge $mid"
done < <(tail -n +2 "$T/merged")
nsame=0
while read -r id; do
    segrt export --db "$S" --now "$NOW" "$id" >"$T/after/$id.json" || fail "export of $id after undo"
    cmp -s "$T/before/$id.json" "$T/after/$id.json" ||
        fail "export of $id after the undo differs: $(diff "$T/before/$id.json" "$T/after/$id.json" | head -20)"
    nsame=$((nsame + 1))
done <"$T/involved"
assert_eq "$nsame" "$(wc -l <"$T/involved" | tr -d ' ')" "contacts restored exactly"
grep -lq '"as_of"' "$T/before"/*.json ||
    fail "no involved contact had a stored segment: the memberships are untested"
ok
run segrt changes --db "$S" --since-run 1 "$BENCH_LUA" "$CHANGED"
cmp -s "$T/changes.before" "$T/out" ||
    fail "changes of $CHANGED after the undos differ: $(diff "$T/changes.before" "$T/out" | head)"
ok
segrt stats --db "$S" | grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes) ' >"$T/stats.undone"
grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes) ' "$T/stats.before" >"$T/stats.before.cmp"
cmp -s "$T/stats.before.cmp" "$T/stats.undone" ||
    fail "stats after the undos differ: $(diff "$T/stats.before.cmp" "$T/stats.undone")"
ok
run segrt check --db "$S"
assert_rc 0 "segrt check after the undos"
assert_eq "$(grep -c $'\tunmerge\t' <(segrt audit --db "$S"))" "$ngroups" "unmerge entries"
run segrt dedupe --db "$S" --merges
assert_eq "$(wc -l <"$T/out")" 1 "merges left after the undos (header only)"

# --- Undo: twice, an unknown merge, an audit entry that is no merge.
first=$(awk -F'\t' 'NR == 2 { print $5 }' "$T/merged")
run segrt dedupe --db "$S" --undo "$first"
assert_rc 1 "second undo of merge $first"
assert_contains "$T/err" "undone already" "second undo of merge $first"
run segrt dedupe --db "$S" --undo 999999
assert_rc 1 "undo of an unknown merge"
assert_contains "$T/err" "no merge 999999" "undo of an unknown merge"
export_entry=$(awk -F'\t' '$4 == "export" { print $1; exit }' "$T/audit")
run segrt dedupe --db "$S" --undo "$export_entry"
assert_rc 1 "undo of an export entry"
assert_contains "$T/err" "not a merge" "undo of an export entry"

finish
