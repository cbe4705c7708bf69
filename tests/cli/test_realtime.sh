#!/usr/bin/env bash
# examples/embed.c: fed a scripted event stream, it prints exactly which
# segments each affected contact entered or left, one event at a time or in
# batches, and leaves the store consistent.
. "$(dirname "$0")/lib.sh"

RT=$(dirname "$SEGRT")/segrt_embed_example
[ -x "$RT" ] || fail "the embed example is not built at $RT"

printf 'id,email\nk1,k1@example.com\nk2,k2@example.com\nk3,k3@example.com\n' >"$T/c.csv"
printf 'contact_id,ts,type,amount\nk2,2025-12-20T00:00:00Z,login,\nk3,2025-01-05T00:00:00Z,purchase,5\n' >"$T/e.csv"
run segrt import --db "$T/s" --contacts "$T/c.csv" --events "$T/e.csv"
assert_rc 0 "import the store"
cat >"$T/seg.lua" <<'LUA'
local seg = require "segrt"
local E, days = seg.E, seg.days
seg.segment "buyers" { where = E.purchase:exists() }
seg.segment "big_spenders" { where = E.purchase:sum "amount" :gt(100) }
seg.segment "dormant" { where = E.login:within(days(30)):none() }
LUA
cat >"$T/stream.jsonl" <<'JSONL'
{"contact_id":"k1","ts":"2025-12-30T10:00:00Z","type":"purchase","amount":60}
{"contact_id":"k1","ts":"2025-12-31T10:00:00Z","type":"purchase","amount":50}
{"contact_id":"k2","ts":"2025-12-31T11:00:00Z","type":"email_open"}
{"contact_id":"k1","ts":"2025-12-31T12:00:00Z","type":"login"}
JSONL
"$RT" "$T/s" "$T/seg.lua" 2026-01-01T00:00:00Z <"$T/stream.jsonl" >"$T/out" 2>"$T/err" ||
    fail "realtime failed: $(cat "$T/err")"
cat >"$T/want" <<'OUT'
k1 entered buyers
k1 entered big_spenders
k1 left dormant
OUT
diff -u "$T/want" "$T/out" >"$T/diff" || fail "realtime printed: $(cat "$T/diff")"
ok
run segrt check --db "$T/s"
assert_rc 0 "the store is consistent after the live session"
run segrt count --db "$T/s" --now 2026-01-01T00:00:00Z "$T/seg.lua" big_spenders
assert_eq "$(cat "$T/out")" "1" "a fresh count sees the streamed events"

# In one batch the changes are per contact: k1's purchases land together.
cat >"$T/stream2.jsonl" <<'JSONL'
{"contact_id":"k2","ts":"2025-12-30T10:00:00Z","type":"purchase","amount":60}
{"contact_id":"k2","ts":"2025-12-31T10:00:00Z","type":"purchase","amount":50}
{"contact_id":"nobody","ts":"2025-12-31T10:00:00Z","type":"purchase","amount":50}
JSONL
"$RT" --batch 10 "$T/s" "$T/seg.lua" 2026-01-01T00:00:00Z <"$T/stream2.jsonl" >"$T/out" 2>"$T/err" ||
    fail "realtime --batch failed: $(cat "$T/err")"
printf 'k2 entered buyers\nk2 entered big_spenders\n' >"$T/want"
diff -u "$T/want" "$T/out" >"$T/diff" || fail "realtime --batch printed: $(cat "$T/diff")"
ok

run "$RT" "$T/s" "$T/missing.lua" </dev/null
assert_rc 1 "a missing script"
assert_contains "$T/err" "missing.lua" "a missing script is named"
run "$RT" "$T/s"
assert_rc 2 "missing arguments"
assert_contains "$T/err" "usage" "missing arguments print the usage"

echo "$PASSED passed, 0 failed"
