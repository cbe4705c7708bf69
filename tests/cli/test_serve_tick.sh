#!/usr/bin/env bash
# segrt serve --tick: time moves segments without any event. A contact whose
# only login falls out of a one-hour window leaves the segment a few ticks
# later: the segment sizes over HTTP follow, and its on_exit webhook fires.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$_lib_dir/serve_lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
run segrt demo --db "$DB" --contacts 500 --now "$NOW"
assert_rc 0 "make the demo store"
make_tokens "$T/tokens"
: >"$T/hooks.jsonl"
start_receiver
cat >"$T/t.lua" <<LUA
local seg = require "segrt"
local E = seg.E
seg.segment "active_hour" { where = E.login:within(seg.hours(1)):exists() }
seg.on_exit "active_hour" { webhook = "http://127.0.0.1:$(cat "$T/port")/left" }
LUA
start_server "$T/serve.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" --tick 1 "$T/t.lua"

size_of() {
    http GET "/v1/segments/$1" "$TOK_READ"
    [ "$STATUS" = 200 ] || fail "GET segment $1: $STATUS $(cat "$T/body")"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$T/body"
}

base=$(size_of active_hour)
printf '{"id":"t1","email":"t1@example.com"}\n' >"$T/c.jsonl"
http POST /v1/contacts "$TOK_ALL" "$T/c.jsonl"
assert_eq "$STATUS" 200 "a new contact"
# 3596 s before the NOW the server started at: inside the hour for a few seconds more
printf '{"contact_id":"t1","ts":"2025-12-31T23:00:04Z","type":"login"}\n' >"$T/e.jsonl"
http POST /v1/events "$TOK_ALL" "$T/e.jsonl"
assert_eq "$STATUS" 200 "a login"
assert_eq "$(size_of active_hour)" "$((base + 1))" "the login puts t1 in the segment"

left=0
for _ in $(seq 1 120); do
    http GET /v1/contacts/t1 "$TOK_READ"
    grep -q '"active_hour"' "$T/body" || { left=1; break; }
    sleep 0.25
done
assert_eq "$left" 1 "t1 leaves active_hour as the ticks move NOW past its login"
for _ in $(seq 1 600); do
    grep -q '"contact": "t1"' "$T/hooks.jsonl" && break
    sleep 0.05
done
python3 - "$T/hooks.jsonl" <<'PY' || fail "no on_exit webhook for t1: $(cat "$T/hooks.jsonl")"
import json, sys
hooks = [json.loads(l)["body"] for l in open(sys.argv[1])]
t1 = [h for h in hooks if h["contact"] == "t1"]
assert len({h["id"] for h in t1}) == 1, t1
h = t1[0]
assert h["event"] == "left" and h["segment"] == "active_hour", h
# stamped with the tick's NOW: the login plus the hour, give or take the ticks' seconds
assert "2026-01-01T00:00:00Z" <= h["at"] <= "2026-01-01T00:00:30Z", h
PY
ok
http GET /metrics "$TOK_READ"
assert_contains "$T/body" 'segrt_segment_changes_total{change="left"}' "the exit is counted"
grep -q 'segrt_segment_changes_total{change="left"} 0$' "$T/body" &&
    fail "no exit counted: $(grep changes_total "$T/body")"
ok
stop_server TERM
assert_eq "$SERVER_RC" 0 "the server stops cleanly"
finish
