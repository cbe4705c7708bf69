#!/usr/bin/env bash
# test_report.sh — segrt report on the demo store, checked number by number.
#
# A demo store at NOW, a script with the RFM model, a segment of everyone, a
# tiny one and three others, and three stored runs (so there is a history).
# The report's text tables must give for every segment the size segrt count
# gives, its share of the contacts, the runs, entered and exited segrt
# history gives, and the flags the thresholds imply (two settings). For two
# segments of a few hundred members, value, value per member, conversion and
# the email rates are recomputed in Python (exact decimals) from segrt export
# of every member. The RFM grid must hold, cell by cell, the (R, F) pairs
# segrt members lists, and sum to the contacts scored. Then an open
# conversion window, a report before any run, and the unhappy paths: no or
# unknown script, bad --within, --max-share and --min-size, an unknown
# conversion event, an unwritable --html path, a script without segments.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/report_demo.sh"

# --- before any run: sizes, but no history and no conversion.
run segrt report --db "$D" --now "$NOW" "$T/segs.lua"
assert_rc 0 "report before any run"
assert_contains "$T/out" "krakow" "the report lists the segments"
assert_contains "$T/out" "- (no run)" "conversion needs a stored run"
assert_contains "$T/out" "never" "no last run yet"

report_runs
# What segrt history says about each segment.
for s in $SEGS; do
    segrt history --db "$D" "$T/segs.lua" "$s" >"$T/history.$s"
done
CONTACTS=$(segrt stats --db "$D" | awk '$1 == "contacts" { print $2 }')

run segrt report --db "$D" --now "$NOW" --within 20 --min-size 50 --max-share 0.9 "$T/segs.lua"
assert_rc 0 "report after three runs"
cp "$T/out" "$T/report1"
run segrt report --db "$D" --now "$NOW" --within 20 --min-size 400 --max-share 0.1 "$T/segs.lua"
assert_rc 0 "report with other thresholds"
cp "$T/out" "$T/report2"

# --- sizes, shares, runs, entered, exited and flags of every segment.
cat >"$T/parse.py" <<'PY'
import re

def tables(path):
    """The report's text tables: {title: [token lists]} (rows after the header line)."""
    out, title, rows = {}, None, None
    for line in open(path, encoding='utf-8').read().split('\n'):
        if line.startswith('Sizes at NOW') or line.startswith('Value and response'):
            title, rows = line.split(',')[0], []
            out[title] = rows
        elif title and line.startswith('segment '):
            continue
        elif title and line and not line.startswith(' '):
            rows.append(line.split())
        else:
            title = None
    return out

def sizes(path):
    return {t[0]: t for t in tables(path)['Sizes at NOW']}

def values(path):
    return {t[0]: t for t in tables(path)['Value and response']}
PY

python3 - "$T" "$CONTACTS" $SEGS <<'PY' || fail "the sizes table differs from segrt count and history"
import sys
sys.path.insert(0, sys.argv[1])
from parse import sizes
d, contacts, segs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
counts = dict(l.split() for l in open(d + '/counts'))
problems = []
for report, small, broad in (('report1', 50, 0.9), ('report2', 400, 0.1)):
    rows = sizes(d + '/' + report)
    if sorted(rows) != sorted(segs):
        problems.append('%s lists %s, want %s' % (report, sorted(rows), sorted(segs)))
        continue
    for s in segs:
        t, n = rows[s], int(counts[s])
        hist = [l.split() for l in open(d + '/history.' + s).read().splitlines()[1:]]
        want = [str(n), '%.2f%%' % (100.0 * n / contacts)]
        got = t[1:3]
        if got != want:
            problems.append('%s %s: size, share %s, want %s' % (report, s, got, want))
        spark = t[3]
        if len(spark) != len(hist) or any(c not in '▁▂▃▄▅▆▇█' for c in spark):
            problems.append('%s %s: sparkline %r for %d runs' % (report, s, spark, len(hist)))
        sizes_h = [int(h[2]) for h in hist]
        if len(set(sizes_h)) > 1:  # the largest run is the full block, the smallest the lowest
            if spark[sizes_h.index(max(sizes_h))] != '█' or spark[sizes_h.index(min(sizes_h))] != '▁':
                problems.append('%s %s: sparkline %r for sizes %s' % (report, s, spark, sizes_h))
        last = hist[-1]
        want = [str(len(hist)), last[1], last[4], last[5]]
        if t[4:8] != want:
            problems.append('%s %s: runs, last run, entered, exited %s, want %s (history)'
                            % (report, s, t[4:8], want))
        flags = (['small'] if n < small else []) + (['broad'] if n > broad * contacts else [])
        if t[8:] != flags:
            problems.append('%s %s (%d of %d): flags %s, want %s' % (report, s, n, contacts, t[8:], flags))
