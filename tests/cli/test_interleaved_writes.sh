#!/usr/bin/env bash
# test_interleaved_writes.sh — segments over a store written piece by piece
# equal those over one clean import of the same final data.
#
# Data: gen_crm.py --contacts 70000 --events-per-contact 3 --seed 11 (two
# chunks of contact ordinals), NOW = 2026-01-01T00:00:00Z. Store A gets:
#   - the contacts and consents, then the events in three parts: two large
#     (a batch rebuilds whole chunks) and one small (runs appended);
#   - three extra contacts x1..x3 sharing the e-mail of an existing contact,
#     with events of their own: x2 and x3 have only the e-mail, x1 (which
#     stays) copies its original but for the id and a later created_at (so
#     the original survives the merge), since the SQL twins load whole rows;
#   - the erasure of three contacts, two either side of ordinal 65536;
#   - segrt dedupe --by email --merge (x1..x3 merged into their originals),
#     then the merge of x1 undone;
#   - a small import of new events.
# Store B imports, once, the data that sequence ends with: the erased
# contacts gone, x2's and x3's events under their survivors, x1 and its
# events kept, the new events added. segrt check must pass on A, and every
# segment of examples/bench_segments.lua (S1–S12) and
# tests/oracle/extra_segments.lua must have the same members and count in
# both stores. The same final data also goes to the SQL twins
# (tests/oracle/sqlite_oracle.py, as test_oracle.sh and test_pack_sql.sh run
# it): every S1–S12, extra and bundled pack segment must have in A exactly
# the members and the count SQLite gives.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
ORACLE=$REPO/tests/oracle
NOW=2026-01-01T00:00:00Z
BENCH_LUA=$REPO/examples/bench_segments.lua
EXTRA_LUA=$ORACLE/extra_segments.lua

D=$T/crm
python3 "$SHARED_BENCH/gen_crm.py" --contacts 70000 --events-per-contact 3 --seed 11 \
    --out "$D" >/dev/null

# --- The inputs of A, and the final data for B and the SQL twins.
mkdir "$T/final"
python3 - "$D" "$T" <<'PY' || fail "preparing the data"
import csv, random, sys
src, out = sys.argv[1:3]
def rows(name):
    with open('%s/%s.csv' % (src, name), newline='') as f:
        r = list(csv.reader(f))
    return r[0], r[1:]
