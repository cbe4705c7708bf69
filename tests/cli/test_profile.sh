#!/usr/bin/env bash
# test_profile.sh — segment profiles (issue 19, part 4): on a generated CRM
# of 3000 contacts with one member erased and one restricted, every number of
# `segrt profile --json` (fields with their bins and folded values, purchase
# categories by count and value, event mix, reach per consent purpose under
# the script's rules) equals the SQL twin of profile_twin.py, for a segment of
# fields, one of event sums, an empty one and a --fields choice; the HTML
# fragment holds the same numbers in its data- attributes and escapes what
# the store holds; the text names what it shows. Unhappy paths: an unknown
# segment or field (with a hint), a special-category field, a bad --now,
# missing arguments, --json with --html, an empty or repeated --fields.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
TWIN=$(dirname "${BASH_SOURCE[0]}")/profile_twin.py
python3 "$SHARED_BENCH/gen_crm.py" --contacts 3000 --seed 11 --out "$T/crm" >/dev/null
run segrt import --db "$T/db" --contacts "$T/crm/contacts.csv" --events "$T/crm/events.csv" \
    --consents "$T/crm/consents.csv"
assert_rc 0 "import of the 3000-contact data set$(last_output)"

# The segments and consent rules profile_twin.py has in SQL (SEGMENTS, RULES, SENSITIVE).
cat >"$T/p.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.sensitive { education = "religious or philosophical beliefs" }
seg.consent "email_marketing" { bases = { "consent" }, marketing = true }
seg.consent "postal_mail" { bases = { "consent", "legitimate_interest" } }
seg.segment "pl_high_income" { where = F.country:eq "PL" & F.income:gt(15000) }
seg.segment "big_spenders" { where = E.purchase:sum "amount" :gt(2000) }
seg.segment "nobody" { where = F.country:eq "XX" }
-- a purpose only a segment names is a channel too
seg.segment "letters" { purpose = "postal_letters", where = F.country:eq "RO" }
LUA

# One member erased, one restricted: neither is a member nor in the base.
run segrt members --db "$T/db" --now "$NOW" "$T/p.lua" pl_high_income
assert_rc 0 "members of pl_high_income"
ERASED=$(sed -n 1p "$T/out") RESTRICTED=$(sed -n 2p "$T/out")
run segrt erase --db "$T/db" "$ERASED"
assert_rc 0 "erase $ERASED$(last_output)"
run segrt restrict --db "$T/db" --now 2025-12-01T00:00:00Z "$RESTRICTED"
assert_rc 0 "restrict $RESTRICTED$(last_output)"

profile() {
    run segrt profile --db "$T/db" --now "$NOW" "$@"
}

for g in pl_high_income big_spenders nobody; do
    profile --json "$T/p.lua" "$g"
    assert_rc 0 "profile --json $g$(last_output)"
    cp "$T/out" "$T/$g.json"
    python3 "$TWIN" "$T/crm" "$T/$g.json" "$g" --exclude "$ERASED,$RESTRICTED" >"$T/twin.out" 2>&1 ||
        fail "profile of $g differs from its SQL twin: $(cat "$T/twin.out")"
    ok
done
assert_eq "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["members"], [r["share"] for r in d["reach"]][:1])' "$T/nobody.json")" \
    "0 [None]" "an empty segment has no shares"

profile --json --fields interests,income,gender "$T/p.lua" big_spenders
assert_rc 0 "profile --fields$(last_output)"
cp "$T/out" "$T/fields.json"
python3 "$TWIN" "$T/crm" "$T/fields.json" big_spenders --exclude "$ERASED,$RESTRICTED" \
    --fields interests,income,gender >"$T/twin.out" 2>&1 ||
    fail "profile --fields differs from its SQL twin: $(cat "$T/twin.out")"
ok

# The default fields leave out the special category and name no one's e-mail.
python3 - "$T/pl_high_income.json" <<'PY' || fail "default fields of the profile"
import json, sys
d = json.load(open(sys.argv[1]))
names = [f["name"] for f in d["fields"]]
assert "education" not in names and "email" in names, names
email = [f for f in d["fields"] if f["name"] == "email"][0]["values"]
assert [r["value"] for r in email] == ["(other)"], email
PY
ok

# The HTML fragment: every number of the JSON in its data- attributes.
profile --html "$T/p.lua" pl_high_income
assert_rc 0 "profile --html$(last_output)"
cp "$T/out" "$T/p.html"
python3 - "$T/pl_high_income.json" "$T/p.html" <<'PY' || fail "HTML fragment differs from the JSON"
import json, sys
from html.parser import HTMLParser
d = json.load(open(sys.argv[1]))

