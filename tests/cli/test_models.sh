#!/usr/bin/env bash
# test_models.sh — the shipped scoring models (scripts/models/*.lua) end to end
# through the CLI: `segrt members --fields <model outputs>` and `segrt score`.
#
#  1. BG/NBD on CDNOW (../shared/data/cdnow): the per-customer summary
#     (frequency, recency, T, monetary) equals lifetimes' reference CSV for all
#     2,357 customers, whatever NOW is; the fit gives the published r, alpha,
#     a, b (Fader, Hardie & Lee 2005) and log-likelihood; p_alive and expected
#     agree with the closed forms at the printed parameters.
#  2. RFM: R, F, M of every contact equal the NTILE(5) SQL of queries.md S11
#     run by SQLite (gen_crm.py --contacts 5000 --seed 11); the ten groups
#     partition the buyers by the (R, F) map of rfm.lua's header.
#  3. k-means on three separated blobs of custom numeric fields: centroids,
#     sizes and labels recover the blobs; two runs give the same labels.
#  4. Churn (logistic regression at a past cut-off): holdout AUC, the sign and
#     size of the coefficient built into the data, no look-ahead past the
#     cut-off, and churn.p = the logistic of the printed coefficients at NOW.
#  5. Engagement: decayed points computed by hand, the cap, the threshold
#     segment.
#  6. Errors: unknown model, BG/NBD without purchases, unknown --fields.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CDNOW=${CDNOW:-$SHARED_BENCH/../data/cdnow}
CDNOW=$(cd "$CDNOW" && pwd)

# pycheck WHAT ARGS... <<'PY' — run a Python check read from stdin; it exits
# non-zero with its message on stderr when the check fails.
pycheck() {
    local what=$1 rc=0
    shift
    python3 - "$@" 2>"$T/py.err" || rc=$?
    [ "$rc" -eq 0 ] || fail "$what: $(head -c 3000 "$T/py.err")"
    ok
}

# value_of FILE KEY — the first value of a `  key value ...` line of segrt score.
value_of() {
    local v
    v=$(awk -v k="$1" '$1 == k { print $2; exit }' "$T/out")
    [ -n "$v" ] || fail "segrt score printed no '$1' line$(last_output)"
    echo "$v"
}

# ===================================================================== 1. BG/NBD on CDNOW
# CDNOW_sample.txt: master id, sample id, YYYYMMDD, cds, dollars (no header,
# CRLF). Ids as in the summary CSV (sample id without leading zeros), no
# event_id: the sample holds identical rows (same customer, day, CDs and
# dollars) that are distinct transactions, and identical rows of one file are
# distinct events. Imported twice, and a third time in batches of 500 rows:
# still one event per transaction row.
C=$T/cdnow
mkdir -p "$C"
python3 - "$CDNOW/CDNOW_sample.txt" "$C" <<'PY'
import sys
src, out = sys.argv[1:3]
rows = [l.split() for l in open(src, newline='') if l.strip()]
ids = sorted({str(int(r[1])) for r in rows}, key=int)
with open(out + '/contacts.csv', 'w', newline='') as f:
    f.write('id\n')
    f.writelines(i + '\n' for i in ids)
with open(out + '/events.csv', 'w', newline='') as f:
    f.write('contact_id,ts,type,amount,cds\n')
    for r in rows:
        d = r[2]
        f.write('%d,%s-%s-%sT00:00:00Z,purchase,%s,%s\n'
                % (int(r[1]), d[:4], d[4:6], d[6:], r[4], r[3]))
PY
[ "$(sort "$C/events.csv" | uniq -d | wc -l)" -gt 0 ] || fail "the CDNOW events hold no identical rows"
ok
run segrt import --db "$C/db" --contacts "$C/contacts.csv" --events "$C/events.csv"
assert_rc 0 "import of CDNOW_sample"
assert_contains "$T/out" "events.csv: 6919 rows, 6919 kept (6919 new)" "every CDNOW row is a new event"
for batch in 100000 500; do
    run segrt import --db "$C/db" --events "$C/events.csv" --batch "$batch"
    assert_rc 0 "CDNOW_sample imported again (batches of $batch rows)"
    assert_contains "$T/out" "6919 kept (0 new)" "CDNOW imported again adds nothing"
done
segrt stats --db "$C/db" >"$T/stats"
assert_eq "$(stat_of "$T/stats" contacts)" 2357 "CDNOW contacts"
assert_eq "$(stat_of "$T/stats" events)" 6919 "CDNOW events (one per transaction row)"

cat >"$C/clv.lua" <<'EOF'
local seg = require "segrt"
require("models.bgnbd").define { name = "clv", unit = seg.days(7),
                                 obs_end = "1997-09-30T00:00:00Z" }
