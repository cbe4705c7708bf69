#!/usr/bin/env bash
# test_propensity.sh — models.propensity (issue 19, part 3) through segrt, on
# generated data with the label planted:
#
#  1. 4000 contacts; X = page views in the 60 days before the cut-off
#     NOW - 30 days (0..8, uniform), noise = an unrelated field (0..4); a
#     coffee_beans purchase in the 30 days after the cut-off with probability
#     logistic(-3 + 0.6 X). Decoys: ground_coffee purchases after the cut-off
#     and bean purchases long before it (neither is the label).
#  2. The fit finds the planted coefficients; every beans.p at NOW is the
#     logistic of the printed coefficients on the features at NOW.
#  3. On the held-out contacts (beans.holdout = 1), Python recomputes p at the
#     cut-off from the printed coefficients, and from it and the planted
#     labels the AUC (Mann-Whitney, ties one half), base rate, Brier score,
#     top-decile lift and reliability table: they equal what segrt score
#     prints. The AUC exceeds the AUC of the true probabilities (computed here
#     from the design, 0.837) minus 0.06: with ~1000 held-out contacts
#     its standard error is about 0.015, so 0.06 is 4 of them; the top-decile
#     lift is above 1.5 (the design gives about 2); every bin of the
#     reliability table has its observed rate within 4 standard errors (+0.01)
#     of its mean p: p is calibrated.
#  4. models.churn is the same model with its defaults (name churn, 90 days),
#     and prints the same holdout measures.
#  5. Bad options name the option and the script line; a label that never
#     holds cannot be trained; a raw logreg model with holdout 0 is refused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
python3 - "$T" <<'PY'
import calendar, math, random, sys, time
rnd = random.Random(23)
DAY = 86400
NOW = calendar.timegm((2026, 1, 1, 0, 0, 0))
cut = NOW - 30 * DAY
def ts(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))
d = sys.argv[1]
with open(d + '/contacts.csv', 'w') as fc, open(d + '/events.csv', 'w') as fe, \
        open(d + '/truth', 'w') as ft:
    fc.write('id,noise\n')
    fe.write('contact_id,ts,type,amount,category\n')
    for i in range(4000):
        cid = 'p%05d' % i
        noise = rnd.randint(0, 4)
        fc.write('%s,%d\n' % (cid, noise))
        views = rnd.sample(range(cut - 60 * DAY + 10, cut - 10), rnd.randint(0, 8))
        views += rnd.sample(range(cut + 10, NOW - 10), rnd.randint(0, 4))
        for t in views:
            fe.write('%s,%s,page_view,,\n' % (cid, ts(t)))
        x_cut = sum(1 for t in views if cut - 60 * DAY <= t <= cut)
        x_now = sum(1 for t in views if NOW - 60 * DAY <= t <= NOW)
        label = rnd.random() < 1 / (1 + math.exp(-(-3 + 0.6 * x_cut)))
        if label:
            fe.write('%s,%s,purchase,18.00,coffee_beans\n' % (cid, ts(cut + rnd.randint(DAY, 29 * DAY))))
        if rnd.random() < 0.3:
            fe.write('%s,%s,purchase,12.00,ground_coffee\n' % (cid, ts(cut + rnd.randint(DAY, 29 * DAY))))
        if rnd.random() < 0.3:
            fe.write('%s,%s,purchase,18.00,coffee_beans\n'
                     % (cid, ts(cut - rnd.randint(40 * DAY, 300 * DAY))))
        ft.write('%s %d %d %d %d\n' % (cid, x_cut, x_now, noise, label))
PY
run segrt import --db "$T/db" --contacts "$T/contacts.csv" --events "$T/events.csv"
assert_rc 0 "import of the planted data"
cat >"$T/p.lua" <<'EOF'
local seg = require "segrt"
local E = seg.E
local p = require("models.propensity").define {
  name = "beans", holdout = 0.25, seed = 5,
  label = E.purchase:where{ category = "coffee_beans" }:within(seg.days(30)):exists(),
  features = { E.page_view:within(seg.days(60)):count(), seg.F.noise },
}
require("models.churn").define {
  label = E.purchase:within(seg.days(90)):none(),
  features = { E.page_view:within(seg.days(60)):count() },
}
seg.segment "all" { where = seg.F.noise:present() }
seg.segment "likely" { where = p:gt(0.5) }
EOF
run segrt score --db "$T/db" --now "$NOW" "$T/p.lua" beans
assert_rc 0 "segrt score of a propensity model$(last_output)"
cp "$T/out" "$T/score.txt"
assert_contains "$T/out" "horizon_days             30" "the default horizon is 30 days"
assert_contains "$T/out" "holdout_contacts         1000" "a quarter of the contacts held out"
run segrt members --db "$T/db" --now "$NOW" --format csv --fields beans.p,beans.holdout "$T/p.lua" all
assert_rc 0 "members --fields beans.p,beans.holdout"
cp "$T/out" "$T/p.csv"
likely=$(segrt count --db "$T/db" --now "$NOW" "$T/p.lua" likely)

