#!/usr/bin/env bash
# segrt serve's actions: seg.on_enter / seg.on_exit webhooks go through the
# durable outbox. A first start tells the receivers every member; a restart
# with nothing changed tells nothing; entries and exits posted through the
# API are delivered at least once, in order per contact, under one key per
# change, across a receiver outage and a kill -9 of the server with the
# outbox pending; and what was delivered equals `segrt changes` between the
# stored runs before and after.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$_lib_dir/serve_lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
export SEGRT_OUTBOX_BACKOFF_MS=100,400
OUTAGE_S=${OUTAGE_S:-1} # how long the receiver is down (issue 14's figure: OUTAGE_S=30)
run segrt demo --db "$DB" --contacts 300 --now "$NOW"
assert_rc 0 "make the demo store"
make_tokens "$T/tokens"

size_of() {
    http GET "/v1/segments/$1" "$TOK_READ"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$T/body"
}

# Wait until the server's outbox has nothing pending (leaves /metrics in $T/body). A receiver
# has a change before the server has read its answer and recorded it as delivered: a server
# stopped in between delivers it again after a restart.
wait_outbox_drained() {
    for _ in $(seq 1 300); do
        http GET /metrics "$TOK_READ"
        grep -q 'segrt_outbox_depth{state="pending"} 0$' "$T/body" && return
        sleep 0.1
    done
}

: >"$T/hooks.jsonl"
start_receiver
port=$(cat "$T/port")
cat >"$T/w.lua" <<LUA
local seg = require "segrt"
local E, days = seg.E, seg.days
seg.segment "big_spenders" { where = E.purchase:sum "amount" :gt(3000) }
seg.segment "quiet_buyers" { where = E.purchase:exists() & E.login:within(days(30)):none() }
seg.on_enter "big_spenders" { webhook = "http://127.0.0.1:$port/big/enter" }
seg.on_exit "quiet_buyers" { webhook = "http://127.0.0.1:$port/quiet/exit" }
seg.on_enter "quiet_buyers" { webhook = "http://127.0.0.1:$port/quiet/enter" }
LUA

# ------------------------------------------------------------ the first start tells every member
start_server "$T/serve1.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/w.lua"
initial=$(( $(size_of big_spenders) + $(size_of quiet_buyers) ))
[ "$initial" -gt 0 ] || fail "the demo store has no members to tell"
wait_hooks "$initial"
assert_eq "$(wc -l <"$T/hooks.jsonl")" "$initial" "one delivery per member at the first start"
python3 - "$T/hooks.jsonl" <<'PY' || fail "a first delivery is malformed: $(head -2 "$T/hooks.jsonl")"
import json, sys
for line in open(sys.argv[1]):
    h = json.loads(line)
    b = h["body"]
    assert h["method"] == "POST" and h["type"].startswith("application/json"), h
    assert b["event"] == "entered" and b["id"] == h["key"], h
    assert b["segment"] in ("big_spenders", "quiet_buyers") and b["contact"], h
    assert h["path"] == {"big_spenders": "/big/enter", "quiet_buyers": "/quiet/enter"}[b["segment"]], h
    assert len(b["at"]) == 20 and b["at"].endswith("Z"), h
PY
ok
wait_outbox_drained
assert_contains "$T/body" 'segrt_outbox_depth{state="pending"} 0' "the first deliveries are recorded"
stop_server TERM
assert_eq "$SERVER_RC" 0 "the first server stops"
run segrt run --db "$DB" --now "$NOW" "$T/w.lua"
assert_rc 0 "stored run A"

# ------------------------------------------------------------ a restart with nothing changed tells nothing
start_server "$T/serve2.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/w.lua"
mark=$(wc -l <"$T/hooks.jsonl")
# entries: two new contacts spend over 3000; exits: two quiet buyers log in
quiet=$(python3 - "$T/hooks.jsonl" <<'PY'
import json, sys
ids = sorted({json.loads(l)["body"]["contact"] for l in open(sys.argv[1])
              if json.loads(l)["body"]["segment"] == "quiet_buyers"})
print(" ".join(ids[:2]))
PY
)
set -- $quiet
printf '{"id":"w1","email":"w1@example.com"}\n{"id":"w2","email":"w2@example.com"}\n' >"$T/c.jsonl"
http POST /v1/contacts "$TOK_WRITE" "$T/c.jsonl"
assert_eq "$STATUS" 200 "two contacts"
cat >"$T/e1.jsonl" <<JSONL
{"contact_id":"w1","ts":"2025-12-01T10:00:00Z","type":"purchase","amount":"3500.00"}
{"contact_id":"$1","ts":"2025-12-30T10:00:00Z","type":"login"}
JSONL
http POST /v1/events "$TOK_WRITE" "$T/e1.jsonl"
assert_eq "$STATUS" 200 "the first changes"
# w1 entered big_spenders (and quiet_buyers: a purchase, no login), $1 left quiet_buyers
wait_hooks $((mark + 3))

