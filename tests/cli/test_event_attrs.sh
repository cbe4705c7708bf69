#!/usr/bin/env bash
# test_event_attrs.sh — extra event attributes (issue 15, part 5):
#
#  1. CSV: each extra column is typed from its values (number, string, date,
#     boolean; a note per column), local forms read with --decimal and
#     --date-format; stored canonically (export), so the same file again adds
#     nothing; a value of another type is rejected at its line.
#  2. JSON lines: nested objects kept and typed per dotted path; nulls left out;
#     a list kept as given; objects where a value was typed, bad keys and bad
#     values rejected at their line.
#  3. In segments: :where{attr = ...}, :where(F.attr:...), F.campaign.id and
#     F["campaign.id"], :sum/:avg/:min/:max/:first/:last; counts checked by hand.
#     Unknown attributes get a did-you-mean, wrong uses a reason.
#  4. --field NAME:TYPE with --events types an attribute before import;
#     segrt stats lists the attributes and their types.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-12-01T00:00:00Z
S=$T/s
cat >"$T/c.csv" <<'CSV'
id,email
c1,a@x.com
c2,b@x.com
c3,c@x.com
c4,d@x.com
CSV
segrt import --db "$S" --contacts "$T/c.csv" >/dev/null 2>&1

# events_of ID — the contact's events as sorted compact JSON, one per line.
events_of() {
    segrt export --db "$S" --now "$NOW" "$1" |
        python3 -c 'import json,sys
for e in json.load(sys.stdin)["events"]:
    print(json.dumps(e, sort_keys=True, separators=(",", ":")))'
}
count() { segrt count --db "$S" --now "$NOW" "$T/seg.lua" "$1"; }
members() { segrt members --db "$S" --now "$NOW" "$T/seg.lua" "$1" | tr '\n' ' '; }

# ===================================================================== 1. CSV
cat >"$T/e.csv" <<'CSV'
contact_id;ts;type;amount;qty;coupon;shipped;paid;weight
c1;2026-01-02T10:00:00Z;purchase;10,50;2;SPRING;03.01.2026;true;1 250,5
c1;2026-01-05T10:00:00Z;purchase;3;1;;06.01.2026;false;0,25
c2;2026-01-07T10:00:00Z;purchase;7;5;SUMMER;08.01.2026;true;2
c3;2026-01-09T10:00:00Z;purchase;1;4;SPRING;;false;
CSV
run segrt import --db "$S" --events "$T/e.csv" --decimal , --date-format %d.%m.%Y
assert_rc 0 "CSV with local forms$(last_output)"
assert_contains "$T/err" "new event attribute 'qty' typed number" "qty's type is told"
assert_contains "$T/err" "new event attribute 'coupon' typed string" "coupon's type is told"
assert_contains "$T/err" "new event attribute 'shipped' typed date" "shipped's type is told"
assert_contains "$T/err" "new event attribute 'paid' typed boolean" "paid's type is told"
assert_contains "$T/err" "new event attribute 'weight' typed number" "weight read with --decimal"
assert_eq "$(events_of c1 | head -1)" \
    '{"amount":10.5,"coupon":"SPRING","paid":true,"qty":2,"shipped":"2026-01-03","ts":"2026-01-02T10:00:00Z","type":"purchase","weight":1250.5}' \
    "typed values are stored canonically"
assert_eq "$(events_of c3)" \
    '{"amount":1,"coupon":"SPRING","paid":false,"qty":4,"ts":"2026-01-09T10:00:00Z","type":"purchase"}' \
    "blank cells are no attribute"
run segrt import --db "$S" --events "$T/e.csv" --decimal , --date-format %d.%m.%Y
assert_contains "$T/out" "4 kept (0 new)" "the same file again adds nothing"
run segrt stats --db "$S"
assert_eq "$(stat_of "$T/out" events)" 4 "4 events"

# The same attributes in ISO forms and JSON types are the same events.
cat >"$T/same.jsonl" <<'JSONL'
{"contact_id":"c2","ts":"2026-01-07T10:00:00Z","type":"purchase","amount":7,"qty":5.0,"coupon":"SUMMER","shipped":"2026-01-08","paid":true,"weight":"2"}
JSONL
run segrt import --db "$S" --events "$T/same.jsonl"
assert_contains "$T/out" "1 kept (0 new)" "an equal event in another format is the same event$(last_output)"

