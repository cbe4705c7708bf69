#!/usr/bin/env bash
# test_run.sh — materialised segments: segrt run, history and overlap, and the
# stored memberships as export, show and erase see them.
#
# A small store (300 contacts, then 40 updated and 20 new, with purchases
# before each run) and a script of five segments (one exclusive group, so two
# names with a dot). `segrt run` at two NOWs must print each segment's size,
# share, entered and exited exactly as an independent Python model computes
# them; history must list both runs; overlap must give the pairwise
# intersections; export must list the segments a contact is in; erase must
# take the contact out of every stored membership (a run right after it sees
# nobody enter or exit); a bad script stores nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW1=2026-01-01T00:00:00Z
NOW2=2026-03-01T00:00:00Z
S=$T/s

# --- data: phase 1 and the change before the second run.
python3 - "$T" <<'PY'
import csv, os, random, sys
from datetime import datetime, timedelta, timezone
d = sys.argv[1]
rnd = random.Random(7)
regions = ['north', 'south', 'east', 'west']

def ts(lo, hi):
    a = datetime(*lo, tzinfo=timezone.utc).timestamp()
    b = datetime(*hi, tzinfo=timezone.utc).timestamp()
    t = datetime.fromtimestamp(rnd.randint(int(a), int(b)), timezone.utc)
    return t.strftime('%Y-%m-%dT%H:%M:%SZ')

