#!/usr/bin/env bash
# test_import_dialects.sh — segrt import reads the files CRM and e-mail tools
# really export (issue 15, parts 1-3): sniffed or given delimiters, legacy
# encodings (cp1250) and byte order marks, CRLF records with quoted line
# breaks, --map and --id-from email (Mailchimp, HubSpot), local date, time
# and number formats (--date-format, --timestamp-format, --tz, --decimal) and
# ISO 8601 timestamps with offsets. Every value is checked through
# `segrt export`, or the file is refused naming file:line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

F=$FIXTURES

# One field of a contact's export (JSON value, non-ASCII kept).
field_of() {
    segrt export --db "$1" "$2" | python3 -c '
import json, sys
c = json.load(sys.stdin)["contact"]
print(json.dumps(c.get(sys.argv[1]), ensure_ascii=False))' "$3"
}

# --- part 1: a UTF-8 file with a byte order mark, ';' sniffed, CRLF records,
# a quoted ';', a quoted CRLF line break and doubled quotes.
run segrt import --db "$T/q" --contacts "$F/crlf_quoted_semicolon.csv"
assert_rc 0 "import of crlf_quoted_semicolon.csv"
assert_contains "$T/out" "2 rows, 2 kept (2 new), 0 rejected" "summary of the ';' file"
assert_eq "$(field_of "$T/q" q1 first_name)" '"Anna; Maria"' "quoted ';' kept in a field"
assert_eq "$(field_of "$T/q" q1 city)" '"Kraków\r\nNowa Huta"' "quoted CRLF kept in a field"
assert_eq "$(field_of "$T/q" q1 notes)" '"said \"hi\""' "doubled quotes"
assert_eq "$(field_of "$T/q" q2 city)" '"Iaşi"' "UTF-8 diacritics"
# The same file with the delimiter given; a wrong one makes the header one column.
run segrt import --db "$T/q2" --contacts "$F/crlf_quoted_semicolon.csv" --delimiter ';'
assert_rc 0 "--delimiter ';'"
run segrt import --db "$T/q3" --contacts "$F/crlf_quoted_semicolon.csv" --delimiter tab
assert_rc 1 "--delimiter tab on a ';' file"
assert_contains "$T/err" "is not a valid field name" "one giant column with the wrong delimiter"
run segrt import --db "$T/q3" --contacts "$F/crlf_quoted_semicolon.csv" --delimiter x
assert_rc 2 "--delimiter x is a usage error"
assert_contains "$T/err" "--delimiter 'x'" "the usage error names the delimiter"

# An unknown encoding is a usage error naming it; nothing is created.
run segrt import --db "$T/e0" --contacts "$F/crlf_quoted_semicolon.csv" --encoding klingon-8
assert_rc 2 "--encoding klingon-8"
assert_contains "$T/err" "--encoding 'klingon-8' is not an encoding iconv knows" "names the encoding"
[ ! -e "$T/e0" ] || fail "a usage error created the store"
ok
# A byte the encoding does not define is refused at file:line.
run segrt import --db "$T/e1" --contacts "$F/bad_cp1250.csv" --encoding cp1250
assert_rc 1 "a byte cp1250 does not define"
assert_contains "$T/err" "bad_cp1250.csv:3: byte 0x81 is not valid cp1250" "file:line of the bad byte"
# Without --encoding, the same bytes are not UTF-8: the reject suggests --encoding.
run segrt import --db "$T/e2" --contacts "$F/bad_cp1250.csv"
assert_contains "$T/err" "bad_cp1250.csv:3: first_name is not valid UTF-8" "not UTF-8"
assert_contains "$T/err" "try --encoding" "the reject suggests --encoding"

# A contact's fields as canonical JSON (sorted keys, non-ASCII kept), without its id.
fields_of() {
    segrt export --db "$1" "$2" | python3 -c '
import json, sys
c = json.load(sys.stdin)["contact"]
c.pop("id")
print(json.dumps(c, sort_keys=True, ensure_ascii=False))'
}

