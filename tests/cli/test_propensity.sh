#!/usr/bin/env bash
# test_propensity.sh — models.propensity (issue 19, part 3) through segrt, on
# generated data with the labels planted:
#
#  1. 4000 contacts; X = page views in the 60 days before the cut-off
#     NOW - 30 days (0..8, uniform), noise = an unrelated field (0..4).
#     Label "beans": a coffee_beans purchase in the 30 days after the cut-off
#     with probability logistic(-3 + 0.6 X) (linear log-odds: the regression
#     fits it). Label "clicks": an e-mail click in those 30 days with
#     probability 0.03 for X <= 5 and 0.5 above (a step: the regression's
#     output misses it, calibration mends it). Decoys: ground_coffee
#     purchases after the cut-off and bean purchases long before it.
#  2. Each model's coefficients are near the planted ones; every p at NOW is
#     the printed coefficients' logistic on the features at NOW, mapped
#     through the isotonic calibration that Python fits again (pool adjacent
#     violators over the training contacts, beans.holdout = 0).
#  3. On the held-out contacts (NAME.holdout = 1) Python recomputes p at the
#     cut-off and from it and the planted labels the AUC (Mann-Whitney, ties
#     one half), base rate, Brier score (calibrated and not), top-decile lift
#     and reliability table: they equal what segrt score prints. The AUC
#     exceeds the AUC of the true probabilities (computed from the design:
#     0.837 for beans) minus 0.06: with 1000 held-out contacts its standard
#     error is about 0.013, so 0.06 is over 4 of them; the top-decile lift
#     is above 1.5 (the design gives about 2). p is calibrated: every bin of
#     the reliability table has its observed rate within 4 standard errors
#     (+0.01) of its mean p; for the step label the uncalibrated model
#     (calibrate = false) has a bin off by more than that, and a higher
#     Brier score.
#  4. models.churn is the same model with its defaults (name churn, 90 days,
#     not calibrated), and prints the same holdout measures.
#     A label that never holds leaves the model untrained: p missing, no error.
#  5. Bad options name the option and the script line; a raw logreg model
#     with holdout 0 is refused.
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
def after_cut():
    return ts(cut + rnd.randint(DAY, 29 * DAY))
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
        beans = rnd.random() < 1 / (1 + math.exp(-(-3 + 0.6 * x_cut)))
        if beans:
            fe.write('%s,%s,purchase,18.00,coffee_beans\n' % (cid, after_cut()))
        clicks = rnd.random() < (0.5 if x_cut > 5 else 0.03)
        if clicks:
            fe.write('%s,%s,email_click,,\n' % (cid, after_cut()))
        if rnd.random() < 0.3:
            fe.write('%s,%s,purchase,12.00,ground_coffee\n' % (cid, after_cut()))
        if rnd.random() < 0.3:
            fe.write('%s,%s,purchase,18.00,coffee_beans\n'
                     % (cid, ts(cut - rnd.randint(40 * DAY, 300 * DAY))))
        ft.write('%s %d %d %d %d %d\n' % (cid, x_cut, x_now, noise, beans, clicks))
PY
run segrt import --db "$T/db" --contacts "$T/contacts.csv" --events "$T/events.csv"
assert_rc 0 "import of the planted data"
cat >"$T/p.lua" <<'EOF'
local seg = require "segrt"
local E = seg.E
local propensity = require "models.propensity"
local views = E.page_view:within(seg.days(60)):count()
local p = propensity.define {
  name = "beans", holdout = 0.25, seed = 5,
  label = E.purchase:where{ category = "coffee_beans" }:within(seg.days(30)):exists(),
  features = { views },
}
local clicks = E.email_click:within(seg.days(30)):exists()
propensity.define { name = "clicks", holdout = 0.25, seed = 5, label = clicks, features = { views } }
propensity.define { name = "clicks_raw", holdout = 0.25, seed = 5, label = clicks,
                    features = { views }, calibrate = false }
