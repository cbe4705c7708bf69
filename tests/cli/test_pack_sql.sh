#!/usr/bin/env bash
# test_pack_sql.sh — every segment of every bundled pack against its SQL twin.
#
# Data: the demo data set (`segrt demo --csv`, 20000 contacts, seed 42,
# NOW = 2026-01-01T00:00:00Z), first checked to be exactly what `segrt demo`
# stores: importing the CSVs gives a byte-identical store. To it the test adds
# consent records that make the Art. 21 rules bite (the demo has no
# direct_marketing or objection records): objections in force, a withdrawal
# and an objection on the same second as a grant, an objection lifted later,
# and a withdrawal dated after NOW; and email grants tied on one second with
# different expiries. segrt imports the data;
# tests/oracle/sqlite_oracle.py loads the same CSVs into SQLite and runs the
# twins in tests/oracle/packs/<pack>.sql, with consent at NOW (SPEC §5, the
# shipped checks, Art. 21 objections) in tests/oracle/packs/_consent.sql. For each segment, `segrt members` must print
# exactly the SQL member ids and `segrt count` their number, and the SQL set
# must not be empty (every segment means something on this data).
#
# Every segment of every bundled pack (as `segrt pack check` lists them) must
# have a twin, or be listed in NOT_IN_SQL with the reason it cannot have one
# (a Lua filter, a fitted model) and an independent check. Listed: the two
# segments of coffee_offers, each the top tenth by a fitted logistic
# regression (the fit itself is checked by test_propensity.sh): their
# members must be the NTILE(10) top bucket of the model's scores as segrt
# prints them (ties by id), for the e-mail segment intersected with the
# contacts segrt finds mailable. Every other bundled segment is a
# predicate over fields, event aggregates, NTILE and great-circle distance,
# all of which SQLite expresses.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
TWINS=$REPO/tests/oracle/packs
NOW=2026-01-01T00:00:00Z
DEMO=(--contacts 20000 --seed 42 --now "$NOW")
declare -A NOT_IN_SQL=( # "pack segment" -> why (see above)
    ["coffee_offers likely_bean_buyers_30d"]="a fitted model (models.propensity)"
    ["coffee_offers likely_email_responders"]="a fitted model (models.propensity)"
)

FAILED=0
soft_fail() {
    echo "FAIL: $(basename "$0"): $*" >&2
    FAILED=$((FAILED + 1))
}

# --- segrt demo --csv writes the data segrt demo stores.
run segrt demo --csv "$T/csv" "${DEMO[@]}"
assert_rc 0 "segrt demo --csv"
assert_contains "$T/out" "wrote $T/csv/contacts.csv, events.csv and consents.csv (20000 contacts" \
    "demo --csv says what it wrote"
assert_contains "$T/out" "segrt import --db DIR --now $NOW --contacts $T/csv/contacts.csv" \
    "... and how to import it"
run segrt demo --db "$T/demo" "${DEMO[@]}"
assert_rc 0 "segrt demo"
run segrt import --db "$T/fromcsv" --now "$NOW" --contacts "$T/csv/contacts.csv" \
    --events "$T/csv/events.csv" --consents "$T/csv/consents.csv"
assert_rc 0 "import of the demo CSVs"
assert_not_contains "$T/err" " 1 rejected" "no demo row is rejected"
assert_eq "$(segrt stats --db "$T/fromcsv")" "$(segrt stats --db "$T/demo")" \
    "stats of the imported CSVs and of the demo store"
cmp -s "$T/fromcsv/data.mdb" "$T/demo/data.mdb" ||
    fail "importing the demo CSVs does not give the demo store byte for byte"
ok
run segrt demo --csv "$T/csv/contacts.csv" --contacts 10 --now "$NOW"
assert_rc 1 "demo --csv into a file"
assert_contains "$T/err" "demo: cannot write $T/csv/contacts.csv/contacts.csv" "... names the file"
run segrt demo --csv "$T/csv2" --contacts 0
assert_rc 2 "demo --csv checks --contacts too"

# --- The test data: the demo data plus consent records for Art. 21.
cp -r "$T/csv" "$T/data"
python3 - "$T/data" >"$T/consent_cases" <<'PY'
import csv, os, sys
data = sys.argv[1]
# contacts who ever refused profiling are out of every lifecycle group already
refused = {r['contact_id'] for r in csv.DictReader(open(os.path.join(data, 'consents.csv')))
           if r['purpose'] == 'profiling' and r['status'] != 'granted'}
