#!/usr/bin/env bash
# kill -9 of segrt serve in the middle of a load: every acknowledged batch is
# in the store whole, no batch is there in part, segrt check is clean, and a
# restarted server serves the same store (and drains cleanly on SIGTERM).
# test_serve_crash.sh [KILLS]: kill it KILLS times (default 1), each once a
# seeded random number (10 to 200) of batches were acknowledged, restarting
# it on the same store in between (50 for issue 18's count).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$_lib_dir/serve_lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
BATCH=20
KILLS=${1:-1}
run segrt demo --db "$DB" --contacts 1000 --now "$NOW"
assert_rc 0 "make the demo store"
make_tokens "$T/tokens"
cat >"$T/t.lua" <<LUA
local seg = require "segrt"
local E = seg.E
local probes = E.purchase:where { category = "crashprobe" }
seg.segment "probed" { where = probes:exists() }
seg.segment "complete" { where = probes:count():eq($BATCH) }
LUA
python3 - "$T/contacts.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for k in range(1, 2001):
        f.write('{"id":"k%04d","email":"k%04d@example.com"}\n' % (k, k))
PY

# Four clients post batch k (BATCH probe events of contact k) and note each
# acknowledged k; the server is killed while they run.
cat >"$T/load.py" <<'PY'
import sys, threading, urllib.request
url, token, acked_path, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lock = threading.Lock()
acked = open(acked_path, "a", buffering=1)
def body(k):
    return "".join('{"contact_id":"k%04d","ts":"2025-12-%02dT10:%02d:00Z","type":"purchase",'
                   '"amount":"1.00","category":"crashprobe"}\n'
                   % (k, 1 + i % 28, i % 60) for i in range(batch)).encode()
def client(first):
    for k in range(first, 2001, 4):
        req = urllib.request.Request(url + "/v1/events", data=body(k), method="POST",
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                if r.status == 200:
                    with lock:
                        acked.write("k%04d\n" % k)
        except Exception:
            return  # the server is gone
threads = [threading.Thread(target=client, args=(i,)) for i in range(1, 5)]
for t in threads: t.start()
for t in threads: t.join()
PY

# Run the load, stop the server with SIGNAL once ${2:-30} batches are acknowledged.
load_then_stop() {
    : >"$T/acked"
    python3 "$T/load.py" "$URL" "$TOK_ALL" "$T/acked" "$BATCH" &
    local load=$!
    track_bg "$load"
    for _ in $(seq 1 400); do
        [ "$(wc -l <"$T/acked")" -ge "${2:-30}" ] && break
        sleep 0.05
    done
    stop_server "$1"
    wait "$load" || true
    untrack_bg "$load"
}

# Every acknowledged batch is in the store whole, and no batch is there in part.
assert_whole_batches() {
    segrt members --db "$DB" --now "$NOW" "$T/t.lua" complete >"$T/complete"
    segrt members --db "$DB" --now "$NOW" "$T/t.lua" probed >"$T/probed"
    sort "$T/acked" >"$T/acked.sorted"
    local missing
    missing=$(comm -23 "$T/acked.sorted" "$T/complete" | head -3)
    [ -z "$missing" ] || fail "$1: acknowledged batches not in the store whole: $missing"
    ok
    diff "$T/probed" "$T/complete" >/dev/null ||
        fail "$1: batches in the store in part: $(comm -23 "$T/probed" "$T/complete" | head -3)"
    ok
}

start_server "$T/serve1.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/t.lua"
http POST /v1/contacts "$TOK_ALL" "$T/contacts.jsonl"
assert_eq "$STATUS" 200 "the probe contacts"
RANDOM=18
for ((kill = 1; kill <= KILLS; kill++)); do
    want=$((10 + RANDOM % 191))
    [ "$kill" = 1 ] || start_server "$T/serve1.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" \
        "$T/t.lua"
    load_then_stop KILL "$want"
    n_acked=$(wc -l <"$T/acked")
    [ "$n_acked" -ge "$want" ] || fail "kill $kill: only $n_acked batches were acknowledged before it"
    [ "$n_acked" -lt 2000 ] || fail "kill $kill: the load ended before it: nothing was in flight"
    ok
    run segrt check --db "$DB"
    assert_rc 0 "segrt check is clean after kill -9 number $kill$(last_output)"
    assert_whole_batches "kill -9 number $kill"
done
[ "$KILLS" = 1 ] || echo "$KILLS kills of segrt serve under load: each store checked, every acknowledged batch whole"

# the restarted server serves the store as it is and keeps taking rows
start_server "$T/serve2.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/t.lua"
http GET /v1/segments/complete "$TOK_READ"
assert_contains "$T/body" "\"size\":$(wc -l <"$T/complete")" "the restarted server counts the same"
# SIGTERM under the same load: the requests under way finish, and lose nothing
load_then_stop TERM
assert_eq "$SERVER_RC" 0 "SIGTERM under load stops cleanly"
assert_contains "$T/serve2.log" "everything acknowledged is in the store" "the drain says so"
assert_whole_batches "SIGTERM"
start_server "$T/serve3.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/t.lua"
python3 - "$T/last.jsonl" "$BATCH" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write('{"contact_id":"k2000","ts":"2025-11-%02dT08:00:00Z","type":"purchase",'
                '"amount":"1.00","category":"crashprobe"}\n' % (1 + i))
PY
http POST /v1/events "$TOK_WRITE" "$T/last.jsonl"
assert_eq "$STATUS" 200 "rows after the restart"
stop_server TERM
assert_eq "$SERVER_RC" 0 "SIGTERM after the restart"
run segrt check --db "$DB"
assert_rc 0 "segrt check is clean after the restart"
run segrt members --db "$DB" --now "$NOW" "$T/t.lua" complete
assert_contains "$T/out" "k2000" "the last batch is in the store"
finish
