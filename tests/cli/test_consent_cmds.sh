#!/usr/bin/env bash
# test_consent_cmds.sh — segrt consent grant|withdraw|deny|show|report, the
# audit log of the changes, and segrt retention (GDPR): records appended at
# NOW are kept in the history and follow the in-force rule of SPEC §2; every
# change is audited with its actor and no personal data; the report's counts
# match a computation from the exported histories; retention lists, then
# erases, exactly the inactive contacts; the store stays consistent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/s
NOW=2026-01-01T00:00:00Z

# K-1001 active (recent events), K-1002 inactive (old events and consents),
# K-1003 active (an old event, a recent consent), K-1004 inactive (nothing,
# created long ago), K-1005 active (nothing, created recently), K-1006
# inactive (nothing, no created_at), K-1007 inactive until a consent change.
cat >"$T/contacts.csv" <<'CSV'
id,email,first_name,last_name,created_at
K-1001,anna.berg@example.com,Anna,Berg,2020-01-01T00:00:00Z
K-1002,bruno.stahl@example.com,Bruno,Stahl,2019-05-01T00:00:00Z
K-1003,carla.moreau@example.com,Carla,Moreau,2019-05-01T00:00:00Z
K-1004,dmitri.volkov@example.com,Dmitri,Volkov,2020-02-02T00:00:00Z
K-1005,elena.ricci@example.com,Elena,Ricci,2025-10-01T00:00:00Z
K-1006,farid.haddad@example.com,Farid,Haddad,
K-1007,greta.lind@example.com,Greta,Lind,2018-03-03T00:00:00Z
CSV
cat >"$T/events.csv" <<'CSV'
contact_id,ts,type,amount
K-1001,2025-11-20T10:00:00Z,purchase,12.50
K-1001,2021-01-01T10:00:00Z,visit,
K-1002,2021-03-01T10:00:00Z,purchase,40.00
K-1003,2020-07-01T10:00:00Z,visit,
K-1007,2021-06-01T10:00:00Z,visit,
CSV
# Report material: ties, an expired grant, a stale one, one expiring soon, a
# future record, a record without a basis.
cat >"$T/consents.csv" <<'CSV'
contact_id,purpose,status,legal_basis,ts,expires_at,source
K-1001,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web_form
K-1001,sms,granted,legitimate_interest,2025-02-01T00:00:00Z,2026-01-20T00:00:00Z,shop
K-1001,profiling,granted,consent,2025-03-01T00:00:00Z,,web_form
K-1001,profiling,denied,consent,2027-01-01T00:00:00Z,,web_form
K-1002,email_marketing,granted,consent,2022-01-01T00:00:00Z,,web_form
K-1002,email_marketing,withdrawn,consent,2022-01-01T00:00:00Z,,web_form
K-1002,sms,granted,contract,2021-05-01T00:00:00Z,2025-12-01T00:00:00Z,shop
K-1003,email_marketing,granted,consent,2024-06-01T00:00:00Z,,web_form
K-1003,sms,denied,,2025-12-15T00:00:00Z,,call_center
K-1003,profiling,granted,legitimate_interest,2025-12-20T00:00:00Z,2025-12-31T00:00:00Z,shop
CSV

run segrt import --db "$S" --contacts "$T/contacts.csv" --events "$T/events.csv" \
    --consents "$T/consents.csv"
assert_rc 0 "import of the fixture"
assert_contains "$T/out" "consents.csv: 10 rows, 10 kept (10 new), 0 rejected" "consent import"

# The consent history of ID at NOW as "purpose status basis ts expires source in_force" lines.
history() {
    segrt consent show --db "$S" --now "$2" "$1" | awk -F'\t' '{ print $2, $3, $4, $1, $5, $6, $7 }'
}

# --- grant / withdraw / deny: appended at NOW, shown, exported, counted.
run segrt consent grant --db "$S" --now 2025-12-01T00:00:00Z --actor dpo-alice \
    --expires 2026-06-01T00:00:00Z --source phone K-1004 newsletter
assert_rc 0 "consent grant"
assert_contains "$T/err" "newsletter granted for K-1004 at 2025-12-01T00:00:00Z" "grant confirmation"
run segrt consent withdraw --db "$S" --now 2025-12-10T00:00:00Z --actor dpo-bob K-1004 newsletter
assert_rc 0 "consent withdraw"
run segrt consent deny --db "$S" --now 2025-12-10T00:00:00Z --basis legitimate_interest K-1004 \
    profiling