def write(name, header, rows):
    with open(os.path.join(d, name), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(rows)

ids = ['c%04d' % i for i in range(1, 301)]
c1 = [[i, i + '@example.com',
       '' if rnd.random() < 0.15 else rnd.randint(10000, 100000),
       '' if rnd.random() < 0.10 else rnd.choice(regions)] for i in ids]
e1 = []
for i in ids:
    for _ in range(rnd.randint(0, 4)):
        kind = 'purchase' if rnd.random() < 0.7 else 'visit'
        e1.append([i, ts((2025, 10, 1), (2025, 12, 31, 23, 59, 59)), kind,
                   '%d.%02d' % (rnd.randint(1, 300), rnd.randint(0, 99))])
new = ['c%04d' % i for i in range(301, 321)]
c2 = [[i, i + '@example.com', rnd.randint(10000, 100000), rnd.choice(regions)]
      for i in sorted(rnd.sample(ids, 40)) + new]
e2 = [[i, ts((2026, 2, 1), (2026, 2, 28, 23, 59, 59)),
       'purchase' if rnd.random() < 0.8 else 'visit', '10.00']
      for i in (rnd.choice(ids + new) for _ in range(60))]
write('contacts1.csv', ['id', 'email', 'income', 'region'], c1)
write('events1.csv', ['contact_id', 'ts', 'type', 'amount'], e1)
write('contacts2.csv', ['id', 'email', 'income', 'region'], c2)
write('events2.csv', ['contact_id', 'ts', 'type', 'amount'], e2)
PY

cat >"$T/segs.lua" <<'LUA'
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

seg.segment "big" { description = "income over 50000", where = F.income:gt(50000) }
seg.segment "north" { where = F.region:eq "north" }
seg.segment "recent_buyers" { where = E.purchase:within(days(30)):exists() }
seg.exclusive "tier" { "big", "north" }
LUA

# The model: members of every segment after phase P at NOW, as JSON.
cat >"$T/model.py" <<'PY'
import csv, json, os, sys
from datetime import datetime, timezone
d, phase, now = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def secs(t):
    return datetime.strptime(t, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc).timestamp()
contacts, events = {}, []
for p in range(1, phase + 1):
    for r in csv.DictReader(open(os.path.join(d, 'contacts%d.csv' % p), newline='')):
        contacts[r['id']] = r
    events += list(csv.DictReader(open(os.path.join(d, 'events%d.csv' % p), newline='')))
erased = set(json.load(open(os.path.join(d, 'erased.json')))) if os.path.exists(
    os.path.join(d, 'erased.json')) else set()
live = sorted(set(contacts) - erased)
t = secs(now)
big = {i for i in live if contacts[i]['income'] and int(contacts[i]['income']) > 50000}
north = {i for i in live if contacts[i]['region'] == 'north'}
buyers = {e['contact_id'] for e in events if e['type'] == 'purchase'
          and t - 30 * 86400 <= secs(e['ts']) <= t and e['contact_id'] in set(live)}
segs = {'big': big, 'north': north, 'recent_buyers': buyers, 'tier.big': big,
        'tier.north': north - big}
json.dump({'contacts': len(live), 'segments': {k: sorted(v) for k, v in segs.items()}},
          sys.stdout)
PY

# Check a `segrt run` table against the model before (PREV, or "none") and now (CUR).
check_run() {
    python3 - "$1" "$2" "$T/out" <<'PY' || fail "run table differs from the model (see above)$(last_output)"
import json, sys
prev, cur, out = sys.argv[1:4]
cur = json.load(open(cur))
old = json.load(open(prev))['segments'] if prev != 'none' else {}
lines = open(out).read().splitlines()
problems, checks = [], 0
def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        problems.append(msg)
check(lines and lines[0].split() == ['segment', 'size', 'share', 'entered', 'exited', 'ms'],
      'header is %r' % (lines[:1],))
rows = {l.split()[0]: l.split() for l in lines[1:] if l.strip()}
order = ['big', 'north', 'recent_buyers', 'tier.big', 'tier.north']
check(list(rows) == order, 'segments in the table: %s' % list(rows))
for name in order:
    now_m, old_m = set(cur['segments'][name]), set(old.get(name, []))
    want = [name, str(len(now_m)), '%.2f%%' % (100.0 * len(now_m) / cur['contacts']),
            str(len(now_m - old_m)), str(len(old_m - now_m))]
    got = rows.get(name, [])[:5]
    check(got == want, '%s: table %s, model %s' % (name, got, want))
    try:
        float(rows[name][5])
    except (KeyError, IndexError, ValueError):
        check(False, '%s: no time in ms' % name)
if problems:
    sys.stderr.write('\n'.join(problems) + '\n')
    sys.exit(1)
print(checks)
PY
}

run segrt import --db "$S" --contacts "$T/contacts1.csv" --events "$T/events1.csv"
assert_rc 0 "import of phase 1"
python3 "$T/model.py" "$T" 1 "$NOW1" >"$T/m1.json"

# --- usage errors and help.
run segrt run --db "$S"
assert_rc 2 "run without a script"
assert_contains "$T/err" "usage: segrt run" "run without a script shows the usage"
run segrt run --db "$S" --bogus "$T/segs.lua"
assert_rc 2 "run with an unknown option"
run segrt run --db "$S" "$T/segs.lua" extra
assert_rc 2 "run with an extra argument"
run segrt run --db "$S" --now yesterday "$T/segs.lua"
assert_rc 2 "run with a bad --now"
run segrt history --db "$S" "$T/segs.lua"
assert_rc 2 "history without a segment"
run segrt overlap --db "$S"
assert_rc 2 "overlap without a script"
for cmd in run history overlap; do
    run segrt "$cmd" --help
    assert_rc 0 "$cmd --help"
    assert_contains "$T/out" "segrt $cmd" "$cmd --help shows its usage"
done
run segrt --help
assert_contains "$T/out" "history" "segrt --help lists history"

# --- a bad script fails with its message and stores nothing.
printf 'local seg = require "segrt"\nseg.segment "oops" { where = seg.F.income:gt() }\n' \
    >"$T/bad.lua"
run segrt run --db "$S" --now "$NOW1" "$T/bad.lua"
assert_rc 1 "run of a script with an error"
assert_contains "$T/err" "bad.lua:2" "the script error names the file and line"
printf 'local seg = require "segrt"\nseg.segment "oops" {\n' >"$T/syntax.lua"
run segrt run --db "$S" --now "$NOW1" "$T/syntax.lua"
assert_rc 1 "run of a script with a syntax error"
assert_contains "$T/err" "syntax.lua" "the syntax error names the file"
run segrt history --db "$S" "$T/segs.lua" big
assert_rc 1 "history before any run"
assert_contains "$T/err" "no stored runs" "history before any run says so"

# --- first run: everyone entered.
run segrt run --db "$S" --now "$NOW1" "$T/segs.lua"
assert_rc 0 "first run"
cp "$T/out" "$T/run1.out"
PASSED=$((PASSED + $(check_run none "$T/m1.json")))
assert_contains "$T/err" "run 1 at $NOW1" "first run reports its number and NOW"

# The run sizes are what `segrt count` says.
for name in big tier.north; do
    run segrt count --db "$S" --now "$NOW1" "$T/segs.lua" "$name"
    assert_rc 0 "count $name"
    assert_eq "$(cat "$T/out")" "$(awk -v n="$name" '$1 == n { print $2 }' "$T/run1.out")" \
        "count of $name equals its run size"
done

# --- the data change, then the second run at a later NOW.
run segrt import --db "$S" --contacts "$T/contacts2.csv" --events "$T/events2.csv"
assert_rc 0 "import of phase 2"
python3 "$T/model.py" "$T" 2 "$NOW2" >"$T/m2.json"
run segrt run --db "$S" --now "$NOW2" "$T/segs.lua"
assert_rc 0 "second run"
cp "$T/out" "$T/run2.out"
PASSED=$((PASSED + $(check_run "$T/m1.json" "$T/m2.json")))
# The change moved people both ways (or the test would prove little).
python3 - "$T/m1.json" "$T/m2.json" <<'PY' || fail "the data change moves nobody in or out of big"
import json, sys
a, b = (set(json.load(open(p))['segments']['big']) for p in sys.argv[1:3])
sys.exit(0 if (b - a) and (a - b) else 1)
PY
ok

# --- history: one row per run, oldest first.
for name in big tier.north recent_buyers; do
    run segrt history --db "$S" "$T/segs.lua" "$name"
    assert_rc 0 "history of $name"
    python3 - "$name" "$T/m1.json" "$T/m2.json" "$T/out" "$NOW1" "$NOW2" <<'PY' ||
import json, sys
name, m1, m2, out, now1, now2 = sys.argv[1:7]
a, b = (set(json.load(open(p))['segments'][name]) for p in (m1, m2))
lines = open(out).read().splitlines()
want = [['run', 'now', 'size', 'change', 'entered', 'exited'],
        ['1', now1, str(len(a)), '+%d' % len(a), str(len(a)), '0'],
        ['2', now2, str(len(b)), '%+d' % (len(b) - len(a)), str(len(b - a)), str(len(a - b))]]
got = [l.split() for l in lines]
if got != want:
    sys.stderr.write('history of %s:\n got  %s\n want %s\n' % (name, got, want))
    sys.exit(1)
PY
        fail "history of $name differs from the model"
    ok
done
run segrt history --db "$S" "$T/segs.lua" bigg
assert_rc 1 "history of an unknown segment"
assert_contains "$T/err" "unknown segment 'bigg'" "unknown segment message"
assert_contains "$T/err" "did you mean 'big'" "unknown segment suggestion"
run segrt history --db "$S" "$T/nosuch.lua" big
assert_rc 1 "history with a missing script"

# --- overlap: pairwise intersections at NOW2, as shares of the row's size.
check_overlap() { # model, names...
    python3 - "$T/out" "$@" <<'PY' || fail "overlap matrix differs from the model$(last_output)"
import json, sys
out, model, names = sys.argv[1], sys.argv[2], sys.argv[3:]
segs = {k: set(v) for k, v in json.load(open(model))['segments'].items()}
lines = open(out).read().splitlines()
want_head = ['segment'] + names
problems = []
if lines[0].split() != want_head:
    problems.append('header %r, want %r' % (lines[0].split(), want_head))
if len(lines) != len(names) + 1:
    problems.append('%d lines for %d segments' % (len(lines), len(names)))
for i, a in enumerate(names):
    cells = []
    for b in names:
        n, size = len(segs[a] & segs[b]), len(segs[a])
        cells.append('%d (%s)' % (n, '%.1f%%' % (100.0 * n / size) if size else '-'))
    want = a + ''.join('  ' + c for c in cells)
    got = ' '.join(lines[i + 1].split()) if i + 1 < len(lines) else ''
    if got != ' '.join(want.split()):
        problems.append('row %s:\n got  %s\n want %s' % (a, got, want))
# Columns are aligned: every line has the same length.
if len({len(l) for l in lines}) != 1:
    problems.append('lines differ in length: %s' % [len(l) for l in lines])
if problems:
    sys.stderr.write('\n'.join(problems) + '\n')
    sys.exit(1)
PY
    ok
}
run segrt overlap --db "$S" --now "$NOW2" "$T/segs.lua" big north recent_buyers
assert_rc 0 "overlap of three segments"
check_overlap "$T/m2.json" big north recent_buyers
run segrt overlap --db "$S" --now "$NOW2" "$T/segs.lua"
assert_rc 0 "overlap of all segments"
check_overlap "$T/m2.json" big north recent_buyers tier.big tier.north
run segrt overlap --db "$S" --now "$NOW2" "$T/segs.lua" big nosuch
assert_rc 1 "overlap with an unknown segment"
assert_contains "$T/err" "nosuch" "overlap names the unknown segment"

# --- export and show list the stored segments of a contact (those of run 2).
python3 - "$T/m2.json" >"$T/expect_segments" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))['segments']
ids = sorted({i for v in m.values() for i in v})
for i in ids[:80]:
    print(i, ','.join(sorted((k for k, v in m.items() if i in v), key=lambda s: s.encode())))