seg.segment "buyers" { where = seg.E.purchase:exists() }
EOF
CLV_FIELDS=clv.frequency,clv.recency,clv.T,clv.monetary,clv.p_alive,clv.expected
# NOW right after the calibration period, and after the last transaction:
# obs_end alone decides what is observed.
for now in 1997-10-01T00:00:00Z 1998-07-01T00:00:00Z; do
    run segrt members --db "$C/db" --now "$now" --format csv --fields "$CLV_FIELDS" \
        "$C/clv.lua" buyers
    assert_rc 0 "members of the CDNOW buyers with the BG/NBD outputs at $now"
    cp "$T/out" "$C/members.$now.csv"
done
cmp -s "$C/members.1997-10-01T00:00:00Z.csv" "$C/members.1998-07-01T00:00:00Z.csv" ||
    fail "BG/NBD outputs depend on NOW although obs_end is given: $(diff \
        "$C/members.1997-10-01T00:00:00Z.csv" "$C/members.1998-07-01T00:00:00Z.csv" | head -n 6)"
ok

pycheck "BG/NBD summary against cdnow_customers_summary_with_transactions.csv" \
    "$CDNOW/cdnow_customers_summary_with_transactions.csv" \
    "$C/members.1997-10-01T00:00:00Z.csv" <<'PY'
import csv, sys
exp = {r['ID']: r for r in csv.DictReader(open(sys.argv[1], newline=''))}
got = {r['id']: r for r in csv.DictReader(open(sys.argv[2], newline=''))}
if len(exp) != 2357:
    sys.exit('reference has %d rows' % len(exp))
if set(got) != set(exp):
    sys.exit('ids differ: only segrt %s, only reference %s'
             % (sorted(set(got) - set(exp))[:5], sorted(set(exp) - set(got))[:5]))
bad = []
for i, e in exp.items():
    for mine, ref in (('clv.frequency', 'x'), ('clv.recency', 't_x'), ('clv.T', 'T'),
                      ('clv.monetary', 'zbar')):
        # the reference is rounded to 2 decimals (zbar is 0 for x = 0)
        if got[i][mine] == '' or abs(float(got[i][mine]) - float(e[ref])) > 0.005 + 1e-9:
            bad.append('%s %s=%r (reference %s=%s)' % (i, mine, got[i][mine], ref, e[ref]))
if bad:
    sys.exit('%d mismatches, e.g. %s' % (len(bad), '; '.join(bad[:6])))
if sum(1 for e in exp.values() if int(e['x']) > 0) != 946:
    sys.exit('the reference does not hold 946 repeat buyers')
PY

run segrt score --db "$C/db" --now 1997-10-01T00:00:00Z "$C/clv.lua" clv
assert_rc 0 "score of the BG/NBD model"
cp "$T/out" "$C/score.txt"
assert_eq "$(value_of customers)" 2357 "BG/NBD customers"
# Fader, Hardie & Lee (2005), lifetimes' BetaGeoFitter on the same data:
# r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4.
for want in r:0.2426 alpha:4.4136 a:0.7929 b:2.4259 log_likelihood:-9582.43; do
    key=${want%%:*} ref=${want#*:}
    got=$(value_of "$key")
    python3 -c 'import sys; g, r = map(float, sys.argv[1:]); sys.exit(abs(g - r) > 0.01 * abs(r))' \
        "$got" "$ref" || fail "BG/NBD $key = $got, expected $ref within 1%"
    ok
done

# The BG/NBD closed forms (FHL 2005) from a segrt score of a bgnbd model, for the checks below.
cat >"$T/bgnbd_closed.py" <<'PY'
import sys

def params(score_file):
    par = {}
    for line in open(score_file):
        f = line.split()
        if len(f) == 2:
            par[f[0]] = float(f[1])
    return par

def hyp2f1(p, q, c, z):
    s = term = 1.0
    n = 0
    while abs(term) > 1e-15 * abs(s) or n < 10:
        term *= (p + n) * (q + n) / ((c + n) * (n + 1)) * z
        s += term
        n += 1
        if n > 100000:
            raise RuntimeError('2F1 does not converge')
    return s

def d_of(par, x, tx, T):
    r, alpha, a, b = par['r'], par['alpha'], par['a'], par['b']
    return a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0.0

def p_alive(par, x, tx, T):
    return 1 / (1 + d_of(par, x, tx, T))

def expected(par, t, x, tx, T):
    r, alpha, a, b = par['r'], par['alpha'], par['a'], par['b']
    z = t / (alpha + T + t)
    return ((a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1, z)) / (1 + d_of(par, x, tx, T)))
PY

