#!/usr/bin/env bash
# test_dedupe_cases.sh — segrt dedupe on a handful of contacts made to probe
# each rule: phone numbers in RO, PL and BG formats (national and
# international, the contact's country, unreadable numbers reported), names
# and cities with Romanian and Polish diacritics (Ș/Ş, ł) and Cyrillic kept
# apart (Йордан is not Иордан), the three survivor rules with ties and a
# missing created_at, fields filled from the others, identical events kept
# once and an event_id that replaces, the most protective consent state,
# the export of a survivor showing what is kept of the merged contacts, undo,
# chained merges, erasure of merged contacts (no undo data left) and the
# usage errors.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
S=$T/s
cat >"$T/contacts.csv" <<'CSV'
id,email,first_name,last_name,city,country,phone,created_at,income,tags
p01,stefan@ex.ro,Ștefan,Popescu,Iași,RO,0721 234 567,2024-01-01T00:00:00Z,4000,
p02,,ŞTEFAN,POPESCU,Iasi,RO,+40 721-234-567,2023-06-01T00:00:00Z,,
p03,s.popescu@ex.ro,Ştefan,  Popescu ,IAȘI,,0040 (0)721.234.567,2025-01-01T00:00:00Z,5000,vip;newsletter
p04,lukasz@ex.pl,Łukasz,Nowak,Łódź,PL,512 345 678,2022-01-01T00:00:00Z,,
p05,,Lukasz,NOWAK,Lodz,BG,+48 512 345 678,,,
p06,,Йордан,Петров,София,BG,0888 123 456,2021-01-01T00:00:00Z,,
p07,,Иордан,Петров,София,BG,+359 88 812 3456,2021-01-01T00:00:00Z,,
p08,,Maria,Ionescu,Cluj,RO,12345,2020-01-01T00:00:00Z,,
p09,,Hans,Müller,Berlin,DE,030 1234567,2020-01-01T00:00:00Z,,
p10,,Maria,Ionescu,,RO,,2020-01-01T00:00:00Z,,
p11,,Ion,Ionescu,Cluj,RO,0721 234 567,2020-01-01T00:00:00Z,,
CSV
cat >"$T/events.csv" <<'CSV'
contact_id,ts,type,amount,category,channel,event_id
p01,2025-01-02T10:00:00Z,purchase,10.50,beans,web,
p01,2025-01-03T10:00:00Z,purchase,20.00,beans,web,
p01,2025-01-04T10:00:00Z,purchase,30.00,grinder,shop,e1
p02,2025-01-04T12:00:00Z,purchase,99.00,beans,web,e1
p03,2025-01-02T10:00:00Z,purchase,10.50,beans,web,
p03,2025-02-01T10:00:00Z,login,,,app,
p03,2025-02-02T10:00:00Z,login,,,app,
p04,2025-03-01T10:00:00Z,login,,,app,
CSV
cat >"$T/consents.csv" <<'CSV'
contact_id,purpose,status,legal_basis,ts,expires_at,source
p02,email_marketing,granted,consent,2025-06-01T00:00:00Z,,web_form
p01,email_marketing,withdrawn,consent,2025-01-01T00:00:00Z,,web_form
p03,objection,granted,consent,2024-01-01T00:00:00Z,,call
p02,direct_marketing,withdrawn,consent,2024-01-01T00:00:00Z,,web_form
p01,direct_marketing,granted,consent,2025-03-01T00:00:00Z,,web_form
p01,sms_marketing,granted,consent,2024-05-01T00:00:00Z,,web_form
p02,profiling,granted,consent,2024-02-01T00:00:00Z,,web_form
p03,profiling,granted,consent,2024-03-01T00:00:00Z,,web_form
CSV
# p08's phone is no RO number: the built-in rule would refuse it; dedupe reports it here
echo 'local seg = require "segrt"; seg.field "phone" { description = "as typed" }' >"$T/schema.lua"
run segrt import --db "$S" --contacts "$T/contacts.csv" --events "$T/events.csv" \
    --consents "$T/consents.csv" --schema "$T/schema.lua"
assert_rc 0 "import"
assert_eq "$(stat_of <(segrt stats --db "$S") contacts)" 11 "contacts imported"

