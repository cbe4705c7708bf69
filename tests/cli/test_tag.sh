#!/usr/bin/env bash
# test_tag.sh — tags kept by rules (seg.tag) on a generated store: after
# `segrt run` the contacts carrying each managed tag are exactly its rule's
# SQLite twin (tests/oracle/tag_segments.sql), the CSV's other tags are
# untouched (a managed tag the CSV also held is the rule's alone), and the
# tag shows in `show`, `export` and `members --fields tags`; a contact that
# leaves a rule after an import loses the tag on the next run (and `segrt
# changes` reports it leaving); a second run changes nothing; the store
# checks clean.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
export LC_ALL=C # comm and sort in byte order, as segrt sorts ids
ORACLE=$(cd "$HERE/../oracle" && pwd)
NOW=2026-01-01T00:00:00Z
LUA=$ORACLE/tag_segments.lua

D=$T/crm
crm_with_oracle "$ORACLE/tag_segments.sql"

members() {
    segrt members --db "$T/db" --now "$NOW" "$LUA" "$1"
}

# --- Before the first run the store holds only the CSV's tags.
segrt members --db "$T/db" --now "$NOW" --format csv --fields tags "$LUA" everybody >"$T/tags0.csv"
members has_high_value >"$T/csv_high_value"
[ "$(wc -l <"$T/csv_high_value")" -gt 1000 ] || fail "the CSV's high_value tags are missing"
[ -z "$(members has_pl_newsletter)" ] || fail "pl_newsletter before any run"
ok

# --- A run writes the tags: exactly the SQL twins.
run segrt run --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "segrt run"
assert_contains "$T/err" "tags added or removed" "the run says it wrote tags"
for tag in high_value pl_newsletter; do
    members "has_$tag" >"$T/has_$tag"
    [ -s "$T/has_$tag" ] || fail "nobody has $tag: the check would be empty"
    cmp -s "$T/has_$tag" "$T/exp/$tag.ids" ||
        fail "$tag: $(wc -l <"$T/has_$tag") contacts carry it, SQLite's rule has $(wc -l <"$T/exp/$tag.ids"): $(diff "$T/has_$tag" "$T/exp/$tag.ids" | head -4 | tr '\n' ' ')"
    members "$tag" | cmp -s - "$T/has_$tag" || fail "$tag: the segment is not who carries the tag"
done
# the CSV's high_value was replaced by the rule's: some lost it, some gained it
[ -n "$(comm -23 "$T/csv_high_value" "$T/has_high_value")" ] || fail "nobody lost the CSV's high_value"
[ -n "$(comm -13 "$T/csv_high_value" "$T/has_high_value")" ] || fail "nobody gained high_value"
ok

# --- The other tags of every contact are the CSV's, as the store held them before the run.
segrt members --db "$T/db" --now "$NOW" --format csv --fields tags "$LUA" everybody >"$T/tags.csv"
python3 - "$D/contacts.csv" "$T/tags0.csv" "$T/tags.csv" <<'PY' || fail "unmanaged tags changed"
import csv, sys
managed = {'high_value', 'pl_newsletter'}
def tags(path, key='tags'):
    return {r['id']: [t for t in r[key].split(';') if t and t not in managed]
            for r in csv.DictReader(open(path, newline=''))}
csv_tags, before, after = tags(sys.argv[1]), tags(sys.argv[2]), tags(sys.argv[3])
assert set(after) == set(csv_tags), 'other contacts'
bad = [i for i in csv_tags if sorted(before[i]) != sorted(csv_tags[i]) or after[i] != before[i]]
assert not bad, 'e.g. %s: %s, before the run %s, CSV %s' % (bad[0], after[bad[0]], before[bad[0]],
                                                           csv_tags[bad[0]])
PY
ok

# --- The tag shows in show, export and members --fields tags.
id=$(head -1 "$T/has_pl_newsletter")
run segrt show --db "$T/db" "$id"
assert_contains "$T/out" "pl_newsletter" "show lists the tag"
run segrt export --db "$T/db" "$id"
python3 -c "import json,sys; assert 'pl_newsletter' in json.load(open(sys.argv[1]))['contact']['tags']" \
    "$T/out" || fail "export lacks the tag"
assert_contains "$T/tags.csv" "$id," "members --fields tags lists the contact"
grep -q "^$id,.*pl_newsletter" "$T/tags.csv" || fail "members --fields tags lacks the tag"
ok

# --- A second run changes nothing; a contact leaving a rule loses its tag on the next.
run segrt run --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "second run"
assert_not_contains "$T/err" "tags added or removed" "a second run writes no tag"
printf 'id,country\n%s,RO\n' "$id" >"$T/moved.csv"
run segrt import --db "$T/db" --contacts "$T/moved.csv"
assert_rc 0 "import of a move out of PL"
members has_pl_newsletter >"$T/before_run"
grep -qx "$id" "$T/before_run" || fail "the tag went before the run"
run segrt run --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "third run"
assert_contains "$T/err" "1 tag added or removed" "one tag removed"
members has_pl_newsletter >"$T/after_run"
grep -qx "$id" "$T/after_run" && fail "$id kept pl_newsletter after leaving the rule"
grep -vx "$id" "$T/has_pl_newsletter" | cmp -s - "$T/after_run" || fail "others' pl_newsletter changed"
run segrt changes --db "$T/db" --since-run 2 "$LUA" pl_newsletter
assert_contains "$T/out" "left,$id," "changes report the contact leaving the tag"
run segrt check --db "$T/db"
assert_rc 0 "segrt check"
ok
finish