# Gamma-Gamma on the same store (issue 19, part 2): Fader, Hardie & Lee's
# p 6.25, q 3.74, gamma 15.44, LL -4055.92 over the 946 repeat buyers.
cat >"$C/spend.lua" <<'EOF'
local seg = require "segrt"
require("models.gamma_gamma").define { name = "spend", obs_end = "1997-09-30T00:00:00Z" }
seg.segment "buyers" { where = seg.E.purchase:exists() }
EOF
run segrt score --db "$C/db" --now 1997-10-01T00:00:00Z "$C/spend.lua" spend
assert_rc 0 "score of the Gamma-Gamma model$(last_output)"
assert_eq "$(value_of customers)" 946 "Gamma-Gamma fits the repeat buyers"
for want in p:6.25:0.005 q:3.74:0.005 gamma:15.44:0.01 log_likelihood:-4055.92:0.005; do
    IFS=: read -r key ref tol <<<"$want"
    got=$(value_of "$key")
    python3 -c 'import sys; g, r, t = map(float, sys.argv[1:]); sys.exit(abs(g - r) > t)' \
        "$got" "$ref" "$tol" || fail "Gamma-Gamma $key = $got, published $ref"
    ok
done
run segrt members --db "$C/db" --now 1997-10-01T00:00:00Z --format csv --fields spend.expected_spend \
    "$C/spend.lua" buyers
assert_eq "$(tail -n +2 "$T/out" | awk -F, '$2 != ""' | wc -l)" 2357 "an expected spend for every buyer"
run segrt score --db "$C/db" --now 1997-10-01T00:00:00Z "$C/clv.lua" clv

# Customer lifetime value (issue 19, part 2): 12 months of BG/NBD expected
# purchases times the Gamma-Gamma expected spend, discounted 1% a month,
# against the same sum computed here from the fitted parameters.
cat >"$C/value.lua" <<'EOF'
local seg = require "segrt"
local bg = require("models.bgnbd").define { name = "clv", unit = seg.days(7),
                                            obs_end = "1997-09-30T00:00:00Z" }
local spend = require("models.gamma_gamma").define { name = "spend",
                                                     obs_end = "1997-09-30T00:00:00Z" }
require("models.clv").define { name = "value", bgnbd = bg, spend = spend, months = 12,
                               discount = 0.01 }
seg.segment "buyers" { where = seg.E.purchase:exists() }
EOF
for m in clv spend value; do
    run segrt score --db "$C/db" --now 1997-10-01T00:00:00Z "$C/value.lua" "$m"
    assert_rc 0 "score of $m$(last_output)"
    cp "$T/out" "$C/score.$m.txt"
done
run segrt members --db "$C/db" --now 1997-10-01T00:00:00Z --format csv \
    --fields clv.frequency,clv.recency,clv.T,spend.expected_spend,value.value "$C/value.lua" buyers
assert_rc 0 "members with their lifetime value"
cp "$T/out" "$C/value.csv"
pycheck "lifetime value against the sum from the fitted parameters" \
    "$C/score.clv.txt" "$C/value.csv" "$T" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[3])
from bgnbd_closed import params, expected
par = params(sys.argv[1])
bad, n = [], 0
for row in csv.DictReader(open(sys.argv[2], newline='')):
    x, tx, T = float(row['clv.frequency']), float(row['clv.recency']), float(row['clv.T'])
    spend, got = float(row['spend.expected_spend']), float(row['value.value'])
    units, v, before = 30 / 7, 0.0, 0.0
    for i in range(1, 13):
        upto = expected(par, units * i, x, tx, T)
        v += spend * (upto - before) / 1.01 ** i
        before = upto
    n += 1
    if abs(got - v) > 0.01 + 2e-3 * abs(v) or round(got, 2) != got:
        bad.append('%s value %s, sum %.4f' % (row['id'], row['value.value'], v))
if n != 2357 or bad:
    sys.exit('%d rows, %d mismatches, e.g. %s' % (n, len(bad), '; '.join(bad[:5])))
PY
assert_contains "$C/score.value.txt" "customers" "segrt score prints the clv model"
printf 'local seg = require "segrt"\nrequire("models.clv").define { name = "v", bgnbd = "nope", spend = "nope" }\nseg.segment "b" { where = seg.S.v.value:gt(1) }\n' >"$C/badclv.lua"
run segrt count --db "$C/db" --now 1997-10-01T00:00:00Z "$C/badclv.lua" b
assert_rc 1 "a clv model naming no BG/NBD model"
assert_contains "$T/err" "clv: bgnbd must name a bgnbd model of the script (nope)" "is refused, naming it"
run segrt score --db "$C/db" --now 1997-10-01T00:00:00Z "$C/clv.lua" clv

pycheck "BG/NBD p_alive and expected against the closed forms" \
    "$C/score.txt" "$C/members.1997-10-01T00:00:00Z.csv" "$T" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[3])