python3 - "$T" "$likely" <<'PY' 2>"$T/py.err" || fail "propensity: $(head -c 4000 "$T/py.err")"
import csv, math, sys
d, likely = sys.argv[1], int(sys.argv[2])
kv = {}
for line in open(d + '/score.txt'):
    f = line.split()
    if len(f) >= 2 and f[0] not in kv:
        kv[f[0]] = f[1:]
def num(key):
    try:
        return float(kv[key][0])
    except (KeyError, ValueError, IndexError):
        sys.exit('segrt score printed no %s:\n%s' % (key, open(d + '/score.txt').read()))
def arr(key):
    if key not in kv or len(kv[key]) != 10:
        sys.exit('segrt score printed no 10 values of %s' % key)
    return [float(v) for v in kv[key]]
logistic = lambda z: 1 / (1 + math.exp(-z))
b0, coef = num('intercept'), [float(v) for v in kv['coefficients']]
truth = {}
for line in open(d + '/truth'):
    cid, *v = line.split()
    truth[cid] = list(map(int, v))
rows = list(csv.DictReader(open(d + '/p.csv', newline='')))
errs = []
if len(rows) != 4000:
    errs.append('%d contacts listed, expected 4000' % len(rows))
# 2. the planted model, and p at NOW
if not 0.45 < coef[0] < 0.75 or abs(coef[1]) > 0.15 or not -3.6 < b0 < -2.4:
    errs.append('coefficients %s, intercept %s; planted 0.6, 0, -3' % (coef, b0))
bad = [r['id'] for r in rows
       if abs(float(r['beans.p']) - logistic(b0 + coef[0] * truth[r['id']][1]
                                             + coef[1] * truth[r['id']][2])) > 2e-4]
if bad:
    errs.append('%d beans.p off the logistic of the features at NOW, e.g. %s' % (len(bad), bad[:3]))
if likely != sum(float(r['beans.p']) > 0.5 for r in rows):
    errs.append('segment likely (p > 0.5) has %d members, the CSV says otherwise' % likely)
# 3. the holdout measures, recomputed
hold = [(logistic(b0 + coef[0] * truth[r['id']][0] + coef[1] * truth[r['id']][2]), truth[r['id']][3])
        for r in rows if r['beans.holdout'] == '1']
if len(hold) != 1000 or sum(r['beans.holdout'] == '0' for r in rows) != 3000:
    errs.append('%d contacts with beans.holdout 1, expected 1000 (and 3000 with 0)' % len(hold))
m = len(hold)
pos = sum(y for _, y in hold)
ps = sorted(p for p, _ in hold)
def avg_rank(p):        # 1-based average rank of p among the held-out scores
    lo = sum(1 for q in ps if q < p)
    hi = sum(1 for q in ps if q <= p)
    return (lo + 1 + hi) / 2
auc = (sum(avg_rank(p) for p, y in hold if y) - pos * (pos + 1) / 2) / (pos * (m - pos))
brier = sum((p - y) ** 2 for p, y in hold) / m
base = pos / m
k, taken, top = 0.1 * m, 0, 0.0
for p in sorted(set(ps), reverse=True):
    group = [y for q, y in hold if q == p]
    share = min(1.0, (k - taken) / len(group))
    top += share * sum(group)
    taken += len(group)
    if taken >= k:
        break
