#!/usr/bin/env bash
# test_actor.sh — who the audit log records as acting (cli_actor): --actor,
# else $USER when set and not empty, else the effective user's name from the
# user database (looked up only by commands that record an actor).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/db
segrt demo --db "$S" --contacts 20 --now 2026-01-01T00:00:00Z >/dev/null
me=$(id -un)
export_one=("$SEGRT" export --db "$S" c0000001) # an audited command

# Run `env ARGS...`, then print the actor of the newest audit line.
actor_of() {
    env "$@" >/dev/null || fail "env $* failed"
    "$SEGRT" audit --db "$S" | tail -n 1 | cut -f3
}

assert_eq "$(actor_of USER=batch-job "${export_one[@]}")" batch-job '$USER is the actor'
assert_eq "$(actor_of -u USER "${export_one[@]}")" "$me" \
    'without $USER, the effective user is the actor'
assert_eq "$(actor_of USER= "${export_one[@]}")" "$me" 'an empty $USER counts as none'
assert_eq "$(actor_of USER=batch-job "${export_one[@]}" --actor dpo-alice)" dpo-alice \
    '--actor wins over $USER'
assert_eq "$("$SEGRT" audit --db "$S" | wc -l)" 4 'each export audited once'

# Only commands that record an actor look it up: a count never reads the user database.
# (LeakSanitizer cannot run under ptrace: the runs above check for leaks.)
if command -v strace >/dev/null; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
    printf 'local seg = require "segrt"\nseg.segment "all" { where = seg.F.email:present() }\n' \
        >"$T/s.lua"
    env -u USER strace -f -e trace=open,openat,connect -o "$T/trace" \
        "$SEGRT" count --db "$S" "$T/s.lua" all >/dev/null || fail "count under strace failed"
    assert_not_contains "$T/trace" passwd 'count reads no /etc/passwd'
    env -u USER strace -f -e trace=open,openat -o "$T/trace" "${export_one[@]}" >/dev/null
    assert_contains "$T/trace" /etc/passwd 'export looks the user up'
fi
finish
