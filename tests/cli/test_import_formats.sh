#!/usr/bin/env bash
# test_import_formats.sh — what segrt import accepts, on tiny hand-written
# fixtures (tests/fixtures/): RFC 4180 CSV with LF or CRLF records, quoted
# fields with commas, quotes and line breaks, a UTF-8 byte order mark, custom
# columns whose types are inferred or declared with --field, JSON Lines with
# arrays and nulls, the 64 KiB value limit, and upserts that change one field
# or clear one with an empty cell.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

F=$FIXTURES

# The contact fields of an export as canonical JSON: sorted keys, set items
# sorted (their order is not part of the contract), non-ASCII kept.
contact_of() {
    segrt export --db "$1" "$2" | python3 -c '
import json, sys
c = json.load(sys.stdin)["contact"]
c = {k: sorted(v) if isinstance(v, list) else v for k, v in c.items()}
print(json.dumps(c, sort_keys=True, ensure_ascii=False))'
}

# The rejects file as "basename:line reason" lines.
rejects_of() {
    python3 -c '
import csv, os, sys
for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
    print("%s:%s %s" % (os.path.basename(r["file"]), r["line"], r["reason"]))' "$1"
}

# --- CSV with LF and with CRLF record terminators: quoted commas, doubled
# quotes, line breaks inside quoted fields (which make a record span several
# physical lines), a bad row after multi-line records and a bad multi-line
# record: rejects name the physical line where the record starts.
for nl in lf crlf; do
    run segrt import --db "$T/$nl" --contacts "$F/formats_$nl.csv" --rejects "$T/rej_$nl.csv"
    assert_rc 0 "import of formats_$nl.csv"
    assert_contains "$T/out" "formats_$nl.csv: 7 rows, 5 kept (5 new), 2 rejected" \
        "summary of formats_$nl.csv"
    rejects_of "$T/rej_$nl.csv" >"$T/rej_$nl.txt"
    assert_eq "$(cut -d' ' -f1 "$T/rej_$nl.txt" | tr '\n' ' ')" \
        "formats_$nl.csv:8 formats_$nl.csv:10 " "reject lines of formats_$nl.csv"
    assert_contains "$T/rej_$nl.txt" "formats_$nl.csv:8 birth_date '1990-02-30' is not a date" \
        "reject reason of line 8 ($nl)"
    assert_contains "$T/rej_$nl.txt" "formats_$nl.csv:10 birth_date '13/01/1999' is not a date" \
        "reject reason of the multi-line record at line 10 ($nl)"
    assert_eq "$(contact_of "$T/$nl" f1)" \
        '{"birth_date": "1990-01-01", "email": "f1@example.com", "first_name": "Ana", "id": "f1", "note": "hello, world"}' \
        "f1: quoted comma ($nl)"
    assert_eq "$(contact_of "$T/$nl" f2)" \
        '{"birth_date": "1985-02-03", "email": "f2@example.com", "first_name": "Ion \"the great\"", "id": "f2", "note": "line one\nline two"}' \
        "f2: doubled quotes and a line break ($nl)"
    assert_eq "$(contact_of "$T/$nl" f3)" \
        '{"birth_date": "1980-12-31", "email": "f3@example.com", "first_name": "Eva", "id": "f3", "note": "a\nb\nc"}' \
        "f3: two line breaks ($nl)"
    assert_eq "$(contact_of "$T/$nl" f5)" \
        '{"birth_date": "1979-07-07", "email": "f5@example.com", "first_name": "Ola", "id": "f5", "note": "ends with comma,"}' \
        "f5: the record after two multi-line records and a reject ($nl)"
    assert_eq "$(contact_of "$T/$nl" f7)" \
        '{"first_name": "Ümit", "id": "f7", "note": "quote \" and, comma"}' \
        "f7: empty cells are missing, UTF-8 kept ($nl)"
    for id in f4 f6; do
        run segrt show --db "$T/$nl" "$id"
        assert_rc 1 "rejected contact $id is not in the store ($nl)"
    done