# report BY: the groups of segrt dedupe --by BY as "key survivor dups" lines in $T/groups.
report() {
    run segrt dedupe --db "$S" --now "$NOW" --by "$1"
    assert_rc 0 "dedupe --by $1"
    tail -n +2 "$T/out" | cut -f2-4 | tr '\t' ' ' >"$T/groups"
}

# --- Phone: E.164 keys, the country for national numbers, unreadable ones reported.
report phone
assert_eq "$(cat "$T/groups")" "+359888123456 p06 p07
+40721234567 p11 p02,p01,p03
+48512345678 p04 p05" "groups by phone (oldest first)"
assert_contains "$T/err" "contact p08: phone '12345' not a Romanian number" "unreadable RO number"
assert_contains "$T/err" "contact p09: phone '030 1234567' has no international prefix, and the contact's country is not RO, PL or BG" \
    "national number of another country"
assert_contains "$T/err" "3 groups, 5 duplicates" "summary by phone"
assert_contains "$T/err" "2 phone numbers could not be read" "unreadable count"

# --- Names and cities: Ș = Ş = S, ł = l, case and spaces; Cyrillic й is not и.
report name_city
assert_eq "$(cat "$T/groups")" "lukasz nowak|lodz p04 p05
stefan popescu|iasi p02 p01,p03" "groups by name_city"
assert_not_contains "$T/out" "p06" "Йордан and Иордан are different names"

# --- Survivor rules, before any merge (the report shows them with --merge only:
# check them on a copy of the store).
cp -r "$S" "$T/s.copy"
run segrt dedupe --db "$T/s.copy" --by name_city --merge --survivor newest
assert_eq "$(tail -n +2 "$T/out" | cut -f3,4 | tr '\t' ' ')" "p04 p05
p03 p01,p02" "newest survivor (p05 has no created_at: last)"
rm -rf "$T/s.copy" && cp -r "$S" "$T/s.copy"
run segrt dedupe --db "$T/s.copy" --by name_city --merge --survivor most_events
assert_eq "$(tail -n +2 "$T/out" | cut -f3,4 | tr '\t' ' ')" "p04 p05
p01 p03,p02" "most_events survivor (p01 and p03 have 3: the smaller id)"
rm -rf "$T/s.copy"

# --- Merge by name_city (oldest): p01 and p03 into p02, p05 into p04.
for id in p01 p02 p03 p04 p05; do
    segrt export --db "$S" --now "$NOW" "$id" >"$T/$id.before" || fail "export of $id"
done
run segrt dedupe --db "$S" --now "$NOW" --by name_city --merge
assert_rc 0 "merge by name_city"
M_STEFAN=$(awk -F'\t' '$3 == "p02" { print $5 }' "$T/out")
M_NOWAK=$(awk -F'\t' '$3 == "p04" { print $5 }' "$T/out")
[ -n "$M_STEFAN" ] && [ -n "$M_NOWAK" ] || fail "merge ids missing: $(cat "$T/out")"
segrt export --db "$S" --now "$NOW" p02 >"$T/p02.after"
python3 - "$T/p02.after" "$T/p01.before" "$T/p03.before" "$M_STEFAN" <<'PY' ||
import json, sys
d = json.load(open(sys.argv[1]))
c, problems = d['contact'], []
# The export shows what the store keeps to undo the merge (Art. 15): the
# merged contacts exactly as their own exports showed them.
merged = d.get('merged', [])
if [(m['merge'], m['by'], m['merged_at']) for m in merged] != [
        (int(sys.argv[4]), 'name_city', '2026-01-01T00:00:00Z')]:
    problems.append('merged: %r' % [(m['merge'], m['by']) for m in merged])
else:
    for got, path in zip(merged[0]['contacts'], sys.argv[2:4]):
        want = json.load(open(path))
        del want['segments']
        if got != want:
            problems.append('merged contact %s: %r, expected %r' % (got['contact']['id'], got, want))
# Filled from the others in rank order (p01, then p03): income from p01, the
# e-mail from p01, the tags (whole) from p03; its own fields kept.
want = {'income': 4000, 'email': 'stefan@ex.ro', 'tags': ['vip', 'newsletter'],
        'first_name': 'ŞTEFAN', 'city': 'Iasi'}
for k, v in want.items():
    if c.get(k) != v:
        problems.append('%s: %r, expected %r' % (k, c.get(k), v))