if not any('small' in sizes(d + '/report1')[s][8:] for s in segs) or \
   not any('broad' in sizes(d + '/report1')[s][8:] for s in segs):
    problems.append('report1 should flag tiny small and everyone broad')
if problems:
    print('\n'.join(problems[:20]), file=sys.stderr)
    sys.exit(1)
PY
ok
assert_contains "$T/report1" "flags: small = fewer than 50 members; broad = more than 90.00% of the contacts" \
    "the report states its thresholds"

# --- value, conversion and email rates, recomputed from segrt export of the members.
for s in krakow vip_emailable; do
    segrt members --db "$D" --now "$NOW" "$T/segs.lua" "$s" >"$T/now.$s"
    segrt members --db "$D" --now "${RUNS[2]}" "$T/segs.lua" "$s" >"$T/run.$s"
done
sort -u "$T"/now.* "$T"/run.* >"$T/sample_ids"
mkdir "$T/export"
while read -r id; do
    segrt export --db "$D" "$id" >"$T/export/$id.json"
done <"$T/sample_ids"
python3 - "$T" "$NOW" "${RUNS[2]}" krakow vip_emailable <<'PY' || fail "value, conversion or email rates differ from the recomputation"
import json, sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal, ROUND_HALF_UP
sys.path.insert(0, sys.argv[1])
from parse import values
d, now_s, run_s, segs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def t(s):
    return datetime.strptime(s, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=timezone.utc)
now, run = t(now_s), t(run_s)
def events(i):
    return json.load(open('%s/export/%s.json' % (d, i)), parse_float=Decimal)['events']
def money(x):  # as the report writes money: at least two decimals, no trailing zeros past them
    whole, frac = format(x, '.6f').split('.')
    return whole + '.' + (frac.rstrip('0') + '00')[:max(2, len(frac.rstrip('0')))]
def pct(a, b):
    return '%.2f%%' % (100.0 * a / b) if b else '-'
rows = values(d + '/report1')
problems = []
for s in segs:
    members = open('%s/now.%s' % (d, s)).read().split()
    at_run = open('%s/run.%s' % (d, s)).read().split()
    total = sum((Decimal(e['amount']).quantize(Decimal('0.000001')) for i in members for e in events(i)
                 if e['type'] == 'purchase' and 'amount' in e and t(e['ts']) <= now), Decimal(0))
    per = (total / len(members)).quantize(Decimal('0.01'), ROUND_HALF_UP) if members else Decimal(0)
    conv = sum(1 for i in at_run if any(e['type'] == 'purchase' and run < t(e['ts']) <= run + timedelta(days=20)
                                       for e in events(i)))
    def active(i, kind):
        return any(e['type'] == kind and now - timedelta(days=90) <= t(e['ts']) <= now for e in events(i))
    opened = sum(1 for i in members if active(i, 'email_open'))
    clicked = sum(1 for i in members if active(i, 'email_click'))
    got = rows[s]
    want = [s, money(total), money(per), pct(conv, len(at_run)), '%d/%d' % (conv, len(at_run)),
            pct(opened, len(members)), pct(clicked, len(members))]
    if got != want:
        problems.append('%s: report %s, recomputed %s' % (s, got, want))
    if not members or not at_run or total == 0 or conv == 0:
        problems.append('%s: the sample checks nothing (%d members, %d at the run, total %s, %d converted)'
                        % (s, len(members), len(at_run), total, conv))
