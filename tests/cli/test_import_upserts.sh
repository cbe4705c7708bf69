#!/usr/bin/env bash
# test_import_upserts.sh — imports that never lose a value, and honest exit
# codes (issue 15, parts 4 and 6):
#
#  1. Contacts: a blank CSV cell keeps the stored value (--blank keep, the
#     default) or clears it (--blank clear); in JSONL a key left out keeps and
#     null clears; the e-mail a blank keeps still names its contact for the
#     duplicate notice. The same through segrt serve's POST /v1/contacts.
#  2. Events by multiplicity: identical rows of one file are distinct events;
#     the same file again adds nothing, in one batch or in many; a second file
#     with one more identical row adds that one; a file with fewer adds none.
#     A POST of an event already held adds nothing; a POST with one more adds it.
#  3. Exit status: 3 when a file with data rows kept none, or when rejects
#     exceed --max-rejects N or P%, with the reason on the summary line; 0
#     otherwise (a header-only file too); bad --max-rejects and --blank values
#     are usage errors.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$_lib_dir/serve_lib.sh"

NOW=2026-01-01T00:00:00Z

# contact_of DB ID — the contact's fields as sorted compact JSON.
contact_of() {
    segrt export --db "$1" --now "$NOW" "$2" |
        python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["contact"], sort_keys=True))'
}

# events_of DB ID — the contact's events, one "ts type amount" line each, in time order.
events_of() {
    segrt export --db "$1" --now "$NOW" "$2" |
        python3 -c 'import json,sys
for e in json.load(sys.stdin)["events"]:
    print(e["ts"], e["type"], e.get("amount"))'
}

# ===================================================================== 1. blank cells
S=$T/c
cat >"$T/full.csv" <<'CSV'
id,email,first_name,city,income,birth_date,tags
a1,ana@ex.ro,Ana,Iasi,4000,1990-01-02,x;y
b2,bob@ex.ro,Bob,Cluj,3000,1985-05-06,z
CSV
run segrt import --db "$S" --contacts "$T/full.csv"
assert_rc 0 "import of the full export"
FULL_A='{"birth_date": "1990-01-02", "city": "Iasi", "email": "ana@ex.ro", "first_name": "Ana", "id": "a1", "income": 4000, "tags": ["x", "y"]}'
assert_eq "$(contact_of "$S" a1)" "$FULL_A" "a1 as imported"

# A partial export: blank cells (and a quoted city) leave the stored values.
cat >"$T/partial.csv" <<'CSV'
id,email,first_name,city,income,birth_date,tags
a1,,,"Brasov",,,
CSV
run segrt import --db "$S" --contacts "$T/partial.csv"
assert_rc 0 "import of a partial export"
assert_contains "$T/out" "partial.csv: 1 rows, 1 kept (0 new), 0 rejected" "the partial summary"
assert_eq "$(contact_of "$S" a1)" \
    '{"birth_date": "1990-01-02", "city": "Brasov", "email": "ana@ex.ro", "first_name": "Ana", "id": "a1", "income": 4000, "tags": ["x", "y"]}' \
    "blank cells keep every stored value (default)"
run segrt import --db "$S" --contacts "$T/partial.csv" --blank keep
assert_rc 0 "--blank keep"
assert_eq "$(contact_of "$S" a1 | grep -c '"income": 4000')" 1 "--blank keep keeps"

# A quoted empty cell ("", as HubSpot writes every empty cell) is blank too:
# it keeps the stored value, also in a typed column, and rejects nothing.
printf 'id,email,first_name,city,income,birth_date,tags\n"a1","","","Brasov","","",""\n' \
    >"$T/quoted.csv"
run segrt import --db "$S" --contacts "$T/quoted.csv"
assert_rc 0 "import of quoted empty cells"
assert_contains "$T/out" "quoted.csv: 1 rows, 1 kept (0 new), 0 rejected" "no quoted empty cell is rejected"
assert_eq "$(contact_of "$S" a1)" \
    '{"birth_date": "1990-01-02", "city": "Brasov", "email": "ana@ex.ro", "first_name": "Ana", "id": "a1", "income": 4000, "tags": ["x", "y"]}' \
    "quoted empty cells keep every stored value"

# The kept e-mail still belongs to a1: another contact giving it gets the notice.
printf 'id,email\nc3,ANA@ex.ro\n' >"$T/dup.csv"
run segrt import --db "$S" --contacts "$T/dup.csv"
assert_rc 0 "a duplicate e-mail is kept with a notice"
assert_contains "$T/err" "is also the e-mail of contact a1" "the kept e-mail is still a1's"

# --blank clear: today's behaviour, every blank clears.
run segrt import --db "$S" --contacts "$T/partial.csv" --blank clear
assert_rc 0 "--blank clear"
assert_eq "$(contact_of "$S" a1)" '{"city": "Brasov", "id": "a1"}' "--blank clear clears every blank"
printf 'id,email\nc4,ana@ex.ro\n' >"$T/dup2.csv"
run segrt import --db "$S" --contacts "$T/dup2.csv"
assert_rc 0 "the cleared e-mail is free"
assert_not_contains "$T/err" "contact a1" "a cleared e-mail names a1 no more" # (not "a1": the temp path may hold it)

