#!/usr/bin/env bash
# segrt segments SCRIPT [--count]: every segment with its purpose, what its
# rule reads (fields, event types, other segments, scores; not an event
# filter's attributes) and its description; --count sizes equal segrt count.
# A script loads only if every segment compiles (issue 15, part 8): each
# broken one named at its line; an event type the store has not seen, close
# to none, is left to evaluation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
run segrt demo --db "$DB" --contacts 1000 --now "$NOW"
assert_rc 0 "make the demo store"
cat >"$T/s.lua" <<'LUA'
local seg = require "segrt"
local F, E, S, days = seg.F, seg.E, seg.S, seg.days
seg.score "spend" { expr = E.purchase:sum "amount" }
seg.segment "rich_buyers" { where = F.income:gt(50000) & E.purchase:where{ category = "beans" }:exists(),
                            description = "high income, bought beans" }
seg.segment "big" { where = S.spend:gt(3000) }
seg.segment "big_rich" { where = seg.member "big" & seg.member "rich_buyers", purpose = "email_marketing" }
seg.exclusive "tier" { "big", { "active", where = E.login:within(days(30)):exists() } }
seg.segment "everyone" { }
LUA
run segrt segments --db "$DB" --now "$NOW" "$T/s.lua"
assert_rc 0 "segrt segments"
cat >"$T/want" <<'OUT'
rich_buyers
  purpose: (none)
  reads: field income, event purchase
  high income, bought beans
big
  purpose: (none)
  reads: score spend
big_rich
  purpose: email_marketing
  reads: segment big, segment rich_buyers
tier.big
  purpose: (none)
  reads: segment big
tier.active
  purpose: (none)
  reads: segment big, event login
everyone
  purpose: (none)
  reads: (every live contact)
OUT
diff -u "$T/want" "$T/out" >"$T/diff" || fail "segrt segments printed: $(cat "$T/diff")"
ok

run segrt segments --db "$DB" --now "$NOW" --count "$T/s.lua"
assert_rc 0 "segrt segments --count"
sed -n 's/^\([^ ]*\)  size \([0-9]*\)$/\1 \2/p' "$T/out" >"$T/sizes"
assert_eq "$(wc -l <"$T/sizes")" 6 "--count sizes every segment"
while read -r name size; do
    run segrt count --db "$DB" --now "$NOW" "$T/s.lua" "$name"
    assert_eq "$(cat "$T/out")" "$size" "the size of $name equals segrt count"
done <"$T/sizes"

run segrt segments --db "$DB" ecommerce_coffee
assert_rc 0 "a pack"
assert_contains "$T/out" "reads: segment accessory_no_coffee" "a pack's segment built on another"
printf 'local seg = require "segrt"\n' >"$T/empty.lua"
run segrt segments --db "$DB" "$T/empty.lua"
assert_rc 1 "a script without segments"
run segrt segments --db "$DB"
assert_rc 2 "no script"

# A script loads only if every segment compiles: each broken one at its line.
cat >"$T/bad.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.segment "ok" { where = F.country:eq "RO" }
seg.segment "typo" { where = F.countyr:eq "RO" }
seg.segment "types" { where = F.country:gt(5) }
seg.segment "event_typo" { where = E.purchse:exists() }
seg.segment "not_yet" { where = E.webinar_attended:exists() }
LUA
run segrt count --db "$DB" --now "$NOW" "$T/bad.lua" ok
assert_rc 1 "a script with broken segments, even when another is asked for"
assert_contains "$T/err" "3 of 5 segments do not compile:" "how many are broken"
assert_contains "$T/err" "bad.lua:4: unknown field 'countyr' (did you mean 'country'?)" "a misspelt field"
assert_contains "$T/err" "bad.lua:5: type mismatch" "a type error"
assert_contains "$T/err" "bad.lua:6: unknown event type 'purchse' (did you mean 'purchase'?)" \
    "a misspelt event type"
assert_not_contains "$T/err" "webinar_attended" \
    "an event type the store has not seen yet, close to none, is checked when evaluated"
sed -i '4,6d' "$T/bad.lua"
run segrt count --db "$DB" --now "$NOW" "$T/bad.lua" ok
assert_rc 0 "the fixed script loads$(last_output)"
run segrt count --db "$DB" --now "$NOW" "$T/bad.lua" not_yet
assert_rc 1 "the unseen event type is an error when evaluated"
assert_contains "$T/err" "unknown event type 'webinar_attended'" "it is named then"
finish