from bgnbd_closed import params, p_alive, expected
par = params(sys.argv[1])
t = par['horizon_units']
bad = []
for row in csv.DictReader(open(sys.argv[2], newline='')):
    x, tx, T = float(row['clv.frequency']), float(row['clv.recency']), float(row['clv.T'])
    for name, want in (('clv.p_alive', p_alive(par, x, tx, T)),
                       ('clv.expected', expected(par, t, x, tx, T))):
        g = float(row[name])
        if abs(g - want) > 1e-3 + 2e-3 * abs(want):
            bad.append('%s %s=%s, closed form %.6g' % (row['id'], name, row[name], want))
if bad:
    sys.exit('%d mismatches, e.g. %s' % (len(bad), '; '.join(bad[:6])))
PY

# ===================================================================== 2. RFM against SQLite
NOW=2026-01-01T00:00:00Z
D=$T/crm
python3 "$SHARED_BENCH/gen_crm.py" --contacts 5000 --seed 11 --out "$D" >/dev/null
run segrt import --db "$D/db" --contacts "$D/contacts.csv" --events "$D/events.csv"
assert_rc 0 "import of gen_crm --contacts 5000 --seed 11"

cat >"$D/rfm.lua" <<'EOF'
local seg = require "segrt"
require("models.rfm").define { name = "rfm" }
seg.segment "buyers" { where = seg.E.purchase:exists() }
seg.segment "everyone" { where = seg.F.email:present() }
EOF
run segrt members --db "$D/db" --now "$NOW" --format csv --fields rfm.R,rfm.F,rfm.M \
    "$D/rfm.lua" everyone
assert_rc 0 "members --fields rfm.R,rfm.F,rfm.M of every contact"
cp "$T/out" "$D/everyone.csv"
run segrt members --db "$D/db" --now "$NOW" --format csv --fields rfm.R,rfm.F,rfm.M \
    "$D/rfm.lua" buyers
assert_rc 0 "members --fields rfm.R,rfm.F,rfm.M of the buyers"
cp "$T/out" "$D/buyers.csv"
RFM_GROUPS="champions loyal potential_loyalist new promising need_attention about_to_sleep
        at_risk cant_lose_them hibernating"
for g in $RFM_GROUPS; do
    run segrt members --db "$D/db" --now "$NOW" "$D/rfm.lua" "rfm.$g"
    assert_rc 0 "members of rfm.$g"
    cp "$T/out" "$D/group.$g"
done
run segrt score --db "$D/db" --now "$NOW" "$D/rfm.lua" rfm
assert_rc 0 "score of the RFM model"
cp "$T/out" "$D/score.txt"

pycheck "RFM against the NTILE SQL of S11 and the (R, F) map of rfm.lua" "$D" <<'PY'
import calendar, csv, re, sqlite3, sys
from decimal import Decimal
d = sys.argv[1]
NOW = calendar.timegm((2026, 1, 1, 0, 0, 0))

def unix(s):
    return calendar.timegm((int(s[0:4]), int(s[5:7]), int(s[8:10]),
                            int(s[11:13]), int(s[14:16]), int(s[17:19])))

db = sqlite3.connect(':memory:')
db.execute('CREATE TABLE contacts(id TEXT PRIMARY KEY)')
db.execute('CREATE TABLE events(contact_id TEXT, ts INTEGER, type TEXT, amount_cents INTEGER)')
ids = [r['id'] for r in csv.DictReader(open(d + '/contacts.csv', newline='', encoding='utf-8'))]
db.executemany('INSERT INTO contacts VALUES (?)', ((i,) for i in ids))
db.executemany('INSERT INTO events VALUES (?, ?, ?, ?)',
               ((r['contact_id'], unix(r['ts']), r['type'],
                 int(Decimal(r['amount']) * 100) if r['amount'] else None)
                for r in csv.DictReader(open(d + '/events.csv', newline='', encoding='utf-8'))))
# queries_sqlite.sql S11, with the quintiles as the result.
exp = {row[0]: tuple(str(v) for v in row[1:]) for row in db.execute('''
WITH p AS (
  SELECT contact_id,
         (? - max(ts)) / 86400 AS days_since,
         count(*)              AS n,
         sum(amount_cents)     AS m
  FROM events
  WHERE type = 'purchase' AND contact_id IN (SELECT id FROM contacts)
  GROUP BY contact_id)
SELECT contact_id,
       ntile(5) OVER (ORDER BY days_since DESC, contact_id ASC),
       ntile(5) OVER (ORDER BY n ASC,          contact_id ASC),
       ntile(5) OVER (ORDER BY m ASC,          contact_id ASC)
FROM p''', (NOW,))}
if not 2000 < len(exp) < 4000:
    sys.exit('unexpected number of buyers in SQLite: %d' % len(exp))