# JSONL: a key left out keeps, null clears (whatever --blank says).
printf '{"id":"b2","city":"Arad"}\n{"id":"b2","income":null,"tags":null}\n' >"$T/upd.jsonl"
run segrt import --db "$S" --contacts "$T/upd.jsonl" --blank keep
assert_rc 0 "JSONL update"
assert_eq "$(contact_of "$S" b2)" \
    '{"birth_date": "1985-05-06", "city": "Arad", "email": "bob@ex.ro", "first_name": "Bob", "id": "b2"}' \
    "JSONL: a missing key keeps, null clears"

# ===================================================================== 2. events by multiplicity
E=$T/e
printf 'id\nk1\nk2\n' >"$T/k.csv"
cat >"$T/ev1.csv" <<'CSV'
contact_id,ts,type,amount,category
k1,2025-03-01T10:00:00Z,purchase,9.99,cd
k1,2025-03-01T10:00:00Z,purchase,9.99,cd
k2,2025-03-02T10:00:00Z,purchase,5.00,cd
k1,2025-03-01T10:00:00Z,purchase,9.99,dvd
CSV
run segrt import --db "$E" --contacts "$T/k.csv" --events "$T/ev1.csv"
assert_rc 0 "events with two identical rows"
assert_contains "$T/out" "ev1.csv: 4 rows, 4 kept (4 new), 0 rejected" "identical rows are two events"
assert_eq "$(events_of "$E" k1 | grep -c '2025-03-01T10:00:00Z purchase 9.99')" 3 \
    "k1: two identical purchases and a different one"
for batch in 1000 1 2 3; do
    run segrt import --db "$E" --events "$T/ev1.csv" --batch "$batch"
    assert_rc 0 "the same file again (batches of $batch)"
    assert_contains "$T/out" "ev1.csv: 4 rows, 4 kept (0 new)" "re-import adds nothing (batches of $batch)"
done
assert_eq "$(segrt stats --db "$E" | stat_of /dev/stdin events)" 4 "events after the re-imports"

# A second, different file with one more identical row adds that one: 3 = max(2, 3).
cat >"$T/ev2.csv" <<'CSV'
contact_id,ts,type,amount,category
k1,2025-03-01T10:00:00Z,purchase,9.99,cd
k2,2025-03-05T10:00:00Z,visit,,
k1,2025-03-01T10:00:00Z,purchase,9.99,cd
k1,2025-03-01T10:00:00Z,purchase,9.99,cd
CSV
run segrt import --db "$E" --events "$T/ev2.csv" --batch 2
assert_rc 0 "a file with one more identical row"
assert_contains "$T/out" "ev2.csv: 4 rows, 4 kept (2 new)" "the third copy and the visit are new"
assert_eq "$(events_of "$E" k1 | grep -c '2025-03-01T10:00:00Z purchase 9.99')" 4 \
    "k1: three identical purchases and the dvd"
for f in ev1 ev2; do
    run segrt import --db "$E" --events "$T/$f.csv"
    assert_contains "$T/out" "4 rows, 4 kept (0 new)" "$f.csv once more adds nothing"
done
assert_eq "$(segrt stats --db "$E" | stat_of /dev/stdin events)" 6 "events: max per kind over the files"
run segrt check --db "$E"
assert_eq "$(cat "$T/out")" ok "segrt check after the event imports"

# ===================================================================== 3. exit status
X=$T/x
printf 'id\nk1\n' >"$T/k1.csv"
run segrt import --db "$X" --contacts "$T/k1.csv"
assert_rc 0 "contacts for the exit codes"
printf 'contact_id,ts,type\nnobody,2025-01-01T00:00:00Z,visit\nk1,not a time,visit\n' >"$T/none.csv"
run segrt import --db "$X" --events "$T/none.csv"
assert_rc 3 "a file that kept none of its rows"
assert_contains "$T/out" "none.csv: 2 rows, 0 kept (0 new), 2 rejected" "its summary"
assert_contains "$T/out" "; 0 kept: exit 3" "the summary says why"
assert_contains "$T/err" "none.csv:2: contact_id 'nobody' is not a known contact" "its rejects"

# Every file is still imported; the exit says one of them kept nothing.
printf 'id\nk9\n' >"$T/k9.csv"
run segrt import --db "$X" --contacts "$T/k9.csv" --events "$T/none.csv"
assert_rc 3 "contacts kept, events none"
assert_contains "$T/out" "k9.csv: 1 rows, 1 kept (1 new), 0 rejected" "the contacts were imported"

printf 'contact_id,ts,type\n' >"$T/header_only.csv"
run segrt import --db "$X" --events "$T/header_only.csv"
assert_rc 0 "a file without data rows keeps nothing and is no failure"
assert_not_contains "$T/out" "exit 3" "no exit 3 line for it"

