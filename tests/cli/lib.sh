# lib.sh — shared helpers of the segrt CLI integration tests (tests/cli/test_*.sh).
#
# Source it after `set -euo pipefail`. It provides:
#   $SEGRT, $SHARED_BENCH, $FIXTURES  absolute paths (defaults when run by hand)
#   $T                                a temporary directory, removed on exit
#   fail MSG                          report a failed check and exit 1
#   ok                                count one passed check
#   finish                            print the closing "N passed, 0 failed" line
#   skip WHY                          end the test as skipped (exit 77), saying why
#   run CMD...                        run CMD; its exit code in $RC, its output in
#                                     $T/out and $T/err (never trips set -e)
#   assert_eq ACTUAL EXPECTED WHAT    equality of two strings
#   assert_rc EXPECTED WHAT           $RC of the last `run`
#   assert_contains FILE TEXT WHAT    FILE contains TEXT (fixed string)
#   assert_not_contains FILE TEXT WHAT
#   stat_of FILE KEY                  the value of a `key value` line of segrt stats
#   counts_of DB                      segrt stats of DB but the audit log and the sizes:
#                                     what two stores holding the same data share
#   segrt ARGS...                     the binary under test
#   kill_once DUR CMD...              run CMD, SIGKILL it at a random moment
#   kill_repeatedly N DUR AFTER CMD.. SIGKILL CMD at random moments, N times
#   crm_with_oracle SQL               the 20000-contact data set in $T/crm and $T/db,
#                                     SQL's expected members in $T/exp
#   with_email_dups BASE SCRIPT SEGMENT N COPY
#                                     COPY: the store BASE plus a contact with the
#                                     upper-cased e-mail of each of the first N members
#                                     of SEGMENT that have one (to merge)

_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_repo=$(cd "$_lib_dir/../.." && pwd)

SEGRT=${SEGRT:-$_repo/build/segrt}
SHARED_BENCH=${SHARED_BENCH:-$_repo/../shared/bench}
FIXTURES=${FIXTURES:-$_repo/tests/fixtures}
SEGRT=$(cd "$(dirname "$SEGRT")" && pwd)/$(basename "$SEGRT")
SHARED_BENCH=$(cd "$SHARED_BENCH" && pwd)
FIXTURES=$(cd "$FIXTURES" && pwd)
export SEGRT SHARED_BENCH FIXTURES

[ -x "$SEGRT" ] || { echo "FAIL: segrt binary not found at $SEGRT" >&2; exit 1; }

# python3 by its real path: a version manager's shim (pyenv) costs ~0.4 s a call.
_python3=$(command python3 -c 'import sys; print(sys.executable)')
python3() {
    "$_python3" "$@"
}

# The tests choose their stores themselves; no progress bars in captured output.
unset SEGRT_DB
export CI=1

