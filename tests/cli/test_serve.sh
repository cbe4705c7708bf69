#!/usr/bin/env bash
# segrt serve: every endpoint's happy and unhappy paths (401, 403, 404, 405,
# 413, 400, strict and lenient batches), counts and members over HTTP equal
# segrt count and segrt members, the card follows what was posted, GDPR
# export and erasure audited under the token's name, start-up refusals, and a
# graceful shutdown that loses nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$_lib_dir/serve_lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
run segrt demo --db "$DB" --contacts 2000 --now "$NOW"
assert_rc 0 "make the demo store"
make_tokens "$T/tokens"
cat >"$T/t.lua" <<'LUA'
local seg = require "segrt"
local E, days = seg.E, seg.days
seg.segment "big_spenders" { where = E.purchase:sum "amount" :gt(3000), description = "over 3000" }
seg.segment "buyers_30d" { where = E.purchase:within(days(30)):exists() }
LUA

# ------------------------------------------------------------ the program behind it
# every other command starts without the HTTP, TLS and curl libraries
ldd "$SEGRT" | grep -E 'libmicrohttpd|libcurl|libgnutls' &&
    fail "segrt itself loads the server's libraries"
ok
mkdir "$T/alone"
cp "$SEGRT" "$T/alone/segrt"
run "$T/alone/segrt" serve --db "$DB" --token-file "$T/tokens" "$T/t.lua"
assert_rc 1 "segrt serve without segrt-serve beside it"
assert_contains "$T/err" "alone/segrt-serve" "the error names the program it looked for"

# ------------------------------------------------------------ refusals at start-up
run segrt serve --db "$DB" --token-file "$T/tokens" --listen 0.0.0.0:0 "$T/t.lua"
assert_rc 2 "a non-loopback address without TLS is refused"
assert_contains "$T/err" "not a loopback address" "the refusal says why"
run segrt serve --db "$DB" "$T/t.lua"
assert_rc 2 "the token file is required"
cp "$T/tokens" "$T/open_tokens"
chmod 644 "$T/open_tokens"
run segrt serve --db "$DB" --token-file "$T/open_tokens" "$T/t.lua"
assert_rc 1 "a world-readable token file is refused"
assert_contains "$T/err" "readable or writable by others" "the refusal names the problem"
printf 'ops %s read,admin\n' "$TOK_ALL" >"$T/bad_tokens"
chmod 600 "$T/bad_tokens"
run segrt serve --db "$DB" --token-file "$T/bad_tokens" "$T/t.lua"
assert_rc 1 "an unknown scope is refused"
assert_contains "$T/err" "bad_tokens:1: unknown scope 'admin'" "the refusal names file and line"

run segrt serve --db "$DB" --token-file "$T/tokens" --tls-cert "$T/none.pem" "$T/t.lua"
assert_rc 2 "--tls-cert without --tls-key"
run segrt serve --db "$DB" --token-file "$T/tokens" --tls-cert "$T/none.pem" --tls-key "$T/none.pem" \
    "$T/t.lua"
assert_rc 1 "a certificate file that is not there"
assert_contains "$T/err" "none.pem: cannot read the PEM file" "the refusal names the file"

# TLS (on loopback here: the tests never listen elsewhere)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
    -subj "/CN=127.0.0.1" 2>/dev/null || fail "openssl could not make a test certificate"
start_server "$T/tls.log" --db "$DB" --token-file "$T/tokens" --tls-cert "$T/cert.pem" \
    --tls-key "$T/key.pem" "$T/t.lua"
case "$URL" in https://*) ok ;; *) fail "a TLS server says $URL" ;; esac
http GET /v1/health "" "" -k
assert_eq "$STATUS $(cat "$T/body")" '200 {"status":"ok"}' "health over TLS"
http GET /v1/segments/big_spenders "$TOK_READ" "" -k
assert_eq "$STATUS" 200 "a segment over TLS"
plain=http://${URL#https://}
curl -s -o /dev/null "$plain/v1/health" && fail "plain HTTP was answered on the TLS port"
ok
stop_server TERM
assert_eq "$SERVER_RC" 0 "the TLS server stops"

start_server "$T/serve.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" --max-body 65536 \
    ecommerce_coffee "$T/t.lua"