class Cells(HTMLParser):
    """(part, field, key, measure) -> data-n of each cell; the section's attributes."""
    def __init__(self):
        super().__init__()
        self.cells, self.row, self.part, self.section = {}, None, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a
        elif tag == "table":
            self.part, self.row = a.get("data-part"), None
        elif tag == "tr":
            keys = [a.get(k) for k in ("data-value", "data-category", "data-type", "data-purpose")]
            self.row = (a.get("data-field"), next((k for k in keys if k is not None), None))
        elif "data-measure" in a:
            key = (self.part,) + (self.row or (None, None)) + (a["data-measure"],)
            assert key not in self.cells, key
            self.cells[key] = a["data-n"]

p = Cells()
p.feed(open(sys.argv[2], encoding="utf-8").read())
assert p.section == {"class": "profile", "data-segment": "pl_high_income"}, p.section
def n(v):
    return "" if v is None else ("%.2f" % v if isinstance(v, float) else str(v))
want = {(None, None, None, "members"): str(d["members"]), (None, None, None, "base"): str(d["base"])}
for f in d["fields"]:
    for r in f["values"]:
        for m in ("segment", "segment_share", "base", "base_share", "index"):
            want[("field", f["name"], r["value"], m)] = n(r[m])
for part in ("by_count", "by_value"):
    for r in d["purchases"][part]:
        for m in ("segment", "segment_share", "base", "base_share", "index", "segment_value",
                  "base_value"):
            want[(part, None, r["category"], m)] = n(r[m])
for r in d["events"]["types"]:
    for m in ("segment", "segment_share", "base", "base_share", "index"):
        want[("events", None, r["type"], m)] = n(r[m])
for r in d["reach"]:
    want[("reach", None, r["purpose"], "reached")] = n(r["reached"])
    want[("reach", None, r["purpose"], "share")] = n(r["share"])
assert p.cells == want, sorted(set(p.cells.items()) ^ set(want.items()))[:6]
PY
ok

# The text names what it shows.
profile "$T/p.lua" pl_high_income
assert_rc 0 "profile as text"
assert_contains "$T/out" "profile of pl_high_income at $NOW:" "text header"
assert_contains "$T/out" "birth_date (date, quintiles of the base)" "a binned field"
assert_contains "$T/out" "top categories by value" "purchase categories"
assert_contains "$T/out" "reach: members passing the consent check" "reach"
assert_not_contains "$T/out" "education (string)" "the special-category field"

# Escaping: a value with markup, held by enough contacts to be named.
printf 'id,city\n' >"$T/x.csv"
for i in 1 2 3 4 5 6; do printf 'x%s,"<i>""Q&A\047s""</i>"\n' "$i" >>"$T/x.csv"; done
run segrt import --db "$T/x" --contacts "$T/x.csv"
assert_rc 0 "import of the markup data$(last_output)"
printf 'local seg = require "segrt"\nseg.segment "all" { where = seg.F.city:present() }\n' >"$T/x.lua"
run segrt profile --db "$T/x" --now "$NOW" --html "$T/x.lua" all
assert_rc 0 "profile --html of markup$(last_output)"
assert_contains "$T/out" 'data-value="&lt;i&gt;&quot;Q&amp;A&#39;s&quot;&lt;/i&gt;"' "the value escaped"
assert_not_contains "$T/out" '<i>' "no markup from the store"

# Unhappy paths.
profile "$T/p.lua" pl_high_incme
assert_rc 1 "an unknown segment"
assert_contains "$T/err" "unknown segment 'pl_high_incme' (did you mean 'pl_high_income'?)" "segment hint"
profile --fields gendr "$T/p.lua" pl_high_income
assert_rc 1 "an unknown field"
assert_contains "$T/err" "unknown field 'gendr' (did you mean 'gender'?)" "field hint"
profile --fields gender,education "$T/p.lua" pl_high_income
assert_rc 1 "a special-category field"
assert_contains "$T/err" "field 'education' holds a special category of personal data" "Art. 9"
assert_eq "$(wc -c <"$T/out")" 0 "nothing printed for a refused field"
profile --fields gender,gender "$T/p.lua" pl_high_income
assert_rc 1 "a field named twice"
assert_contains "$T/err" "field 'gender' is named twice" "repeated field"
profile --fields , "$T/p.lua" pl_high_income
assert_rc 2 "--fields naming nothing"
assert_contains "$T/err" "--fields names nothing" "empty --fields"
run segrt profile --db "$T/db" --now yesterday "$T/p.lua" pl_high_income
assert_rc 2 "a bad --now"
assert_contains "$T/err" "--now 'yesterday' is not a time" "bad --now"
profile "$T/p.lua"
assert_rc 2 "no SEGMENT"
assert_contains "$T/err" "give a SCRIPT and a SEGMENT" "missing arguments"
profile --json --html "$T/p.lua" pl_high_income
assert_rc 2 "--json with --html"
assert_contains "$T/err" "--json and --html exclude each other" "two formats"
profile "$T/nosuch.lua" pl_high_income
assert_rc 1 "a missing script"

finish
