#!/usr/bin/env bash
# segrt members for e-mail tools: --header renames the --fields columns,
# --bom marks UTF-8 for Excel, and exporting a channel field of a segment
# with no purpose warns how many members lack consent for that channel,
# unless --purpose or --no-purpose says what is meant. A Mailchimp-style
# export imports back (--map, --id-from email) with the same values.
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
# the Mailchimp-style file round-trips: imported back with --map and --id-from email
members --no-purpose --format csv --fields email,first_name --header "Email Address,First Name" \
    ecommerce_coffee vip
cp "$T/out" "$T/audience.csv"
run segrt import --db "$T/back.db" --contacts "$T/audience.csv" \
    --map "Email Address=email,First Name=first_name" --id-from email
assert_rc 0 "the export imported back$(last_output)"
run segrt stats --db "$T/back.db"
assert_eq "$(awk '$1 == "contacts" { print $2 }' "$T/out")" "$total" "every exported contact came back"
python3 - "$T/audience.csv" >"$T/want" <<'PY'
import csv, sys
for r in sorted(csv.DictReader(open(sys.argv[1], encoding="utf-8")), key=lambda r: r["Email Address"]):
    print(r["Email Address"].lower(), r["First Name"])
PY
printf 'local seg = require "segrt"\nseg.segment "all" { }\n' >"$T/all.lua"
segrt members --db "$T/back.db" --no-purpose --format csv --fields email,first_name \
    --header "Email Address,First Name" "$T/all.lua" all |
    python3 -c '
import csv, sys
for r in sorted(csv.DictReader(sys.stdin), key=lambda r: r["Email Address"]):
    print(r["Email Address"].lower(), r["First Name"])' >"$T/got"
diff "$T/want" "$T/got" >/dev/null || fail "the round trip changed values: $(diff "$T/want" "$T/got" | head -3)"
ok

members --format csv --fields emial ecommerce_coffee vip
assert_rc 1 "a misspelt --fields name"
assert_contains "$T/err" "'emial' is neither a field nor a score (did you mean 'email'?)" \
    "a misspelt field gets a did-you-mean"
finish
