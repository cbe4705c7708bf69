#!/usr/bin/env bash
# test_quality.sh — keeping data current (issue 16, part 7): every stored
# value knows when it was last written (an import, segrt set); F.x:updated()
# is that time in the language, after imports at two times; segrt quality
# reports per field the contacts with a value, the age of the values, the
# stored values the built-in rules would refuse now, the likely duplicates
# and the stale or expired consents.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/s
T1=2024-01-01T00:00:00Z T2=2025-12-31T00:00:00Z T3=2026-01-01T00:00:00Z
# stored despite the built-in rules: the declared ones replace them
cat >"$T/lax.lua" <<'LUA'
local seg = require "segrt"
seg.field "birth_date" { min = "1800-01-01" }
seg.field "income" { min = -1000 }
seg.field "phone" { description = "as typed" }
LUA
cat >"$T/c.csv" <<'CSV'
id,email,city,phone,country,birth_date,income
u1,Ana@Ex.ro,Cluj,0721 234 567,RO,1850-01-01,-5
u2,ana@ex.ro,Iasi,+40 721-234-567,RO,1990-01-01,100
u3,c@ex.ro,Arad,12345,RO,1991-01-01,200
u4,d@ex.ro,,,,,
CSV
run segrt import --db "$S" --now "$T1" --contacts "$T/c.csv" --schema "$T/lax.lua"
assert_rc 0 "import at T1$(last_output)"
run segrt set --db "$S" --now "$T2" u2 city=Brasov
assert_rc 0 "set at T2"
printf 'id,phone\nu4,0722 000 111\n' >"$T/p.csv"
run segrt import --db "$S" --now "$T2" --contacts "$T/p.csv"
assert_rc 0 "import at T2"

cat >"$T/u.lua" <<'LUA'
local seg = require "segrt"
local F, days = seg.F, seg.days
seg.segment "stale_city" { where = F.city:updated():older_than(days(365)) }
seg.segment "fresh_city" { where = F.city:updated():within(days(30)) }
seg.segment "fresh_phone" { where = F.phone:updated():after(seg.time "2025-01-01T00:00:00Z") }
seg.segment "no_city" { where = F.city:updated():missing() }
LUA
members() { segrt members --db "$S" --now "$T3" --no-purpose "$T/u.lua" "$1" | tr '\n' ' '; }
assert_eq "$(members stale_city)" "u1 u3 " "written at T1: over a year old at T3"
assert_eq "$(members fresh_city)" "u2 " "rewritten at T2"
assert_eq "$(members fresh_phone)" "u4 " "a field written by the second import only"
assert_eq "$(members no_city)" "u4 " "no value, no time"
printf 'local seg = require "segrt"\nseg.segment "x" { where = seg.E.purchase:count():updated():missing() }\n' >"$T/bad.lua"
run segrt count --db "$S" "$T/bad.lua" x
assert_rc 1 ":updated() of something else"
assert_contains "$T/err" ":updated() takes a contact field" "says what it takes"

printf 'contact_id,purpose,status,legal_basis,ts\nu1,email_marketing,granted,consent,2023-01-01T00:00:00Z\nu2,email_marketing,granted,consent,2025-06-01T00:00:00Z\n' >"$T/cs.csv"
segrt import --db "$S" --consents "$T/cs.csv" >/dev/null
run segrt quality --db "$S" --now "$T3"
assert_rc 0 "segrt quality"
line() { grep "^$1 " "$T/out" | tr -s ' '; }
assert_eq "$(line city)" "city string 3 75.0% 731d 731d 0" "city: 3 of 4, the median write two years ago"
assert_eq "$(line birth_date)" "birth_date date 3 75.0% 731d 731d 1" "a birth date before 1900 stored"
assert_eq "$(line income)" "income integer 3 75.0% 731d 731d 1" "a negative income stored"
assert_eq "$(line phone)" "phone string 4 100.0% 731d 731d 1" "12345 is no RO number"
assert_contains "$T/out" "likely duplicates: 2 contacts share an e-mail address with another, 2 a phone number" \
    "Ana@Ex.ro and ana@ex.ro; two forms of one number"
assert_contains "$T/out" "email_marketing                 1 stale (granted over 730 days ago), 0 expired, of 2" \
    "the grant of 2023 is stale"
finish