assert_rc 0 "consent deny"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 13 "consents counter after 3 changes"

history K-1004 2025-12-05T00:00:00Z >"$T/h1"
assert_eq "$(wc -l <"$T/h1")" 3 "the full history is shown"
assert_contains "$T/h1" "newsletter granted consent 2025-12-01T00:00:00Z 2026-06-01T00:00:00Z phone yes" \
    "between grant and withdrawal the grant is in force"
assert_contains "$T/h1" "newsletter withdrawn consent 2025-12-10T00:00:00Z - segrt no" \
    "the withdrawal lies after NOW (default source segrt)"
history K-1004 $NOW >"$T/h2"
assert_contains "$T/h2" "newsletter withdrawn consent 2025-12-10T00:00:00Z - segrt yes" \
    "after the withdrawal it is in force"
assert_contains "$T/h2" "profiling denied legitimate_interest 2025-12-10T00:00:00Z - segrt yes" \
    "the denial with its basis"

segrt export --db "$S" --now $NOW K-1004 | python3 -c '
import json, sys
for c in json.load(sys.stdin)["consents"]:
    print(c["purpose"], c["status"], c["legal_basis"], c["ts"], c["source"], c["in_force"])' \
    >"$T/x1"
assert_eq "$(cat "$T/x1")" "newsletter granted consent 2025-12-01T00:00:00Z phone False
newsletter withdrawn consent 2025-12-10T00:00:00Z segrt True
profiling denied legitimate_interest 2025-12-10T00:00:00Z segrt True" "export shows the appended records"

# A grant in the same second as a withdrawal does not override it (SPEC §2 tie).
run segrt consent grant --db "$S" --now 2025-12-10T00:00:00Z K-1004 newsletter
assert_rc 0 "grant at the withdrawal's ts"
history K-1004 $NOW >"$T/h3"
assert_contains "$T/h3" "newsletter withdrawn consent 2025-12-10T00:00:00Z - segrt yes" \
    "on a tie the withdrawal stays in force"
assert_contains "$T/h3" "newsletter granted consent 2025-12-10T00:00:00Z - segrt no" \
    "on a tie the grant is not in force"
# The same record again adds nothing.
run segrt consent grant --db "$S" --now 2025-12-10T00:00:00Z K-1004 newsletter
assert_rc 0 "an identical grant"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 14 "an identical record is not added"
run segrt consent grant --db "$S" --now 2025-12-11T00:00:00Z K-1004 newsletter
assert_rc 0 "a later grant"
history K-1004 $NOW >"$T/h4"
assert_contains "$T/h4" "newsletter granted consent 2025-12-11T00:00:00Z - segrt yes" \
    "a later grant is in force"

# --- errors: failures exit 1 with a message, usage errors exit 2.
run segrt consent grant --db "$S" K-9999 newsletter
assert_rc 1 "unknown contact"
assert_contains "$T/err" "segrt: consent: no contact with id 'K-9999'" "unknown contact message"
run segrt consent grant --db "$S" --basis because K-1004 newsletter
assert_rc 1 "bad legal basis"
assert_contains "$T/err" "legal basis 'because' is not one of consent, legitimate_interest" \
    "bad basis message"
run segrt consent grant --db "$S" K-1004 "news letter"
assert_rc 1 "bad purpose"
assert_contains "$T/err" "purpose 'news letter' is not a valid purpose name" "bad purpose message"
run segrt consent grant --db "$S" --now $NOW --expires 2025-01-01T00:00:00Z K-1004 newsletter
assert_rc 1 "expiry before NOW"
assert_contains "$T/err" "the expiry 2025-01-01T00:00:00Z is not after" "expiry message"
run segrt consent maybe --db "$S" K-1004 newsletter
assert_rc 2 "a status that is not grant, withdraw or deny"
assert_contains "$T/err" "unknown action 'maybe' (grant, withdraw, deny, show, report)" \
    "bad status message"
