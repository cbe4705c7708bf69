#!/usr/bin/env bash
# test_kill9.sh [TRIALS] — kill -9 at a random moment of each write path
# (issue 18, part 5): an import in batches, a bulk erase, retention, a
# dedupe merge and its undo, compact, segrt run and a live session (the
# embed example) with its flush, each on a copy of one store. After each kill,
# segrt check must accept the store (nothing half-written is visible), and
# running the same command again must converge to the state an uninterrupted
# run gives: the same counts, the same contacts with the same fields, the
# same members of segments over events and consents. The kill falls at a
# uniformly random moment of the first 90 % of the uninterrupted run's
# duration (seeded); a run that ends before its kill is tried again on a
# fresh copy with a third of the delay (twice at most), and at least a
# quarter of the kills of each path must land while it still runs (an undo
# takes some 12 ms, much of it the start).
# TRIALS per path (default 8 in CI; `bash tests/cli/test_kill9.sh 50` for
# the issue's count).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TRIALS=${1:-8}

G=$T/good
segrt demo --db "$G" --contacts 3000 --now 2026-01-01T00:00:00Z >/dev/null
cat >"$T/all.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.segment "all" {}
seg.segment "buyers" { where = E.purchase:count():gt(3) }
seg.segment "spenders" { where = E.purchase:sum "amount" :gt(500) }
seg.segment "mailable" { where = F.email:present(), purpose = "email_marketing" }
LUA
segrt members --db "$G" --no-purpose --format csv --fields email "$T/all.lua" all >"$T/emails.csv"
python3 - "$T" <<'PY'
import csv, random, sys
t = sys.argv[1]
rng = random.Random(18)
rows = list(csv.DictReader(open(t + '/emails.csv')))
ids = [r['id'] for r in rows]
with open(t + '/events.csv', 'w') as f:
    f.write('contact_id,ts,type,amount,category\n')
    for i in range(20000):
        f.write('%s,2025-%02d-%02dT%02d:00:00Z,purchase,%d.%02d,beans\n' % (
            rng.choice(ids), rng.randrange(1, 13), rng.randrange(1, 29), rng.randrange(24),
            rng.randrange(1, 300), rng.randrange(100)))