buyers = sorted({r['contact_id'] for r in csv.DictReader(open(os.path.join(data, 'events.csv')))
                 if r['type'] == 'purchase' and r['contact_id'] not in refused})
# one case per 9th buyer, cycling through the kinds of record history
cases = [
    ('objects', [('direct_marketing', 'withdrawn', '2025-12-20T00:00:00Z')]),
    ('objects', [('direct_marketing', 'granted', '2025-06-01T00:00:00Z'),
                 ('direct_marketing', 'denied', '2025-09-01T00:00:00Z')]),
    ('objects', [('objection', 'granted', '2025-12-25T00:00:00Z')]),
    ('objects', [('direct_marketing', 'granted', '2025-11-11T11:11:11Z'),   # same second:
                 ('direct_marketing', 'withdrawn', '2025-11-11T11:11:11Z')]),  # not granted wins
    ('passes', [('objection', 'granted', '2025-10-10T00:00:00Z'),   # same second: the
                ('objection', 'withdrawn', '2025-10-10T00:00:00Z')]),  # withdrawal wins
    ('passes', [('objection', 'granted', '2025-03-01T00:00:00Z'),
                ('objection', 'withdrawn', '2025-12-01T00:00:00Z')]),  # lifted
    ('passes', [('direct_marketing', 'withdrawn', '2026-02-01T00:00:00Z')]),  # after NOW
    ('passes', [('direct_marketing', 'granted', '2025-12-31T23:59:59Z')]),
]
with open(os.path.join(data, 'consents.csv'), 'a', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    for i, cid in enumerate(buyers[::9]):
        kind, recs = cases[i % len(cases)]
        for purpose, status, ts in recs:
            w.writerow([cid, purpose, status, 'consent', ts, '', 'test'])
        print(kind, cid)
    # two email grants on one second: the earlier expiry is in force (expired
    # at NOW for the first half, not for the second); checked by the segments
    t = '2025-05-01T00:00:00Z'
    for i, cid in enumerate(buyers[4::9]):
        expiry = '2025-06-01T00:00:00Z' if i % 2 == 0 else '2027-01-01T00:00:00Z'
        w.writerow([cid, 'email_marketing', 'granted', 'consent', t, '', 'test'])
        w.writerow([cid, 'email_marketing', 'granted', 'legitimate_interest', t, expiry, 'test'])
PY
grep -q '^objects ' "$T/consent_cases" && grep -q '^passes ' "$T/consent_cases" ||
    fail "no consent cases were written"
ok

# --- Expected member sets (SQLite), computed while segrt imports.
twins=()
for f in "$TWINS"/[!_]*.sql; do twins+=(--pack "$f"); done
python3 "$REPO/tests/oracle/sqlite_oracle.py" "$T/data" "$T/exp" \
    --parts "$TWINS/_consent.sql" "${twins[@]}" \
    >"$T/oracle.out" 2>"$T/oracle.err" &
oracle_pid=$!
track_bg "$oracle_pid"
run segrt import --db "$T/db" --now "$NOW" --contacts "$T/data/contacts.csv" \
    --events "$T/data/events.csv" --consents "$T/data/consents.csv"
assert_rc 0 "import of the test data"
assert_eq "$(stat_of <(segrt stats --db "$T/db") consents)" \
    "$(($(wc -l <"$T/data/consents.csv") - 1))" "every consent record imported"
rc=0
wait "$oracle_pid" || rc=$?
untrack_bg "$oracle_pid"
[ "$rc" -eq 0 ] || fail "sqlite_oracle.py failed (exit $rc): $(head -c 3000 "$T/oracle.err")"
ok

# --- Every segment of every bundled pack has a twin (or a reason not to), and no twin is stray.
segrt packs | awk '$3 == "bundled" { print $1 }' >"$T/packs"
[ "$(wc -l <"$T/packs")" -ge 7 ] || fail "segrt packs lists $(wc -l <"$T/packs") bundled packs"
ok
while read -r pack; do
    [ -f "$TWINS/$pack.sql" ] || soft_fail "$pack: no tests/oracle/packs/$pack.sql"
    run segrt pack check --db "$T/db" --now "$NOW" "$pack"
    [ "$RC" -eq 0 ] || soft_fail "$pack: pack check exited $RC: $(head -c 600 "$T/err")"
    awk '/^  / { print $1 }' "$T/out" | sort >"$T/lua_names"
    awk -v p="$pack" '$1 == p { print $2 }' "$T/exp/manifest" | sort >"$T/sql_names"
    for key in "${!NOT_IN_SQL[@]}"; do
        [ "${key%% *}" = "$pack" ] && echo "${key#* }" >>"$T/sql_names"
    done
    sort -o "$T/sql_names" "$T/sql_names"
    if ! cmp -s "$T/lua_names" "$T/sql_names"; then
        soft_fail "$pack: segments without a twin: $(comm -23 "$T/lua_names" "$T/sql_names" |
            tr '\n' ' '); twins of no segment: $(comm -13 "$T/lua_names" "$T/sql_names" | tr '\n' ' ')"
    fi
    ok