run segrt consent grant --db "$S" K-1004
assert_rc 2 "missing purpose"
run segrt consent grant --db "$S" --expires soon K-1004 newsletter
assert_rc 2 "bad --expires"
run segrt consent show --db "$S" --basis consent K-1004
assert_rc 2 "--basis with show"
run segrt consent
assert_rc 2 "no action"
run segrt consent show --db "$S" K-9999
assert_rc 1 "show of an unknown contact"
run segrt consent grant --help
assert_rc 0 "--help"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin consents)" 15 "failed changes add nothing"

# --- audit: one line per change, with the actor, without personal data.
run segrt audit --db "$S"
assert_rc 0 "audit"
assert_eq "$(awk -F'\t' '$4 == "consent"' "$T/out" | wc -l | tr -d ' ')" 5 "one audit line per change"
assert_contains "$T/out" "dpo-alice	consent	contact#3	newsletter granted" "grant audited with actor"
assert_contains "$T/out" "dpo-bob	consent	contact#3	newsletter withdrawn" "withdrawal audited with actor"
assert_contains "$T/out" "	consent	contact#3	profiling denied" "denial audited"
assert_eq "$(awk -F'\t' '$4 == "consent" && $3 == ""' "$T/out" | wc -l | tr -d ' ')" 0 \
    "every audit line has an actor"
for pii in K-1004 dmitri.volkov@example.com Dmitri Volkov phone; do
    assert_not_contains "$T/out" "$pii" "audit log without personal data"
done
cp "$T/out" "$T/audit_all"
run segrt audit --db "$S" --since 2000-01-01T00:00:00Z
assert_eq "$(cat "$T/out")" "$(cat "$T/audit_all")" "audit --since in the past: everything"
run segrt audit --db "$S" --since 2999-01-01T00:00:00Z
assert_rc 0 "audit --since in the future"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "audit --since in the future: nothing"
run segrt audit --db "$S" --since yesterday
assert_rc 2 "audit --since with a bad time"

# --- report: per purpose, computed again from the exported histories.
expected_report() {
    local ids=(K-1001 K-1002 K-1003 K-1004 K-1005 K-1006 K-1007)
    for id in "${ids[@]}"; do
        segrt export --db "$S" --actor report-check "$id"
    done | python3 -c '
import json, sys
from datetime import datetime, timezone
def t(s): return None if s is None else int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
now, max_age, soon = t(sys.argv[1]), int(sys.argv[2]) * 86400, 30 * 86400
rows = {}
dec = json.JSONDecoder(); text = sys.stdin.read().strip(); pos = 0
while pos < len(text):
    obj, pos = dec.raw_decode(text, pos)
    while pos < len(text) and text[pos].isspace(): pos += 1
    by_purpose = {}
    for i, c in enumerate(obj["consents"]):
        by_purpose.setdefault(c["purpose"], []).append((i, c))
    for p, recs in by_purpose.items():
        cand = [(i, c) for i, c in recs if t(c["ts"]) <= now]
        if not cand: continue
        top = max(t(c["ts"]) for i, c in cand)
        tied = [(i, c) for i, c in cand if t(c["ts"]) == top]
        ng = [x for x in tied if x[1]["status"] != "granted"]
        if ng: rec = ng[-1][1]
        else:
            e = min((t(c["expires_at"]) if c["expires_at"] else float("inf")) for i, c in tied)
            rec = [c for i, c in tied if (t(c["expires_at"]) if c["expires_at"] else float("inf")) == e][-1]
        r = rows.setdefault(p, dict(contacts=0, granted=0, withdrawn=0, denied=0, expired=0, stale=0, expiring=0, basis={}))
        r["contacts"] += 1; r[rec["status"]] += 1
        b = rec["legal_basis"] or "none"; r["basis"][b] = r["basis"].get(b, 0) + 1
        if rec["status"] != "granted": continue
        exp = t(rec["expires_at"])
        if exp is not None and exp <= now: r["expired"] += 1; continue
        if exp is not None and exp <= now + soon: r["expiring"] += 1
        if max_age > 0 and t(rec["ts"]) < now - max_age: r["stale"] += 1
order = ["consent", "legitimate_interest", "contract", "legal_obligation", "vital_interest", "public_task", "none"]
for p in sorted(rows):
    r = rows[p]
    print(p, *(r[k] for k in ("contacts", "granted", "withdrawn", "denied", "expired", "stale", "expiring")))
for p in sorted(rows):
    print(p, *("%s=%d" % (b, rows[p]["basis"][b]) for b in order if b in rows[p]["basis"]))
' "$1" "$2"
}