with open(t + '/live.jsonl', 'w') as f:  # each event at a second of its own
    for i in range(6000):
        f.write('{"contact_id":"%s","ts":"2025-12-%02dT%02d:%02d:%02dZ","type":"purchase","amount":%d.5}\n' % (
            rng.choice(ids), 1, i // 3600, i // 60 % 60, i % 60, rng.randrange(1, 300)))
with open(t + '/erase.txt', 'w') as f:
    f.write('\n'.join(rng.sample(ids, 600)) + '\n')
with open(t + '/dups.csv', 'w') as f:
    f.write('id,email\n')  # 400 new contacts, each with an existing contact's e-mail
    n = 0
    for r in rows:
        if r['email'] and n < 400:
            f.write('d%05d,%s\n' % (n, r['email'].upper()))
            n += 1
PY
D0=$T/dups0
cp -r "$G" "$D0"
segrt import --db "$D0" --contacts "$T/dups.csv" >/dev/null 2>&1

# fingerprint STORE: what must converge
fingerprint() {
    segrt stats --db "$1" | grep -E '^(contacts|events|consents) '
    segrt members --db "$1" --now 2026-01-01T00:00:00Z --no-purpose --format csv --fields email,city \
        "$T/all.lua" all | sha1sum
    for s in buyers spenders mailable; do
        segrt count --db "$1" --now 2026-01-01T00:00:00Z "$T/all.lua" "$s"
    done
}

# fingerprint_run STORE: what a run stored last, per segment (NOW and size; a killed run that
# committed leaves one more run before it, which the re-run then repeats)
fingerprint_run() {
    fingerprint "$1"
    for s in all buyers spenders mailable; do
        segrt history --db "$1" "$T/all.lua" "$s" | tail -1 | awk '{ print $2, $3 }'
    done
}

FP=fingerprint
# with_db DIR ARGS...: ARGS with each @DB replaced by DIR, in the array CMD
with_db() {
    local dir=$1 a
    shift
    CMD=()
    for a in "$@"; do CMD+=("${a//@DB/$dir}"); done
}

# path NAME BASE PROGRAM ARGS...: the uninterrupted run of PROGRAM ARGS (@DB
# standing for the store, its input the file $IN), then TRIALS killed ones,
# each on a fresh copy of BASE, re-run and compared by $FP. PROGRAM runs
# directly, never through a shell function, so the signal reaches it.
IN=/dev/null
path() {
    local name=$1 base=$2
    shift 2
    local ref=$T/ref.$name
    cp -r "$base" "$ref"
    with_db "$ref" "$@"
    local t0 t1
    t0=$(date +%s%N)
    "${CMD[@]}" <"$IN" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    "$FP" "$ref" >"$T/want.$name"
    local ms=$(((t1 - t0) / 1000000 + 1)) k landed=0 status
    for ((k = 0; k < TRIALS; k++)); do
        local d=$T/kill.$name.$k delay attempt
        delay=$(python3 -c "import random; r = random.Random('$name$k'); print('%.3f' % (r.random() * $ms * 0.9 / 1000))")
        # A run can end before its kill when the machine is quicker than during
        # the timed run: then again on a fresh copy, sooner, up to 3 times.
        for attempt in 1 2 3; do
            rm -rf "$d"
            cp -r "$base" "$d"
            with_db "$d" "$@"
            "${CMD[@]}" <"$IN" >/dev/null 2>&1 &
            local pid=$!
            sleep "$delay"
            kill -9 "$pid" 2>/dev/null || true
            status=0
            wait "$pid" 2>/dev/null || status=$?
            [ "$status" != 137 ] || break
            delay=$(python3 -c "print('%.3f' % ($delay / 3))")
        done
        [ "$status" != 137 ] || landed=$((landed + 1))
        run segrt check --db "$d"
        [ "$RC" = 0 ] || fail "$name, killed after ${delay} s of ${ms} ms: check: $(cat "$T/err")"
        "${CMD[@]}" <"$IN" >/dev/null 2>&1 || true
        "$FP" "$d" >"$T/got"
        cmp -s "$T/got" "$T/want.$name" ||
            fail "$name, killed after ${delay} s: the re-run does not converge: $(diff "$T/want.$name" "$T/got" | head -5)"
        rm -rf "$d"
    done
    [ $((4 * landed)) -ge "$TRIALS" ] ||
        fail "$name: only $landed of $TRIALS kills landed while it ran ($ms ms)"
    echo "$name: $landed of $TRIALS kills landed in a run of $ms ms, each checked and converged"
    ok
}

M0=$T/merged0
cp -r "$D0" "$M0"
segrt dedupe --db "$M0" --by email --merge >/dev/null
MERGE=$(segrt dedupe --db "$M0" --merges | sed -n 2p | cut -f1)
[ -n "$MERGE" ] || fail "the merge left nothing to undo"
RT=$(dirname "$SEGRT")/segrt_embed_example
[ -x "$RT" ] || fail "the embed example is not built at $RT"

path import "$G" "$SEGRT" import --db @DB --batch 500 --events "$T/events.csv"
path erase "$G" "$SEGRT" erase --db @DB --from "$T/erase.txt"
path retention "$G" "$SEGRT" retention --db @DB --inactive-days 120
path merge "$D0" "$SEGRT" dedupe --db @DB --by email --merge
path undo "$M0" "$SEGRT" dedupe --db @DB --undo "$MERGE"
path compact "$G" "$SEGRT" compact --db @DB
IN=$T/live.jsonl path live "$G" "$RT" --batch 200 @DB "$T/all.lua" 2026-01-01T00:00:00Z
FP=fingerprint_run path run "$G" "$SEGRT" run --db @DB --now 2026-01-01T00:00:00Z "$T/all.lua"
finish
