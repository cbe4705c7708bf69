# serve_lib.sh — helpers of the segrt serve tests (tests/cli/test_serve*.sh).
# Source it after lib.sh. It provides:
#   make_tokens FILE                 a token file (mode 600) with three tokens:
#                                    $TOK_ALL (read,write,gdpr), $TOK_READ (read),
#                                    $TOK_WRITE (write)
#   start_server LOG ARGS...         segrt serve --listen 127.0.0.1:0 ARGS... in the
#                                    background; waits until it listens; sets
#                                    $SERVER_PID and $URL (http:// or https://)
#   stop_server [SIGNAL]             send SIGNAL (default TERM), wait for the exit;
#                                    its exit code in $SERVER_RC
#   start_receiver [PORT]            tests/cli/webhook_receiver.py in the background,
#                                    logging to $T/hooks.jsonl; its port in $T/port
#   stop_receiver                    kill it (a receiver that is down)
#   wait_hooks N                     wait until the receiver logged N deliveries
#   http METHOD PATH [TOKEN] [BODY_FILE] [CURL_ARGS...]
#                                    one request: the status in $STATUS, the body in
#                                    $T/body

TOK_ALL=ops-0123456789abcdef
TOK_READ=reader-0123456789abcdef
TOK_WRITE=writer-0123456789abcdef

make_tokens() {
    cat >"$1" <<EOF
# name token scopes
ops $TOK_ALL read,write,gdpr
reader $TOK_READ read
writer $TOK_WRITE write
EOF
    chmod 600 "$1"
}

start_server() {
    local log=$1
    shift
    : >"$log" # there before the server writes to it: the first look must not race it
    "$SEGRT" serve --listen 127.0.0.1:0 "$@" >>"$log" 2>&1 &
    SERVER_PID=$!
    track_bg "$SERVER_PID"
    local i
    URL=
    for i in $(seq 1 300); do
        URL=$(sed -n 's/.*listening on \(https*:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log")
        [ -n "$URL" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || fail "segrt serve exited: $(cat "$log")"
        sleep 0.1
    done
    [ -n "$URL" ] || fail "segrt serve did not start listening: $(cat "$log")"
}

stop_server() {
    kill "-${1:-TERM}" "$SERVER_PID" 2>/dev/null || true
    SERVER_RC=0
    { wait "$SERVER_PID"; } 2>/dev/null || SERVER_RC=$?
    untrack_bg "$SERVER_PID"
}

http() {
    local method=$1 path=$2 token=${3:-} body=${4:-}
    shift $(($# < 4 ? $# : 4))
    local args=(-s -o "$T/body" -w '%{http_code}' -X "$method")
    [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
    [ -n "$body" ] && args+=(--data-binary "@$body")
    STATUS=$(curl "${args[@]}" "$@" "$URL$path") || STATUS=000
}

receiver_pid=
start_receiver() { # [PORT]
    rm -f "$T/port"
    "$_python3" "$_lib_dir/webhook_receiver.py" --log "$T/hooks.jsonl" --port-file "$T/port" \
        ${1:+--port "$1"} >>"$T/receiver.log" 2>&1 &
    receiver_pid=$!
    track_bg "$receiver_pid"
    for _ in $(seq 1 400); do
        [ -s "$T/port" ] && break
        sleep 0.05
    done
    [ -s "$T/port" ] || fail "the webhook receiver did not start"
}
stop_receiver() {
    kill -9 "$receiver_pid"
    { wait "$receiver_pid"; } 2>/dev/null || true
    untrack_bg "$receiver_pid"
}
# Wait until the receiver has logged at least N deliveries.
wait_hooks() {
    for _ in $(seq 1 600); do # 30 s: a loaded machine (the whole suite on 2 cores)
        [ "$(wc -l <"$T/hooks.jsonl" 2>/dev/null || echo 0)" -ge "$1" ] && return 0
        sleep 0.05
    done
    fail "expected $1 deliveries, the receiver has $(wc -l <"$T/hooks.jsonl" 2>/dev/null || echo 0)"
}