if problems:
    print('\n'.join(problems), file=sys.stderr)
    sys.exit(1)
PY
ok

# --- --locale: the same amounts, grouped and marked as each locale writes them, with its currency.
for loc in ro pl bg en; do
    run segrt report --db "$D" --now "$NOW" --within 20 --locale "$loc" "$T/segs.lua"
    assert_rc 0 "report --locale $loc"
    cp "$T/out" "$T/report.$loc"
done
run segrt report --db "$D" --now "$NOW" --within 20 --locale en --currency RON "$T/segs.lua"
cp "$T/out" "$T/report.en_ron"
python3 - "$T" $SEGS <<'PY' || fail "--locale money differs from the plain amounts"
import re, sys
d, segs = sys.argv[1], sys.argv[2:]
def rows(path):  # segment -> (value, per member) of the "Value and response" table, as written
    lines = open(path, encoding='utf-8').read().split('\n')
    i = lines.index('Value and response') + 2
    out = {}
    for l in lines[i:]:
        if not l or l.startswith('  '):
            break
        m = re.match(r'(\S+)\s+(.+?)\s{2,}(.+?)\s{2,}', l)
        out[m.group(1)] = (m.group(2), m.group(3))
    return out
def local(plain, group, dec, cur, first):
    neg, plain = plain.startswith('-'), plain.lstrip('-')
    whole, frac = plain.split('.')
    grouped = ''
    for i, c in enumerate(whole):
        if i and (len(whole) - i) % 3 == 0:
            grouped += group
        grouped += c
    amount = grouped + dec + frac
    text = cur + amount if first else amount + ' ' + cur
    return ('-' if neg else '') + text
plain = rows(d + '/report1')
nbsp = '\u00a0'
want = {'ro': ('.', ',', 'lei', False), 'pl': (nbsp, ',', 'zł', False), 'bg': (nbsp, ',', 'лв.', False),
        'en': (',', '.', '€', True), 'en_ron': (',', '.', 'RON', True)}
problems = []
for loc, spec in want.items():
    got = rows('%s/report.%s' % (d, loc))
    for s in segs:
        w = tuple(local(x, *spec) for x in plain[s])
        if got[s] != w:
            problems.append('%s %s: %s, want %s' % (loc, s, got[s], w))
if not any(len(v[0].split('.')[0]) > 3 for v in plain.values()):
    problems.append('no amount of four or more digits: the grouping is not checked')
if problems:
    print('\n'.join(problems), file=sys.stderr)
    sys.exit(1)
PY
ok
run segrt report --db "$D" --now "$NOW" --locale de "$T/segs.lua"
assert_rc 1 "an unknown --locale"
assert_contains "$T/err" "no locale 'de'; give en, ro, pl or bg" "names the locales there are"

# --- the RFM grid: every cell as segrt members lists the scores, summing to the contacts scored.
segrt members --db "$D" --now "$NOW" --format csv --fields rfm.R,rfm.F "$T/segs.lua" everyone \
    >"$T/rfm.csv"
python3 - "$T/report1" "$T/rfm.csv" <<'PY' || fail "the RFM grid differs from the scores"
import csv, re, sys
from collections import Counter
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
pairs = Counter((r['rfm.R'], r['rfm.F']) for r in csv.DictReader(open(sys.argv[2])) if r['rfm.R'])
head = [i for i, l in enumerate(lines) if l.startswith("RFM grid of model 'rfm'")]
if len(head) != 1:
    sys.exit('no RFM grid in the report')
scored = int(re.search(r': (\d+) contacts scored', lines[head[0]]).group(1))
grid, problems = {}, []
for l in lines[head[0] + 2:head[0] + 7]:
    r = l.split()[0][2:]
    cells = re.findall(r'(\d+)(?: \(\d+\.\d+\))?', l[3:])
    for f, n in enumerate(cells, 1):
        grid[(r, str(f))] = int(n)
if sum(grid.values()) != scored:
    problems.append('cells sum to %d, header says %d scored' % (sum(grid.values()), scored))
if scored != sum(pairs.values()):
    problems.append('%d scored, segrt members lists %d contacts with rfm.R' % (scored, sum(pairs.values())))
