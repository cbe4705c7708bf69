#!/usr/bin/env bash
# test_render.sh — segrt render: one message per member of a segment from a
# seg.template, only for members who pass the template's purpose (the same
# ids as `segrt members --purpose`), as JSON lines or CSV. Checks fallbacks,
# HTML versus text escaping of a name holding <script>, UTF-8 names (Ș, ł,
# Cyrillic) byte for byte, CSV quoting of bodies with commas, quotes and
# line breaks (read back with Python's csv module), the refusal at load of
# an unknown placeholder (file:line, the placeholder, a hint), usage errors,
# and the same equality with members --purpose on the 20,000-contact demo,
# also for the campaign of examples/campaign.lua that the README shows.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
EXAMPLE=$(cd "$HERE/../../examples" && pwd)/campaign.lua

S=$T/s
NOW=2026-01-01T00:00:00Z

cat >"$T/contacts.csv" <<'CSV'
id,email,first_name,city
r1,stefan@example.ro,Ștefan,"Cluj, RO"
r2,lukasz@example.pl,Łukasz,Kraków
r3,ivan@example.bg,Иван,София
r4,,"<script>alert(""x"")</script>",Iași
r5,nobody@example.com,,
r6,withdrawn@example.com,Maria,Brașov
r7,never@example.com,Ana,Sibiu
CSV
cat >"$T/events.csv" <<'CSV'
contact_id,ts,type,amount,category
r1,2025-12-01T10:00:00Z,purchase,30.30,coffee_beans
r2,2025-11-01T10:00:00Z,purchase,5,grinder
r3,2025-10-01T10:00:00Z,purchase,7.5,
r6,2025-10-01T10:00:00Z,purchase,1,tea
CSV
cat >"$T/consents.csv" <<'CSV'
contact_id,purpose,status,legal_basis,ts,expires_at,source
r1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web
r2,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web
r3,email_marketing,granted,legitimate_interest,2025-01-01T00:00:00Z,,web
r4,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web
r5,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web
r6,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web
r6,email_marketing,withdrawn,consent,2025-06-01T00:00:00Z,,web
CSV
run segrt import --db "$S" --contacts "$T/contacts.csv" --events "$T/events.csv" \
    --consents "$T/consents.csv"
assert_rc 0 "import"

cat >"$T/campaign.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E

seg.segment "everyone" { }

seg.template "html" {
  purpose = "email_marketing",
  format = "html",
  subject = "Dragă {first_name|client}, a \"quote\", a comma",
  body = [[<p>Dragă {first_name|client},</p>
<p>{city|}: {last_cat|nothing yet}, {spent:money(RON)|0.00 RON}</p>]],
  values = { last_cat = E.purchase:last "category", spent = E.purchase:sum "amount" },
}

seg.template "text" {
  purpose = "email_marketing",
  subject = "Hi {first_name|client}",
  body = "Dear {first_name|client},\nyou live in {city|?}.",
}
LUA

# --- jsonl: ids equal members --purpose; fallbacks, escaping, UTF-8.
run segrt render --db "$S" --now "$NOW" "$T/campaign.lua" everyone html
assert_rc 0 "render jsonl"
cp "$T/out" "$T/html.jsonl"
run segrt members --db "$S" --now "$NOW" --purpose email_marketing "$T/campaign.lua" everyone
assert_rc 0 "members --purpose"
assert_eq "$(python3 -c 'import json,sys; print("\n".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$T/html.jsonl")" \
    "$(cat "$T/out")" "rendered ids are the members who pass the purpose"
assert_eq "$(cat "$T/out" | tr '\n' ' ')" "r1 r2 r3 r4 r5 " "consenting members (r6 withdrew, r7 never)"

python3 - "$T/html.jsonl" <<'PY' || fail "jsonl messages"
import json, sys
rows = {}
for line in open(sys.argv[1], encoding='utf-8'):
    m = json.loads(line)
    assert list(m) == ['id', 'email', 'subject', 'body'], list(m)
    rows[m['id']] = m
def check(got, want):
    assert got == want, (got, want)
check(rows['r1']['subject'], 'Dragă Ștefan, a "quote", a comma')
check(rows['r1']['body'], '<p>Dragă Ștefan,</p>\n<p>Cluj, RO: coffee_beans, 30.30 RON</p>')
check(rows['r2']['body'], '<p>Dragă Łukasz,</p>\n<p>Kraków: grinder, 5.00 RON</p>')
check(rows['r3']['body'], '<p>Dragă Иван,</p>\n<p>София: nothing yet, 7.50 RON</p>')
check(rows['r4']['email'], None)
check(rows['r4']['subject'], 'Dragă <script>alert("x")</script>, a "quote", a comma')
check(rows['r4']['body'], '<p>Dragă &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,</p>\n'
                          '<p>Iași: nothing yet, 0.00 RON</p>')
check(rows['r5']['subject'], 'Dragă client, a "quote", a comma')
check(rows['r5']['body'], '<p>Dragă client,</p>\n<p>: nothing yet, 0.00 RON</p>')
PY
ok
assert_contains "$T/html.jsonl" '"Dragă Ștefan, a \"quote\", a comma"' "UTF-8 written as is, not \\u-escaped"