def write(name, header, body):
    with open('%s/%s.csv' % (out, name), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(body)
ch, contacts = rows('contacts')
eh, events = rows('events')
sh, consents = rows('consents')
erased = {'c0000010', 'c0065536', 'c0065537'}
# x_i duplicates the e-mail of an original: x1 is merged then restored, x2 and x3 stay merged.
dups = {'x1': 'c0000005', 'x2': 'c0065540', 'x3': 'c0000100'}
by_id = {c[0]: c for c in contacts}
def dup(x):
    orig = by_id[dups[x]]
    if x != 'x1':
        return [x, orig[1]] + [''] * (len(ch) - 2)   # the id and the e-mail only
    row = [x] + orig[1:]
    row[ch.index('created_at')] = '2025-12-31T23:59:59Z'
    return row
rng = random.Random(5)
def event(who, day):
    kind = rng.choice(['purchase', 'purchase', 'login', 'page_view'])
    amount = '%.2f' % rng.uniform(1, 900) if kind == 'purchase' else ''
    return [who, '2025-%02d-%02dT%02d:%02d:00Z' % (rng.randint(1, 12), day, rng.randint(0, 23),
            rng.randint(0, 59)), kind, amount, 'coffee_beans' if kind == 'purchase' else '', 'web']
x_events = [event(x, 1 + i) for x in sorted(dups) for i in range(6)]
live = [c[0] for c in contacts if c[0] not in erased]
more = [event(rng.choice(live), 10 + i % 18) for i in range(400)]
# A: three parts of the events (interleaved, so each touches both chunks), the duplicates.
write('events1', eh, [e for i, e in enumerate(events) if i % 5 < 3])
write('events2', eh, [e for i, e in enumerate(events) if i % 5 == 3 or (i % 5 == 4 and i >= 2000)])
write('events3', eh, [e for i, e in enumerate(events) if i % 5 == 4 and i < 2000])
write('dups', ch, [dup(x) for x in sorted(dups)])
write('x_events', eh, x_events)
write('more', eh, more)
with open('%s/erased' % out, 'w') as f:
    f.write('\n'.join(sorted(erased)) + '\n')
# B and the SQL twins: what A holds at the end.
write('final/contacts', ch, [c for c in contacts if c[0] not in erased] + [dup('x1')])
moved = [[e[0] if e[0] == 'x1' else dups[e[0]]] + e[1:] for e in x_events]
write('final/events', eh, [e for e in events if e[0] not in erased] + moved + more)
write('final/consents', sh, [c for c in consents if c[0] not in erased])
PY

# --- The expected member sets (SQLite), computed while the stores are written.
twins=()
for f in "$ORACLE"/packs/[!_]*.sql; do twins+=(--pack "$f"); done
python3 "$ORACLE/sqlite_oracle.py" "$T/final" "$T/exp" \
    --anchors "$SHARED_BENCH/anchors/queries_sqlite.sql" --extra "$ORACLE/extra_segments.sql" \
    --parts "$ORACLE/packs/_consent.sql" "${twins[@]}" >"$T/oracle.out" 2>"$T/oracle.err" &
oracle_pid=$!
track_bg "$oracle_pid"

# --- A, written piece by piece.
A=$T/a
run segrt import --db "$A" --contacts "$D/contacts.csv" --consents "$D/consents.csv"
assert_rc 0 "import of the contacts and consents"
for part in events1 events2 events3; do
    run segrt import --db "$A" --events "$T/$part.csv"
    assert_rc 0 "import of $part"
done
run segrt import --db "$A" --contacts "$T/dups.csv" --events "$T/x_events.csv"
assert_rc 0 "import of the duplicates"
while read -r id; do
    run segrt erase --db "$A" --now "$NOW" "$id"
    assert_rc 0 "erase $id"
done <"$T/erased"
run segrt dedupe --db "$A" --now "$NOW" --by email --merge
assert_rc 0 "dedupe --merge"
[ "$(grep -c . "$T/out")" -eq 4 ] || fail "expected 3 groups, got: $(head -c 600 "$T/out")"
undo=$(awk -F'\t' '$3 == "c0000005" { print $NF }' "$T/out")
[ -n "$undo" ] || fail "no merge of x1 in: $(head -c 600 "$T/out")"
run segrt dedupe --db "$A" --now "$NOW" --undo "$undo"
assert_rc 0 "undo of merge $undo"
assert_eq "$(cat "$T/out")" x1 "the contact the undo restores"
run segrt import --db "$A" --events "$T/more.csv"
assert_rc 0 "import of more events"
run segrt check --db "$A"
assert_rc 0 "segrt check of the store written piece by piece: $(head -c 600 "$T/err")"

# --- B, one clean import of the final data.
B=$T/b
run segrt import --db "$B" --contacts "$T/final/contacts.csv" --events "$T/final/events.csv" \
    --consents "$T/final/consents.csv"
assert_rc 0 "clean import of the final data"
segrt stats --db "$A" >"$T/stats_a"
segrt stats --db "$B" >"$T/stats_b"
for key in contacts events consents; do
    assert_eq "$(stat_of "$T/stats_a" "$key")" "$(stat_of "$T/stats_b" "$key")" "stats $key"
done

# --- Every segment: the same members and count.
python3 - "$BENCH_LUA" "$EXTRA_LUA" >"$T/segments" <<'PY' || fail "listing the segments"
import re, sys
for path in sys.argv[1:]:
    src = re.sub(r'--[^\n]*', '', open(path, encoding='utf-8').read())
    for name in re.findall(r'seg\.segment\s*"([A-Za-z_][A-Za-z0-9_]*)"', src):
        print(path, name)
    for group, body in re.findall(r'seg\.exclusive\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\{([^}]*)\}', src):
        for m in re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', body):
            print(path, group + '.' + m)
PY
n=0
while read -r script name <&3; do
    n=$((n + 1))
    run segrt members --db "$A" --now "$NOW" "$script" "$name"
    assert_rc 0 "members of $name in A: $(head -c 300 "$T/err")"
    mv "$T/out" "$T/members_a"
    run segrt members --db "$B" --now "$NOW" "$script" "$name"
    assert_rc 0 "members of $name in B: $(head -c 300 "$T/err")"
    cmp -s "$T/members_a" "$T/out" ||
        fail "$name: A has $(wc -l <"$T/members_a") members, B $(wc -l <"$T/out");" \
            "only A: $(LC_ALL=C comm -23 "$T/members_a" "$T/out" | head -n 5 | tr '\n' ' ')" \
            "only B: $(LC_ALL=C comm -13 "$T/members_a" "$T/out" | head -n 5 | tr '\n' ' ')"
    ok
    run segrt count --db "$A" --now "$NOW" "$script" "$name"
    assert_eq "$(cat "$T/out")" "$(wc -l <"$T/members_a" | tr -d ' ')" "count of $name in A"
done 3<"$T/segments"
[ "$n" -ge 32 ] || fail "only $n segments"

# --- Every segment against its SQL twin, over the final data.
rc=0
wait "$oracle_pid" || rc=$?
untrack_bg "$oracle_pid"
[ "$rc" -eq 0 ] || fail "sqlite_oracle.py failed (exit $rc): $(head -c 3000 "$T/oracle.err")"
ok
# The twins of S1–S12 and the extra segments are the segments compared above.
awk '$1 == "anchors" || $1 == "extra" { print $2 }' "$T/exp/manifest" | sort >"$T/twins"
awk '{ print $2 }' "$T/segments" | sort | cmp -s - "$T/twins" ||
    fail "the SQL twins are not the segments of the Lua files: $(awk '{ print $2 }' "$T/segments" |
        sort | diff - "$T/twins" | head -n 10)"
