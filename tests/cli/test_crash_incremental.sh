#!/usr/bin/env bash
# test_crash_incremental.sh — kill -9 during each write that updates the
# store incrementally (runs appended to the event projections, chunks marked
# and rebuilt): after every kill `segrt check` prints ok (it compares every
# chunk's projections with a rebuild), and re-running the interrupted command
# gives the store an uninterrupted run gives.
#
# Data: gen_crm.py --contacts 70000 --events-per-contact 2 (two chunks of
# 65536 contact ordinals) plus 300 contacts d0001..d0300 that share the
# e-mail of a contact of either chunk, with events of their own. One history
# is run uninterrupted on $T/ref; each step is also killed at random moments
# on a copy ($T/crash) of the store before it, re-run to completion there,
# and the copy must then read exactly as the reference: the stats but the
# audit log and the sizes, the members of S1–S12 of
# examples/bench_segments.lua at NOW, the merges that can be undone, the
# exports of a few contacts. The steps:
#   1. import of 400 new events of 400 contacts of both chunks, --batch 10:
#      40 commits that each append runs to the projections;
#   2. segrt erase (one id a command) of four contacts, each killed once;
#   3. segrt dedupe --by email --merge of the 300 pairs, one transaction;
#   4. segrt dedupe --undo of three of those merges, each killed once;
#   5. a live session (examples/embed.c: no segrt command runs one) fed
#      40,000 new events in four batches of 10,000 contacts; each marks
#      chunk 0 for a rebuild, done by the flush when the session closes. It
#      is killed at random moments, and during that close;
#   6. segrt retention, the command that erases many contacts (~2,700 here,
#      512 a transaction).
# A kill leaves whole transactions: the events, contacts or merges a step
# adds or removes are none, all, or whole batches of them; at least one kill
# of steps 1, 5 and 6 must land between two of its commits. A run that
# completes leaves nothing to interrupt: the next starts over from the store
# before the step. The kill moments are random fractions of the uninterrupted
# run time; they are printed, and CRASH_SEED=N replays a run's choice of
# them. (segrt compact is killed by test_compact.sh, a whole import by
# test_crash_safety.sh.)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
NOW=2026-01-01T00:00:00Z
BENCH_LUA=$REPO/examples/bench_segments.lua
RT=$(dirname "$SEGRT")/segrt_embed_example
[ -x "$RT" ] || fail "the embed example is not built at $RT"
SEED=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "crash seed $SEED (CRASH_SEED=$SEED replays the kill moments)" >&2

D=$T/crm
python3 "$SHARED_BENCH/gen_crm.py" --contacts 70000 --events-per-contact 2 --seed 3 \
    --out "$D" >/dev/null

# --- The steps' inputs, and in $T/ids the contacts to erase and to export.
# Every new event has a time of its own, so none is a duplicate.
python3 - "$D" "$T" <<'PY' || fail "preparing the data"
import csv, json, random, sys
src, out = sys.argv[1:3]
rng = random.Random(13)
with open('%s/contacts.csv' % src, newline='') as f:
    contacts = list(csv.DictReader(f))