# Events: 1 + 3 + 3, the identical purchase of p01 and p03 once, and p01's e1
# replacing p02's (an event_id names one event).
ev = [(e['ts'], e['type'], e.get('amount'), e.get('event_id')) for e in d['events']]
want_ev = [('2025-01-02T10:00:00Z', 'purchase', 10.5, None),
           ('2025-01-03T10:00:00Z', 'purchase', 20, None),
           ('2025-01-04T10:00:00Z', 'purchase', 30, 'e1'),
           ('2025-02-01T10:00:00Z', 'login', None, None),
           ('2025-02-02T10:00:00Z', 'login', None, None)]
if ev != want_ev:
    problems.append('events %s, expected %s' % (ev, want_ev))
# Consent in force: a withdrawal or objection of any of them wins.
force = {r['purpose']: (r['status'], r['source']) for r in d['consents'] if r['in_force']}
want_force = {'email_marketing': ('withdrawn', 'dedupe'),   # p01's over p02's later grant
              'direct_marketing': ('withdrawn', 'dedupe'),  # p02's over p01's later grant
              'objection': ('granted', 'call'),             # p03's, moved
              'sms_marketing': ('granted', 'web_form'),     # p01's, moved
              'profiling': ('granted', 'web_form')}         # p03's later grant: no refusal
if force != want_force:
    problems.append('in force %s, expected %s' % (force, want_force))
if len(d['consents']) != 8 + 2:
    problems.append('%d consent records, expected the 8 and 2 copies' % len(d['consents']))
if problems:
    sys.exit('\n'.join(problems))
PY
    fail "the survivor p02 is not what the merge should make (see above)"
ok
run segrt consent show --db "$S" --now "$NOW" p02
assert_contains "$T/out" "$(printf '%s\temail_marketing\twithdrawn\tconsent\t-\tdedupe\tyes' "$NOW")" \
    "consent show: the protective copy is in force"
run segrt check --db "$S"
assert_rc 0 "check after the merge"

# --- Erasing a merged-away id says where it went.
run segrt erase --db "$S" p01
assert_rc 1 "erase of merged p01"
assert_contains "$T/err" "contact 'p01' was merged into 'p02' by merge $M_STEFAN" "erase hint"

# --- Chained merge: p02 (which holds p01 and p03) into p11, the oldest of the phone group.
run segrt dedupe --db "$S" --now "$NOW" --by phone --merge
assert_rc 0 "merge by phone"
M_PHONE=$(awk -F'\t' '$3 == "p11" { print $5 }' "$T/out")
M_BG=$(awk -F'\t' '$3 == "p06" { print $5 }' "$T/out")
assert_eq "$(awk -F'\t' '$3 == "p11" { print $4 }' "$T/out")" p02 "p02 merged into p11"
assert_eq "$(awk -F'\t' '$3 == "p06" { print $4 }' "$T/out")" p07 "p07 merged into p06"
run segrt dedupe --db "$S" --undo "$M_STEFAN"
assert_rc 1 "undo of a merge whose survivor was merged since"
assert_contains "$T/err" "was merged itself by merge $M_PHONE: undo that first" "chained undo"
run segrt dedupe --db "$S" --merges
assert_contains "$T/out" "$(printf '%s\t%s\tname_city\t-\tp01,p03' "$M_STEFAN" "$NOW")" \
    "merges list: the survivor of $M_STEFAN is gone"
# Undo the chain in order: p02 comes back (holding p01 and p03), then they do.
run segrt dedupe --db "$S" --undo "$M_PHONE"
assert_rc 0 "undo of the phone merge"
run segrt dedupe --db "$S" --undo "$M_STEFAN"
assert_rc 0 "undo of the name merge after the phone merge"
for id in p01 p02 p03; do
    segrt export --db "$S" --now "$NOW" "$id" >"$T/$id.undone" || fail "export of $id after undo"
    cmp -s "$T/$id.before" "$T/$id.undone" ||
        fail "$id after undo differs: $(diff "$T/$id.before" "$T/$id.undone" | head -20)"
    ok
done
run segrt check --db "$S"
assert_rc 0 "check after the undos"