ok
n=0
while read -r group name count <&3; do
    case $group in
    anchors) script=$BENCH_LUA exp=$T/exp/$name.ids ;;
    extra) script=$EXTRA_LUA exp=$T/exp/$name.ids ;;
    *) script=$group exp=$T/exp/$group/$name.ids ;;
    esac
    n=$((n + 1))
    run segrt members --db "$A" --now "$NOW" "$script" "$name"
    assert_rc 0 "members of $group $name in A: $(head -c 300 "$T/err")"
    cmp -s "$T/out" "$exp" ||
        fail "$group $name: A has $(wc -l <"$T/out") members, SQLite $count;" \
            "only A: $(LC_ALL=C comm -23 "$T/out" "$exp" | head -n 5 | tr '\n' ' ')" \
            "only SQLite: $(LC_ALL=C comm -13 "$T/out" "$exp" | head -n 5 | tr '\n' ' ')"
    ok
    run segrt count --db "$A" --now "$NOW" "$script" "$name"
    assert_eq "$(cat "$T/out")" "$count" "count of $group $name in A"
done 3<"$T/exp/manifest"
[ "$(awk '$1 != "anchors" && $1 != "extra" { print $1 }' "$T/exp/manifest" | sort -u | wc -l)" -ge 7 ] ||
    fail "the twins of fewer than 7 packs: $(cut -d' ' -f1 "$T/exp/manifest" | sort -u | tr '\n' ' ')"
ok
echo "$n segments equal their SQL twins" >&2
finish