for k in sorted(set(grid) | set(pairs)):
    if grid.get(k, 0) != pairs.get(k, 0):
        problems.append('cell R=%s F=%s: %d, segrt members %d' % (k[0], k[1], grid.get(k, 0), pairs.get(k, 0)))
if len(grid) != 25:
    problems.append('%d cells' % len(grid))
if problems:
    print('\n'.join(problems[:10]), file=sys.stderr)
    sys.exit(1)
PY
ok

# --- the overlap matrix is the one segrt overlap prints, of the segments in no exclusive group.
segrt overlap --db "$D" --now "$NOW" "$T/segs.lua" everyone tiny recent_buyers krakow vip_emailable \
    >"$T/overlap"
python3 - "$T/report1" "$T/overlap" <<'PY' || fail "the report's overlap matrix differs from segrt overlap"
import sys
report = open(sys.argv[1], encoding='utf-8').read().split('\n')
want = open(sys.argv[2], encoding='utf-8').read().rstrip('\n').split('\n')
i = report.index(want[0]) if want[0] in report else -1
if i < 0 or report[i:i + len(want)] != want:
    sys.exit('overlap matrix not found as segrt overlap prints it')
PY
ok

# --- the exclusive group rfm: one partition, each part the size segrt count gives.
python3 - "$T/report1" "$T/counts" <<'PY' || fail "the exclusive group's partition differs from segrt count"
import re, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
counts = dict(l.split() for l in open(sys.argv[2]))
head = [i for i, l in enumerate(lines) if l.startswith("Exclusive group 'rfm': ")]
if len(head) != 1:
    sys.exit('no exclusive group rfm in the report')
m = re.match(r"Exclusive group 'rfm': (\d+) of (\d+) contacts \(\S+\) in one of its 10 segments$", lines[head[0]])
members, contacts = int(m.group(1)), int(m.group(2))
parts = {}
for l in lines[head[0] + 1:head[0] + 12]:
    p = re.match(r'  (.+?)\s+(\d+)\s+(\S+)', l)
    parts[p.group(1)] = (int(p.group(2)), p.group(3))
rfm = {k: int(v) for k, v in counts.items() if k.startswith('rfm.')}
problems = ['%s: %s, segrt count %d' % (k, parts.get(k), v) for k, v in rfm.items() if parts.get(k, (0,))[0] != v]
if members != sum(rfm.values()) or contacts != int(counts['everyone']):
    problems.append('header %d of %d, counts %d of %s' % (members, contacts, sum(rfm.values()), counts['everyone']))
if parts.get('in none of them', (0,))[0] != contacts - members:
    problems.append('in none: %s' % (parts.get('in none of them'),))
if any(k.startswith('rfm.') for k in open(sys.argv[1], encoding='utf-8').read().split('Overlap of the segments')[1].split()[:20]):
    problems.append('the overlap matrix lists the exclusive group')
if problems:
    sys.exit('\n'.join(problems))
PY
ok

# --- the growth of the base: cumulative contacts by the month of created_at, up to NOW.
segrt members --db "$D" --now "$NOW" --format csv --fields created_at "$T/segs.lua" everyone \
    >"$T/created.csv"
python3 - "$T/report1" "$T/created.csv" "$NOW" <<'PY' || fail "the growth of the base differs from created_at"
import csv, sys
from collections import Counter
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
now = sys.argv[3]
months = Counter(r['created_at'][:7] for r in csv.DictReader(open(sys.argv[2])) if r['created_at'] <= now)
later = sum(1 for r in csv.DictReader(open(sys.argv[2])) if r['created_at'] > now)
i = [k for k, l in enumerate(lines) if l.startswith('Growth of the base: live contacts joined by the end of each month (joined at created_at')][0]
got = []
for l in lines[i + 1:]:
    if not l.startswith('  2'):
        break
    m, n, plus = l.split()
    got.append((m, int(n), int(plus)))
total, want = 0, []
y, mo = map(int, min(months).split('-'))
while '%04d-%02d' % (y, mo) <= now[:7]:
    key = '%04d-%02d' % (y, mo)
    total += months.get(key, 0)
    want.append((key, total, months.get(key, 0)))
    y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