def rows(name):
    return [(r['id'], (r['rfm.R'], r['rfm.F'], r['rfm.M']))
            for r in csv.DictReader(open(d + '/' + name, newline='', encoding='utf-8'))]

errs = []
everyone = dict(rows('everyone.csv'))
if len(everyone) != len(ids):
    errs.append('everyone: %d rows, %d contacts' % (len(everyone), len(ids)))
for i in ids:
    want = exp.get(i, ('', '', ''))   # no purchase: R, F, M missing
    if everyone.get(i) != want:
        errs.append('%s: segrt R,F,M=%s, SQL %s' % (i, everyone.get(i), want))
buyers = rows('buyers.csv')
if [i for i, _ in buyers] != sorted(exp, key=lambda s: s.encode()):
    errs.append('buyers: %d ids, SQL %d (or not in byte order)' % (len(buyers), len(exp)))
for i, v in buyers:
    if v != exp.get(i):
        errs.append('buyers %s: segrt R,F,M=%s, SQL %s' % (i, v, exp.get(i)))

# The map of rfm.lua's header comment: group -> (R range, F range).
MAP = {'champions': ((5, 5), (4, 5)), 'loyal': ((3, 4), (4, 5)),
       'potential_loyalist': ((4, 5), (2, 3)), 'new': ((5, 5), (1, 1)),
       'promising': ((4, 4), (1, 1)), 'need_attention': ((3, 3), (3, 3)),
       'about_to_sleep': ((3, 3), (1, 2)), 'at_risk': ((1, 2), (3, 4)),
       'cant_lose_them': ((1, 2), (5, 5)), 'hibernating': ((1, 2), (1, 2))}
cells = [(R, F) for R in range(1, 6) for F in range(1, 6)]
for c in cells:
    owners = [g for g, ((r0, r1), (f0, f1)) in MAP.items() if r0 <= c[0] <= r1 and f0 <= c[1] <= f1]
    if len(owners) != 1:
        errs.append('test map: cell %s in %s' % (c, owners))
sizes = {}
for line in open(d + '/score.txt'):
    m = re.match(r'\s*rfm\.(\w+)\s+(\d+)\s+[\d.]+%\s*$', line)
    if m:
        sizes[m.group(1)] = int(m.group(2))
seen = {}
for g, ((r0, r1), (f0, f1)) in MAP.items():
    got = [l.rstrip('\n') for l in open(d + '/group.' + g, encoding='utf-8')]
    want = sorted((i for i, (R, F, M) in exp.items()
                   if r0 <= int(R) <= r1 and f0 <= int(F) <= f1), key=lambda s: s.encode())
    if got != want:
        errs.append('rfm.%s: %d members, expected %d; only segrt %s, only SQL %s'
                    % (g, len(got), len(want), sorted(set(got) - set(want))[:4],
                       sorted(set(want) - set(got))[:4]))
    if sizes.get(g) != len(want):
        errs.append('segrt score prints rfm.%s size %s, expected %d' % (g, sizes.get(g), len(want)))
    for i in got:
        seen[i] = seen.get(i, 0) + 1
if set(seen) != set(exp) or any(n != 1 for n in seen.values()):
    errs.append('groups: %d contacts in some group (%d in more than one), %d buyers'
                % (len(seen), sum(n > 1 for n in seen.values()), len(exp)))
if errs:
    sys.exit('%d problems, e.g.\n  %s' % (len(errs), '\n  '.join(errs[:8])))
PY

# ===================================================================== 3. k-means
K=$T/km
mkdir -p "$K"
# Three blobs of different sizes (sd 2) around known centres, in fields x1, x2;
# k9999 lacks x2, so it has no label.
python3 - "$K" <<'PY'
import random, sys
rnd = random.Random(3)
centres = [(10.0, 20.0), (50.0, -30.0), (-40.0, 5.0)]
sizes = [150, 200, 250]
with open(sys.argv[1] + '/contacts.csv', 'w') as f, open(sys.argv[1] + '/blobs', 'w') as b:
    f.write('id,x1,x2\n')
    n = 0
    for blob, ((cx, cy), size) in enumerate(zip(centres, sizes)):
        for _ in range(size):
            f.write('k%04d,%.4f,%.4f\n' % (n, cx + rnd.gauss(0, 2), cy + rnd.gauss(0, 2)))
            b.write('k%04d %d\n' % (n, blob))
            n += 1
    f.write('k9999,1.0,\n')