done

# --- A UTF-8 byte order mark before the header is not part of the first
# column's name.
run segrt import --db "$T/bom" --contacts "$F/bom.csv"
assert_rc 0 "import of a CSV with a byte order mark"
assert_eq "$(contact_of "$T/bom" b1)" '{"email": "b1@example.com", "first_name": "Bo", "id": "b1"}' \
    "contact of the file with a BOM"

# --- Custom columns: the type is inferred from the values (integer, number,
# date, boolean, set with ';', string, timestamp) and shows in the JSON types;
# empty cells are missing.
C=$T/custom
run segrt import --db "$C" --contacts "$F/custom_types.csv"
assert_rc 0 "import of custom columns"
assert_eq "$(contact_of "$C" t1)" \
    '{"hobbies": ["chess", "go"], "id": "t1", "last_seen": "2024-01-02T03:04:05Z", "mixed_num": 1, "nickname": "Bobby", "ratio": 1.5, "signup_day": "2024-01-02", "vip": true, "visits": 3}' \
    "t1: inferred types"
assert_eq "$(contact_of "$C" t2)" \
    '{"hobbies": ["go"], "id": "t2", "last_seen": "2024-05-06T07:08:09Z", "mixed_num": 2.25, "nickname": "Al", "ratio": 2, "signup_day": "2023-12-31", "vip": false, "visits": 10}' \
    "t2: inferred types"
assert_eq "$(contact_of "$C" t3)" '{"id": "t3", "ratio": 0.125, "vip": true}' \
    "t3: missing values and 'yes' as a boolean"
# Type agreement: a later file must fit the inferred type.
printf 'id,visits\nt4,many\n' >"$T/visits_bad.csv"
run segrt import --db "$C" --contacts "$T/visits_bad.csv"
assert_rc 3 "import of a value that does not fit the inferred type (0 kept: exit 3)"
assert_contains "$T/err" "visits 'many' is not an integer" "reject of a value of the wrong type"

# --- --field NAME:TYPE declares a type instead of inferring it: a zip code
# keeps its leading zero as a string, 1/0 become booleans.
run segrt import --db "$T/inferred" --contacts "$F/declared.csv"
assert_rc 0 "import of declared.csv without --field"
assert_eq "$(contact_of "$T/inferred" d1)" '{"code": 7, "flag": 1, "id": "d1", "zip": 1234}' \
    "declared.csv, inferred types"
run segrt import --db "$T/declared" --field zip:string --field code:string --field flag:boolean \
    --contacts "$F/declared.csv"
assert_rc 0 "import of declared.csv with --field"
assert_eq "$(contact_of "$T/declared" d1)" '{"code": "7", "flag": true, "id": "d1", "zip": "01234"}' \
    "d1 with declared types"
assert_eq "$(contact_of "$T/declared" d2)" '{"code": "8", "flag": false, "id": "d2", "zip": "98765"}' \
    "d2 with declared types"
# Declaring the same type again is fine; another type is refused.
run segrt import --db "$T/declared" --field zip:string --contacts "$F/declared.csv"
assert_rc 0 "re-declaring a field with its type"
run segrt import --db "$T/declared" --field zip:integer --contacts "$F/declared.csv"
assert_rc 1 "re-declaring a field with another type"
assert_contains "$T/err" "zip" "type conflict message names the field"
run segrt import --db "$T/declared" --field zip:money --contacts "$F/declared.csv"
[ "$RC" -ne 0 ] || fail "--field with an unknown type succeeded"
ok
assert_contains "$T/err" "zip:money" "unknown type message names the declaration"

# --- JSON Lines: arrays for sets, null or an absent key for missing, numbers
# and booleans; blank lines skipped; bad lines rejected with their line.
J=$T/jsonl
run segrt import --db "$J" --contacts "$F/contacts.jsonl" --events "$F/events.jsonl" \
    --rejects "$T/rej_jsonl.csv"