# The id --id-from email gives an address: "e:" + hex XXH64 (seed 0) of the
# trimmed, lower-cased address (tests/oracle/xxh64.py: independent of libxxhash).
ORACLE=$_repo/tests/oracle # lib.sh: the repository
id_of_email() {
    python3 -c '
import sys
sys.path.insert(0, sys.argv[2])
from xxh64 import xxh64
print("e:%016x" % xxh64(sys.argv[1].strip().lower().encode()))' "$1" "$ORACLE"
}

# --- part 2: a Mailchimp audience export: quoted headers with spaces,
# mapped with --map, no id column (--id-from email).
MC_MAP="Email Address=email,First Name=first_name,Last Name=last_name,MEMBER_RATING=member_rating"
MC_MAP+=",OPTIN_TIME=optin_time,OPTIN_IP=optin_ip,CONFIRM_TIME=confirm_time,LATITUDE=lat"
MC_MAP+=",LONGITUDE=lon,CC=country,TAGS=mc_tags"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv"
assert_rc 1 "a Mailchimp export without --map"
assert_contains "$T/err" "mailchimp_audience.csv:1: column 'Email Address' is not a valid field name" \
    "the unmapped header names the column"
assert_contains "$T/err" "--map \"Email Address=NAME\"" "and suggests --map"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --map "$MC_MAP"
assert_rc 1 "a Mailchimp export without an id column"
assert_contains "$T/err" "missing column 'id'" "id is needed without --id-from"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --map "$MC_MAP" --id-from email
assert_rc 0 "Mailchimp with --map and --id-from email"
assert_contains "$T/out" "3 rows, 3 kept (3 new), 0 rejected" "Mailchimp summary"
assert_contains "$T/err" "note: new column 'member_rating' typed integer" "inference told: integer"
assert_contains "$T/err" "note: new column 'optin_time' typed timestamp" "inference told: timestamp"
assert_contains "$T/err" "note: new column 'optin_ip' typed string" "inference told: string"
assert_not_contains "$T/err" "optin_ip' typed string, but" "an IP address is no local date"
ana=$(id_of_email "Ana.Pop@Example.RO")
jan=$(id_of_email "jan.kowalski@example.pl")
ivan=$(id_of_email "ivan@example.bg")
assert_eq "$(fields_of "$T/mc" "$ana")" '{"confirm_time": "2023-04-12T09:16:02Z", "country": "RO", "email": "Ana.Pop@Example.RO", "first_name": "Ana", "last_name": "Pop", "lat": 44.4268, "lon": 26.1025, "mc_tags": "\"VIP\",\"Newsletter\"", "member_rating": 4, "optin_time": "2023-04-12T09:15:33Z"}' "Mailchimp contact Ana"
assert_eq "$(fields_of "$T/mc" "$jan")" '{"confirm_time": "2024-01-05T18:01:10Z", "country": "PL", "email": "jan.kowalski@example.pl", "first_name": "Jan", "last_name": "Kowalski", "lat": 52.2297, "lon": 21.0122, "member_rating": 2, "optin_ip": "203.0.113.7", "optin_time": "2024-01-05T18:00:00Z"}' "Mailchimp contact Jan"
assert_eq "$(fields_of "$T/mc" "$ivan")" '{"confirm_time": "2025-07-31T00:00:30Z", "country": "BG", "email": "ivan@example.bg", "first_name": "Иван", "last_name": "Петров", "lat": 42.6977, "lon": 23.3219, "mc_tags": "\"Newsletter\"", "member_rating": 5, "optin_time": "2025-07-30T23:59:59Z"}' "Mailchimp contact Ivan (address trimmed)"
# Re-importing upserts the same contacts: an address written differently is the same id.
printf '"Email Address","MEMBER_RATING"\n" ANA.POP@example.ro",1\n"new@example.ro",3\n' >"$T/mc2.csv"
run segrt import --db "$T/mc" --contacts "$T/mc2.csv" --map "Email Address=email,MEMBER_RATING=member_rating" --id-from email
assert_rc 0 "a second Mailchimp export"
assert_contains "$T/out" "2 rows, 2 kept (1 new), 0 rejected" "the known address upserts"
assert_eq "$(field_of "$T/mc" "$ana" member_rating)" "1" "the re-import updated Ana"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --map "$MC_MAP" --id-from email
assert_contains "$T/out" "3 rows, 3 kept (0 new), 0 rejected" "the same export again adds nobody"
assert_eq "$(segrt stats --db "$T/mc" | grep '^contacts ')" "contacts 4" "four contacts in all"
# Mailchimp's TAGS ("VIP","Newsletter": quoted items, commas) into the tags set.
MC_TAGS_MAP="Email Address=email,First Name=first_name,TAGS=tags,Last Name=last_name"
MC_TAGS_MAP+=",MEMBER_RATING=member_rating,OPTIN_TIME=optin_time,OPTIN_IP=optin_ip"
MC_TAGS_MAP+=",CONFIRM_TIME=confirm_time,LATITUDE=lat,LONGITUDE=lon,CC=country"
run segrt import --db "$T/mct" --contacts "$F/mailchimp_audience.csv" --map "$MC_TAGS_MAP" --id-from email
assert_rc 0 "Mailchimp TAGS into tags"
assert_eq "$(field_of "$T/mct" "$ana" tags)" '["VIP", "Newsletter"]' "Ana's tags are a set of two"
assert_eq "$(field_of "$T/mct" "$ivan" tags)" '["Newsletter"]' "Ivan's tag"
printf '"Email Address","TAGS"\n"a@example.ro","""VIP"",""New"\n"b@example.ro","""A;B"""\n"c@example.ro","""VIP""x"\n' \
    >"$T/mc_tags_bad.csv"