def event(who, month, i):
    kind = rng.choice(['purchase', 'purchase', 'login', 'page_view', 'email_open'])
    e = {'contact_id': who, 'type': kind, 'channel': 'web',
         'ts': '2025-%02d-%02dT%02d:%02d:13Z' % (month, 1 + i % 28, i // 28 % 24, i // 672 % 60)}
    if kind == 'purchase':
        e['amount'] = '%.2f' % rng.uniform(1, 900)
        e['category'] = 'coffee_beans'
    return e
cols = ['contact_id', 'ts', 'type', 'amount', 'category', 'channel']
def write_events(name, evs):
    with open('%s/%s' % (out, name), 'w', newline='') as f:
        w = csv.DictWriter(f, cols, lineterminator='\n')
        w.writeheader()
        w.writerows(evs)
# d0001..d0300: an original's e-mail (a third in capitals), three events each.
orig = sorted(rng.sample(contacts, 300), key=lambda c: c['id'])
with open('%s/dups.csv' % out, 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['id', 'email', 'city'])
    for i, o in enumerate(orig):
        w.writerow(['d%04d' % (i + 1), o['email'].upper() if i % 3 == 0 else o['email'], o['city']])
write_events('dup_events.csv', [event('d%04d' % (i // 3 + 1), 10, i) for i in range(900)])
# The delta: one event each for 400 contacts of both chunks.
delta = sorted(rng.sample(range(1, 70001), 400))
assert delta[0] <= 65536 < delta[-1]
write_events('delta.csv', [event('c%07d' % c, 11, i) for i, c in enumerate(delta)])
low = [c for c in delta if c <= 65536]
high = [c for c in delta if c > 65536]
erase = ['c%07d' % c for c in low[:2] + high[:2]]
# The live stream: 40,000 events of December, in four parts of 10,000
# contacts each, contacts that are not erased and are active in the 850 days
# before NOW already (so that retention erases the same contacts after the
# stream). Short lines: the embed example applies 10,000 of them at once.
with open('%s/events.csv' % src, newline='') as f:
    active = sorted({e['contact_id'] for e in csv.DictReader(f) if e['ts'] >= '2023-09-04'}
                    - set(erase))
with open('%s/live.jsonl' % out, 'w') as f:
    for part in range(4):
        for j, who in enumerate(rng.sample(active, 10000)):
            e = event(who, 12, 10000 * part + j)
            del e['channel']
            e.pop('category', None)
            if 'amount' in e:
                e['amount'] = float(e['amount'])
            f.write(json.dumps(e, separators=(',', ':')) + '\n')
with open('%s/ids' % out, 'w') as f:
    f.write('erase %s\n' % ' '.join(erase))
    f.write('watch %s\n' % ' '.join(['c%07d' % c for c in low[2:4] + high[2:4]] +
                                    [o['id'] for o in orig[:2] + orig[-2:]] + ['d0001', 'd0300']))
PY
read -r -a ERASE <<<"$(awk '$1 == "erase" { $1 = ""; print }' "$T/ids")"
read -r -a WATCH <<<"$(awk '$1 == "watch" { $1 = ""; print }' "$T/ids")"
mapfile -t SEGMENTS < <(grep -o 'seg\.segment "S[0-9]*_[A-Za-z0-9_]*"' "$BENCH_LUA" | cut -d'"' -f2)
[ "${#SEGMENTS[@]}" -eq 12 ] || fail "expected S1..S12 in $BENCH_LUA, found ${SEGMENTS[*]}"
ok

REF=$T/ref
C=$T/crash
PRE=$T/pre

now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# stat_in DB KEY: a value of segrt stats.
stat_in() {
    segrt stats --db "$1" | stat_of /dev/stdin "$2"
}

# view DB OUT: everything the comparison looks at in store DB.
view() {
    local db=$1 out=$2 seg id
    {
        counts_of "$db"
        for seg in "${SEGMENTS[@]}"; do
            echo "== $seg"
            segrt members --db "$db" --now "$NOW" "$BENCH_LUA" "$seg"
        done
        echo "== merges"
        segrt dedupe --db "$db" --merges
        for id in "${WATCH[@]}"; do
            echo "== export $id"
            segrt export --db "$db" --now "$NOW" "$id" 2>&1 || echo "exit $?"
        done
    } >"$out"
}

# check_ok WHAT: segrt check of the killed store passes and says ok.
check_ok() {
    run segrt check --db "$C"
    assert_rc 0 "segrt check $1: $(head -c 600 "$T/err")"
    assert_eq "$(cat "$T/out")" ok "segrt check output $1"
}

# converged STEP: the killed store, re-run, reads as the reference.
converged() {
    check_ok "after the re-run of $1"
    assert_eq "$(stat_in "$C" projection_chunks_pending)" 0 \
        "chunks whose projections wait for a rebuild after the re-run of $1"
    view "$REF" "$T/view.ref"
    view "$C" "$T/view.crash"
    cmp -s "$T/view.ref" "$T/view.crash" ||
        fail "$1: the store killed and re-run differs from the uninterrupted one:
$(diff "$T/view.ref" "$T/view.crash" | head -20)"
    ok
}

# name_of CMD...: what messages call CMD (segrt's subcommand, else the program).
name_of() {
    if [ "$(basename "$1")" = segrt ]; then echo "$2"; else basename "$1"; fi
}

# timed CMD...: run CMD on the reference store, which must succeed, and keep
# the killed store as it is before the step in $PRE; the run time in $DUR.
timed() {
    local t0
    rm -rf "$PRE"
    cp -r "$C" "$PRE"
    t0=$(now_ms)
    run "$@"
    DUR=$(( $(now_ms) - t0 ))
    assert_rc 0 "uninterrupted $(name_of "$@"): $(head -c 300 "$T/err")"
    echo "uninterrupted $(name_of "$@"): $DUR ms" >&2
}

# start_over_if_done KEY TO: when the killed store has the stats line KEY at
# TO already, the step has nothing left to do: back to the store before it.
start_over_if_done() {
    if [ "$(stat_in "$C" "$1")" -eq "$2" ]; then
        rm -rf "$C"
        cp -r "$PRE" "$C"
    fi
}

# after_kill WHAT KEY FROM TO STEP: segrt check passes, and the stats line
# KEY is FROM, TO or whole STEPs from FROM; $BETWEEN counts the kills that
# left it strictly between FROM and TO.
after_kill() {
    local what=$1 key=$2 from=$3 to=$4 step=$5 v got all
    check_ok "after $what"
    v=$(stat_in "$C" "$key")
    got=$(( v > from ? v - from : from - v ))
    all=$(( to > from ? to - from : from - to ))
    [ "$v" -eq "$to" ] || { [ "$got" -le "$all" ] && [ $((got % step)) -eq 0 ]; } ||
        fail "after $what the store has $key $v: not whole steps of $step from $from to $to"
    ok
    echo "$what: $got of $all $key changes committed" >&2
    [ "$got" -eq 0 ] || [ "$got" -eq "$all" ] || BETWEEN=$((BETWEEN + 1))
}

# kill_in_steps KILLS KEY FROM TO STEP CMD...: SIGKILL CMD (on the reference
# store it took $DUR ms and took the stats line KEY from FROM to TO,
# committing STEP of it at a time) at random moments until KILLS runs were
# killed while running and, when it commits more than once, one of them
# between two commits. Each run starts where the last kill left the store,
# or over when nothing was left to do. Run times vary with the load of the
# machine (a commit syncs): a kill before the first commit stretches the
# window of kill moments by half, a run that finishes first shrinks it by a
# third.
kill_in_steps() {
    local want=$1 key=$2 from=$3 to=$4 step=$5 kills=0 attempts=0 dur=$DUR all what v
    shift 5
    all=$(( to > from ? to - from : from - to ))
    what=$(name_of "$@")
    BETWEEN=0
    while [ "$kills" -lt "$want" ] || { [ "$step" -lt "$all" ] && [ "$BETWEEN" -lt 1 ]; }; do
        attempts=$((attempts + 1))
        [ "$attempts" -le $((8 * want)) ] ||
            fail "$what: $kills kills in $attempts runs, $BETWEEN between two commits (seed $SEED)"
        start_over_if_done "$key" "$to"
        v=$(stat_in "$C" "$key")
        kill_once "$dur" "$@"
        case $KILL_STATUS in
        137) ;;
        0)  echo "attempt $attempts: $what finished before $KILL_AT" >&2
            dur=$((dur * 2 / 3))
            continue ;;
        *)  fail "$what exited with status $KILL_STATUS before the kill: $(cat "$T/bg.err")" ;;
        esac
        kills=$((kills + 1))
        after_kill "$what kill $kills at $KILL_AT" "$key" "$from" "$to" "$step"
        [ "$(stat_in "$C" "$key")" -ne "$v" ] || dur=$((dur * 3 / 2))
    done
}

# kill_and_rerun WHAT GONE_MSG CMD...: kill CMD once (on the reference store
# it took $DUR ms), check the store, and re-run CMD: it succeeds or, when the
# kill came after the commit (or the run finished first), fails saying GONE_MSG.
kill_and_rerun() {
    local what=$1 gone=$2
    shift 2
    kill_once "$DUR" "$@"
    [ "$KILL_STATUS" -eq 137 ] || [ "$KILL_STATUS" -eq 0 ] ||
        fail "$what exited with status $KILL_STATUS before the kill: $(cat "$T/bg.err")"
    echo "$what: SIGKILL at $KILL_AT: $([ "$KILL_STATUS" -eq 137 ] && echo killed || echo finished)" >&2
    check_ok "after killing $what (at $KILL_AT)"
    run "$@"
    if [ "$KILL_STATUS" -eq 0 ] || [ "$RC" -ne 0 ]; then
        assert_rc 1 "the re-run of $what once it was done"
        assert_contains "$T/err" "$gone" "the re-run of $what fails only as done"
    fi
    ok
}

# --- The reference store and its copy.
run segrt import --db "$REF" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "import of the generated data"
run segrt import --db "$REF" --contacts "$T/dups.csv" --events "$T/dup_events.csv"
assert_rc 0 "import of the duplicates"
cp -r "$REF" "$C"

# --- 1. A small delta of events in batches of 10: runs appended, whole batches kept.
BATCH=10
EV0=$(stat_in "$REF" events)
timed segrt import --db "$REF" --batch "$BATCH" --events "$T/delta.csv"
EV1=$(stat_in "$REF" events)
assert_eq "$EV1" $((EV0 + 400)) "events after the delta"
kill_in_steps 4 events "$EV0" "$EV1" "$BATCH" \
    "$SEGRT" import --db "$C" --batch "$BATCH" --events "$T/delta.csv"
run segrt import --db "$C" --batch "$BATCH" --events "$T/delta.csv"
assert_rc 0 "import re-run"
converged "the delta import"

# --- 2. segrt erase, one contact a command.
for id in "${ERASE[@]}"; do
    timed segrt erase --db "$REF" "$id"
    kill_and_rerun "erase $id" "no contact with id '$id'" "$SEGRT" erase --db "$C" "$id"
done
converged "the erasures"

# --- 3. The merges, all in one transaction: none or all of them.
MERGES=300
CO0=$(stat_in "$REF" contacts)
timed segrt dedupe --db "$REF" --now "$NOW" --by email --merge
assert_eq "$(grep -c . "$T/out")" $((MERGES + 1)) "lines of the merge (a header, then the groups)"
# The merges to undo: the first, the middle and the last; their contacts are watched.
awk -F'\t' 'NR == 2 || NR == 151 || NR == 301' "$T/out" >"$T/undo"
mapfile -t UNDO < <(cut -f5 "$T/undo")
mapfile -t -O "${#WATCH[@]}" WATCH < <(cut -f3,4 "$T/undo" | tr "\t" "\n")
kill_in_steps 4 contacts "$CO0" $((CO0 - MERGES)) "$MERGES" \
    "$SEGRT" dedupe --db "$C" --now "$NOW" --by email --merge
run segrt dedupe --db "$C" --now "$NOW" --by email --merge
assert_rc 0 "merge re-run"
converged "the merge"

# --- 4. Undo of three merges, one a command.
for m in "${UNDO[@]}"; do
    timed segrt dedupe --db "$REF" --now "$NOW" --undo "$m"
    kill_and_rerun "undo of merge $m" "merge $m cannot be undone: it was undone already" \
        "$SEGRT" dedupe --db "$C" --now "$NOW" --undo "$m"
done
converged "the undos"

# --- 5. A live session: killed at random moments, then during its close.
LBATCH=10000
# live DB: the command of the live session on DB.
live() {
    LIVE=("$RT" --batch "$LBATCH" --stats "$1" "$BENCH_LUA" "$NOW")
}
EV0=$(stat_in "$REF" events)
live "$REF"
timed "${LIVE[@]}" <"$T/live.jsonl"
EV1=$(stat_in "$REF" events)
assert_eq "$EV1" $((EV0 + 40000)) "events after the live session"
live "$C"
KILL_STDIN=$T/live.jsonl kill_in_steps 3 events "$EV0" "$EV1" "$LBATCH" "${LIVE[@]}"
run "${LIVE[@]}" <"$T/live.jsonl"
assert_rc 0 "live session re-run"
converged "the live session"

# The close: the embed example prints its two --stats lines, then closes the
# session, which flushes: syncs, and rebuilds chunk 0. Each run starts from
# the store before the step, so that the flush has the chunk to rebuild; the
# kill comes a random 5..95 % of the uninterrupted close time after the last
# line. live_close DB [KILL_MS] runs the session on DB: the ms from that
# line to its end in CLOSE_MS, its exit status in KILL_STATUS.
mkfifo "$T/live.err"
live_close() {
    local kill_ms=${2:-} t0 pid delay lines=0
    live "$1"
    "${LIVE[@]}" <"$T/live.jsonl" >/dev/null 2>"$T/live.err" &
    pid=$!
    track_bg "$pid"
    exec 4<"$T/live.err"
    while [ "$lines" -lt 2 ] && read -r _ <&4; do lines=$((lines + 1)); done
    t0=$(now_ms)
    if [ -n "$kill_ms" ]; then
        delay=$(( kill_ms * (5 + RANDOM % 91) / 100 ))
        sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
        kill -9 "$pid" 2>/dev/null || true
        KILL_AT="$delay ms into the close"
    fi
    KILL_STATUS=0
    wait "$pid" 2>/dev/null || KILL_STATUS=$?
    CLOSE_MS=$(( $(now_ms) - t0 ))
    untrack_bg "$pid"
    cat <&4 >"$T/live.rest"
    exec 4<&-
    [ "$lines" -eq 2 ] || fail "the live session printed $lines lines of --stats (exit $KILL_STATUS)"
}
cp -r "$PRE" "$T/close"
live_close "$T/close"
[ "$KILL_STATUS" -eq 0 ] || fail "the uninterrupted live session failed: $(cat "$T/live.rest")"
CLOSE=$CLOSE_MS
echo "uninterrupted close of the live session: $CLOSE ms" >&2
kills=0
for attempt in $(seq 12); do
    [ "$kills" -lt 3 ] || break
    rm -rf "$C"
    cp -r "$PRE" "$C"
    live_close "$C" "$CLOSE"
    case $KILL_STATUS in
    137) kills=$((kills + 1))
         echo "live close kill $kills: $KILL_AT" >&2
         check_ok "after live close kill $kills ($KILL_AT)"
         assert_eq "$(stat_in "$C" events)" "$EV1" "events after live close kill $kills" ;;
    0)   echo "attempt $attempt: the live session closed within $KILL_AT" >&2 ;;
    *)   fail "the live session failed: $(cat "$T/live.rest")" ;;
    esac
done
[ "$kills" -ge 3 ] || fail "only $kills kills landed during the live session's close (seed $SEED)"
ok
live "$C"
run "${LIVE[@]}" <"$T/live.jsonl"
assert_rc 0 "live session re-run after a kill during its close"
converged "the live session killed during its close"

# --- 6. Retention: many erasures in one command, 512 a transaction.
DAYS=850
RBATCH=512
CO0=$(stat_in "$REF" contacts)
timed segrt retention --db "$REF" --now "$NOW" --inactive-days "$DAYS"
CO1=$(stat_in "$REF" contacts)
[ $((CO0 - CO1)) -gt $((3 * RBATCH)) ] ||
    fail "retention erased $((CO0 - CO1)) contacts: fewer than four transactions"
ok
kill_in_steps 4 contacts "$CO0" "$CO1" "$RBATCH" \
    "$SEGRT" retention --db "$C" --now "$NOW" --inactive-days "$DAYS"
run segrt retention --db "$C" --now "$NOW" --inactive-days "$DAYS"
assert_rc 0 "retention re-run"
converged "the retention"

finish