cat >"$T/bad.csv" <<'CSV'
contact_id,ts,type,qty,shipped,paid
c1,2026-02-01T00:00:00Z,purchase,abc,2026-02-02,true
c1,2026-02-01T00:00:00Z,purchase,1,02.02.2026,true
c1,2026-02-01T00:00:00Z,purchase,1,2026-02-02,maybe
c1,2026-02-01T00:00:00Z,purchase,"1,5",2026-02-02,true
c1,2026-02-03T00:00:00Z,purchase,6,2026-02-04,true
CSV
run segrt import --db "$S" --events "$T/bad.csv"
assert_rc 0 "one row of five kept"
assert_contains "$T/err" "bad.csv:2: qty 'abc' is not a number" "a text in a number attribute"
assert_contains "$T/err" "bad.csv:3: shipped '02.02.2026' is not a date (YYYY-MM-DD): it looks local, give --date-format" \
    "a local date without the flag names it"
assert_contains "$T/err" "bad.csv:4: paid 'maybe' is not a boolean" "a boolean attribute"
assert_contains "$T/err" "bad.csv:5: qty '1,5' is not a number (digits, '.' and at most 6 decimals): it looks local, give --decimal ," \
    "a decimal comma without the flag names it"

# ===================================================================== 2. JSON lines
cat >"$T/e.jsonl" <<'JSONL'
{"contact_id":"c3","ts":"2026-02-01T00:00:00Z","type":"open","campaign":{"id":"cmp-1","variant":"B","score":0.25,"sent":"2026-01-31T08:00:00+02:00"},"device":"ios","labels":["x","y"]}
{"contact_id":"c2","ts":"2026-02-02T00:00:00Z","type":"open","campaign":{"id":"cmp-2","variant":"A","score":1.5,"extra":null,"empty":{}},"device":"web"}
{"contact_id":"c2","ts":"2026-02-03T00:00:00Z","type":"open","campaign":{"id":"cmp-2","variant":"A","score":0.75}}
{"contact_id":"c4","ts":"2026-02-04T00:00:00Z","type":"open","campaign":{"id":"cmp-3"},"device":null}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","campaign":"cmp-9"}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","campaign":{"id":{"deep":1}}}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","campaign":{"bad key":1}}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","campaign":{"score":"high"}}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","device":["a"]}
{"contact_id":"c1","ts":"2026-02-05T00:00:00Z","type":"open","amount":{"x":1}}
JSONL
run segrt import --db "$S" --events "$T/e.jsonl"
assert_contains "$T/out" "10 rows, 4 kept (4 new), 6 rejected" "JSON lines: 4 kept$(last_output)"
assert_contains "$T/err" "e.jsonl:5: campaign is a value, and the store's events have it as an object (campaign.NAME)" "a value where an object was"
assert_contains "$T/err" "e.jsonl:6: campaign.id is an object, and the attribute is typed string" \
    "an object where a value was typed"
assert_contains "$T/err" "e.jsonl:7: campaign has a key 'bad key' that is not a valid attribute name" "bad keys"
assert_contains "$T/err" "e.jsonl:8: campaign.score 'high' is not a number" "a nested value of another type"
assert_contains "$T/err" "e.jsonl:9: device is a list, and the attribute is typed string" "a list where a value was typed"
assert_contains "$T/err" "e.jsonl:10: amount is an object, not a value" "built-in attributes are values"
assert_eq "$(events_of c3 | tail -1)" \
    '{"campaign":{"id":"cmp-1","score":0.25,"sent":"2026-01-31T06:00:00Z","variant":"B"},"device":"ios","labels":["x","y"],"ts":"2026-02-01T00:00:00Z","type":"open"}' \
    "nested values typed, a timestamp in UTC, a list kept"
assert_eq "$(events_of c2 | tail -2 | head -1)" \
    '{"campaign":{"id":"cmp-2","score":1.5,"variant":"A"},"device":"web","ts":"2026-02-02T00:00:00Z","type":"open"}' \
    "nulls and empty objects are left out"