run segrt import --db "$T/mct" --contacts "$T/mc_tags_bad.csv" --map "Email Address=email,TAGS=tags" --id-from email
assert_contains "$T/err" "mc_tags_bad.csv:2: tags: a list of quoted items" "an unclosed item is refused"
assert_contains "$T/err" "mc_tags_bad.csv:3: tags item 'A;B' holds a quote or ';'" "an item with ';'"
assert_contains "$T/err" "mc_tags_bad.csv:4: tags item 'VIP' holds a quote or ';'" "text after an item"
assert_contains "$T/out" "3 rows, 0 kept" "no bad list is half kept"
# Events and consent records from a tool that knows contacts by e-mail only:
# --id-from email makes contact_id the same way; the address is not kept
# on the event.
printf 'email,ts,type,amount\n"ANA.POP@example.ro ",2026-01-02T10:00:00Z,purchase,12.50\n' >"$T/mc_ev.csv"
run segrt import --db "$T/mc" --events "$T/mc_ev.csv" --id-from email
assert_rc 0 "events with --id-from email$(last_output)"
printf 'email,purpose,status,legal_basis,ts\nana.pop@example.ro,email_marketing,granted,consent,2026-01-01T00:00:00Z\n' \
    >"$T/mc_cs.csv"
run segrt import --db "$T/mc" --consents "$T/mc_cs.csv" --id-from email
assert_rc 0 "consent records with --id-from email$(last_output)"
segrt export --db "$T/mc" "$ana" | python3 -c '
import json, sys
e = json.load(sys.stdin)
assert [(x["type"], x["amount"]) for x in e["events"]] == [("purchase", 12.5)], e["events"]
assert "email" not in e["events"][0], e["events"][0]
assert [c["purpose"] for c in e["consents"]] == ["email_marketing"], e["consents"]' ||
    fail "the event and the consent record are not Ana's"
