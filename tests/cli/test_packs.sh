#!/usr/bin/env bash
# Bundled packs: listed by `segrt packs`, loaded by name wherever a SCRIPT is
# accepted, every segment populated on the demo store, and a store that lacks
# what a pack needs refused with one message naming all of it.
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