if got != want[-12:] or len(got) != 12:
    sys.exit('growth %s, want %s' % (got, want[-12:]))
said = [l for l in lines if l.startswith('  not counted: ')]
if said != (['  not counted: 0 without a time or an event, %d joined after NOW' % later] if later else []):
    sys.exit('contacts not counted: %s, but %d joined after NOW' % (said, later))
PY
ok
run segrt report --db "$D" --now "$NOW" --growth-field income "$T/segs.lua"
assert_rc 1 "a growth field that is no date"
assert_contains "$T/err" "the growth field 'income' is neither a date nor a timestamp" "names the field"

# --- reach, the segment review and a template's recipients.
cat "$T/segs.lua" - >"$T/segs2.lua" <<'LUA'
seg.segment "krakow_mail" { where = F.city:eq "Kraków", purpose = "email_marketing" }
seg.segment "krakow_sms" { where = F.city:eq "Kraków", purpose = "sms_marketing" }
seg.segment "lost_on_price" { where = F.loss_reason:eq "price" }
seg.template "hello" { purpose = "email_marketing", subject = "Hi {first_name|there}", body = "." }
LUA
run segrt report --db "$D" --now "$NOW" "$T/segs2.lua"
assert_rc 0 "report of a script with a template"
cp "$T/out" "$T/report3"
for s in krakow everyone tiny lost_on_price; do
    segrt render --db "$D" --now "$NOW" "$T/segs2.lua" "$s" hello | wc -l >"$T/render.$s"
done
for s in krakow_mail krakow_sms; do
    segrt count --db "$D" --now "$NOW" "$T/segs2.lua" "$s" >"$T/count.$s"
done
segrt members --db "$D" --now "$NOW" --format csv --fields loss_reason "$T/segs2.lua" everyone \
    >"$T/loss.csv"
python3 - "$T" <<'PY' || fail "reach, review or template recipients differ from segrt count and render"
import csv, re, sys
d = sys.argv[1]
lines = open(d + '/report3', encoding='utf-8').read().split('\n')
def section(head):
    i = [k for k, l in enumerate(lines) if l.startswith(head)][0]
    out = []
    for l in lines[i + 1:]:
        if not l:
            break
        out.append(l)
    return out
problems = []
# reach: krakow's members passing email_marketing and sms_marketing are the members of the
# same rule with that purpose
reach = section('Reach per channel:')
cols = reach[0].split()[1:]
row = dict(zip(cols, re.findall(r'(?:\S+ )?(\d+)\*?', [l for l in reach if l.startswith('krakow ')][0][len('krakow'):])))
for ch, seg in (('email_marketing', 'krakow_mail'), ('sms_marketing', 'krakow_sms')):
    want = open('%s/count.%s' % (d, seg)).read().strip()
    if row.get(ch) != want:
        problems.append('reach of krakow by %s: %s, segrt count %s' % (ch, row.get(ch), want))
# the template: recipients are what segrt render writes; the reasons add up to the suppressed
tpl = section("Template 'hello' (purpose email_marketing)")
for l in tpl[1:]:
    m = re.match(r'(\S+)\s+(\d+)\s+(\d+)\s+(\d+)(.*)$', l)
    name, members, recipients, suppressed = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
    reasons = sum(int(n) for n in re.findall(r' (\d+)(?:,|$)', m.group(5)))
    if recipients + suppressed != members or reasons != suppressed:
        problems.append('%s: %d + %d of %d, reasons %d' % (name, recipients, suppressed, members, reasons))
    try:
        rendered = int(open('%s/render.%s' % (d, name)).read())
    except FileNotFoundError:
        continue
    if rendered != recipients:
        problems.append('%s: %d recipients, segrt render wrote %d' % (name, recipients, rendered))
