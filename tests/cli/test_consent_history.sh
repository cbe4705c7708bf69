#!/usr/bin/env bash
# test_consent_history.sh — consent records (SPEC §2): the full history is
# kept and exported; the record in force per (contact, purpose) is the latest
# with ts <= NOW; on a tie of that ts a record that is not "granted" wins,
# then the one imported last; re-importing adds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

F=$FIXTURES
S=$T/s

# The consent history of k1 at NOW as "purpose status basis ts source in_force" lines.
history_at() {
    segrt export --db "$S" --now "$1" k1 | python3 -c '
import json, sys
for c in json.load(sys.stdin)["consents"]:
    print(c["purpose"], c["status"], c["legal_basis"], c["ts"], c["source"],
          "IN_FORCE" if c["in_force"] else "-")'
}

run segrt import --db "$S" --contacts "$F/consent_contacts.csv" --consents "$F/consents_ties.csv"
assert_rc 0 "import of the consent fixture"
assert_contains "$T/out" "consents_ties.csv: 7 rows, 7 kept (7 new), 0 rejected" "consent import summary"

# --- At 2026-01-01: email_marketing has a granted and a withdrawn record at the
# same latest ts (the withdrawal wins); profiling's denial lies in the future
# (the earlier grant is in force); sms has two grants at the same ts (the one
# imported last wins).
history_at 2026-01-01T00:00:00Z >"$T/h2026"
assert_eq "$(wc -l <"$T/h2026")" 7 "every consent record is exported (full history)"
assert_eq "$(grep -c IN_FORCE "$T/h2026")" 3 "one record in force per purpose"
assert_contains "$T/h2026" "email_marketing withdrawn consent 2025-06-01T00:00:00Z web_form IN_FORCE" \
    "on a tie, the withdrawal is in force"
assert_contains "$T/h2026" "email_marketing granted consent 2025-06-01T00:00:00Z web_form -" \
    "on a tie, the grant is not in force"
assert_contains "$T/h2026" "profiling granted consent 2025-01-01T00:00:00Z web_form IN_FORCE" \
    "a record after NOW is not yet in force"
assert_contains "$T/h2026" "sms granted legitimate_interest 2025-03-01T00:00:00Z sales_call IN_FORCE" \
    "on a tie of two grants, the one imported last is in force"

# The contact card says the same.
run segrt show --db "$S" --now 2026-01-01T00:00:00Z k1
assert_rc 0 "show k1"
grep -qE '^ +email_marketing +withdrawn' "$T/out" || fail "card: email_marketing not withdrawn$(last_output)"
ok
grep -qE '^ +profiling +granted' "$T/out" || fail "card: profiling not granted$(last_output)"
ok
assert_contains "$T/out" "history: 7 records" "card: history size"

# --- Later, the future denial is in force.
history_at 2027-06-01T00:00:00Z >"$T/h2027"
assert_contains "$T/h2027" "profiling denied consent 2027-01-01T00:00:00Z web_form IN_FORCE" \
    "the denial is in force once NOW passes it"

# --- Re-importing the same records adds nothing; a record differing only in
# its source is a new record.
run segrt import --db "$S" --consents "$F/consents_ties.csv"
assert_rc 0 "re-import of the consent fixture"
assert_contains "$T/out" "consents_ties.csv: 7 rows, 7 kept (0 new), 0 rejected" \
    "re-import adds no consent record"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 7 "consents after re-import"
printf 'contact_id,purpose,status,legal_basis,ts,expires_at,source\nk1,sms,granted,consent,2025-03-01T00:00:00Z,,web_form\n' \
    >"$T/more.csv"
run segrt import --db "$S" --consents "$T/more.csv"
assert_rc 0 "import of a record differing in source"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 8 "a different record is kept"

# --- Bad consent rows are rejected with a reason.
cat >"$T/bad.csv" <<'CSV'
contact_id,purpose,status,legal_basis,ts,expires_at,source
k1,email_marketing,maybe,consent,2025-01-01T00:00:00Z,,web_form
k1,email_marketing,granted,because,2025-01-01T00:00:00Z,,web_form
k1,email_marketing,granted,consent,,,web_form
k1,email marketing,granted,consent,2025-01-01T00:00:00Z,,web_form
CSV
run segrt import --db "$S" --consents "$T/bad.csv"
assert_rc 3 "import of bad consent rows (none kept: exit 3)"
assert_contains "$T/err" "bad.csv:2: status 'maybe' is not one of" "bad status"
assert_contains "$T/err" "bad.csv:3: legal_basis 'because' is not one of" "bad legal basis"
assert_contains "$T/err" "bad.csv:4: ts is missing" "missing ts"
assert_contains "$T/err" "bad.csv:5: purpose 'email marketing' is not a valid purpose name" "bad purpose"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 8 "no bad record kept"

run segrt check --db "$S"
assert_eq "$(cat "$T/out")" ok "segrt check"

finish