# ------------------------------------------------------------ health, auth, routes
http GET /v1/health
assert_eq "$STATUS $(cat "$T/body")" '200 {"status":"ok"}' "health needs no token"
http GET /v1/segments
assert_eq "$STATUS" 401 "no token"
http GET /v1/segments not-a-token-at-all-xx
assert_eq "$STATUS" 401 "an unknown token"
http GET /v1/segments "${TOK_READ}x"
assert_eq "$STATUS" 401 "a token with one character more"
http GET /v1/segments "$TOK_WRITE"
assert_eq "$STATUS" 403 "a write token cannot read"
assert_contains "$T/body" "lacks the read scope" "403 names the scope"
printf '{"id":"n1"}\n' >"$T/one_contact.jsonl"
http POST /v1/contacts "$TOK_READ" "$T/one_contact.jsonl"
assert_eq "$STATUS" 403 "a read token cannot write"
http GET /v1/contacts/c0000001/export "$TOK_READ"
assert_eq "$STATUS" 403 "a read token cannot export"
http DELETE /v1/contacts/c0000001 "$TOK_WRITE"
assert_eq "$STATUS" 403 "a write token cannot erase"
http GET /v1/nothing "$TOK_ALL"
assert_eq "$STATUS" 404 "an unknown route"
http GET "/v1/%FF%C3" "$TOK_ALL"
assert_eq "$STATUS $(cat "$T/body")" '404 {"error":"no such route: /v1/??"}' \
    "a path that is not UTF-8 is named in the 404, its stray bytes as ?"
http GET /v1/segments/no_such_segment "$TOK_ALL"
assert_eq "$STATUS" 404 "an unknown segment"
http GET /v1/segments/no_such_segment/members "$TOK_ALL"
assert_eq "$STATUS" 404 "the members of an unknown segment"
http GET /v1/contacts/nobody "$TOK_ALL"
assert_eq "$STATUS" 404 "an unknown contact"
http PUT /v1/events "$TOK_ALL"
assert_eq "$STATUS" 405 "PUT on events"
http POST /v1/segments "$TOK_ALL" "$T/one_contact.jsonl"
assert_eq "$STATUS" 405 "POST on segments"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
http POST /v1/events "$TOK_ALL" "$T/big"
assert_eq "$STATUS" 413 "a body over --max-body"
http POST /v1/events "$TOK_ALL" "$T/big" -H "Transfer-Encoding: chunked"
assert_eq "$STATUS" 413 "a chunked body over --max-body"
http GET "/v1/segments/big_spenders/members?limit=0" "$TOK_ALL"
assert_eq "$STATUS" 400 "limit 0"
http GET "/v1/segments/big_spenders/members?limit=x" "$TOK_ALL"
assert_eq "$STATUS" 400 "limit not a number"

# ------------------------------------------------------------ segments and members
http GET /v1/segments "$TOK_READ"
assert_eq "$STATUS" 200 "list the segments"
python3 - "$T/body" <<'PY' || fail "segment list: $(cat "$T/body")"
import json, sys
segs = json.load(open(sys.argv[1]))
names = [s["name"] for s in segs]
assert "big_spenders" in names and "vip" in names, names
for s in segs:
    assert set(s) == {"name", "size", "purpose", "description"}, s
    assert isinstance(s["size"], int) and s["size"] >= 0, s
assert [s for s in segs if s["name"] == "big_spenders"][0]["description"] == "over 3000"
PY
ok
http GET /v1/segments/big_spenders "$TOK_READ"
assert_eq "$STATUS" 200 "one segment"
size_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$T/body")
# pages of 7 members, concatenated, are segrt members
: >"$T/paged"
after=
while :; do
    http GET "/v1/segments/big_spenders/members?limit=7${after:+&after=$after}" "$TOK_READ"
    [ "$STATUS" = 200 ] || fail "members page: $STATUS $(cat "$T/body")"
    after=$(python3 - "$T/body" "$T/paged" <<'PY'
import json, sys
page = json.load(open(sys.argv[1]))
assert len(page["members"]) <= 7, page
with open(sys.argv[2], "a") as f:
    for m in page["members"]:
        f.write(m + "\n")
print(page["next"] or "")
PY
)
    [ -n "$after" ] || break
