#!/usr/bin/env bash
# Bundled packs: listed by `segrt packs`, loaded by name wherever a SCRIPT is
# accepted, every segment populated on the demo store, and a store that lacks
# what a pack needs (fields, of a type, event types, consent purposes)
# refused with one message naming all of it.
. "$(dirname "$0")/lib.sh"

run segrt packs
assert_rc 0 "segrt packs"
for p in ecommerce_coffee rfm_lifecycle saas fitness food_delivery retail_regional b2b_sales; do
    assert_contains "$T/out" "$p" "segrt packs lists $p"
done

run segrt demo --db "$T/demo"
assert_rc 0 "segrt demo"

for p in ecommerce_coffee rfm_lifecycle saas fitness food_delivery retail_regional b2b_sales; do
    run segrt run --db "$T/demo" "$p"
    assert_rc 0 "segrt run $p (by name)"
    # every segment of the table has at least one member
    python3 - "$T/out" "$p" <<'PY' || fail "a segment of $p is empty on the demo store"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip() and not l.startswith("segment")]
empty = [r[0] for r in rows if int(r[1]) == 0]
if not rows or empty:
    sys.exit(f"{sys.argv[2]}: empty segments: {empty or 'no table'}")
PY
    ok
done

# The same pack as a file path and by name gives the same sizes.
run segrt count --db "$T/demo" ecommerce_coffee vip
assert_rc 0 "count vip by pack name"
by_name=$(cat "$T/out")
run segrt count --db "$T/demo" "$_repo/scripts/packs/ecommerce_coffee.lua" vip
assert_rc 0 "count vip by path"
[ "$(cat "$T/out")" = "$by_name" ] || fail "pack by name ($by_name) and by path ($(cat "$T/out")) differ"
ok

# A store without purchases: one message names the pack and everything missing.
printf 'id,email\nc1,a@example.com\n' >"$T/c.csv"
run segrt import --db "$T/bare" --contacts "$T/c.csv"
assert_rc 0 "import a bare store"
run segrt count --db "$T/bare" ecommerce_coffee vip
assert_rc 1 "a pack on a store without what it needs"
assert_contains "$T/err" "pack 'ecommerce_coffee' needs" "the message names the pack"
assert_contains "$T/err" "event type 'purchase'" "... and what is missing"

assert_contains "$T/err" "consent purpose 'email_marketing'" "... consent purposes included"

# Field types and consent purposes are requirements too.
printf 'id,email,income,nick\nc1,a@example.com,100,x\n' >"$T/typed.csv"
run segrt import --db "$T/typed" --contacts "$T/typed.csv"
assert_rc 0 "import a store with an integer and a string field"
cat >"$T/typed.lua" <<'LUA'
local seg = require "segrt"
seg.pack { name = "typed", version = "1",
           requires = { fields = { "email", income = "number", nick = "integer", age2 = "date" } },
           purposes = { "email_marketing" } }
seg.segment "all" { where = seg.F.income:gt(0) }
LUA
run segrt count --db "$T/typed" "$T/typed.lua" all
assert_rc 1 "a pack whose field types and purposes the store does not have"
for what in "field 'nick' of type integer (it is string)" "field 'age2'" \
    "consent purpose 'email_marketing'"; do
    assert_contains "$T/err" "$what" "one message names it: $what"
done
assert_contains "$T/err" "typed.lua:2: pack 'typed' needs what the store does not have: " \
    "... with the pack and its line"
assert_not_contains "$T/err" "income" "a number requirement accepts an integer field"
sed -i 's/nick = "integer"/nick = "text"/' "$T/typed.lua"
run segrt count --db "$T/typed" "$T/typed.lua" all
assert_rc 1 "an unknown type name"
assert_contains "$T/err" "pack 'typed': field 'nick' has an unknown type 'text' (integer, number," \
    "... is named with the known ones"
printf 'contact_id,purpose,status,legal_basis,ts,expires_at,source\nc1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n' \
    >"$T/typed_consents.csv"
run segrt import --db "$T/typed" --consents "$T/typed_consents.csv"
assert_rc 0 "import a consent record"
sed -i -e 's/nick = "text"/nick = "string"/' -e 's/, age2 = "date"//' "$T/typed.lua"
run segrt count --db "$T/typed" "$T/typed.lua" all
assert_rc 0 "the store now has all the pack needs"
assert_eq "$(cat "$T/out")" 1 "... and the pack runs"
sed -i 's/purposes = { "email_marketing" }/purposes = "email_marketing"/' "$T/typed.lua"
run segrt count --db "$T/typed" "$T/typed.lua" all
assert_contains "$T/err" "typed.lua:2: seg.pack: purposes takes a list of names" "purposes must be a list"

run segrt count --db "$T/demo" no_such_pack vip
assert_rc 1 "an unknown script or pack"
assert_contains "$T/err" "no_such_pack" "the message names it"

# Pack authoring: a skeleton that checks clean, a broken pack that does not.
(cd "$T" && "$SEGRT" pack new mine >"$T/out" 2>"$T/err")
[ -f "$T/mine.lua" ] || fail "segrt pack new did not write mine.lua"
ok
(cd "$T" && "$SEGRT" pack new mine >"$T/out" 2>"$T/err") && fail "pack new overwrote mine.lua"
ok
run segrt pack check --db "$T/demo" "$T/mine.lua"
assert_rc 0 "the skeleton checks clean"
assert_contains "$T/out" "2 segments, 0 failed" "pack check counts the segments"
sed 's/F.email:present()/F.emial:present()/' "$T/mine.lua" >"$T/broken.lua"
run segrt pack check --db "$T/demo" "$T/broken.lua"
assert_rc 1 "a pack with a misspelt field fails the check"
assert_contains "$T/out" "did you mean 'email'" "... and says what to fix"
run segrt pack check --db "$T/demo" saas
assert_rc 0 "a bundled pack by name checks clean"

echo "$PASSED passed, 0 failed"