PY
run segrt import --db "$K/db" --contacts "$K/contacts.csv"
assert_rc 0 "import of the k-means blobs"
cat >"$K/km.lua" <<'EOF'
local seg = require "segrt"
require("models.kmeans").define { name = "cl", k = 3, seed = 5,
                                  features = { seg.F.x1, seg.F.x2 } }
seg.segment "all" { where = seg.F.x1:present() }
EOF
run segrt score --db "$K/db" "$K/km.lua" cl
assert_rc 0 "score of the k-means model"
cp "$T/out" "$K/score.txt"
assert_eq "$(value_of clustered)" 600 "k-means: contacts clustered (all features present)"
for n in 1 2; do
    run segrt members --db "$K/db" --format csv --fields cl.label "$K/km.lua" all
    assert_rc 0 "members --fields cl.label (run $n)"
    cp "$T/out" "$K/labels.$n"
done
cmp -s "$K/labels.1" "$K/labels.2" || fail "k-means: two runs give different labels"
ok
pycheck "k-means centroids, sizes and labels against the blobs" "$K" <<'PY'
import csv, sys
d = sys.argv[1]
centres = [(10.0, 20.0), (50.0, -30.0), (-40.0, 5.0)]
sizes = [150, 200, 250]
cent, got_sizes = {}, None
for line in open(d + '/score.txt'):
    f = line.split()
    if f and f[0].startswith('centroid_'):
        cent[int(f[0][9:])] = tuple(map(float, f[1:]))
    elif f and f[0] == 'sizes':
        got_sizes = list(map(int, f[1:]))
if sorted(cent) != [1, 2, 3] or any(len(c) != 2 for c in cent.values()):
    sys.exit('centroid lines: %s' % cent)
# blob -> the label whose centroid is nearest its centre
match = {}
for blob, (cx, cy) in enumerate(centres):
    lab = min(cent, key=lambda k: (cent[k][0] - cx) ** 2 + (cent[k][1] - cy) ** 2)
    x, y = cent[lab]
    if abs(x - cx) > 0.6 or abs(y - cy) > 0.6:
        sys.exit('no centroid near centre %s: %s' % ((cx, cy), cent))
    match[blob] = lab
if sorted(match.values()) != [1, 2, 3]:
    sys.exit('two blobs share a centroid: %s' % cent)
if got_sizes is None or [got_sizes[match[b] - 1] for b in range(3)] != sizes:
    sys.exit('sizes %s, expected %s for labels %s' % (got_sizes, sizes, match))
blob_of = dict(l.split() for l in open(d + '/blobs'))
labels = {r['id']: r['cl.label'] for r in csv.DictReader(open(d + '/labels.1', newline=''))}
if labels.get('k9999') != '':
    sys.exit('k9999 (x2 missing) has label %r, expected none' % labels.get('k9999'))
wrong = [i for i, b in blob_of.items() if labels.get(i) != str(match[int(b)])]
if wrong or len(labels) != 601:
    sys.exit('%d of 600 contacts labelled off their blob (%d rows), e.g. %s'
             % (len(wrong), len(labels), [(i, blob_of[i], labels.get(i)) for i in wrong[:5]]))
PY

# ===================================================================== 4. Churn
H=$T/churn
mkdir -p "$H"
# NOW 2026-01-01, horizon 90 days: cut-off 2025-10-03. Every contact bought
# once 40-300 days before the cut-off; L = logins in the 30 days before the
# cut-off (0..6); a purchase in the 90 days after it with probability
# logistic(-2.5 + 1.0 L). The label is "no purchase in the 90 days": its
# log-odds fall by 1 per login. `noise` is an unrelated field; the purchase
# count is 1 for everyone at the cut-off (it would predict perfectly if the
# features saw past the cut-off). At NOW: 0-3 logins in the last 30 days.
python3 - "$H" <<'PY'
import calendar, math, random, sys, time
rnd = random.Random(17)
DAY = 86400
NOW = calendar.timegm((2026, 1, 1, 0, 0, 0))
cut = NOW - 90 * DAY
def ts(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))
with open(sys.argv[1] + '/contacts.csv', 'w') as fc, open(sys.argv[1] + '/events.csv', 'w') as fe, \
        open(sys.argv[1] + '/at_now', 'w') as fn:
    fc.write('id,noise\n')
    fe.write('contact_id,ts,type,amount\n')
    for i in range(2000):
        cid = 'h%05d' % i
        noise = rnd.randint(0, 100)
        fc.write('%s,%d\n' % (cid, noise))
        L = rnd.randint(0, 6)
        for t in rnd.sample(range(cut - 30 * DAY + 1, cut), L):
            fe.write('%s,%s,login,\n' % (cid, ts(t)))
        fe.write('%s,%s,purchase,%.2f\n' % (cid, ts(cut - rnd.randint(40 * DAY, 300 * DAY)),
                                          rnd.uniform(5, 100)))
        bought = rnd.random() < 1 / (1 + math.exp(-(-2.5 + 1.0 * L)))
        if bought:
            fe.write('%s,%s,purchase,%.2f\n' % (cid, ts(cut + rnd.randint(DAY, 89 * DAY)),
                                              rnd.uniform(5, 100)))
        ln = rnd.randint(0, 3)
        for t in rnd.sample(range(NOW - 30 * DAY + 1, NOW), ln):
            fe.write('%s,%s,login,\n' % (cid, ts(t)))
        fn.write('%s %d %d %d\n' % (cid, ln, noise, 2 if bought else 1))