done
run segrt members --db "$DB" --now "$NOW" "$T/t.lua" big_spenders
assert_rc 0 "segrt members beside the server"
diff "$T/out" "$T/paged" >/dev/null || fail "pages differ from segrt members: $(diff "$T/out" "$T/paged" | head)"
ok
assert_eq "$(wc -l <"$T/paged")" "$size_before" "the pages hold the segment's size"
http GET "/v1/segments/big_spenders/members?limit=100000&purpose=email_marketing" "$TOK_READ"
assert_eq "$STATUS" 200 "members with a purpose"
python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["members"]))' "$T/body" \
    >"$T/consented"
run segrt members --db "$DB" --now "$NOW" --purpose email_marketing "$T/t.lua" big_spenders
diff "$T/out" "$T/consented" >/dev/null ||
    fail "?purpose= differs from segrt members --purpose: $(diff "$T/out" "$T/consented" | head -3)"
ok
[ "$(wc -l <"$T/consented")" -lt "$size_before" ] || fail "the purpose kept every member"
ok
http GET "/v1/segments/big_spenders/members?purpose=no_such_purpose" "$TOK_READ"
assert_eq "$STATUS $(cat "$T/body")" '200 {"members":[],"next":null}' \
    "a purpose nobody consented to keeps no one, as in segrt members"

# ------------------------------------------------------------ ingestion
printf '{"id":"n1","email":"n1@example.com","first_name":"Nia","health":"asthma"}\n{"id":"n2","email":"n2@example.com"}\n' >"$T/contacts.jsonl"
http POST /v1/contacts "$TOK_WRITE" "$T/contacts.jsonl"
assert_eq "$STATUS $(cat "$T/body")" '200 {"accepted":2,"rejected":[]}' "two contacts"
cat >"$T/events.jsonl" <<'JSONL'
{"contact_id":"n1","ts":"2025-12-20T10:00:00Z","type":"purchase","amount":"2500.00"}

{"contact_id":"n1","ts":"2025-12-21T10:00:00Z","type":"purchase","amount":"600.50"}
{"contact_id":"n1","ts":"not a time","type":"purchase","amount":"1"}
JSONL
http POST /v1/events "$TOK_WRITE" "$T/events.jsonl"
assert_eq "$STATUS" 200 "a lenient batch with a bad row"
python3 - "$T/body" <<'PY' || fail "lenient answer: $(cat "$T/body")"
import json, sys
a = json.load(open(sys.argv[1]))
assert a["accepted"] == 2, a
assert [r["line"] for r in a["rejected"]] == [4], a
assert "not a timestamp" in a["rejected"][0]["reason"], a
PY
ok
http GET /v1/contacts/n1 "$TOK_READ"
assert_eq "$STATUS" 200 "the new contact's card"
python3 - "$T/body" <<'PY' || fail "card: $(cat "$T/body")"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["contact"]["id"] == "n1" and c["contact"]["first_name"] == "Nia", c
assert c["contact"]["health"] == {"special_category": "health"}, c  # Art. 9: not the value
assert c["events"] == 2 and len(c["recent_events"]) == 2, c
assert c["recent_events"][0]["ts"] == "2025-12-21T10:00:00Z", c  # newest first
names = [s["name"] for s in c["segments"]]
assert "big_spenders" in names and "buyers_30d" in names, names
PY
ok
http GET /v1/segments/big_spenders "$TOK_READ"
assert_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$T/body")" \
    "$((size_before + 1))" "the size follows the posted purchases"

# an array body: elements are the lines of rejects
printf '[{"contact_id":"n2","ts":"2025-12-22T10:00:00Z","type":"purchase","amount":"10"}, 7]' >"$T/array.json"
http POST /v1/events "$TOK_WRITE" "$T/array.json"
assert_eq "$STATUS" 200 "an array body"
assert_contains "$T/body" '"accepted":1' "the array's object is kept"
assert_contains "$T/body" '{"line":2,"reason":"not a JSON object' "the array's number is element 2"

# malformed JSON is refused whole, naming line and column
printf '{"contact_id":"n2","ts":"2025-12-23T10:00:00Z","type":"login"}\n{"contact_id": "n2", "ts": }\n' >"$T/broken.jsonl"
http POST /v1/events "$TOK_WRITE" "$T/broken.jsonl"
assert_eq "$STATUS" 400 "malformed JSON lines"
assert_contains "$T/body" "malformed JSON at line 2, column" "the error names line and column"
printf '[{"contact_id":"n2"},\n {"contact_id":' >"$T/broken.json"
http POST /v1/events "$TOK_WRITE" "$T/broken.json"
assert_eq "$STATUS" 400 "a malformed array"
assert_contains "$T/body" "malformed JSON at line 2" "the array error names the line"