# The report's two tables as "purpose n n n ..." lines (header lines dropped).
report_lines() {
    segrt consent report --db "$S" --now "$1" ${2:+--max-age-days "$2"} |
        awk 'NR > 2 && NF > 1 && $0 !~ /^legal basis/ { $1 = $1; print }'
}

for case in "$NOW 365" "$NOW 30" "2025-12-05T00:00:00Z 365" "2027-06-01T00:00:00Z 0"; do
    set -- $case
    expected_report "$1" "$2" >"$T/want"
    report_lines "$1" "$2" >"$T/got"
    [ -s "$T/want" ] || fail "report check at $1: no expected rows"
    diff "$T/want" "$T/got" >"$T/diff" || fail "consent report at $1 (max age $2 days) differs:
$(cat "$T/diff")"
    ok
done
# The default max age is 365 days: K-1003's grant of 2024-06-01 is stale.
report_lines $NOW | grep -q '^email_marketing 3 2 1 0 0 1 0$' ||
    fail "report by default: $(report_lines $NOW)"
ok
run segrt consent report --db "$S" --max-age-days x
assert_rc 2 "bad --max-age-days"

# --- retention: --dry-run lists exactly the inactive contacts and erases nothing.
run segrt retention --db "$S" --now $NOW --inactive-days 1095 --dry-run
assert_rc 0 "retention --dry-run"
# K-1004 (consent changes in December 2025), K-1005 (created recently) and
# K-1003 (a recent consent record) are active.
assert_eq "$(cat "$T/out")" "K-1002
K-1006
K-1007" "the inactive contacts, in byte order"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin contacts)" 7 "a dry run erases nothing"

# A consent change is activity: K-1007 leaves the list.
run segrt consent withdraw --db "$S" --now $NOW --actor dpo-alice K-1007 email_marketing
assert_rc 0 "a consent change for K-1007"
run segrt retention --db "$S" --now $NOW --inactive-days 1095 --dry-run
assert_eq "$(cat "$T/out")" "K-1002
K-1006" "a consent change keeps a contact"
run segrt retention --db "$S" --now $NOW --inactive-days 0
assert_rc 2 "--inactive-days 0"
run segrt retention --db "$S" --now $NOW
assert_rc 2 "missing --inactive-days"
run segrt retention --db "$S" --now $NOW --inactive-days 1095 extra
assert_rc 2 "a stray argument"

segrt stats --db "$S" >"$T/before"
events_before=$(stat_of "$T/before" events)
consents_before=$(stat_of "$T/before" consents)
run segrt retention --db "$S" --now $NOW --inactive-days 1095 --actor retention-job
assert_rc 0 "retention"
assert_eq "$(cat "$T/out")" "K-1002
K-1006" "retention prints the erased contacts"
segrt stats --db "$S" >"$T/after"
assert_eq "$(stat_of "$T/after" contacts)" 5 "contacts after retention"
assert_eq "$(stat_of "$T/after" events)" $((events_before - 1)) "K-1002's event went"
assert_eq "$(stat_of "$T/after" consents)" $((consents_before - 3)) "K-1002's consents went"
for id in K-1002 K-1006; do
    run segrt export --db "$S" "$id"
    assert_rc 1 "export of erased $id"
done
run segrt export --db "$S" K-1001
assert_rc 0 "export of a kept contact"
run segrt audit --db "$S"
assert_eq "$(awk -F'\t' '$4 == "erase" && $3 == "retention-job"' "$T/out" | wc -l | tr -d ' ')" 2 \
    "one audited erasure per contact"
for pii in K-1002 K-1006 bruno.stahl@example.com Bruno Stahl farid.haddad@example.com Farid Haddad; do
    assert_not_contains "$T/out" "$pii" "audit log after retention without personal data"
done
# The audit log only grows: consent entries are still there.
assert_eq "$(awk -F'\t' '$4 == "consent"' "$T/out" | wc -l | tr -d ' ')" 6 "consent audit entries kept"
run segrt retention --db "$S" --now $NOW --inactive-days 1095 --dry-run
assert_eq "$(cat "$T/out")" "" "nothing inactive is left"

run segrt check --db "$S"
assert_rc 0 "segrt check"
assert_eq "$(cat "$T/out")" ok "segrt check after everything"

finish