# ===================================================================== 3. segments
cat >"$T/seg.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.segment "big_qty"   { where = E.purchase:where(F.qty:gt(3)):exists() }
seg.segment "qty_sum"   { where = E.purchase:sum "qty" :ge(3) }
seg.segment "qty_avg"   { where = E.purchase:avg "qty" :eq(3) }
seg.segment "spring"    { where = E.purchase:where{ coupon = "SPRING" }:exists() }
seg.segment "coupons"   { where = E.purchase:where{ coupon = { "SPRING", "SUMMER" } }:count():ge(1) }
seg.segment "no_coupon" { where = E.purchase:where(F.coupon:missing()):exists() }
seg.segment "paid"      { where = E.purchase:where{ paid = true }:count():ge(1) }
seg.segment "heavy"     { where = E.purchase:max "weight" :gt(1000) }
seg.segment "late"      { where = E.purchase:max "shipped" :after(seg.time "2026-01-07T00:00:00Z") }
seg.segment "last_qty"  { where = E.purchase:last "qty" :eq(6) }
seg.segment "cmp2"      { where = E.open:where(F.campaign.id:eq "cmp-2"):count():eq(2) }
seg.segment "cmp_ge"    { where = E.open:where(F["campaign.id"]:ge "cmp-2"):exists() }
seg.segment "score"     { where = E.open:max "campaign.score" :gt(1) }
seg.segment "sent"      { where = E.open:min "campaign.sent" :before(seg.time "2026-02-01T00:00:00Z") }
seg.segment "device"    { where = E.open:where(F.device:present()):exists() }
LUA
assert_eq "$(members big_qty)" "c1 c2 c3 " ":where(F.qty:gt(3)) (c1: 6 from bad.csv)"
assert_eq "$(members qty_sum)" "c1 c2 c3 " ":sum of an extra number"
assert_eq "$(members qty_avg)" "c1 " ":avg of an extra number"
assert_eq "$(members spring)" "c1 c3 " ":where{coupon = ...}"
assert_eq "$(members coupons)" "c1 c2 c3 " ":where{coupon = {...}}"
assert_eq "$(members no_coupon)" "c1 " ":missing() of an extra string"
assert_eq "$(members paid)" "c1 c2 " "a boolean attribute"
assert_eq "$(members heavy)" "c1 " "a number read with --decimal ,"
assert_eq "$(members late)" "c1 c2 " ":max of an extra date"
assert_eq "$(members last_qty)" "c1 " ":last of an extra number"
assert_eq "$(members cmp2)" "c2 " "F.campaign.id"
assert_eq "$(members cmp_ge)" "c2 c4 " "F[\"campaign.id\"] compared with a string"
assert_eq "$(members score)" "c2 " ":max of a nested number"
assert_eq "$(members sent)" "c3 " ":min of a nested timestamp"
assert_eq "$(members device)" "c2 c3 " ":present() of an extra string"

cat >"$T/bad.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.segment "typo"   { where = E.purchase:where{ cupon = "SPRING" }:exists() }
seg.segment "sum"    { where = E.purchase:sum "coupon" :gt(1) }
seg.segment "last"   { where = E.open:last "campaign.id" :eq "x" }
seg.segment "nested" { where = E.open:where(F.campaign.idd:eq "x"):exists() }
seg.segment "type"   { where = E.purchase:where(F.qty:eq "many"):exists() }
LUA
run segrt count --db "$S" "$T/bad.lua" typo
assert_rc 1 "an unknown attribute"
assert_contains "$T/err" "bad.lua:3: unknown event attribute 'cupon' (did you mean 'coupon'?)" "did-you-mean"
run segrt count --db "$S" "$T/bad.lua" sum
assert_contains "$T/err" "bad.lua:4: :sum \"coupon\": 'coupon' is typed string" "a string cannot be summed"
run segrt count --db "$S" "$T/bad.lua" last
assert_contains "$T/err" "bad.lua:5: :last \"campaign.id\": 'campaign.id' holds text" ":last of a string"
run segrt count --db "$S" "$T/bad.lua" nested
assert_contains "$T/err" "unknown event attribute 'campaign.idd' (did you mean 'campaign.id'?)" "a nested typo"
run segrt count --db "$S" "$T/bad.lua" type
assert_contains "$T/err" "bad.lua:7:" "a string compared with a number attribute$(last_output)"

# ===================================================================== 4. --field, stats
cat >"$T/z.csv" <<'CSV'
contact_id,ts,type,zip
c1,2026-03-01T00:00:00Z,visit,01234
CSV
run segrt import --db "$S" --events "$T/z.csv" --field zip:string --field campaign.code:string
assert_rc 0 "--field with --events$(last_output)"
assert_eq "$(events_of c1 | tail -1)" '{"ts":"2026-03-01T00:00:00Z","type":"visit","zip":"01234"}' \
    "a declared string keeps its leading zero"
run segrt import --db "$S" --events "$T/z.csv" --field zip:number
assert_rc 1 "another type for a typed attribute"
assert_contains "$T/err" "event attribute 'zip' is already typed string" "the conflict is named"
run segrt stats --db "$S"
assert_eq "$(grep '^event_attr\.' "$T/out" | tr '\n' ' ')" \
    "event_attr.campaign.code string event_attr.campaign.id string event_attr.campaign.score number event_attr.campaign.sent timestamp event_attr.campaign.variant string event_attr.coupon string event_attr.device string event_attr.paid boolean event_attr.qty number event_attr.shipped date event_attr.weight number event_attr.zip string " \
    "stats lists every attribute and its type"
run segrt check --db "$S"
assert_rc 0 "the store checks$(last_output)"

finish
