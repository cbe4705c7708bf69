#!/usr/bin/env bash
# test_plausible.sh — plausible data at entry (issue 16, part 6): the
# built-in rules (birth_date from 1900 to NOW, income and amount not
# negative, an RFC 5322 e-mail address, a phone number valid for an RO, PL
# or BG contact) and the checks a schema script declares (seg.field: type,
# min, max, one_of, pattern; they replace a field's built-in rule), each at
# its boundary, each failing row rejected at file:line with its rule;
# --strict keeps nothing; a bad schema is refused at its line; segrt set is
# checked the same way.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-06-15T12:00:00Z
S=$T/s
# kept ID: whether the store holds the contact (yes/no)
kept() { segrt export --db "$S" --now "$NOW" "$1" >/dev/null 2>&1 && echo yes || echo no; }

cat >"$T/c.csv" <<'CSV'
id,email,birth_date,income,country,phone
b1,a@ex.ro,2026-06-15,0,RO,0721 234 567
b2,b@ex.ro,2026-06-16,,,
b3,c@ex.ro,1900-01-01,,,
b4,d@ex.ro,1899-12-31,,,
b5,e@ex.ro,,-1,,
b6,"tom,x@example.com",,,,
b7,o'neil@ex.ie,,,,
b8,,,,RO,12345
b9,,,,DE,030 1234567
b10,,,,,12345
CSV
run segrt import --db "$S" --now "$NOW" --contacts "$T/c.csv"
assert_rc 0 "the import runs$(last_output)"
assert_contains "$T/out" "10 rows, 5 kept" "five rows break a built-in rule"
assert_contains "$T/err" "c.csv:3: birth_date '2026-06-16' is in the future (built-in rule: from 1900-01-01 to NOW" \
    "a birth date after NOW"
assert_contains "$T/err" "c.csv:5: birth_date '1899-12-31' is before 1900" "a birth date before 1900"
assert_contains "$T/err" "c.csv:6: income '-1' is negative (built-in rule: not negative; declare seg.field \"income\"" \
    "a negative income"
assert_contains "$T/err" "c.csv:7: email 'tom,x@example.com' is not an e-mail address" "not an addr-spec"
assert_contains "$T/err" "c.csv:9: phone '12345' is not a phone number of country RO" "an RO number that is none"
for id in b1 b3 b7 b9 b10; do assert_eq "$(kept $id)" yes "$id kept (at a boundary or unchecked)"; done
for id in b2 b4 b5 b6 b8; do assert_eq "$(kept $id)" no "$id refused"; done

# Events: an amount of 0 is fine, a negative one is refused unless declared.
printf 'contact_id,ts,type,amount\nb1,2026-01-01T00:00:00Z,purchase,0\nb1,2026-01-02T00:00:00Z,refund,-0.01\n' >"$T/e.csv"
run segrt import --db "$S" --events "$T/e.csv"
assert_contains "$T/out" "2 rows, 1 kept" "the refund is refused"
assert_contains "$T/err" "e.csv:3: amount '-0.01' is negative (built-in rule: not negative" "naming the rule"

# Declared rules.
cat >"$T/schema.lua" <<'LUA'
local seg = require "segrt"
seg.field "nps" { type = "integer", min = 0, max = 10, description = "net promoter score" }
seg.field "plan" { one_of = { "free", "pro" } }
seg.field "zip" { pattern = "[0-9]{6}" }
seg.field "tags" { one_of = { "vip", "news" } }
seg.field "income" { min = -100 }
seg.field "amount" { min = -50 }
LUA
cat >"$T/d.csv" <<'CSV'
id,nps,plan,zip,tags,income
d1,0,free,010101,vip;news,-100
d2,10,pro,123456,,
d3,11,,,,
d4,-1,,,,
d5,,gold,,,
d6,,,01010,,
d7,,,,vip;other,
d8,,,,,-101
CSV
run segrt import --db "$S" --now "$NOW" --contacts "$T/d.csv" --schema "$T/schema.lua"
assert_rc 0 "with a schema$(last_output)"
assert_contains "$T/out" "8 rows, 2 kept" "six rows break a declared rule"
assert_contains "$T/err" "d.csv:4: nps '11' is above the maximum 10 (rule at $T/schema.lua:2)" "max"
assert_contains "$T/err" "d.csv:5: nps '-1' is below the minimum 0 (rule at $T/schema.lua:2)" "min"
assert_contains "$T/err" "d.csv:6: plan 'gold' is not one of the values the rule at $T/schema.lua:3 allows" "one_of"
assert_contains "$T/err" "d.csv:7: zip '01010' does not match the pattern [0-9]{6} (rule at $T/schema.lua:4)" "pattern"
assert_contains "$T/err" "d.csv:8: tags 'other' is not one of the values" "one_of over a set's items"
assert_contains "$T/err" "d.csv:9: income '-101' is below the minimum -100" "a declared rule replaces the built-in one"
run segrt members --db "$S" --no-purpose --format csv --fields nps \
    <(echo 'local seg = require "segrt"; seg.segment "n" { where = seg.F.nps:ge(5) }') n
assert_eq "$(tail -n +2 "$T/out" | tr '\n' ' ')" "d2,10 " "nps was declared an integer"
run segrt import --db "$S" --events "$T/e.csv" --schema "$T/schema.lua"
assert_contains "$T/out" "2 rows, 2 kept (1 new)" "a declared amount rule lets the refund in"

# --strict: a row breaking a rule keeps nothing of the file.
printf 'id,nps\nx1,5\nx2,12\n' >"$T/strict.csv"
run segrt import --db "$S" --contacts "$T/strict.csv" --schema "$T/schema.lua" --strict
assert_rc 1 "strict"
assert_contains "$T/err" "line 3: nps '12' is above the maximum 10" "strict names the rule"
assert_eq "$(kept x1)" no "nothing of the file is kept"

# Rectification is checked like an import.
run segrt set --db "$S" --now "$NOW" b1 birth_date=2099-01-01
assert_rc 1 "set checks the built-in rules"
assert_contains "$T/err" "birth_date '2099-01-01' is in the future" "and says why"

# Bad schemas are refused at their line, and nothing is imported.
bad_schema() {
    printf 'local seg = require "segrt"\n%s\n' "$1" >"$T/bad.lua"
    run segrt import --db "$S" --contacts "$T/strict.csv" --schema "$T/bad.lua"
    assert_rc 1 "bad schema: $1"
    assert_contains "$T/err" "$2" "bad schema: $1"
}
bad_schema 'seg.field "zip" { pattern = "([0-9]" }' "bad.lua:2: field 'zip': pattern '([0-9]' is not a regular expression"
bad_schema 'seg.field "zip" { colour = "red" }' "bad.lua:2: seg.field \"zip\": unknown key 'colour'"
bad_schema 'seg.field "nps" { type = "integr" }' "bad.lua:2: seg.field \"nps\": type 'integr' is not"
bad_schema 'seg.field "nps" { type = "integer", max = "ten" }' "bad.lua:2: seg.field \"nps\": max 'ten' is not a integer"
bad_schema 'seg.field "a" {}
seg.field "a" {}' "bad.lua:3: seg.field \"a\" is declared twice"
assert_eq "$(kept x1)" no "nothing was imported with a bad schema"
finish