require("models.churn").define {
  label = E.purchase:within(seg.days(90)):none(),
  features = { views, seg.F.noise },
}
seg.segment "all" { where = seg.F.noise:present() }
seg.segment "likely" { where = p:gt(0.5) }
EOF
cat >"$T/check.py" <<'PY'
# check.py DIR MODEL LABEL: recompute what segrt score printed for MODEL (one
# feature, X) from DIR/score_MODEL.txt, DIR/MODEL.csv (id, p, holdout) and
# DIR/truth (LABEL = beans | clicks); exits with the differences.
import csv, math, sys
d, model, label = sys.argv[1:4]
kv = {}
for line in open('%s/score_%s.txt' % (d, model)):
    f = line.split()
    if len(f) >= 2 and f[0] not in kv:
        kv[f[0]] = f[1:]
def num(key):
    try:
        return float(kv[key][0])
    except (KeyError, ValueError, IndexError):
        sys.exit('segrt score printed no %s:\n%s' % (key, open('%s/score_%s.txt' % (d, model)).read()))
def table():            # the reliability table: contacts, mean p, observed per decile
    lines = open('%s/score_%s.txt' % (d, model)).read().splitlines()
    at = [i for i, l in enumerate(lines) if l.strip().endswith('by decile of p:')]
    rows = [l.split() for l in lines[at[0] + 2:at[0] + 12]] if at else []
    if [r[0] for r in rows] != [str(b) for b in range(1, 11)] or any(len(r) != 4 for r in rows):
        sys.exit('segrt score printed no reliability table of 10 deciles:\n' + '\n'.join(lines))
    value = lambda v: math.nan if v == '-' else float(v)
    return [[value(r[k]) for r in rows] for k in (1, 2, 3)]
logistic = lambda z: 1 / (1 + math.exp(-z))
b0, coef = num('intercept'), [float(v) for v in kv['coefficients']]
raw = lambda x: logistic(b0 + coef[0] * x)
truth = {}
for line in open(d + '/truth'):
    cid, x_cut, x_now, noise, beans, clicks = line.split()
    truth[cid] = (int(x_cut), int(x_now), int(beans if label == 'beans' else clicks))
rows = list(csv.DictReader(open('%s/%s.csv' % (d, model), newline='')))
errs = []
if len(rows) != 4000 or len(coef) != 1:
    sys.exit('%d contacts listed, %d coefficients: expected 4000 and 1' % (len(rows), len(coef)))
if label == 'beans' and not (0.45 < coef[0] < 0.75 and -3.6 < b0 < -2.4):
    errs.append('coefficient %s, intercept %s; planted 0.6, -3' % (coef, b0))
if label == 'clicks' and not coef[0] > 0.3:
    errs.append('coefficient %s: clicks rise with X' % coef)

# the calibration: pool adjacent violators over the training contacts
def pav(pairs):
    blocks = []  # [n, positives, lowest score, highest score]
    for s in sorted(set(p for p, _ in pairs)):
        b = [sum(1 for p, _ in pairs if p == s), sum(y for p, y in pairs if p == s), s, s]
        while blocks and blocks[-1][1] * b[0] >= b[1] * blocks[-1][0]:
            below = blocks.pop()
            b = [b[0] + below[0], b[1] + below[1], below[2], b[3]]
        blocks.append(b)
    return blocks
def knots_of(blocks):   # each block's ends at its rate
    return [(x, b[1] / b[0]) for b in blocks for x in sorted({b[2], b[3]})]
def apply(knots, s):
    if s <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in zip(knots, knots[1:]):
        if s <= x1:
            return y0 + (s - x0) / (x1 - x0) * (y1 - y0)
    return knots[-1][1]
train = [(raw(truth[r['id']][0]), truth[r['id']][2]) for r in rows if r[model + '.holdout'] == '0']
blocks = pav(train) if num('calibration_blocks') > 0 else None
knots = knots_of(blocks) if blocks else None
if blocks is not None and len(blocks) != num('calibration_blocks'):
    errs.append('%s calibration blocks printed, %d recomputed' % (num('calibration_blocks'), len(blocks)))
