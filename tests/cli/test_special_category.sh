#!/usr/bin/env bash
# test_special_category.sh — no special-category values without a purpose
# (issue 16, part 8, GDPR Art. 9): segrt show and the REPL (:fields,
# samples, member rows, :show) print a special-category field's category,
# not its value; segrt show --purpose P and the REPL's :purpose P show them
# when P rests on explicit consent (a card: when the contact granted P on
# consent); segrt members exports them only under such a purpose, leaving
# them out of an export of every field; a purpose that does not is refused;
# export (Art. 15) is whole.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/s
NOW=2026-01-01T00:00:00Z
cat >"$T/c.csv" <<'CSV'
id,email,health,city
h1,a@ex.ro,diabetes,Cluj
h2,b@ex.ro,asthma,Iasi
CSV
cat >"$T/cs.csv" <<'CSV'
contact_id,purpose,status,legal_basis,ts
h1,health_research,granted,consent,2025-01-01T00:00:00Z
h2,health_research,granted,legitimate_interest,2025-01-01T00:00:00Z
CSV
segrt import --db "$S" --contacts "$T/c.csv" --consents "$T/cs.csv" >/dev/null 2>&1
cat >"$T/hr.lua" <<'LUA'
local seg = require "segrt"
seg.consent "health_research" { bases = { "consent" } }
seg.segment "everyone" { where = seg.F.city:present() }
LUA

run segrt show --db "$S" --now "$NOW" h1
assert_rc 0 "show"
assert_contains "$T/out" "health  (special category: health; shown only under a purpose resting on explicit consent)" \
    "show prints the category"
assert_not_contains "$T/out" "diabetes" "not the value"
assert_contains "$T/out" "Cluj" "ordinary fields are shown"
run segrt show --db "$S" --now "$NOW" --purpose health_research --script "$T/hr.lua" h1
assert_rc 0 "show under an explicit-consent purpose"
assert_contains "$T/out" "diabetes" "the value of a contact who granted it on consent"
run segrt show --db "$S" --now "$NOW" --purpose health_research --script "$T/hr.lua" h2
assert_not_contains "$T/out" "asthma" "not for a grant on legitimate interest"
assert_contains "$T/err" "h2 has not granted health_research on explicit consent" "and says so"
run segrt show --db "$S" --now "$NOW" --purpose email_marketing h1
assert_rc 2 "a purpose not resting on explicit consent"
assert_contains "$T/err" "--purpose email_marketing does not rest on explicit consent" "is refused"
run segrt export --db "$S" --now "$NOW" h1
assert_contains "$T/out" "diabetes" "export to the person is whole (Art. 15)"

repl() { segrt repl --db "$S" --now "$NOW" "$T/hr.lua"; }
run repl <<<':fields'
assert_contains "$T/out" "special category: health (:purpose shows them)" ":fields prints the category"
assert_not_contains "$T/out" "diabetes" ":fields samples no value"
run repl <<<'F.health'
assert_not_contains "$T/out" "diabetes" "a field's samples"
assert_contains "$T/out" "special category: health" "say what it is"
run repl <<<'F.city:present() & F.health:present()'
assert_not_contains "$T/out" "diabetes" "member rows"
assert_contains "$T/out" "(health)" "show the category"
run repl <<<':show h1'
assert_not_contains "$T/out" "diabetes" ":show"
printf ':purpose health_research\n:fields\n:show h1\n:show h2\n:purpose email_marketing\n:purpose none\n:fields\n' |
    segrt repl --db "$S" --now "$NOW" "$T/hr.lua" >"$T/out" 2>"$T/err" || true
assert_contains "$T/out" "purpose health_research: special-category values shown" ":purpose"
assert_eq "$(grep -c 'diabetes' "$T/out")" 2 ":fields and h1's card show the value under it"
assert_eq "$(grep -c 'asthma' "$T/out")" 1 \
    "h2 granted it on legitimate interest: hidden in its card (only :fields samples it)"
assert_contains "$T/err" ":purpose email_marketing does not rest on explicit consent" "refused"
assert_contains "$T/out" "purpose none: special-category values hidden" ":purpose none"

# members: a special category leaves only under a purpose resting on explicit consent
run segrt members --db "$S" --now "$NOW" --format csv --fields id,health --no-purpose "$T/hr.lua" everyone
assert_rc 2 "--fields health without such a purpose"
assert_contains "$T/err" "--fields health: a special category (health) is exported only under a purpose resting on explicit consent" \
    "is refused"
run segrt members --db "$S" --now "$NOW" --format csv --no-purpose "$T/hr.lua" everyone
assert_rc 0 "every field"
assert_not_contains "$T/out" "diabetes" "leaves the special category out"
assert_contains "$T/out" "Cluj" "and keeps the others"
run segrt members --db "$S" --now "$NOW" --format csv --fields health --purpose health_research \
    "$T/hr.lua" everyone
assert_rc 0 "under an explicit-consent purpose"
assert_eq "$(tail -n +2 "$T/out" | tr '\n' ' ')" "h1,diabetes " "only who granted it on consent, with the value"
finish
