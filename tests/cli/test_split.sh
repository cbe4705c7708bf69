#!/usr/bin/env bash
# test_split.sh — A/B splits (seg.split) on a generated store: every arm of
# tests/oracle/split_segments.lua equals its SQLite twin (split_segments.sql,
# the bucket computed by the pure-Python XXH64 of tests/oracle/xxh64.py);
# the arms of a split are disjoint, their union is the population and their
# sizes are near the percentages; membership is the same in a second process
# and after unrelated imports (new contacts, events), where the new contacts
# land in the arms the Python hash gives; `segrt run` stores the arms and
# `segrt changes` reports only the new contacts entering; `segrt report`
# shows them; a bad split names its script line.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
export LC_ALL=C # comm and sort in byte order, as segrt sorts ids
ORACLE=$(cd "$HERE/../oracle" && pwd)
NOW=2026-01-01T00:00:00Z
LUA=$ORACLE/split_segments.lua
ARMS="exp.A exp.B exp.C pl pl_test.control pl_test.treat buyers.x buyers.y exp_a_pl not_control"

D=$T/crm
crm_with_oracle "$ORACLE/split_segments.sql"

# --- The Python XXH64 agrees with the C one (libxxhash) on a few strings:
# the same contact in the same arm on both sides is checked for every id below;
# here the hash itself, against values the C unit test (test_plan_split) pins.
python3 - "$ORACLE" <<'PY' || fail "the Python XXH64 differs from libxxhash's values"
import sys
sys.path.insert(0, sys.argv[1])
from xxh64 import xxh64
for text, want in [(b'', 0xef46db3751d8e999), (b'exp:c0000002', 0x66e0880a6e780ef8),
                   (b'long_experiment_name:contact-with-a-long-id-0000000001', 0xa032d969469e636c),
                   ('promo:zoë@example.com'.encode(), 0xed489697b913551e)]:
    assert xxh64(text) == want, (text, hex(xxh64(text)))
PY
ok

# --- Every arm equals its SQL twin.
for seg in $ARMS; do
    segrt members --db "$T/db" --now "$NOW" "$LUA" "$seg" >"$T/$seg.ids"
    cmp -s "$T/$seg.ids" "$T/exp/$seg.ids" ||
        fail "$seg: segrt has $(wc -l <"$T/$seg.ids") members, SQLite $(wc -l <"$T/exp/$seg.ids"): $(diff "$T/$seg.ids" "$T/exp/$seg.ids" | head -4 | tr '\n' ' ')"
    assert_eq "$(segrt count --db "$T/db" --now "$NOW" "$LUA" "$seg")" "$(wc -l <"$T/$seg.ids" | tr -d ' ')" "$seg count"
done
ok

# --- Arms are disjoint, cover the population, and are sized by their percentages.
cut -d, -f1 "$D/contacts.csv" | tail -n +2 | sort >"$T/everybody"
disjoint() {
    local a=$1 b=$2
    [ -z "$(comm -12 "$T/$a.ids" "$T/$b.ids")" ] || fail "$a and $b share members"
}
disjoint exp.A exp.B
disjoint exp.A exp.C
disjoint exp.B exp.C
disjoint pl_test.control pl_test.treat
disjoint buyers.x buyers.y
sort -m "$T/exp.A.ids" "$T/exp.B.ids" "$T/exp.C.ids" | cmp -s - "$T/everybody" ||
    fail "exp's arms do not add up to every contact"
[ -z "$(sort -m "$T/pl_test.control.ids" "$T/pl_test.treat.ids" | comm -23 - "$T/pl.ids")" ] ||
    fail "pl_test's arms hold contacts outside pl"