ok
printf 'contact_id,email,ts,type\nx,a@example.ro,2026-01-02T10:00:00Z,login\n' >"$T/both_ev.csv"
run segrt import --db "$T/mc" --events "$T/both_ev.csv" --id-from email
assert_rc 1 "--id-from email on events with a contact_id column"
assert_contains "$T/err" "both_ev.csv:1: the file has a contact_id column" "says why"
# A row without an address is rejected at its line; the id column may not be doubled.
printf '"Email Address","First Name"\n"",Nobody\n"x@example.ro",X\n' >"$T/mc3.csv"
run segrt import --db "$T/mc" --contacts "$T/mc3.csv" --map "Email Address=email,First Name=first_name" --id-from email
assert_contains "$T/err" "mc3.csv:2: email is missing (--id-from email" "a row without an address"
assert_contains "$T/out" "2 rows, 1 kept (1 new), 1 rejected" "the other row is kept"
run segrt import --db "$T/mc" --contacts "$F/crlf_quoted_semicolon.csv" --id-from email
assert_rc 1 "--id-from email on a file with an id column"
assert_contains "$T/err" "crlf_quoted_semicolon.csv:1: the file has an id column" "says why"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --map "$MC_MAP,E-mail=email2" --id-from email
assert_rc 1 "--map with a source the header lacks"
assert_contains "$T/err" "--map names a column 'E-mail' the header does not have" "names it"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --map "Email Address"
assert_rc 2 "--map without '='"
assert_contains "$T/err" "--map 'Email Address' is not SOURCE COLUMN=field" "usage error names the pair"
run segrt import --db "$T/mc" --contacts "$F/mailchimp_audience.csv" --id-from phone
assert_rc 2 "--id-from phone"

# --- part 2: a HubSpot contacts export (CRLF, quoted headers, Record ID as the id).
HS_MAP="Record ID=id,First Name=first_name,Last Name=last_name,Email=email,Phone Number=phone"
HS_MAP+=",Create Date=created_at,Lifecycle Stage=lifecycle_stage"
HS_MAP+=",Last Activity Date=last_activity,Annual Revenue=annual_revenue"
run segrt import --db "$T/hs" --contacts "$F/hubspot_contacts.csv" --map "$HS_MAP"
assert_rc 0 "HubSpot with --map"
assert_contains "$T/out" "3 rows, 3 kept (3 new), 0 rejected" "HubSpot summary"
assert_contains "$T/err" "note: new column 'last_activity' typed timestamp" "offsets infer a timestamp"
assert_contains "$T/err" "note: new column 'annual_revenue' typed number" "revenue is a number"
assert_eq "$(fields_of "$T/hs" 101)" '{"annual_revenue": 12500.5, "created_at": "2024-02-01T10:05:00Z", "email": "maria@example.ro", "first_name": "Maria", "last_activity": "2026-11-02T08:00:00Z", "last_name": "Ionescu", "lifecycle_stage": "lead", "phone": "+40 721 000 111"}' "HubSpot contact 101"
assert_eq "$(fields_of "$T/hs" 102)" '{"annual_revenue": 980, "created_at": "2023-12-31T23:30:00Z", "email": "piotr@example.pl", "first_name": "Piotr", "last_activity": "2026-03-29T03:30:00Z", "last_name": "Nowak", "lifecycle_stage": "customer"}' "HubSpot contact 102"
assert_eq "$(fields_of "$T/hs" 103)" '{"created_at": "2025-05-05T08:00:00Z", "email": "elena@example.bg", "first_name": "Elena", "last_activity": "2026-06-01T16:00:00Z", "last_name": "Georgieva", "lifecycle_stage": "subscriber"}' "HubSpot contact 103"

# The events of a contact as "ts type amount" lines.
events_of() {
    segrt export --db "$1" "$2" | python3 -c '
import json, sys
for e in json.load(sys.stdin)["events"]:
    print(e["ts"], e["type"], e.get("amount"))'
}

# --- parts 1 and 3: an Excel (Romania/Poland) export: cp1250, ';', CRLF,
# DD.MM.YYYY dates, decimal commas with ' ' and '.' grouping, local times.
# (cp1250 has ş and ţ with a cedilla, which Excel writes for ș and ț.)
EXCEL=(--encoding cp1250 --date-format %d.%m.%Y --timestamp-format "%d.%m.%Y %H:%M"
       --tz Europe/Bucharest --decimal ,)
# Without the format flags nothing is silently stored as text: the rows are
# refused naming the flag, and the new columns' notes name theirs.
run segrt import --db "$T/x0" --contacts "$F/excel_ro_pl_cp1250.csv" --encoding cp1250
assert_contains "$T/out" "3 rows, 0 kept (0 new), 3 rejected" "local dates refused without flags"
assert_contains "$T/err" "excel_ro_pl_cp1250.csv:2: birth_date '15.06.1984' is not a date: it looks local, give --date-format" \
    "the reject names --date-format"