lift = top / k / base
bins = [[] for _ in range(10)]
for p, y in hold:
    bins[10 * sum(1 for q in ps if q < p) // m].append((p, y))
def close(name, printed, want, tol):
    if not abs(printed - want) <= tol:
        errs.append('%s printed %.8g, recomputed %.8g' % (name, printed, want))
close('auc_holdout', num('auc_holdout'), auc, 2e-5)
close('brier_holdout', num('brier_holdout'), brier, 2e-6)
close('base_rate_holdout', num('base_rate_holdout'), base, 1e-6)
close('lift_top_decile_holdout', num('lift_top_decile_holdout'), lift, 2e-5)
counts, mean_p, observed = arr('reliability_contacts'), arr('reliability_mean_p'), arr('reliability_observed')
for b in range(10):
    n_b = len(bins[b])
    close('reliability_contacts[%d]' % b, counts[b], n_b, 0)
    if n_b:
        mp, ob = sum(p for p, _ in bins[b]) / n_b, sum(y for _, y in bins[b]) / n_b
        close('reliability_mean_p[%d]' % b, mean_p[b], mp, 2e-6)
        close('reliability_observed[%d]' % b, observed[b], ob, 2e-6)
        if abs(mp - ob) > 4 * math.sqrt(mp * (1 - mp) / n_b) + 0.01:
            errs.append('decile %d: mean p %.4f, observed %.4f over %d: not calibrated'
                        % (b + 1, mp, ob, n_b))
    elif not (math.isnan(mean_p[b]) and math.isnan(observed[b])):
        errs.append('empty decile %d printed %s %s, expected nan' % (b + 1, mean_p[b], observed[b]))
# the AUC of the true probabilities over the design (X uniform on 0..8)
q = [logistic(-3 + 0.6 * x) for x in range(9)]
wp, wn = [v / 9 for v in q], [(1 - v) / 9 for v in q]
true_auc = (sum(wp[i] * wn[j] for i in range(9) for j in range(i))
            + 0.5 * sum(wp[i] * wn[i] for i in range(9))) / (sum(wp) * sum(wn))
if not auc > true_auc - 0.06:
    errs.append('holdout AUC %.4f, the true probabilities give %.4f' % (auc, true_auc))
if not lift > 1.5:
    errs.append('top-decile lift %.4f, expected above 1.5' % lift)
if errs:
    sys.exit('\n  '.join(errs))
PY
ok

# --- 4. churn: the same model with its own defaults
run segrt score --db "$T/db" --now "$NOW" "$T/p.lua" churn
assert_rc 0 "segrt score of a churn model"
assert_contains "$T/out" "model churn (logreg)" "churn's default name"
assert_contains "$T/out" "horizon_days             90" "churn's default horizon"
for key in auc_holdout brier_holdout lift_top_decile_holdout reliability_observed; do
    assert_contains "$T/out" "  $key " "churn prints $key"
done

# --- 5. bad options
bad_option() { # OPTION MESSAGE: define beans with OPTION added (or replacing one)
    printf 'local seg = require "segrt"\nlocal o = { name = "b", label = seg.E.purchase:within(seg.days(30)):exists(),\n  features = { seg.E.page_view:count() } }\nfor k, v in pairs { %s } do o[k] = v end\nlocal p = require("models.propensity").define(o)\nseg.segment "x" { where = p:gt(0.5) }\n' \
        "$1" >"$T/bad.lua"
    run segrt count --db "$T/db" --now "$NOW" "$T/bad.lua" x
    assert_rc 1 "define with $1"
    assert_contains "$T/err" "$T/bad.lua:5: propensity.define: $2" "define with $1: the option is named"
}
bad_option 'horizon = seg.days(0)' "horizon must be a positive duration such as seg.days(30)"
bad_option 'horizon = seg.days(-7)' "horizon must be a positive duration"
bad_option 'horizon = 30' "horizon must be a positive duration"
bad_option 'label = seg.E.purchase:count()' "label must be a predicate"
bad_option 'features = {}' "give features = { value, ... } (at least one)"
bad_option 'features = seg.F.noise' "give features = { value, ... }"
bad_option 'features = { seg.F.noise, seg.F.noise:present() }' "features[2] must be a value"
bad_option 'name = ""' 'give name = "..."'
bad_option 'holdout = 0' "holdout must be a fraction between 0 and 1"
bad_option 'holdout = 1.5' "holdout must be a fraction between 0 and 1"
bad_option 'lambda = -1' "lambda must be a number >= 0"
bad_option 'seed = 1.5' "seed must be an integer"
printf 'local seg = require "segrt"\nrequire("models.propensity").define { name = "b", features = { seg.F.noise } }\n' >"$T/bad.lua"
run segrt score --db "$T/db" --now "$NOW" "$T/bad.lua" b
assert_rc 1 "define without a label"
assert_contains "$T/err" "bad.lua:2: propensity.define: give label = " "a missing label is named"
printf 'local seg = require "segrt"\nrequire("models.churn").define { label = seg.E.login:exists() }\n' >"$T/bad.lua"
run segrt score --db "$T/db" --now "$NOW" "$T/bad.lua" churn
assert_rc 1 "churn without features"
assert_contains "$T/err" "bad.lua:2: churn.define: give features = " "churn names itself"
printf 'local seg = require "segrt"\nrequire("models.propensity").define { name = "tea", features = { seg.F.noise },\n  label = seg.E.purchase:where{ category = "tea" }:within(seg.days(30)):exists() }\n' >"$T/bad.lua"
run segrt score --db "$T/db" --now "$NOW" "$T/bad.lua" tea
assert_rc 1 "a label that never holds"
assert_contains "$T/err" "the model cannot be trained: the label must hold for some" "is refused"
printf 'local seg = require "segrt"\nseg.model "raw" { kind = "logreg", holdout = 0, horizon_days = 30,\n  label = seg.E.purchase:exists(), features = { seg.F.noise }, scores = { "raw.p" } }\n' >"$T/bad.lua"
run segrt score --db "$T/db" --now "$NOW" "$T/bad.lua" raw
assert_rc 1 "a raw logreg model with holdout 0"
assert_contains "$T/err" "holdout must be a fraction between 0 and 1" "is refused in C too"
finish