near() { # near SEGMENT PERCENT OF_N: within 5 standard deviations of PERCENT% of OF_N
    python3 -c "
import math, sys
n, p, of = int(sys.argv[1]), int(sys.argv[2]) / 100, int(sys.argv[3])
sd = math.sqrt(of * p * (1 - p))
sys.exit(0 if abs(n - of * p) <= 5 * sd else 1)" "$(wc -l <"$T/$1.ids")" "$2" "$3" ||
        fail "$1 holds $(wc -l <"$T/$1.ids") contacts, far from $2% of $3"
}
near exp.A 50 20000
near exp.B 30 20000
near exp.C 20 20000
npl=$(wc -l <"$T/pl.ids")
near pl_test.control 10 "$npl"
near pl_test.treat 45 "$npl"
ok

# --- The same members in another process, after a run, and after unrelated imports.
run segrt run --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "segrt run"
assert_contains "$T/out" "pl_test.control" "run lists the arms"
for seg in $ARMS; do
    segrt members --db "$T/db" --now "$NOW" "$LUA" "$seg" | cmp -s - "$T/$seg.ids" ||
        fail "$seg: other members in a second process"
done
ok
python3 - "$T" <<'PY'
import csv, os, sys
d = sys.argv[1]
with open(os.path.join(d, 'new_contacts.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['id', 'email', 'country'])
    for i in range(300):
        w.writerow(['n%04d' % i, 'n%04d@example.com' % i, 'PL' if i % 2 else 'RO'])
with open(os.path.join(d, 'more_events.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['contact_id', 'ts', 'type', 'amount'])
    for i in range(1, 2000, 7):
        w.writerow(['c%07d' % i, '2025-12-20T10:00:00Z', 'login', ''])
PY
run segrt import --db "$T/db" --contacts "$T/new_contacts.csv" --events "$T/more_events.csv"
assert_rc 0 "unrelated imports"
python3 - "$ORACLE" "$T" <<'PY' || fail "the new contacts are not in the arms their hash gives"
import sys
sys.path.insert(0, sys.argv[1])
from xxh64 import split_bucket
t = sys.argv[2]
new = ['n%04d' % i for i in range(300)]
arms = {'exp.A': (0, 50), 'exp.B': (50, 80), 'exp.C': (80, 100)}
for arm, (lo, hi) in arms.items():
    old = [l.strip() for l in open('%s/%s.ids' % (t, arm))]
    want = sorted(old + [i for i in new if lo <= split_bucket('exp', i) < hi])
    with open('%s/%s.want' % (t, arm), 'w') as f:
        f.writelines(i + '\n' for i in want)
ctl = [i for i in new[1::2] if split_bucket('pl_test', i) < 10]
with open('%s/pl_test.control.new' % t, 'w') as f:
    f.writelines(i + '\n' for i in sorted(ctl))
PY
for seg in exp.A exp.B exp.C; do
    segrt members --db "$T/db" --now "$NOW" "$LUA" "$seg" | cmp -s - "$T/$seg.want" ||
        fail "$seg after the imports: not the old members plus the new contacts of its buckets"
done
ok

# --- A second run: the arms' changes are the new contacts entering, nobody leaving.
run segrt run --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "second segrt run"
run segrt changes --db "$T/db" --since-run 1 "$LUA" pl_test.control
assert_rc 0 "changes of an arm"
tail -n +2 "$T/out" | cut -d, -f1,2 >"$T/got"
sed 's/^/entered,/' "$T/pl_test.control.new" >"$T/want"
[ -s "$T/want" ] || fail "no new contact in pl_test.control: the check would be empty"
cmp -s "$T/got" "$T/want" || fail "changes of pl_test.control: $(diff "$T/got" "$T/want" | head -4 | tr '\n' ' ')"
ok

# --- The report shows the arms.
run segrt report --db "$T/db" --now "$NOW" "$LUA"
assert_rc 0 "report"
assert_contains "$T/out" "exp.B" "report names an arm"
ok

# --- A wrong split names its line.
printf 'local seg = require "segrt"\n\nseg.split "bad" { A = 70, B = 40 }\n' >"$T/bad.lua"
run segrt count --db "$T/db" "$T/bad.lua" bad.A
assert_rc 1 "a split over 100%"
assert_contains "$T/err" "bad.lua:3:" "the error names the script line"
assert_contains "$T/err" "add up to 110, more than 100" "the error says why"
ok
finish