PY
run segrt import --db "$H/db" --contacts "$H/contacts.csv" --events "$H/events.csv"
assert_rc 0 "import of the churn data"
cat >"$H/churn.lua" <<'EOF'
local seg = require "segrt"
require("models.churn").define {
  name = "churn", horizon = seg.days(90),
  label = seg.E.purchase:within(seg.days(90)):none(),
  features = { seg.E.login:within(seg.days(30)):count(), seg.F.noise, seg.E.purchase:count() },
}
seg.segment "all" { where = seg.F.noise:present() }
EOF
run segrt score --db "$H/db" --now "$NOW" "$H/churn.lua" churn
assert_rc 0 "score of the churn model"
cp "$T/out" "$H/score.txt"
run segrt members --db "$H/db" --now "$NOW" --format csv --fields churn.p "$H/churn.lua" all
assert_rc 0 "members --fields churn.p"
cp "$T/out" "$H/p.csv"
pycheck "churn: AUC, coefficients, churn.p" "$H" <<'PY'
import csv, math, sys
d = sys.argv[1]
kv = {}
for line in open(d + '/score.txt'):
    f = line.split()
    if len(f) >= 2 and f[0] not in kv:
        kv[f[0]] = f[1:]
try:
    auc = float(kv['auc_holdout'][0])
    coef = list(map(float, kv['coefficients']))
    std = list(map(float, kv['coefficients_standardised']))
    b0 = float(kv['intercept'][0])
except (KeyError, ValueError, IndexError) as e:
    sys.exit('score output lacks %s:\n%s' % (e, open(d + '/score.txt').read()))
errs = []
if not auc > 0.75:
    errs.append('auc_holdout %s, expected > 0.75' % auc)
if len(coef) != 3 or len(std) != 3:
    errs.append('%d coefficients, expected 3 (one per feature)' % len(coef))
else:
    if not -1.4 < coef[0] < -0.6:
        errs.append('login coefficient %s, built in: -1.0 (more logins, less churn)' % coef[0])
    if abs(std[1]) > 0.3:
        errs.append('noise: standardised coefficient %s, expected about 0' % std[1])
    if abs(std[2]) > 0.05 or abs(coef[2]) > 0.05:
        errs.append('purchase count (1 for all at the cut-off): coefficient %s, expected 0: '
                    'do the features see past the cut-off?' % coef[2])
    if not 1.8 < b0 < 3.2:
        errs.append('intercept %s, built in: 2.5' % b0)
    p = {r['id']: r['churn.p'] for r in csv.DictReader(open(d + '/p.csv', newline=''))}
    bad = []
    for line in open(d + '/at_now'):
        cid, *x = line.split()
        x = list(map(float, x))
        want = 1 / (1 + math.exp(-(b0 + sum(c * v for c, v in zip(coef, x)))))
        if p.get(cid, '') == '' or abs(float(p[cid]) - want) > 2e-3:
            bad.append('%s p=%r, expected %.4f' % (cid, p.get(cid), want))
    if bad:
        errs.append('%d churn.p values off the logistic of the coefficients at NOW, e.g. %s'
                    % (len(bad), '; '.join(bad[:4])))
if errs:
    sys.exit('\n  '.join(errs))
PY

# ===================================================================== 5. Engagement
E=$T/eng
mkdir -p "$E"
# Points: email_open 1, email_click 3; half-life 30 days; cap 50; threshold 5.
# At NOW (ages in days):
#   e1: 4 opens at 0, 2 clicks at 30, 1 click at 60   4 + 3 + 0.75      = 7.75
#   e2: 20 clicks at 0                                 60, capped         = 50
#   e3: click at 0, click at 30, open at 30, 5 page views (no points)
#                                                      3 + 1.5 + 0.5      = 5 (= threshold)
#   e4: open at 90, click at 15                        0.125 + 3/sqrt(2)  = 2.246320...
#   e5: no events                                                         = 0
# At NOW + 30 days everything counts half: 3.875, 30 (capped), 2.5, 1.1231..., 0.
python3 - "$E" <<'PY'
import calendar, sys, time
d = sys.argv[1]
NOW = calendar.timegm((2026, 1, 1, 0, 0, 0))
spec = {'e1': [(4, 0, 'email_open'), (2, 30, 'email_click'), (1, 60, 'email_click')],
        'e2': [(20, 0, 'email_click')],
        'e3': [(1, 0, 'email_click'), (1, 30, 'email_click'), (1, 30, 'email_open'),
               (5, 0, 'page_view')],
        'e4': [(1, 90, 'email_open'), (1, 15, 'email_click')]}
