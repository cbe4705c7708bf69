#!/usr/bin/env bash
# test_profiling.sh — profiling honours consent (issue 16, part 1): models
# and scores declared profiling (every shipped model) never score a contact
# whose profiling record in force refuses, nor one who objects (Art. 21);
# their scores are missing, and fits and NTILE ranks are exactly what they
# are on a store without them; when the script's "profiling" purpose
# accepts only consent, only contacts who pass it are scored; segrt score
# says how many were left out and why.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

A=$T/a
NOW=2026-01-05T00:00:00Z
segrt demo --db "$A" --contacts 300 --now 2026-01-01T00:00:00Z >/dev/null
cat >"$T/p.lua" <<'LUA'
local seg = require "segrt"
require("models.bgnbd").define { name = "clv" }
require("models.rfm").define { name = "rfm" }
seg.score "p" { expr = seg.E.purchase:count(), profiling = true }
seg.score "np" { expr = seg.E.purchase:count() }
seg.segment "all" { where = seg.F.email:present() | seg.F.email:missing() }
LUA
scores() { segrt members --db "$1" --now "$NOW" --format csv --no-purpose --fields "$2" "$3" all; }

# The contacts left out: a profiling score is missing where the same expression is not.
scores "$A" p,np "$T/p.lua" | awk -F, 'NR > 1 && $2 == "" && $3 != "" { print $1 }' >"$T/out_ids"
n=$(wc -l <"$T/out_ids")
[ "$n" -gt 0 ] || fail "the demo store has contacts profiling may not score"
ok
assert_eq "$(grep -cx c0000004 "$T/out_ids")" 1 "c0000004 (profiling denied) is left out"
run segrt show --db "$A" --now "$NOW" c0000004
assert_contains "$T/out" "profiling          denied" "c0000004's profiling record refuses"
assert_eq "$(scores "$A" rfm.R "$T/p.lua" | grep '^c0000004,')" "c0000004," "c0000004 has no rfm.R"

# An objection (Art. 21) leaves a contact out too, from the time of its record.
obj=$(scores "$A" p,np "$T/p.lua" | awk -F, 'NR > 1 && $2 != "" && $2 > 0 { print $1; exit }')
segrt consent withdraw --db "$A" --now 2026-01-03T00:00:00Z "$obj" direct_marketing >/dev/null 2>&1
assert_eq "$(scores "$A" p "$T/p.lua" | grep "^$obj,")" "$obj," "an objector is not scored"
run segrt members --db "$A" --now 2026-01-02T00:00:00Z --format csv --no-purpose --fields p "$T/p.lua" all
grep -qx "$obj," "$T/out" && fail "before the objection it was scored"
ok
echo "$obj" >>"$T/out_ids"

run segrt score --db "$A" --now "$NOW" "$T/p.lua" clv
assert_rc 0 "segrt score"
total=$(segrt count --db "$A" --now "$NOW" "$T/p.lua" all)
assert_contains "$T/out" "profiling: $((total - n - 1)) of $total contacts scored; left out (missing scores, not in the fit): $((n + 1)) who object to direct marketing or refused profiling" \
    "segrt score says how many were left out and why"
grep -E '^  (a|alpha|b|r|log_likelihood|customers) ' "$T/out" >"$T/fit_a"

# The same store without the contacts left out: the same fit, the same ranks.
B=$T/b
cp -r "$A" "$B"
while read -r id; do segrt erase --db "$B" "$id" 2>/dev/null; done <"$T/out_ids"
run segrt score --db "$B" --now "$NOW" "$T/p.lua" clv
assert_contains "$T/out" "profiling: all $((total - n - 1)) contacts may be scored" "nobody left out in B"
grep -E '^  (a|alpha|b|r|log_likelihood|customers) ' "$T/out" >"$T/fit_b"
diff "$T/fit_a" "$T/fit_b" >"$T/diff" || fail "BG/NBD fit differs from the store without them: $(cat "$T/diff")"
ok
scores "$A" rfm.R,rfm.F "$T/p.lua" | grep -vxFf <(sed 's/$/,,/' "$T/out_ids") >"$T/rfm_a"
scores "$B" rfm.R,rfm.F "$T/p.lua" >"$T/rfm_b"
diff "$T/rfm_a" "$T/rfm_b" >"$T/diff" || fail "RFM ranks differ: $(head -5 "$T/diff")"
ok

# A profiling purpose that accepts only consent: legitimate interest no longer suffices.
cat >"$T/only.lua" <<'LUA'
local seg = require "segrt"
seg.consent "profiling" { bases = { "consent" } }
seg.score "p" { expr = seg.E.purchase:count(), profiling = true }
seg.score "np" { expr = seg.E.purchase:count() }
seg.segment "all" { where = seg.F.email:present() | seg.F.email:missing() }
require("models.rfm").define { name = "rfm" }
LUA
scores "$A" p,np "$T/only.lua" | awk -F, 'NR > 1 && $2 != "" { print $1 }' >"$T/scored_only"
run segrt score --db "$A" --now "$NOW" "$T/only.lua" rfm
assert_contains "$T/out" "without consent for profiling (the purpose accepts only consent)" \
    "the consent-only reason is counted"
scored=$(wc -l <"$T/scored_only")
[ "$scored" -lt $((total - n - 1)) ] || fail "consent-only scores fewer contacts ($scored)"
ok
while read -r id; do
    run segrt show --db "$A" --now "$NOW" "$id"
    grep -Eq '^  profiling +granted +consent ' "$T/out" || fail "$id is scored without profiling consent"
done < <(head -20 "$T/scored_only")
ok
finish