# 1 of 4 rows rejected: 25 %.
cat >"$T/quarter.csv" <<'CSV'
contact_id,ts,type
k1,2025-01-01T00:00:00Z,visit
k1,2025-01-02T00:00:00Z,visit
k1,2025-01-03T00:00:00Z,visit
k1,bad,visit
CSV
for case in "-:0" "1:0" "0:3" "25%:0" "24.9%:3" "0%:3" "100%:0"; do
    limit=${case%%:*} want=${case#*:}
    if [ "$limit" = - ]; then
        run segrt import --db "$X" --events "$T/quarter.csv"
    else
        run segrt import --db "$X" --events "$T/quarter.csv" --max-rejects "$limit"
    fi
    assert_rc "$want" "1 of 4 rejected, --max-rejects $limit"
    assert_contains "$T/out" "quarter.csv: 4 rows, 3 kept" "the rows kept are kept ($limit)"
done
run segrt import --db "$X" --events "$T/quarter.csv" --max-rejects 0
assert_contains "$T/out" "; 1 rejected > --max-rejects 0: exit 3" "the count limit on the summary"
run segrt import --db "$X" --events "$T/quarter.csv" --max-rejects 10%
assert_contains "$T/out" "; 25% rejected > --max-rejects 10%: exit 3" "the percentage on the summary"

for bad in abc -1 1.5 101% 5%% 1e3 inf ""; do
    run segrt import --db "$X" --events "$T/quarter.csv" --max-rejects "$bad"
    assert_rc 2 "--max-rejects '$bad' is a usage error"
    assert_contains "$T/err" "is not a row count N or a percentage P% (0 to 100)" "its message ($bad)"
done
run segrt import --db "$X" --contacts "$T/k1.csv" --blank maybe
assert_rc 2 "--blank maybe is a usage error"
assert_contains "$T/err" "--blank 'maybe' is not keep or clear" "its message"
run segrt import --help
assert_contains "$T/out" "--max-rejects N|P%" "--help lists --max-rejects"
assert_contains "$T/out" "Exit status: 0 imported; 3 a file with data rows kept none" "--help says the exit codes"

# ===================================================================== segrt serve
D=$T/serve.db
run segrt import --db "$D" --contacts "$T/full.csv" --events "$T/ev1.csv"
assert_rc 3 "k1 and k2 are no contacts of this store: the events kept none"
run segrt import --db "$D" --contacts "$T/k.csv" --events "$T/ev1.csv"
assert_rc 0 "the serve store"
make_tokens "$T/tokens"
printf 'local seg = require "segrt"\nseg.segment "buyers" { where = seg.E.purchase:exists() }\n' >"$T/s.lua"
: >"$T/serve.log" # start_server reads it at once: it is there before segrt serve opens it
start_server "$T/serve.log" --db "$D" --now "$NOW" --token-file "$T/tokens" "$T/s.lua"

printf '{"id":"a1","city":"Arad"}\n' >"$T/p1.jsonl"
http POST /v1/contacts "$TOK_WRITE" "$T/p1.jsonl"
assert_eq "$STATUS" 200 "POST of a contact without most keys"
# card_holds WHAT COND — the card of a1 over HTTP; COND, Python over its fields c.
card_holds() {
    http GET /v1/contacts/a1 "$TOK_READ"
    python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["contact"]
assert eval(sys.argv[2]), c' "$T/body" "$2" 2>"$T/py.err" || fail "$1: $(tail -n 1 "$T/py.err")"
    ok
}
card_holds "a missing key keeps" 'c["city"] == "Arad" and c["first_name"] == "Ana" and c["income"] == 4000'
printf '{"id":"a1","income":null}\n' >"$T/p2.jsonl"
http POST /v1/contacts "$TOK_WRITE" "$T/p2.jsonl"
assert_eq "$STATUS" 200 "POST of a null"
card_holds "null clears" '"income" not in c and c["first_name"] == "Ana"'


# An event already held, posted again, is not added; one more identical one is.
printf '{"contact_id":"k2","ts":"2025-03-02T10:00:00Z","type":"purchase","amount":"5.00","category":"cd"}\n' \
    >"$T/held.jsonl"
http POST /v1/events "$TOK_WRITE" "$T/held.jsonl"
assert_eq "$STATUS" 200 "POST of a held event"
http GET /v1/contacts/k2 "$TOK_READ"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/body")" 1 \
    "a POST of an event already held adds nothing"
cat "$T/held.jsonl" "$T/held.jsonl" >"$T/twice.jsonl"
http POST /v1/events "$TOK_WRITE" "$T/twice.jsonl"
assert_eq "$STATUS" 200 "POST of two identical events"
http GET /v1/contacts/k2 "$TOK_READ"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' "$T/body")" 2 \
    "a POST of two identical events, one held: two"
stop_server
assert_eq "$SERVER_RC" 0 "segrt serve stops cleanly"

finish