# --- text format: no escaping.
run segrt render --db "$S" --now "$NOW" "$T/campaign.lua" everyone text
assert_rc 0 "render text"
assert_contains "$T/out" '"body":"Dear <script>alert(\"x\")</script>,\nyou live in Iași."' \
    "text bodies are not HTML-escaped"

# --- csv: header, quoting of commas, quotes and line breaks; same messages as jsonl.
run segrt render --db "$S" --now "$NOW" --format csv "$T/campaign.lua" everyone html
assert_rc 0 "render csv"
assert_eq "$(head -1 "$T/out")" "id,email,subject,body" "csv header"
python3 - "$T/out" "$T/html.jsonl" <<'PY' || fail "csv equals jsonl"
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f))
assert rows[0] == ['id', 'email', 'subject', 'body'], rows[0]
want = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
got = [dict(zip(rows[0], r)) for r in rows[1:]]
assert len(got) == len(want) == 5, (len(got), len(want))
for g, w in zip(got, want):
    w['email'] = w['email'] or ''
    assert g == w, (g, w)
PY
ok

# --- mistakes: an unknown placeholder fails at load, naming file:line and the placeholder.
sed 's/{city|}/{cty|}/' "$T/campaign.lua" >"$T/typo.lua"
run segrt render --db "$S" --now "$NOW" "$T/typo.lua" everyone text
assert_rc 1 "unknown placeholder"
assert_contains "$T/err" "typo.lua:6: template 'html': body line 2: {cty|} names no field, score or value of the template (did you mean 'city'?)" \
    "unknown placeholder message"
assert_eq "$(wc -c <"$T/out")" "0" "nothing rendered after a load error"
run segrt count --db "$S" "$T/typo.lua" everyone
assert_rc 1 "every command refuses the script"
run segrt render --db "$S" "$T/campaign.lua" everyone htm
assert_rc 1 "unknown template"
assert_contains "$T/err" "segrt: render: unknown template 'htm' (did you mean 'html'?)" "template hint"
run segrt render --db "$S" "$T/campaign.lua" evryone html
assert_rc 1 "unknown segment"
assert_contains "$T/err" "unknown segment 'evryone' (did you mean 'everyone'?)" "segment hint"
run segrt render --db "$S" "$T/campaign.lua" everyone
assert_rc 2 "missing TEMPLATE"
run segrt render --db "$S" --format xml "$T/campaign.lua" everyone html
assert_rc 2 "bad --format"
assert_contains "$T/err" "--format 'xml' is not jsonl or csv" "format message"
run segrt render --help
assert_rc 0 "--help"
assert_contains "$T/out" "segrt render [--db DIR] [--now T] [--format jsonl|csv] SCRIPT SEGMENT TEMPLATE" "usage"

# --- the demo store: the same equality over 20,000 contacts and a bundled model's score.
run segrt demo --db "$T/demo" --now "$NOW"
assert_rc 0 "demo"
cat >"$T/demo.lua" <<'LUA'
local seg = require "segrt"
local rfm = require("models.rfm").define {}
seg.segment "buyers" { where = seg.E.purchase:exists() }
seg.template "winback" {
  purpose = "email_marketing",
  subject = "{first_name|Hello}, we miss you",
  body = "R{rfm.R|?} F{rfm.F|?}: your last order was {last:date(%d.%m.%Y)} ({cat|a surprise}).",
  values = { last = seg.E.purchase:last(), cat = seg.E.purchase:last "category" },
}
LUA
# The CSV of a render on the demo store names exactly the members who pass the purpose.
same_ids_as_members() {
    local script=$1 segment=$2 tpl=$3
    run segrt render --db "$T/demo" --now "$NOW" --format csv "$script" "$segment" "$tpl"
    assert_rc 0 "render $tpl on the demo store"
    python3 -c 'import csv,sys; [print(r[0]) for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]]' \
        "$T/out" >"$T/demo_rendered"
    run segrt members --db "$T/demo" --now "$NOW" --purpose email_marketing "$script" "$segment"
    assert_rc 0 "demo members --purpose $segment"
    cmp -s "$T/demo_rendered" "$T/out" || fail "demo: $tpl rendered other ids than members --purpose"
    ok
}
same_ids_as_members "$T/demo.lua" buyers winback
n=$(wc -l <"$T/out")
total=$(segrt count --db "$T/demo" --now "$NOW" "$T/demo.lua" buyers)
[ "$n" -gt 1000 ] && [ "$n" -lt "$total" ] || fail "demo: $n consenting of $total buyers"
ok
# the campaign the README shows (examples/campaign.lua)
same_ids_as_members "$EXAMPLE" lapsed_ro winback_ro
[ "$(wc -l <"$T/out")" -gt 100 ] || fail "few lapsed Romanian-speaking buyers: $(wc -l <"$T/out")"
ok
same_ids_as_members "$EXAMPLE" lapsed_pl winback_pl
finish