assert_rc 0 "import of JSONL contacts and events"
assert_contains "$T/out" "contacts.jsonl: 5 rows, 3 kept (3 new), 2 rejected" "JSONL contacts summary"
rejects_of "$T/rej_jsonl.csv" >"$T/rej_jsonl.txt"
assert_eq "$(cut -d' ' -f1 "$T/rej_jsonl.txt" | tr '\n' ' ')" "contacts.jsonl:5 contacts.jsonl:6 " \
    "JSONL reject lines (after a blank line)"
assert_contains "$T/rej_jsonl.txt" "contacts.jsonl:5 not valid JSON" "JSONL syntax error reason"
assert_contains "$T/rej_jsonl.txt" "contacts.jsonl:6 income 'lots' is not an integer" \
    "JSONL type error reason"
assert_eq "$(contact_of "$J" j1)" \
    '{"email": "j1@example.com", "id": "j1", "income": 42000, "interests": ["coffee", "yoga"], "pets": ["cat", "dog"], "score": 7}' \
    "j1: arrays as sets, null as missing, an empty array as no value"
assert_eq "$(contact_of "$J" j2)" \
    '{"active": true, "birth_date": "1990-05-06", "first_name": "Zoë", "id": "j2", "lat": 52.5}' \
    "j2: nulls missing, a boolean and a number"
assert_eq "$(contact_of "$J" j3)" '{"first_name": "Ana", "id": "j3", "pets": ["fish"]}' \
    "j3: a string for a set field is a one-item set"