# the review: lost_on_price reads loss_reason, filled for too few contacts to be measurable
rows = list(csv.DictReader(open(d + '/loss.csv')))
filled = '%.2f%%' % (100.0 * sum(1 for r in rows if r['loss_reason']) / len(rows))
review = [l for l in section('Segment review:') if l.startswith('lost_on_price ')][0]
want = 'measurable: NO, least filled field loss_reason: %s of the contacts' % filled
if want not in review or float(filled[:-1]) >= 80:
    problems.append('review of lost_on_price: %r, want %r' % (review, want))
tiny = [l for l in section('Segment review:') if l.startswith('tiny ')][0]
if 'substantial: NO, 0 members, fewer than the threshold' not in tiny:
    problems.append('tiny is not flagged insubstantial: %r' % tiny)
if problems:
    sys.exit('\n'.join(problems))
PY
ok
run segrt report --db "$D" --now "$NOW" --min-reach 1 "$T/segs2.lua"
assert_contains "$T/out" "accessible: NO" "--min-reach 1: a segment most members of which lack consent is not accessible"
assert_contains "$T/out" "(>= 100% of the members pass" "the threshold is stated"
run segrt report --db "$D" --now "$NOW" --min-filled 1.5 "$T/segs2.lua"
assert_rc 2 "--min-filled above 1"
assert_contains "$T/err" "--min-filled '1.5'" "names the argument"

# --- a report while the conversion window of the last run is still open.
run segrt report --db "$D" --now 2025-12-10T00:00:00Z --within 20 "$T/segs.lua"
assert_rc 0 "report with an open conversion window"
assert_contains "$T/out" "- (open until 2025-12-21)" "an open window gives no rate, but the day it closes"
[ "$(grep -c -- '- (open until 2025-12-21)' "$T/out")" = "$(wc -w <<<"$SEGS")" ] ||
    fail "every segment's conversion should wait for its window to close"
ok

# --- another conversion event.
run segrt report --db "$D" --now "$NOW" --conversion email_click --within 20 "$T/segs.lua"
assert_rc 0 "report with email_click as the conversion"
assert_contains "$T/out" "those with a 'email_click' event" "the conversion event is named"

# --- unhappy paths.
run segrt report --db "$D"
assert_rc 2 "report without a script"
assert_contains "$T/err" "which script?" "asks for the script"
run segrt report --db "$D" "$T/nosuch.lua"
assert_rc 1 "report of an unknown script"
assert_contains "$T/err" "nosuch" "the error names the script"
for bad in 0 -5 abc 36501 12x ""; do
    run segrt report --db "$D" --within "$bad" "$T/segs.lua"
    assert_rc 2 "--within '$bad'"
    assert_contains "$T/err" "--within '$bad' is not a whole number from 1 to 36500" "--within '$bad' explained"
done
for bad in 0 1.5 abc -0.1 nan; do
    run segrt report --db "$D" --max-share "$bad" "$T/segs.lua"
    assert_rc 2 "--max-share '$bad'"
    assert_contains "$T/err" "--max-share '$bad'" "--max-share '$bad' explained"
done
run segrt report --db "$D" --min-size -1 "$T/segs.lua"
assert_rc 2 "--min-size -1"
run segrt report --db "$D" --now "$NOW" --conversion purchse "$T/segs.lua"
assert_rc 1 "an unknown conversion event"
assert_contains "$T/err" "the store has no 'purchse' events (did you mean 'purchase'?)" \
    "an unknown conversion event gets a suggestion"
run segrt report --db "$D" --now "$NOW" --html "$T/no/such/dir/r.html" "$T/segs.lua"
assert_rc 1 "--html into a missing directory"
assert_contains "$T/err" "cannot write --html $T/no/such/dir/r.html: No such file or directory" \
    "the unwritable path is named with the reason"
[ ! -s "$T/out" ] || fail "a failed report printed tables: $(head -c 300 "$T/out")"
ok
printf 'local seg = require "segrt"\n' >"$T/empty.lua"
run segrt report --db "$D" "$T/empty.lua"
assert_rc 1 "a script without segments"
assert_contains "$T/err" "defines no segments" "says the script defines none"
run segrt report --help
assert_rc 0 "report --help"
assert_contains "$T/out" "segrt report" "--help shows the usage"
run segrt --help
assert_contains "$T/out" "report" "segrt --help lists report"
finish