prob = (lambda x: apply(knots, raw(x))) if knots else raw
bad = [r['id'] for r in rows if abs(float(r[model + '.p']) - prob(truth[r['id']][1])) > 2e-6]
if bad:
    errs.append('%d %s.p at NOW off the calibrated logistic, e.g. %s' % (len(bad), model, bad[:3]))

# the holdout measures
hold_x = [(truth[r['id']][0], truth[r['id']][2]) for r in rows if r[model + '.holdout'] == '1']
if len(hold_x) != 1000 or len(train) != 3000:
    errs.append('%d held out, %d trained on: expected 1000 and 3000' % (len(hold_x), len(train)))
hold = [(prob(x), y) for x, y in hold_x]
m, pos = len(hold), sum(y for _, y in hold)
hold_raw = [(raw(x), y) for x, y in hold_x]
def rank_lo(p, pairs):  # how many of pairs score below p
    return sum(1 for q, _ in pairs if q < p)
def auc_of(pairs):      # Mann-Whitney with 1-based average ranks
    avg_rank = lambda p: (rank_lo(p, pairs) + 1 + sum(1 for q, _ in pairs if q <= p)) / 2
    return (sum(avg_rank(p) for p, y in pairs if y) - pos * (pos + 1) / 2) / (pos * (m - pos))
brier = lambda pairs: sum((p - y) ** 2 for p, y in pairs) / len(pairs)
k, taken, top = 0.1 * m, 0, 0.0
for p in sorted({p for p, _ in hold}, reverse=True):
    group = [y for q, y in hold if q == p]
    top += min(1.0, (k - taken) / len(group)) * sum(group)
    taken += len(group)
    if taken >= k:
        break
lift = top / k / (pos / m)
def close(name, printed, want, tol):
    if not abs(printed - want) <= tol:
        errs.append('%s printed %.8g, recomputed %.8g' % (name, printed, want))
auc = auc_of(hold)
close('auc_holdout', num('auc_holdout'), auc, 2e-5)
close('base_rate_holdout', num('base_rate_holdout'), pos / m, 1e-6)
close('brier_holdout', num('brier_holdout'), brier(hold), 2e-6)
close('lift_top_decile_holdout', num('lift_top_decile_holdout'), lift, 2e-5)
if knots:
    close('auc_holdout_uncalibrated', num('auc_holdout_uncalibrated'), auc_of(hold_raw), 2e-5)
    close('brier_holdout_uncalibrated', num('brier_holdout_uncalibrated'), brier(hold_raw), 2e-6)