got=$(segrt export --db "$J" j1 | python3 -c '
import json, sys
e = json.load(sys.stdin)["events"]
print(len(e), e[0]["ts"], e[0]["type"], e[0]["amount"], e[0]["category"], e[0]["channel"], e[0].get("sku"), "qty" in e[0])')
assert_eq "$got" "1 2025-02-03T04:05:06Z purchase 12.5 coffee_beans web A-1 True" \
    "JSONL event with extra attributes"
got=$(segrt export --db "$J" j2 | python3 -c '
import json, sys
e = json.load(sys.stdin)["events"]
print(len(e), e[0]["type"], "amount" in e[0])')
assert_eq "$got" "1 login False" "JSONL event with a null amount"
# The same JSONL with CRLF line ends imports the same.
sed 's/$/\r/' "$F/contacts.jsonl" >"$T/contacts_crlf.jsonl"
run segrt import --db "$T/jsonl_crlf" --contacts "$T/contacts_crlf.jsonl"
assert_rc 0 "import of JSONL with CRLF"
assert_contains "$T/out" "contacts_crlf.jsonl: 5 rows, 3 kept (3 new), 2 rejected" \
    "JSONL with CRLF summary"
for id in j1 j2 j3; do
    assert_eq "$(contact_of "$T/jsonl_crlf" "$id")" "$(contact_of "$J" "$id")" "$id from JSONL with CRLF"
done

# --- Values longer than 64 KiB are rejected (CSV and JSONL); exactly 64 KiB
# is accepted.
python3 - "$T" <<'PY'
import json, os, sys
t = sys.argv[1]
with open(os.path.join(t, 'long.csv'), 'w') as f:
    f.write('id,note\nL1,%s\nL2,%s\nL3,"%s"\nL4,short\n' % ('x' * 65536, 'y' * 65537, 'z' * 70000))
with open(os.path.join(t, 'long.jsonl'), 'w') as f:
    f.write(json.dumps({'id': 'M1', 'note': 'x' * 65536}) + '\n')
    f.write(json.dumps({'id': 'M2', 'note': 'y' * 65537}) + '\n')
    f.write(json.dumps({'id': 'M3', 'note': 'short'}) + '\n')
PY
run segrt import --db "$T/long" --contacts "$T/long.csv" --rejects "$T/rej_long.csv"
assert_rc 0 "import of long CSV values"
rejects_of "$T/rej_long.csv" >"$T/rej_long.txt"
assert_eq "$(cut -d' ' -f1 "$T/rej_long.txt" | tr '\n' ' ')" "long.csv:3 long.csv:4 " \
    "CSV values over 64 KiB rejected"
assert_contains "$T/rej_long.txt" "long.csv:3 note is longer than 65536 bytes" "CSV reason"
assert_eq "$(segrt export --db "$T/long" L1 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["contact"]["note"]))')" \
    65536 "a CSV value of exactly 64 KiB is kept whole"
run segrt show --db "$T/long" L4
assert_rc 0 "the row after the long values is kept"
run segrt import --db "$T/longj" --contacts "$T/long.jsonl" --rejects "$T/rej_longj.csv"
assert_rc 0 "import of long JSONL values"
rejects_of "$T/rej_longj.csv" >"$T/rej_longj.txt"
assert_eq "$(cut -d' ' -f1 "$T/rej_longj.txt" | tr '\n' ' ')" "long.jsonl:2 " \
    "JSONL value over 64 KiB rejected"
assert_contains "$T/rej_longj.txt" "longer than 65536 bytes" "JSONL reason"
assert_eq "$(segrt stats --db "$T/longj" | stat_of /dev/stdin contacts)" 2 "JSONL long values: contacts"

# --- Upserts: a second import with some columns changes only those; with
# --blank clear an empty cell clears a field (strings, dates, integers, sets);
# the e-mail stays. (Blank cells keep values by default: test_import_upserts.sh.)
S=$T/lf
run segrt import --db "$S" --contacts "$F/update_first_name.csv"
assert_rc 0 "update of one field"
assert_contains "$T/out" "update_first_name.csv: 1 rows, 1 kept (0 new), 0 rejected" \
    "an update adds no contact"
assert_eq "$(contact_of "$S" f1)" \
    '{"birth_date": "1990-01-01", "email": "f1@example.com", "first_name": "Anna", "id": "f1", "note": "hello, world"}' \
    "f1 after changing first_name"
run segrt import --db "$S" --contacts "$F/update_clear.csv" --blank clear
assert_rc 0 "update clearing fields"
assert_eq "$(contact_of "$S" f2)" \
    '{"email": "f2@example.com", "first_name": "Ion \"the great\"", "id": "f2"}' \
    "f2 after clearing note and birth_date"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin contacts)" 5 "contacts after the updates"
run segrt import --db "$C" --contacts "$F/update_custom.csv" --blank clear
assert_rc 0 "update clearing custom fields"
assert_eq "$(contact_of "$C" t1)" \
    '{"id": "t1", "last_seen": "2024-01-02T03:04:05Z", "mixed_num": 1, "nickname": "Bobby", "ratio": 1.5, "signup_day": "2024-01-02", "vip": false}' \
    "t1 after clearing a set and an integer and changing a boolean"
for s in "$S" "$C"; do
    run segrt check --db "$s"
    assert_eq "$(cat "$T/out")" ok "segrt check after the updates ($(basename "$s"))"
done

# --- JSONL upserts: a JSONL file naming fields the store already has updates
# them like CSV does (null clears a field, other fields keep their values);
# --field works with JSONL too.
run segrt import --db "$J" --contacts "$F/update_j1.jsonl"
assert_rc 0 "JSONL update of an existing contact"
assert_eq "$(contact_of "$J" j1)" \
    '{"email": "j1@example.com", "id": "j1", "interests": ["coffee", "yoga"], "pets": ["bird"], "score": 8}' \
    "j1 after a JSONL update (income cleared by null)"
run segrt import --db "$T/jsonl_declared" --field score:number --contacts "$F/update_j1.jsonl"
assert_rc 0 "JSONL import of a field declared with --field"
assert_eq "$(contact_of "$T/jsonl_declared" j1)" '{"id": "j1", "pets": ["bird"], "score": 8}' \
    "j1 with a declared field from JSONL"

finish