done <"$T/packs"

# --- segrt against SQLite, segment by segment.
n_seg=0
while read -r pack name count <&3; do
    exp=$T/exp/$pack/$name.ids
    n_seg=$((n_seg + 1))
    [ "$count" -gt 0 ] || soft_fail "$pack $name: no member in SQL: the data do not exercise it"
    run segrt members --db "$T/db" --now "$NOW" "$pack" "$name" </dev/null
    if [ "$RC" -ne 0 ]; then
        soft_fail "$pack $name: segrt members exited $RC: $(head -c 600 "$T/err")"
    elif ! cmp -s "$T/out" "$exp"; then
        soft_fail "$pack $name: segrt $(wc -l <"$T/out") members, SQLite $count;" \
            "only segrt: $(comm -23 "$T/out" "$exp" | head -n 5 | tr '\n' ' ')" \
            "only SQLite: $(comm -13 "$T/out" "$exp" | head -n 5 | tr '\n' ' ')"
    else
        ok
    fi
    run segrt count --db "$T/db" --now "$NOW" "$pack" "$name" </dev/null
    [ "$RC" -eq 0 ] && [ "$(cat "$T/out")" = "$count" ] ||
        soft_fail "$pack $name: segrt count printed '$(head -c 200 "$T/out")' (exit $RC), SQLite $count"
    ok
done 3<"$T/exp/manifest"
[ "$n_seg" -ge 40 ] || soft_fail "only $n_seg segments compared"

# --- The model segments: the top tenth by the model's scores (see above).
cat >"$T/scores.lua" <<'EOF'
local seg = require "segrt"
require "packs.coffee_offers"
local S = seg.S
seg.segment "scored" { where = S.beans_30d.p:present() | S.email_click_30d.p:present() }
seg.segment "mailable" { where = seg.member "scored", purpose = "email_marketing" }
EOF
run segrt members --db "$T/db" --now "$NOW" --format csv --fields beans_30d.p,email_click_30d.p \
    "$T/scores.lua" scored
assert_rc 0 "the propensity scores of the pack"
cp "$T/out" "$T/scores.csv"
segrt members --db "$T/db" --now "$NOW" "$T/scores.lua" mailable >"$T/mailable"
for name in likely_bean_buyers_30d likely_email_responders; do
    segrt members --db "$T/db" --now "$NOW" coffee_offers "$name" >"$T/$name.ids"
done
python3 - "$T" <<'PY' 2>"$T/py.err" || soft_fail "coffee_offers propensity segments: $(head -c 2000 "$T/py.err")"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + '/scores.csv', newline='')))
mailable = set(open(d + '/mailable').read().split())
errs = []
for name, col, keep in [('likely_bean_buyers_30d', 'beans_30d.p', None),
                        ('likely_email_responders', 'email_click_30d.p', mailable)]:
    scored = sorted((r for r in rows if r[col] != ''), key=lambda r: (-float(r[col]), r['id']))
    n = len(scored)
    top = {r['id'] for r in scored[:n // 10 + (1 if n % 10 else 0)]}  # NTILE(10) bucket 1
    want = sorted(top & keep if keep is not None else top)
    got = open(d + '/' + name + '.ids').read().split()
    if not want or got != want:
        errs.append('%s: segrt %d members, expected %d; only segrt: %s; only expected: %s'
                    % (name, len(got), len(want), sorted(set(got) - set(want))[:5],
                       sorted(set(want) - set(got))[:5]))
if errs:
    sys.exit('\n'.join(errs))
PY
ok

# --- The consent cases did what they are for: objectors are in no lifecycle
# group, the others are in one (every buyer is, when nothing withholds).
# (The same objectors leave the email and SMS segments: compared above.)
cat "$T"/exp/rfm_lifecycle/lifecycle.*.ids | sort >"$T/lifecycle_members"
while read -r kind id; do
    if grep -qx "$id" "$T/lifecycle_members"; then in=passes; else in=objects; fi
    [ "$in" = "$kind" ] || soft_fail "consent case $id ($kind): SQL says $in"
done <"$T/consent_cases"
ok

if [ "$FAILED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
finish
