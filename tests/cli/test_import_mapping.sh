#!/usr/bin/env bash
# test_import_mapping.sh — segrt import --mapping FILE.lua (issue 15, part 2):
#
#  1. examples/hubspot_mapping.lua on the HubSpot fixture: every value as the
#     mapping made it, ids equal to --id-from email's, a skipped row counted.
#  2. Events through a mapping: a full name split, a nested attribute built,
#     usable in a segment.
#  3. Errors: a Lua error rejects its row at the CSV line with the mapping's
#     file:line; a mapping that does not load is refused with file:line
#     (exit 1, nothing imported); --id-from with --mapping is a usage error;
#     a missing mapping file is named.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

F=$FIXTURES
SRC=$(cd "$_lib_dir/../.." && pwd)
NOW=2026-12-01T00:00:00Z
contact_of() {
    segrt export --db "$1" --now "$NOW" "$2" |
        python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["contact"], sort_keys=True))'
}

# ===================================================================== 1. HubSpot
run segrt import --db "$T/m" --contacts "$F/hubspot_contacts.csv" \
    --mapping "$SRC/examples/hubspot_mapping.lua"
assert_rc 0 "the example mapping$(last_output)"
rows=$(($(wc -l <"$F/hubspot_contacts.csv") - 1))
assert_contains "$T/out" "$rows rows, $rows kept" "every row kept"
run segrt import --db "$T/i" --contacts "$F/hubspot_contacts.csv" --id-from email \
    --map "Email=email,First Name=first_name,Last Name=last_name,Phone Number=phone,Lifecycle Stage=status,Create Date=created_at,Annual Revenue=revenue,Record ID=record_id,Last Activity Date=last_activity"
assert_rc 0 "the same file with --id-from$(last_output)"
ids() { segrt members --db "$1" --format csv --no-purpose \
    <(echo 'local seg = require "segrt"; seg.segment "all" { where = seg.F.email:present() }') all |
    cut -d, -f1; }
assert_eq "$(ids "$T/m")" "$(ids "$T/i")" "the mapping's ids are --id-from email's"
maria=$(segrt members --db "$T/m" --format csv --no-purpose --fields id,email \
    <(echo 'local seg = require "segrt"; seg.segment "all" { where = seg.F.email:present() }') all |
    grep maria@ | cut -d, -f1)
assert_eq "$(contact_of "$T/m" "$maria")" \
    "{\"created_at\": \"2024-02-01T10:05:00Z\", \"email\": \"maria@example.ro\", \"first_name\": \"Maria\", \"id\": \"$maria\", \"last_name\": \"Ionescu\", \"phone\": \"+40 721 000 111\", \"revenue\": 12500.5, \"status\": \"lead\", \"tags\": [\"hubspot\"]}" \
    "the mapped contact"

# ===================================================================== 2. events
cat >"$T/c.csv" <<'CSV'
id,email
a1,a@x.com
a2,b@x.com
CSV
segrt import --db "$T/e" --contacts "$T/c.csv" >/dev/null
cat >"$T/opens.csv" <<'CSV'
Who;When;Campaign;Variant
a1;2026-02-01 10:00;Spring Sale;B
a2;2026-02-02 10:00;Spring Sale;A
a2;2026-02-03 10:00;;A
CSV
cat >"$T/opens.lua" <<'LUA'
return function(row)
  local campaign = row.Campaign and { name = row.Campaign, variant = row.Variant } or nil
  return { contact_id = row.Who, ts = row.When, type = "email_open", campaign = campaign }
end
LUA
run segrt import --db "$T/e" --events "$T/opens.csv" --mapping "$T/opens.lua"
assert_rc 0 "events through a mapping$(last_output)"
assert_contains "$T/out" "3 rows, 3 kept" "3 events"
cat >"$T/seg.lua" <<'LUA'
local seg = require "segrt"
seg.segment "b" { where = seg.E.email_open:where{ ["campaign.variant"] = "B" }:exists() }
LUA
assert_eq "$(segrt members --db "$T/e" --now "$NOW" "$T/seg.lua" b)" "a1" "a nested attribute the mapping built"

# ===================================================================== 3. errors
cat >"$T/bad_row.lua" <<'LUA'
return function(row)
  local first, last = row.Name:match("^(%S+) (.+)$")
  return { id = row.No, first_name = first:upper(), last_name = last }
end
LUA
printf 'No,Name\n1,Ana Pop\n2,Cher\n3,Jan Kos\n' >"$T/names.csv"
run segrt import --db "$T/n" --contacts "$T/names.csv" --mapping "$T/bad_row.lua"
assert_rc 0 "a bad row is rejected, the others kept"
assert_contains "$T/out" "3 rows, 2 kept (2 new), 1 rejected" "two kept$(last_output)"
assert_contains "$T/err" "names.csv:3: $T/bad_row.lua:3: attempt to index a nil value (local 'first')" \
    "the CSV line and the mapping's line"
printf 'return function(row)\n  return { id = row.No\nend\n' >"$T/syntax.lua"
run segrt import --db "$T/s" --contacts "$T/names.csv" --mapping "$T/syntax.lua"
assert_rc 1 "a mapping with a syntax error"
assert_contains "$T/err" "syntax.lua:3:" "its line is named"
[ ! -e "$T/s/data.mdb" ] || [ "$(segrt stats --db "$T/s" | stat_of /dev/stdin contacts)" = 0 ] ||
    fail "nothing is imported when the mapping does not load"
ok
run segrt import --db "$T/s" --contacts "$T/names.csv" --mapping "$T/syntax.lua" --id-from email
assert_rc 2 "--id-from with --mapping"
assert_contains "$T/err" "--id-from does not combine with --mapping" "the usage error says why"
run segrt import --db "$T/s" --contacts "$T/names.csv" --mapping "$T/none.lua"
assert_rc 1 "a missing mapping file"
assert_contains "$T/err" "none.lua: No such file or directory" "it is named"

finish