# ------------------------------------------------------------ a receiver outage, then kill -9 with the outbox pending
stop_receiver
cat >"$T/e2.jsonl" <<JSONL
{"contact_id":"w2","ts":"2025-12-02T10:00:00Z","type":"purchase","amount":"4000.00"}
{"contact_id":"w2","ts":"2025-12-31T10:00:00Z","type":"login"}
{"contact_id":"$2","ts":"2025-12-30T11:00:00Z","type":"login"}
JSONL
http POST /v1/events "$TOK_WRITE" "$T/e2.jsonl"
assert_eq "$STATUS" 200 "changes while the receiver is down"
sleep "$OUTAGE_S" # the deliverer keeps failing and backing off meanwhile
http GET /metrics "$TOK_READ"
grep -q 'segrt_outbox_depth{state="pending"} [1-9]' "$T/body" ||
    fail "nothing pending while the receiver is down: $(grep outbox "$T/body") $(cat "$T/serve2.log") $(tail -3 "$T/hooks.jsonl")"
ok
stop_server KILL
start_receiver "$port"
start_server "$T/serve3.log" --db "$DB" --now "$NOW" --token-file "$T/tokens" "$T/w.lua"
# w2 entered big_spenders; $2 left quiet_buyers
wait_hooks $((mark + 5))
wait_outbox_drained
assert_contains "$T/body" 'segrt_outbox_depth{state="pending"} 0' "the outbox drains once the receiver is back"
run segrt outbox --db "$DB"
assert_rc 0 "segrt outbox beside the server"
stop_server TERM
assert_eq "$SERVER_RC" 0 "the last server stops"
run segrt run --db "$DB" --now "$NOW" "$T/w.lua"
assert_rc 0 "stored run B"

# ------------------------------------------------------------ delivered = segrt changes between A and B
for s in big_spenders quiet_buyers; do
    segrt changes --db "$DB" --since-run 1 --format jsonl "$T/w.lua" "$s" 2>/dev/null |
        python3 -c '
import json, sys
for l in sys.stdin:
    c = json.loads(l)
    print(sys.argv[1], c["id"], c["change"])' "$s"
done | sort >"$T/want"
python3 - "$T/hooks.jsonl" "$mark" >"$T/got" <<'PY'
import json, sys
hooks = [json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2]):]
keys = {}      # (segment, contact, event) -> the one key it was sent under
order = {}     # (contact, url) -> sequence numbers of its keys, as delivered
for h in hooks:
    b = h["body"]
    change = (b["segment"], b["contact"], b["event"])
    if keys.setdefault(change, h["key"]) != h["key"]:
        sys.exit("two keys for one change: %s %s %s" % (change, keys[change], h["key"]))
    seqs = order.setdefault((b["contact"], h["path"]), [])
    seq = int(h["key"].rsplit("-", 1)[1])
    if seq not in seqs:
        seqs.append(seq)
for k, seqs in order.items():
    if seqs != sorted(seqs):
        sys.exit("out of order for %s: %s" % (k, seqs))
# net change per segment and contact, as segrt changes reports it
net = {}
for seg, contact, event in keys:
    net[(seg, contact)] = net.get((seg, contact), 0) + (1 if event == "entered" else -1)
for (seg, contact), d in sorted(net.items()):
    if d:
        print(seg, contact, "entered" if d > 0 else "left")
PY
sort -o "$T/got" "$T/got"
diff "$T/want" "$T/got" >"$T/diff" || fail "deliveries differ from segrt changes: $(cat "$T/diff")"
ok
assert_eq "$(wc -l <"$T/got")" 5 "five changes: w1 entered two segments, w2 one, two exits"
run segrt check --db "$DB"
assert_rc 0 "segrt check is clean"
finish