print('c0007', ','.join(k for k in sorted(m) if 'c0007' in m[k]))
PY
: >"$T/got_segments"
mkdir "$T/exp"
while read -r id _; do
    segrt export --db "$S" "$id" >"$T/exp/$id.json"
done <"$T/expect_segments"
python3 - "$T/expect_segments" "$T/exp" "$NOW2" >"$T/got_segments" <<'PY'
import json, os, sys
for line in open(sys.argv[1]):
    cid = line.split()[0]
    segs = json.load(open(os.path.join(sys.argv[2], cid + '.json')))['segments']
    assert all(s.get('as_of') == sys.argv[3] for s in segs), segs
    print(cid, ','.join(s['name'] for s in segs))
PY
diff "$T/expect_segments" "$T/got_segments" >&2 || fail "export segments differ from the model"
ok
read -r ID SEGS < <(python3 - "$T/m2.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))['segments']
both = sorted(set(m['big']) & set(m['recent_buyers'])) or sorted(m['big'])
i = both[0]
print(i, ' '.join(k for k in sorted(m) if i in m[k]))
PY
)
run segrt show --db "$S" --now "$NOW2" "$ID"
assert_rc 0 "show of $ID"
for name in $SEGS; do
    assert_contains "$T/out" "  $name" "the card of $ID lists $name"