bins = [[] for _ in range(10)]
for p, y in hold:
    bins[10 * rank_lo(p, hold) // m].append((p, y))
counts, mean_p, observed = table()
off = []
for b in range(10):
    n_b = len(bins[b])
    close('decile %d contacts' % (b + 1), counts[b], n_b, 0)
    if n_b:
        mp, ob = sum(p for p, _ in bins[b]) / n_b, sum(y for _, y in bins[b]) / n_b
        close('decile %d mean_p' % (b + 1), mean_p[b], mp, 2e-6)
        close('decile %d observed' % (b + 1), observed[b], ob, 2e-6)
        if abs(mp - ob) > 4 * math.sqrt(mp * (1 - mp) / n_b) + 0.01:
            off.append('decile %d: mean p %.4f, observed %.4f over %d' % (b + 1, mp, ob, n_b))
    elif not (math.isnan(mean_p[b]) and math.isnan(observed[b])):
        errs.append('empty decile %d printed %s %s, expected -' % (b + 1, mean_p[b], observed[b]))
if knots and off:
    errs.append('calibrated, yet ' + '; '.join(off))
if not knots and label == 'clicks' and not off:
    errs.append('the step label: every decile of the uncalibrated output looks calibrated')
if label == 'beans':
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
for model in beans:beans clicks:clicks clicks_raw:clicks; do
    name=${model%%:*}
    run segrt score --db "$T/db" --now "$NOW" "$T/p.lua" "$name"
    assert_rc 0 "segrt score $name$(last_output)"
    cp "$T/out" "$T/score_$name.txt"
    run segrt members --db "$T/db" --now "$NOW" --format csv --fields "$name.p,$name.holdout" "$T/p.lua" all
    assert_rc 0 "members --fields $name.p,$name.holdout"
    cp "$T/out" "$T/$name.csv"
    python3 "$T/check.py" "$T" "$name" "${model#*:}" 2>"$T/py.err" ||
        fail "propensity $name: $(head -c 4000 "$T/py.err")"
    ok
done
assert_contains "$T/score_beans.txt" "horizon_days             30" "the default horizon is 30 days"
assert_contains "$T/score_beans.txt" "holdout_contacts         1000" "a quarter of the contacts held out"
assert_contains "$T/score_clicks_raw.txt" "calibration_blocks       0" "calibrate = false: no map"
python3 - "$T" <<'PY' || fail "calibrating the step label does not lower the Brier score"
import sys
kv = {l.split()[0]: l.split()[1] for l in open(sys.argv[1] + '/score_clicks.txt') if len(l.split()) == 2}
assert float(kv['brier_holdout']) < float(kv['brier_holdout_uncalibrated']), kv
PY
ok
likely=$(segrt count --db "$T/db" --now "$NOW" "$T/p.lua" likely)
assert_eq "$likely" "$(awk -F, 'NR > 1 && $2 > 0.5' "$T/beans.csv" | wc -l)" "segment p > 0.5"

# --- 4. churn: the same model with its own defaults
run segrt score --db "$T/db" --now "$NOW" "$T/p.lua" churn
assert_rc 0 "segrt score of a churn model"
assert_contains "$T/out" "model churn (logreg)" "churn's default name"
assert_contains "$T/out" "horizon_days             90" "churn's default horizon"
assert_contains "$T/out" "calibration_blocks       0" "churn is not calibrated by default"
for key in auc_holdout brier_holdout lift_top_decile_holdout; do
    assert_contains "$T/out" "  $key " "churn prints $key"
done
assert_contains "$T/out" "reliability on the held-out contacts, by decile of p:" "and the reliability table"

# --- A label that never holds: nothing to learn, every p missing, no error
# (a pack with a propensity runs on any store).
printf 'local seg = require "segrt"\nlocal p = require("models.propensity").define { name = "tea",\n  features = { seg.F.noise },\n  label = seg.E.purchase:where{ category = "tea" }:within(seg.days(30)):exists() }\nseg.segment "t" { where = p:present() }\n' >"$T/tea.lua"
run segrt score --db "$T/db" --now "$NOW" "$T/tea.lua" tea
assert_rc 0 "a model whose label never holds$(last_output)"
assert_contains "$T/out" "trained_positives        0" "says it had no positive"
assert_contains "$T/out" "trained_contacts         3200" "out of the training contacts"
assert_eq "$(awk '$1 == "tea.p" { print $2 }' "$T/out")" 0 "and scores nobody"
assert_eq "$(segrt count --db "$T/db" --now "$NOW" "$T/tea.lua" t)" 0 "its segment is empty"

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
bad_option 'calibrate = "yes"' "calibrate must be true or false"
# refused WHAT MODEL LUA MESSAGE: segrt score MODEL of the script LUA fails with MESSAGE.
refused() {
    printf 'local seg = require "segrt"\n%s\n' "$3" >"$T/bad.lua"
    run segrt score --db "$T/db" --now "$NOW" "$T/bad.lua" "$2"
    assert_rc 1 "$1"
    assert_contains "$T/err" "$4" "$1: the message"
}
refused "define without a label" b \
    'require("models.propensity").define { name = "b", features = { seg.F.noise } }' \
    "bad.lua:2: propensity.define: give label = "
refused "churn without features" churn 'require("models.churn").define { label = seg.E.login:exists() }' \
    "bad.lua:2: churn.define: give features = "
refused "a raw logreg model with holdout 0" raw \
    'seg.model "raw" { kind = "logreg", holdout = 0, horizon_days = 30,
  label = seg.E.purchase:exists(), features = { seg.F.noise }, scores = { "raw.p" } }' \
    "holdout must be a fraction between 0 and 1"
finish