# --- Erasure of a survivor drops the undo data of its merges, transitively.
run segrt dedupe --db "$S" --now "$NOW" --by name_city --merge
M_STEFAN=$(awk -F'\t' '$3 == "p02" { print $5 }' "$T/out")
run segrt dedupe --db "$S" --now "$NOW" --by phone --merge
M_PHONE=$(awk -F'\t' '$3 == "p11" { print $5 }' "$T/out")
run segrt dedupe --db "$S" --merges
assert_eq "$(tail -n +2 "$T/out" | cut -f1 | sort -n | tr '\n' ' ')" \
    "$(printf '%s\n' "$M_NOWAK" "$M_BG" "$M_STEFAN" "$M_PHONE" | sort -n | tr '\n' ' ')" \
    "merges held"
run segrt erase --db "$S" p11
assert_rc 0 "erase of p11"
segrt audit --db "$S" | awk -F'\t' '$4 == "erase"' | tail -n1 >"$T/erase.line"
assert_contains "$T/erase.line" "the undo data of 2 merges" "erase audit detail"
run segrt dedupe --db "$S" --merges
for id in p01 p02 p03 p11; do
    assert_not_contains "$T/out" "$id" "undo data of $id after erasing p11"
done
# Nothing of the person is left anywhere a command shows.
segrt audit --db "$S" >"$T/gone.audit"
segrt dedupe --db "$S" --by email >"$T/gone.email" 2>&1
segrt dedupe --db "$S" --by name_city >"$T/gone.names" 2>&1
for f in "$T/gone.audit" "$T/gone.email" "$T/gone.names"; do
    for needle in p01 p02 p03 p11 stefan@ex.ro s.popescu@ex.ro popescu; do
        assert_not_contains "$f" "$needle" "$needle after erasing p11"
    done
done
run segrt dedupe --db "$S" --undo "$M_PHONE"
assert_rc 1 "undo after the survivor's erasure"
assert_contains "$T/err" "cannot be undone" "undo after the survivor's erasure"
run segrt erase --db "$S" p01
assert_rc 1 "erase of p01, whose undo data went with p11"
assert_contains "$T/err" "no contact with id 'p01'" "plain message once nothing holds p01"

# --- A merged id imported again: the merge cannot be undone; erasing it drops
# the undo data that holds the old p05.
printf 'id,first_name\np05,Lukasz\n' >"$T/p05.csv"
run segrt import --db "$S" --contacts "$T/p05.csv"
assert_rc 0 "re-import of p05"
run segrt dedupe --db "$S" --undo "$M_NOWAK"
assert_rc 1 "undo with p05 back"
assert_contains "$T/err" "contact 'p05', which merge $M_NOWAK merged, exists again" "undo with p05 back"
run segrt erase --db "$S" p05
assert_rc 0 "erase of the new p05"
run segrt dedupe --db "$S" --merges
assert_eq "$(tail -n +2 "$T/out" | cut -f1)" "$M_BG" "undo data left: the merge of p07 only"
run segrt dedupe --db "$S" --undo "$M_BG"
assert_rc 0 "undo of the merge of p07"
run segrt dedupe --db "$S" --merges
assert_eq "$(wc -l <"$T/out")" 1 "no undo data left (header only)"
run segrt check --db "$S"
assert_rc 0 "check after the erasures"

# --- Usage errors and a store without the field.
for args in "--by bogus" "--by email --survivor newest" "--by email --merge --survivor eldest" \
    "" "--merge" "--undo abc" "--undo 0" "--undo -3" "--undo 5 --by email" \
    "--merges --undo 5" "--by email extra"; do
    # shellcheck disable=SC2086 # the words are separate options
    run segrt dedupe --db "$S" $args
    assert_rc 2 "segrt dedupe $args"
    assert_contains "$T/err" "usage: segrt dedupe" "usage hint for '$args'"
done
run segrt dedupe --db "$S" --by email --survivor oldest
assert_contains "$T/err" "--survivor only applies with --merge" "--survivor without --merge"
run segrt dedupe --db "$S" --help
assert_rc 0 "dedupe --help"
assert_contains "$T/out" "--undo MERGE" "dedupe --help"
printf 'id,email\nx1,a@ex.ro\n' >"$T/nophone.csv"
run segrt import --db "$T/s2" --contacts "$T/nophone.csv"
run segrt dedupe --db "$T/s2" --by phone
assert_rc 1 "dedupe --by phone without a phone field"
assert_contains "$T/err" "no string field 'phone'" "dedupe --by phone without a phone field"
run segrt dedupe --db "$T/none" --by email
assert_rc 1 "dedupe of a missing store"

finish
