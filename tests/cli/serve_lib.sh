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
    "$SEGRT" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
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