assert_contains "$T/err" "new column 'balance' typed string, but its values look local" "balance noted"
assert_contains "$T/err" "give --decimal ," "the note names --decimal"
assert_contains "$T/err" "new column 'joined' typed string, but its values look local" "joined noted"
assert_contains "$T/err" "give --timestamp-format" "the note names --timestamp-format"
run segrt import --db "$T/x" --contacts "$F/excel_ro_pl_cp1250.csv" "${EXCEL[@]}"
assert_rc 0 "the Excel export with its flags"
assert_contains "$T/out" "3 rows, 3 kept (3 new), 0 rejected" "Excel summary"
assert_contains "$T/err" "new column 'balance' typed number" "balance inferred a number"
assert_contains "$T/err" "new column 'joined' typed timestamp" "joined inferred a timestamp"
# 02.11.2026 10:00 is EET (+2); 29.03.2026 04:30 is EEST (+3), after the
# spring change; 25.10.2026 03:30 happens twice: the earlier (EEST) instant.
assert_eq "$(fields_of "$T/x" ro1)" '{"balance": 1234.56, "birth_date": "1984-06-15", "city": "Braşov", "first_name": "Ştefan", "joined": "2026-11-02T08:00:00Z", "last_name": "Ţăranu"}' "Excel contact ro1"
assert_eq "$(fields_of "$T/x" pl1)" '{"balance": 1234567.8, "birth_date": "1990-02-01", "city": "Łódź", "first_name": "Łukasz", "joined": "2026-03-29T01:30:00Z", "last_name": "Żółkiewski"}' "Excel contact pl1"
assert_eq "$(fields_of "$T/x" ro2)" '{"balance": -0.5, "birth_date": "2000-02-28", "city": "Cluj\r\nNapoca", "first_name": "Ana;Maria", "joined": "2026-10-25T00:30:00Z", "last_name": "Popescu"}' "Excel contact ro2"
# Its events in Warsaw time: a time in the spring gap and 31 February are
# refused at file:line; the autumn's repeated hour is read as summer time.
# The refund's negative amount needs a declared rule (the built-in one refuses it).
cp -r "$T/x" "$T/xr"
run segrt import --db "$T/xr" --events "$F/excel_events_pl.csv" --timestamp-format "%d.%m.%Y %H:%M" \
    --tz Europe/Warsaw --decimal ,
assert_contains "$T/err" "excel_events_pl.csv:4: amount '-1000' is negative (built-in rule: not negative" \
    "a negative amount without a declared rule"
echo 'local seg = require "segrt"; seg.field "amount" { min = -100000 }' >"$T/refunds.lua"
run segrt import --db "$T/x" --events "$F/excel_events_pl.csv" --timestamp-format "%d.%m.%Y %H:%M" \
    --tz Europe/Warsaw --decimal , --schema "$T/refunds.lua"
assert_rc 0 "the Excel events"
assert_contains "$T/out" "6 rows, 4 kept (4 new), 2 rejected" "Excel events summary"
assert_contains "$T/err" "excel_events_pl.csv:5: ts '29.03.2026 02:30' is not a timestamp" "the DST gap refused"
assert_contains "$T/err" "excel_events_pl.csv:6: ts '31.02.2026 10:00' is not a timestamp" "31 February refused"
assert_eq "$(events_of "$T/x" ro1)" "2026-03-29T00:30:00Z purchase 1234.56
2026-03-29T01:30:00Z purchase 0.99" "Warsaw before and after the spring change"
assert_eq "$(events_of "$T/x" pl1)" "2026-10-25T00:30:00Z refund -1000" "the repeated autumn hour, '.' grouping"
assert_eq "$(events_of "$T/x" ro2)" "2026-03-01T09:00:00Z purchase 1.234" "a decimal comma without grouping"
# A number that does not read with --decimal , is refused naming the flag.
printf 'id;balance\r\nn1;1.5\r\n' >"$T/dec.csv"
run segrt import --db "$T/x" --contacts "$T/dec.csv" --decimal ,
assert_contains "$T/err" "dec.csv:2: balance '1.5' is not a number (--decimal ,: e.g. 1 234,56)" \
    "an ungrouped '.' under --decimal ,"