with open(d + '/contacts.csv', 'w') as f:
    f.write('id,name\n' + ''.join('e%d,n%d\n' % (i, i) for i in range(1, 6)))
n = 0
with open(d + '/events.csv', 'w') as f:
    f.write('contact_id,ts,type,event_id\n')   # event ids: same-ts events stay distinct
    for cid, evs in spec.items():
        for k, age, typ in evs:
            for _ in range(k):
                n += 1
                f.write('%s,%s,%s,x%d\n' % (cid, time.strftime('%Y-%m-%dT%H:%M:%SZ',
                                            time.gmtime(NOW - age * 86400)), typ, n))
PY
run segrt import --db "$E/db" --contacts "$E/contacts.csv" --events "$E/events.csv"
assert_rc 0 "import of the engagement store"
cat >"$E/eng.lua" <<'EOF'
local seg = require "segrt"
require("models.engagement").define {
  name = "engagement", half_life = seg.days(30), cap = 50, threshold = 5,
  points = { email_open = 1, email_click = 3 },
}
seg.segment "all" { where = seg.F.name:present() }
EOF
for case in "2026-01-01T00:00:00Z e1:7.75,e2:50,e3:5,e4:2.2463203,e5:0 e1,e2,e3" \
            "2026-01-31T00:00:00Z e1:3.875,e2:30,e3:2.5,e4:1.1231602,e5:0 e2"; do
    read -r now scores ready <<<"$case"
    run segrt members --db "$E/db" --now "$now" --format csv --fields engagement "$E/eng.lua" all
    assert_rc 0 "members --fields engagement at $now"
    python3 - "$T/out" "$scores" <<'PY' || fail "engagement scores at $now: $(cat "$T/out")"
import csv, sys
got = {r['id']: r['engagement'] for r in csv.DictReader(open(sys.argv[1], newline=''))}
want = dict(kv.split(':') for kv in sys.argv[2].split(','))
sys.exit(not (set(got) == set(want) and
              all(got[i] != '' and abs(float(got[i]) - float(want[i])) < 1e-5 for i in want)))
PY
    ok
    run segrt members --db "$E/db" --now "$now" "$E/eng.lua" engagement_sales_ready
    assert_rc 0 "members of engagement_sales_ready at $now"
    assert_eq "$(paste -sd, "$T/out")" "$ready" "engagement_sales_ready at $now"
done
run segrt score --db "$E/db" --now 2026-01-01T00:00:00Z "$E/eng.lua" engagement_model
assert_rc 0 "score of the engagement model"
assert_eq "$(awk '$1 == "engagement_sales_ready" { print $2 }' "$T/out")" 3 \
    "segrt score: size of engagement_sales_ready"

# ===================================================================== 6. Errors
run segrt score --db "$E/db" --now 2026-01-01T00:00:00Z "$E/eng.lua" no_such_model
assert_rc 1 "score of an unknown model"
assert_contains "$T/err" "unknown model 'no_such_model'" "score of an unknown model"
run segrt score --db "$E/db" --now 2026-01-01T00:00:00Z "$E/eng.lua" engagment_model
assert_rc 1 "score of a misspelt model"
assert_contains "$T/err" "did you mean 'engagement_model'" "score of a misspelt model"

cat >"$E/clv.lua" <<'EOF'
local seg = require "segrt"
require("models.bgnbd").define { name = "clv" }
EOF
run segrt score --db "$E/db" --now 2026-01-01T00:00:00Z "$E/clv.lua" clv
assert_rc 1 "score of a BG/NBD model on a store without purchases"
assert_contains "$T/err" "no 'purchase' events" "BG/NBD without purchases"

# --fields naming neither a field nor a score: exit 1, the name said once.
run segrt members --db "$E/db" --now 2026-01-01T00:00:00Z --format csv \
    --fields engagement,clv.p_alive "$E/eng.lua" all
assert_rc 1 "members --fields with an unknown score"
assert_contains "$T/err" "'clv.p_alive' is neither a field nor a score" "unknown --fields"
n=$(grep -o "is neither a field nor a score" "$T/err" | wc -l)
[ "$n" -eq 1 ] || fail "unknown --fields: garbled message (the phrase $n times): $(cat "$T/err")"
ok

finish