T=$(mktemp -d "${TMPDIR:-/tmp}/segrt-cli.XXXXXX")
# Packs installed by the user (pack search path) stay out of the tests.
unset SEGRT_PACKS
export XDG_DATA_HOME=$T/xdg
_bg_pids=()
_cleanup() {
    local p
    for p in "${_bg_pids[@]+"${_bg_pids[@]}"}"; do
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap _cleanup EXIT
cd "$T"

PASSED=0

fail() {
    echo "FAIL: $(basename "$0"): $*" >&2
    # In a command substitution only the message: the caller's check fails next.
    [ "$BASHPID" != "$$" ] || echo "$PASSED passed, 1 failed"
    exit 1
}

ok() {
    PASSED=$((PASSED + 1))
}

finish() {
    echo "$PASSED passed, 0 failed"
}

# End the test as skipped (ctest SKIP_RETURN_CODE), saying why.
skip() {
    echo "SKIP: $(basename "$0"): $*"
    exit 77
}

segrt() {
    "$SEGRT" "$@"
}

run() {
    RC=0
    "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# Show what the last `run` printed, for failure messages.
last_output() {
    printf '\n--- stdout ---\n%s\n--- stderr ---\n%s' "$(head -c 2000 "$T/out")" \
        "$(head -c 2000 "$T/err")"
}

assert_eq() {
    [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
    ok
}

assert_rc() {
    [ "$RC" -eq "$1" ] || fail "$2: expected exit code $1, got $RC$(last_output)"
    ok
}

assert_contains() {
    grep -qF -- "$2" "$1" || fail "$3: '$2' not found in $(basename "$1"):
$(head -c 2000 "$1")"
    ok
}

assert_not_contains() {
    if grep -qF -- "$2" "$1"; then
        fail "$3: '$2' unexpectedly found in $(basename "$1"): $(grep -F -m3 -- "$2" "$1" | head -c 600)"
    fi
    ok
}

counts_of() {
    segrt stats --db "$1" |
        grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes|erased_awaiting_compaction|last_compaction) '
}

stat_of() {
    local v
    v=$(awk -v k="$2" '$1 == k { print $2 }' "$1")
    [ -n "$v" ] || fail "stats output $(basename "$1") has no '$2' line: $(cat "$1")"
    echo "$v"
}

# Register a background process so the exit trap kills it if the test fails;
# untrack it once it has been waited for (its pid may then be reused).
track_bg() {
    _bg_pids+=("$1")
}

untrack_bg() {
    local p keep=()
    for p in "${_bg_pids[@]+"${_bg_pids[@]}"}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    _bg_pids=("${keep[@]+"${keep[@]}"}")
}

# kill_once DUR_MS CMD...: run CMD in the background, its input the file
# $KILL_STDIN (else /dev/null), its output in $T/bg.out and $T/bg.err, and
# SIGKILL it at a random 5..95 % of DUR_MS (its uninterrupted run time).
# Sets KILL_STATUS (137 when the signal killed it, else its exit code) and
# KILL_AT ("41% (57 ms)"). CMD is a program ("$SEGRT", not the segrt
# function: the signal would kill the function's subshell and leave the
# program running). The kill moments follow $RANDOM: seed it to replay them.
kill_once() {
    local dur=$1 frac delay_ms pid
    shift
    frac=$(( 5 + RANDOM % 91 ))
    delay_ms=$(( dur * frac / 100 ))
    "$@" <"${KILL_STDIN:-/dev/null}" >"$T/bg.out" 2>"$T/bg.err" &
    pid=$!
    track_bg "$pid"
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    KILL_STATUS=0
    wait "$pid" 2>/dev/null || KILL_STATUS=$?
    untrack_bg "$pid"
    KILL_AT="${frac}% (${delay_ms} ms)"
}

# kill_repeatedly KILLS DUR_MS AFTER CMD...: kill_once CMD until KILLS runs
# were killed while still running; after each kill, call the function AFTER
# with the kill's number and when it came ($KILL_AT). A run that exits 0
# before its signal is tried again, at most 5 times per kill; any other exit
# fails the test.
kill_repeatedly() {
    local want=$1 dur=$2 after=$3 kills=0 attempts=0
    shift 3
    while [ "$kills" -lt "$want" ]; do
        attempts=$((attempts + 1))
        [ "$attempts" -le $((5 * want)) ] ||
            fail "only $kills of $attempts runs of $(basename "$1") were still running when killed (run time $dur ms)"
        kill_once "$dur" "$@"
        case $KILL_STATUS in
        137) ;;
        0)  # It finished before the signal landed: not a kill.
            echo "attempt $attempts: $(basename "$1") $2 finished before $KILL_AT" >&2
            continue ;;
        *)  fail "$(basename "$1") $2 exited with status $KILL_STATUS before the kill: $(cat "$T/bg.err")" ;;
        esac
        kills=$((kills + 1))
        echo "kill $kills: SIGKILL at $KILL_AT" >&2
        "$after" "$kills" "$KILL_AT"
    done
}

# crm_with_oracle SQL: the data set of gen_crm.py --contacts 20000 --seed 7 in
# $T/crm, imported into the store $T/db while tests/oracle/sqlite_oracle.py
# writes the member ids of the blocks of SQL (an --extra file) into $T/exp.
crm_with_oracle() {
    local sql=$1 oracle_pid rc=0
    python3 "$SHARED_BENCH/gen_crm.py" --contacts 20000 --seed 7 --out "$T/crm" >/dev/null
    python3 "$_repo/tests/oracle/sqlite_oracle.py" "$T/crm" "$T/exp" --extra "$sql" \
        >"$T/oracle.out" 2>"$T/oracle.err" &
    oracle_pid=$!
    track_bg "$oracle_pid"
    run segrt import --db "$T/db" --contacts "$T/crm/contacts.csv" --events "$T/crm/events.csv" \
        --consents "$T/crm/consents.csv"
    assert_rc 0 "import of the 20000-contact data set"
    wait "$oracle_pid" || rc=$?
    untrack_bg "$oracle_pid"
    [ "$rc" -eq 0 ] || fail "sqlite_oracle.py failed (exit $rc): $(head -c 3000 "$T/oracle.err")"
}

# with_email_dups BASE SCRIPT SEGMENT N COPY: see the list at the top ($T/dups.csv the new contacts).
with_email_dups() {
    local base=$1 script=$2 segment=$3 n=$4 copy=$5
    segrt members --db "$base" --no-purpose --format csv --fields email "$script" "$segment" |
        head -$((n + 1)) |
        awk -F, 'NR > 1 && $2 != "" { printf "d%02d,%s\n", NR, toupper($2) }' |
        { echo "id,email"; cat; } >"$T/dups.csv"
    cp -r "$base" "$copy"
    segrt import --db "$copy" --contacts "$T/dups.csv" >/dev/null 2>&1
}