run segrt import --db "$T/x" --contacts "$T/dec.csv" --tz Mars/Olympus
assert_rc 2 "an unknown zone"
assert_contains "$T/err" "--tz 'Mars/Olympus' is not a time zone" "the usage error names the zone"

# --- part 3: ISO 8601 timestamps with offsets, 'Z', a space, no seconds, a
# fraction; without offset UTC, or --tz; a bad hour refused at file:line.
run segrt import --db "$T/ts" --contacts "$F/timestamps_offsets.csv"
assert_contains "$T/out" "4 rows, 3 kept (3 new), 1 rejected" "timestamps summary"
assert_contains "$T/err" "timestamps_offsets.csv:5: last_contacted_at '2026-11-02 25:00' is not a timestamp" \
    "an hour 25 refused"
assert_eq "$(fields_of "$T/ts" z1)" '{"created_at": "2026-11-02T10:00:00Z", "last_contacted_at": "2026-11-02T08:00:00Z"}' "offset +02:00; a space, UTC"
assert_eq "$(fields_of "$T/ts" z2)" '{"created_at": "2026-11-02T10:00:00Z", "last_contacted_at": "2026-11-02T08:00:00Z"}' "Z; no seconds"
assert_eq "$(fields_of "$T/ts" z3)" '{"created_at": "2026-03-29T01:30:00Z", "last_contacted_at": "2026-03-29T01:30:00Z"}' "a fraction and +0000"
run segrt import --db "$T/ts2" --contacts "$F/timestamps_offsets.csv" --tz Europe/Warsaw
assert_eq "$(fields_of "$T/ts2" z1)" '{"created_at": "2026-11-02T09:00:00Z", "last_contacted_at": "2026-11-02T08:00:00Z"}' "--tz places only times without an offset"
assert_eq "$(fields_of "$T/ts2" z3)" '{"created_at": "2026-03-29T00:30:00Z", "last_contacted_at": "2026-03-29T01:30:00Z"}' "--tz before the spring change"

# --- JSON lines: text values read with the same flags; JSON numbers stay as written.
printf '{"id":"j1","lat":12.5,"income":"1 234","created_at":"2026-11-02 10:00"}\n{"id":"j2","lat":"1,5"}\n' >"$T/j.jsonl"
run segrt import --db "$T/j0" --contacts "$T/j.jsonl"
assert_contains "$T/err" "j.jsonl:1: income '1 234' is not an integer: it looks local, give --decimal ," \
    "a grouped integer names --decimal"
assert_contains "$T/err" "j.jsonl:2: lat '1,5' is not a number: it looks local, give --decimal ," \
    "a decimal comma names --decimal"
run segrt import --db "$T/j" --contacts "$T/j.jsonl" --decimal , --tz Europe/Warsaw
assert_contains "$T/out" "2 rows, 2 kept (2 new), 0 rejected" "JSON lines with --decimal , and --tz"
assert_eq "$(fields_of "$T/j" j1)" '{"created_at": "2026-11-02T09:00:00Z", "income": 1234, "lat": 12.5}' "JSON number kept, text read locally"
assert_eq "$(fields_of "$T/j" j2)" '{"lat": 1.5}' "a decimal comma in JSON text"

# --- Excel's "Unicode text": UTF-16 with a byte order mark, tab-delimited (sniffed).
run segrt import --db "$T/u16" --contacts "$F/excel_unicode_text_utf16.txt" --encoding UTF-16
assert_contains "$T/out" "1 rows, 1 kept (1 new), 0 rejected" "UTF-16 tab-delimited text"
assert_eq "$(fields_of "$T/u16" u1)" '{"city": "Iaşi", "first_name": "Łucja"}' "UTF-16 values"
finish
