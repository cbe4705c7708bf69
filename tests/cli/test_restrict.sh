#!/usr/bin/env bash
# test_restrict.sh — segrt restrict (issue 16, part 2, GDPR Art. 18): a
# restricted contact is stored and exportable (show and export say since
# when and why), and absent from every segment, members list, render,
# stored run, change export and NTILE rank while the restriction is in
# force; before it (--now) and after --lift it is back; a restriction record
# imported as a consent row restricts as the command does; both are
# audited; misuse is refused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=$(cd "$_lib_dir/../.." && pwd)
S=$T/db
segrt demo --db "$S" --contacts 400 --now 2026-01-01T00:00:00Z >/dev/null
T0=2026-01-01T00:00:00Z T1=2026-01-02T00:00:00Z T2=2026-01-03T00:00:00Z T3=2026-01-04T00:00:00Z
cat >"$T/s.lua" <<'LUA'
local seg = require "segrt"
local F = seg.F
seg.segment "all" { where = F.email:present() }
seg.segment "top" { where = seg.ntile(F.income, 4):eq(4) }
LUA

# a lapsed Romanian speaker with a template to render (examples/campaign.lua)
who=$(segrt members --db "$S" --now "$T0" --no-purpose "$SRC/examples/campaign.lua" lapsed_ro | sed -n 2p)
[ -n "$who" ] || fail "the demo store has a lapsed_ro member"
ok
before_top=$(segrt members --db "$S" --now "$T0" --no-purpose "$T/s.lua" top | sort)
run segrt run --db "$S" --now "$T0" "$T/s.lua"
assert_rc 0 "a stored run before the restriction"

run segrt restrict --db "$S" --now "$T1" --actor dpo --reason "accuracy contested" "$who"
assert_rc 0 "restrict$(last_output)"
assert_eq "$(segrt count --db "$S" --now "$T2" "$T/s.lua" all)" 399 "out of a segment"
run segrt members --db "$S" --now "$T2" --no-purpose "$T/s.lua" all
assert_not_contains "$T/out" "$who" "out of members"
run segrt render --db "$S" --now "$T2" --format csv "$SRC/examples/campaign.lua" lapsed_ro winback_ro
assert_rc 0 "render"
assert_not_contains "$T/out" "$who" "out of a render"
# NTILE ranks the others only: the quartiles are recomputed without the contact
run segrt members --db "$S" --now "$T2" --no-purpose "$T/s.lua" top
assert_not_contains "$T/out" "$who" "out of an NTILE rank"
run segrt run --db "$S" --now "$T2" "$T/s.lua"
assert_rc 0 "a stored run"
run segrt changes --db "$S" --now "$T2" --since "$T0" "$T/s.lua" all
assert_rc 0 "segrt changes"
assert_not_contains "$T/out" "$who" "a restricted contact is not exported as leaving"
run segrt show --db "$S" --now "$T2" "$who"
assert_rc 0 "show"
assert_contains "$T/out" "Restricted (GDPR Art. 18) since $T1, reason: accuracy contested" \
    "show says since when and why"
assert_not_contains "$T/out" "  all " "no stored membership shows"
run segrt export --db "$S" --now "$T2" "$who"
assert_rc 0 "export to the person (Art. 15) still works"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["restricted"])' "$T/out")" \
    "{'since': '$T1', 'reason': 'accuracy contested'}" "export says since when and why"

# before the restriction (--now) the contact is in; after --lift it is in again
assert_eq "$(segrt count --db "$S" --now "$T0" "$T/s.lua" all)" 400 "not restricted before T1"
run segrt restrict --db "$S" --now "$T3" --lift "$who"
assert_rc 0 "lift"
assert_eq "$(segrt count --db "$S" --now "$T3" "$T/s.lua" all)" 400 "back after --lift"
assert_eq "$(segrt members --db "$S" --now "$T3" --no-purpose "$T/s.lua" top | sort)" "$before_top" \
    "the ranks are as before"
run segrt export --db "$S" --now "$T3" "$who"
assert_not_contains "$T/out" '"restricted"' "no longer restricted"
run segrt audit --db "$S"
assert_contains "$T/out" "dpo	consent	contact#" "the restriction is audited"
assert_contains "$T/out" "restriction granted" "granted"
assert_contains "$T/out" "restriction withdrawn" "and lifted"
assert_not_contains "$T/out" "accuracy contested" "the reason is not in the audit log"

# a restriction imported as a consent row restricts too
other=c0000002
printf 'contact_id,purpose,status,legal_basis,ts\n%s,restriction,granted,legal_obligation,%s\n' \
    "$other" "$T1" >"$T/r.csv"
run segrt import --db "$S" --consents "$T/r.csv"
assert_rc 0 "import a restriction record"
run segrt members --db "$S" --now "$T3" --no-purpose "$T/s.lua" all
assert_not_contains "$T/out" "$other" "an imported restriction applies"
assert_eq "$(segrt count --db "$S" --now "$T3" "$T/s.lua" all)" 399 "exactly one left out"

run segrt restrict --db "$S" nobody
assert_rc 1 "an unknown contact"
run segrt restrict --db "$S" --lift --reason x "$who"
assert_rc 2 "--reason with --lift"
run segrt restrict --db "$S"
assert_rc 2 "no id"
run segrt audit --db "$S" --verify
assert_rc 0 "the audit chain holds"
finish
