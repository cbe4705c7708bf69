#!/usr/bin/env bash
# test_rectify.sh — segrt set / segrt unset (issue 16, part 3): values are
# type-checked as an import reads them, all or nothing, and each change is
# audited with the fields' names, never the values; unknown contacts and
# fields, empty values and malformed arguments are refused and change nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/db
NOW=2026-01-01T00:00:00Z
segrt demo --db "$S" --contacts 30 --now "$NOW" >/dev/null
contact_of() {
    segrt export --db "$S" --now "$NOW" "$1" |
        python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["contact"], sort_keys=True))'
}
field_of() {
    segrt export --db "$S" --now "$NOW" "$1" |
        python3 -c 'import json,sys
v = json.load(sys.stdin)["contact"].get(sys.argv[1])
print(sorted(v) if isinstance(v, list) else v)' "$2"
}

run segrt set --db "$S" --actor dpo c0000001 city=Cluj income=4200 birth_date=1990-02-03 "tags=vip;b2b"
assert_rc 0 "set three fields$(last_output)"
assert_eq "$(field_of c0000001 city)" "Cluj" "a string"
assert_eq "$(field_of c0000001 income)" "4200" "an integer"
assert_eq "$(field_of c0000001 birth_date)" "1990-02-03" "a date"
assert_eq "$(field_of c0000001 tags)" "['b2b', 'vip']" "a set"
run segrt audit --db "$S"
assert_contains "$T/out" "dpo	rectify	contact#0	set city, income, birth_date, tags" \
    "one audit entry names the fields"
assert_not_contains "$T/out" "Cluj" "never the values"
assert_not_contains "$T/out" "4200" "never the values"

run segrt unset --db "$S" --actor dpo c0000001 city tags
assert_rc 0 "unset two fields"
assert_eq "$(field_of c0000001 city)" "None" "city cleared"
assert_eq "$(field_of c0000001 tags)" "None" "tags cleared"
run segrt audit --db "$S"
assert_contains "$T/out" "dpo	rectify	contact#0	unset city, tags" "unset is audited"
run segrt audit --db "$S" --verify
assert_rc 0 "the chain holds"

before=$(contact_of c0000002)
n=$(segrt audit --db "$S" | grep -c rectify)
run segrt set --db "$S" c0000002 city=Iasi income=abc
assert_rc 1 "a value of the wrong type"
assert_contains "$T/err" "c0000002: income 'abc' is not an integer" "the message names it"
assert_eq "$(contact_of c0000002)" "$before" "all or nothing: city unchanged"
run segrt set --db "$S" c0000002 birth_date=2026-02-30
assert_rc 1 "an impossible date"
run segrt set --db "$S" c0000002 cty=Iasi
assert_rc 1 "an unknown field"
assert_contains "$T/err" "unknown field 'cty' (did you mean 'city'?)" "did you mean"
run segrt set --db "$S" nobody city=Iasi
assert_rc 1 "an unknown contact"
assert_contains "$T/err" "no contact with id 'nobody'" "nothing is created"
run segrt show --db "$S" nobody
assert_rc 1 "the unknown contact was not created"
run segrt set --db "$S" c0000002 city=
assert_rc 1 "an empty value"
assert_contains "$T/err" "to clear the field, unset it" "unset is suggested"
run segrt set --db "$S" c0000002 id=x
assert_rc 1 "the id"
run segrt set --db "$S" c0000002 city=A city=B
assert_rc 1 "a field twice"
run segrt set --db "$S" c0000002 city
assert_rc 2 "not FIELD=VALUE"
run segrt unset --db "$S" c0000002 city=Iasi
assert_rc 2 "unset takes names"
run segrt set --db "$S" c0000002
assert_rc 2 "no change given"
assert_eq "$(contact_of c0000002)" "$before" "nothing changed"
assert_eq "$(segrt audit --db "$S" | grep -c rectify)" "$n" "and nothing was audited"
finish