# strict: one bad row and nothing is kept
printf '{"id":"s1","email":"s1@example.com"}\n{"email":"no-id@example.com"}\n' >"$T/strict.jsonl"
http POST "/v1/contacts?strict=1" "$TOK_WRITE" "$T/strict.jsonl"
assert_eq "$STATUS" 400 "a strict batch with a bad row"
assert_contains "$T/body" '"accepted":0' "strict accepts nothing"
assert_contains "$T/body" '"line":2' "strict names the bad line"
http GET /v1/contacts/s1 "$TOK_READ"
assert_eq "$STATUS" 404 "nothing of the strict batch was kept"
http POST "/v1/contacts?strict=1" "$TOK_WRITE" "$T/one_contact.jsonl"
assert_eq "$STATUS $(cat "$T/body")" '200 {"accepted":1,"rejected":[]}' "a good strict batch"
http POST "/v1/contacts?strict=yes" "$TOK_WRITE" "$T/one_contact.jsonl"
assert_eq "$STATUS" 400 "strict takes 0 or 1"

# consents
printf '{"contact_id":"n2","purpose":"email_marketing","status":"granted","legal_basis":"consent","ts":"2025-12-01T00:00:00Z"}\n' >"$T/consents.jsonl"
http POST /v1/consents "$TOK_WRITE" "$T/consents.jsonl"
assert_eq "$STATUS $(cat "$T/body")" '200 {"accepted":1,"rejected":[]}' "a consent record"

: >"$T/empty"
http POST /v1/events "$TOK_WRITE" "$T/empty"
assert_eq "$STATUS $(cat "$T/body")" '200 {"accepted":0,"rejected":[]}' "an empty batch"

# ------------------------------------------------------------ GDPR
http GET /v1/contacts/n2/export "$TOK_ALL"
assert_eq "$STATUS" 200 "export"
python3 - "$T/body" <<'PY' || fail "export: $(head -c 500 "$T/body")"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["contact"]["id"] == "n2" and len(e["events"]) == 1 and len(e["consents"]) == 1, e
PY
ok
http DELETE /v1/contacts/n2 "$TOK_ALL"
assert_eq "$STATUS $(cat "$T/body")" '200 {"erased":"n2"}' "erase"
http GET /v1/contacts/n2 "$TOK_READ"
assert_eq "$STATUS" 404 "an erased contact is gone"
http DELETE /v1/contacts/n2 "$TOK_ALL"
assert_eq "$STATUS" 404 "erasing twice"
run segrt audit --db "$DB"
assert_contains "$T/out" "ops	export" "the export is audited under the token's name"
assert_contains "$T/out" "ops	erase" "the erasure is audited under the token's name"
assert_not_contains "$T/out" "$TOK_ALL" "the audit log never holds the secret"

# ------------------------------------------------------------ metrics
http GET /metrics "$TOK_READ"
assert_eq "$STATUS" 200 "metrics"
assert_contains "$T/body" 'segrt_http_requests_total{route="events",status="2xx"}' "requests by route"
assert_contains "$T/body" 'segrt_http_request_duration_seconds_bucket{route="segment",le="+Inf"}' "latency histogram"
assert_contains "$T/body" 'segrt_events_ingested_total 3' "events ingested"
assert_contains "$T/body" "segrt_segment_size{segment=\"big_spenders\"} $((size_before + 1))" "segment sizes"

# ------------------------------------------------------------ counts over HTTP = segrt count
http GET /v1/segments "$TOK_READ"
cp "$T/body" "$T/sizes.json"
stop_server TERM
assert_eq "$SERVER_RC" 0 "SIGTERM stops the server cleanly"
assert_contains "$T/serve.log" "everything acknowledged is in the store" "the shutdown says so"
python3 - "$T/sizes.json" >"$T/sizes.txt" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1])):
    print(s["name"], s["size"])
PY
while read -r name size; do
    script=ecommerce_coffee
    case "$name" in big_spenders | buyers_30d) script=$T/t.lua ;; esac
    run segrt count --db "$DB" --now "$NOW" "$script" "$name"
    assert_rc 0 "count $name"
    assert_eq "$(cat "$T/out")" "$size" "$name over HTTP equals segrt count"
done <"$T/sizes.txt"
run segrt check --db "$DB"
assert_rc 0 "the store is consistent after serving"
finish
