#!/usr/bin/env bash
# segrt members for e-mail tools: --header renames the --fields columns,
# --bom marks UTF-8 for Excel, and exporting a channel field of a segment
# with no purpose warns how many members lack consent for that channel,
# unless --purpose or --no-purpose says what is meant.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
run segrt demo --db "$DB" --contacts 2000 --now "$NOW"
assert_rc 0 "make the demo store"
members() {
    run segrt members --db "$DB" --now "$NOW" "$@"
}

members --format csv --fields email,first_name --header "Email Address,First Name" \
    ecommerce_coffee vip
assert_rc 0 "a Mailchimp-style export"
assert_eq "$(head -1 "$T/out")" "Email Address,First Name" "the header is renamed"
python3 - "$T/out" <<'PY' || fail "rows: $(head -3 "$T/out")"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
assert all(len(r) == 2 for r in rows), rows[:3]
assert all("@" in r[0] for r in rows[1:]), rows[:3]
PY
ok
total=$(($(wc -l <"$T/out") - 1))
assert_contains "$T/err" "lack consent for email_marketing" "a segment without a purpose warns"
lacking=$(sed -n 's/.*: \([0-9]*\) of \([0-9]*\) members lack consent.*/\1 \2/p' "$T/err")
members --purpose email_marketing --format csv --fields email --header "Email Address" \
    ecommerce_coffee vip
assert_rc 0 "the export with --purpose"
assert_eq "$(cat "$T/err")" "" "--purpose: no warning"
consented=$(($(wc -l <"$T/out") - 1))
assert_eq "$lacking" "$((total - consented)) $total" "the warning counts those --purpose leaves out"
members --no-purpose --format jsonl --fields email ecommerce_coffee vip
assert_rc 0 "--no-purpose"
assert_eq "$(cat "$T/err")" "" "--no-purpose: no warning"
members --format csv ecommerce_coffee vip
assert_contains "$T/err" "lack consent for email_marketing" "every field includes email: a warning"
members ecommerce_coffee vip
assert_eq "$(cat "$T/err")" "" "ids only: no channel, no warning"
members --format csv --fields id,income ecommerce_coffee vip
assert_eq "$(cat "$T/err")" "" "no channel field: no warning"
members --format csv --fields email ecommerce_coffee upsell_emailable
assert_eq "$(cat "$T/err")" "" "a segment with a purpose: its consent applies already"

members --bom --format csv --fields email --header "Email" ecommerce_coffee vip
assert_eq "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' ')" "efbbbf" "--bom starts with the BOM"
assert_eq "$(head -1 "$T/out" | tail -c +4)" "Email" "then the header"

members --format csv --fields email,first_name --header "Email Address" ecommerce_coffee vip
assert_rc 2 "--header with fewer names than --fields"
assert_contains "$T/err" "--header names the columns of --fields" "the error says what --header needs"
members --format jsonl --fields email --header "Email" ecommerce_coffee vip
assert_rc 2 "--header outside CSV"
members --purpose email_marketing --no-purpose --format csv ecommerce_coffee vip
assert_rc 2 "--purpose with --no-purpose"
members --format csv --fields email --header "" ecommerce_coffee vip
assert_rc 2 "an empty --header"
members --format csv --fields emial ecommerce_coffee vip
assert_rc 1 "a misspelt --fields name"
assert_contains "$T/err" "'emial' is neither a field nor a score (did you mean 'email'?)" \
    "a misspelt field gets a did-you-mean"
finish