done

# --- erase takes the contact out of every stored membership.
run segrt erase --db "$S" "$ID"
assert_rc 0 "erase of $ID"
segrt audit --db "$S" | grep -F $'\terase\t' >"$T/erase.line" || fail "no erase audit line"
assert_contains "$T/erase.line" "$(wc -w <<<"$SEGS" | tr -d ' ') segment memberships" \
    "the erase audit line counts the memberships"
echo "[\"$ID\"]" >"$T/erased.json"
python3 "$T/model.py" "$T" 2 "$NOW2" >"$T/m3.json"
# Had erase left the bit, this run would count the contact as exited.
run segrt run --db "$S" --now "$NOW2" "$T/segs.lua"
assert_rc 0 "run after erase"
python3 - "$T/m3.json" "$T/out" <<'PY' || fail "run after erase: nobody should enter or exit$(last_output)"
import json, sys
m = json.load(open(sys.argv[1]))
rows = {l.split()[0]: l.split() for l in open(sys.argv[2]).read().splitlines()[1:]}
for name, members in m['segments'].items():
    if rows[name][1:5:2] != [str(len(members)), '0'] or rows[name][4] != '0':
        sys.stderr.write('%s: %s, model size %d\n' % (name, rows[name], len(members)))
        sys.exit(1)
PY
ok
run segrt history --db "$S" "$T/segs.lua" big
assert_eq "$(tail -n1 "$T/out" | awk '{ print $1, $5, $6 }')" "3 0 0" "history row of the run after erase"
run segrt check --db "$S"
assert_rc 0 "segrt check after the runs"

finish
