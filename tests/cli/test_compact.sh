#!/usr/bin/env bash
# test_compact.sh — segrt compact on a 100,000-contact demo store.
#
# An erased contact's e-mail stays in the data file's free pages until
# compact, and is gone after it; every segment of a pack, the stats and the
# exports are the same before and after; segrt stats shows the used bytes
# below the file bytes, and about equal after compact. Compact needs the
# store to itself: while a repl has it open it fails, naming the repl's pid,
# and changes nothing; a command started during a compact waits for it and
# sees the compacted store. kill -9 at random moments of a compact leaves a
# store that opens and passes segrt check (CRASH_SEED=N replays the kill
# moments). No store, a read-only directory or a file where the copy goes:
# a clear error and exit 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-06-01T00:00:00Z
PACK=ecommerce_coffee
KILLS=5
SEED=${CRASH_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
echo "crash seed $SEED (CRASH_SEED=$SEED replays the kill moments)" >&2

D=$T/csv
S=$T/db
segrt demo --csv "$D" --contacts 100000 --now "$NOW" >/dev/null
run segrt import --db "$S" --now "$NOW" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "import of the demo data"

# A contact whose e-mail is in no other contact's row.
ID=c0000042
EMAIL=$(python3 -c 'import csv, sys
print(next(r["email"] for r in csv.DictReader(open(sys.argv[1])) if r["id"] == sys.argv[2]))' \
    "$D/contacts.csv" "$ID")
[ -n "$EMAIL" ] && [ "$(grep -c -F -- "$EMAIL" "$D/contacts.csv")" -eq 1 ] ||
    fail "$ID's e-mail '$EMAIL' is not in exactly one row of the demo data"
echo "contact under test: $ID <$EMAIL>" >&2

in_file() {
    grep -a -o -F -- "$EMAIL" "$S/data.mdb" | wc -l | tr -d ' '
}

# Everything a reader sees, but the audit log and the sizes: the stats, the
# pack's segments (size and members), three contacts' exports.
reader_view() {
    local db=$1 out=$2 seg
    {
        counts_of "$db"
        for seg in $(awk 'NR > 1 { print $1 }' "$T/segments"); do
            echo "== $seg"
            segrt members --db "$db" --now "$NOW" "$PACK" "$seg"
        done
        for c in c0000001 c0050000 c0099999; do
            [ "$c" = "$ID" ] || segrt export --db "$db" --now "$NOW" "$c"
        done
    } >"$out"
}

# --- Erase: the e-mail stays in free pages; the used bytes stay below the file's.
[ "$(in_file)" -ge 1 ] || fail "$EMAIL is not in data.mdb before the erasure"
ok
run segrt erase --db "$S" "$ID"
assert_rc 0 "erase $ID"
[ "$(in_file)" -ge 1 ] || fail "$EMAIL left data.mdb without compact: the test proves nothing"
ok
segrt stats --db "$S" >"$T/stats.before"
FILE_BEFORE=$(stat_of "$T/stats.before" store_bytes)
USED_BEFORE=$(stat_of "$T/stats.before" store_used_bytes)
FREE_BEFORE=$(stat_of "$T/stats.before" store_free_bytes)
[ "$USED_BEFORE" -gt 0 ] && [ $((USED_BEFORE + FREE_BEFORE)) -le "$FILE_BEFORE" ] ||
    fail "stats before compact: used $USED_BEFORE + free $FREE_BEFORE > file $FILE_BEFORE"
ok
[ "$FREE_BEFORE" -gt 0 ] || fail "no free pages after an erasure: $(cat "$T/stats.before")"
ok

# The reference: an uncompacted copy, with the pack run once on it.
cp -r "$S" "$T/ref"
run segrt run --db "$T/ref" --now "$NOW" "$PACK"
assert_rc 0 "segrt run $PACK on the uncompacted copy"
awk '{ $NF = ""; print }' "$T/out" >"$T/run.ref"      # without the ms column
cp "$T/out" "$T/segments"
[ "$(wc -l <"$T/segments")" -ge 5 ] || fail "$PACK has too few segments: $(cat "$T/segments")"
reader_view "$T/ref" "$T/view.ref"

# --- Compact: the e-mail is gone, everything else is the same.
run segrt compact --db "$S" --actor dpo
assert_rc 0 "segrt compact"
assert_eq "$(stat_of "$T/out" store_bytes_before)" "$FILE_BEFORE" "size before, as stats said"
AFTER=$(stat_of "$T/out" store_bytes_after)
assert_eq "$AFTER" "$(stat -c %s "$S/data.mdb")" "size after, as the file has it"
[ "$AFTER" -lt "$FILE_BEFORE" ] || fail "compact did not shrink the file: $FILE_BEFORE -> $AFTER"
ok
assert_eq "$(in_file)" 0 "occurrences of the erased e-mail in data.mdb after compact"
[ ! -e "$S/compact.tmp" ] || fail "compact.tmp is left behind"
ok
segrt stats --db "$S" >"$T/stats.after"
FILE_AFTER=$(stat_of "$T/stats.after" store_bytes)
USED_AFTER=$(stat_of "$T/stats.after" store_used_bytes)
# The file is what was used, plus the few pages of compact's audit entry.
[ "$USED_AFTER" -le "$FILE_AFTER" ] && [ $((FILE_AFTER - USED_AFTER)) -le 65536 ] &&
    [ "$FILE_AFTER" -le $((USED_BEFORE + 65536)) ] ||
    fail "after compact: file $FILE_AFTER, used $USED_AFTER (used before: $USED_BEFORE)"
ok
segrt audit --db "$S" | tail -n 1 >"$T/audit.last"
assert_contains "$T/audit.last" "	dpo	compact	store	data file $FILE_BEFORE bytes, compacted to" \
    "audit entry of the compact"
run segrt check --db "$S"
assert_rc 0 "segrt check after compact"

run segrt run --db "$S" --now "$NOW" "$PACK"
assert_rc 0 "segrt run $PACK on the compacted store"
awk '{ $NF = ""; print }' "$T/out" >"$T/run.new"
cmp -s "$T/run.ref" "$T/run.new" || fail "segrt run differs after compact:
$(diff "$T/run.ref" "$T/run.new")"
ok
reader_view "$S" "$T/view.new"
cmp -s "$T/view.ref" "$T/view.new" || fail "what readers see differs after compact:
$(diff "$T/view.ref" "$T/view.new" | head -20)"
ok

# --- A repl has the store open: compact fails, names it and changes nothing.
mkfifo "$T/repl.in"
"$SEGRT" repl --db "$S" <"$T/repl.in" >/dev/null 2>&1 &
RPID=$!
track_bg "$RPID"
exec 3>"$T/repl.in"                                   # the repl waits for input
for _ in $(seq 100); do
    grep -qF "$S/data.mdb" "/proc/$RPID/maps" 2>/dev/null && break
    sleep 0.05
done
grep -qF "$S/data.mdb" "/proc/$RPID/maps" || fail "the repl did not open the store"
SIZE=$(stat -c %s "$S/data.mdb")
INODE=$(stat -c %i "$S/data.mdb")
run segrt compact --db "$S"
assert_rc 1 "segrt compact while a repl has the store open"
assert_contains "$T/err" "segrt: compact: $S is open in another process (pid $RPID)" \
    "the refusal names the repl"
assert_eq "$(stat -c %s:%i "$S/data.mdb")" "$SIZE:$INODE" "the data file after a refusal"
[ ! -e "$S/compact.tmp" ] || fail "a refused compact left compact.tmp"
ok
exec 3>&-                                             # end of input: the repl exits
wait "$RPID" || fail "the repl failed"
untrack_bg "$RPID"
run segrt compact --db "$S"
assert_rc 0 "segrt compact once the repl is gone"

# --- A command started during a compact waits for it and sees the compacted
# store: the one with compact's audit entry. (It starts once compact.tmp is
# there, when the compact holds the store; had it started earlier, the
# compact would have refused.)
AUDIT=$(segrt stats --db "$S" | stat_of /dev/stdin audit)
"$SEGRT" compact --db "$S" >"$T/bg.out" 2>"$T/bg.err" &
CPID=$!
track_bg "$CPID"
overlap=no
for _ in $(seq 400); do
    [ -d "$S/compact.tmp" ] && overlap=yes && break
    kill -0 "$CPID" 2>/dev/null || break
    sleep 0.005
done
run segrt stats --db "$S"
assert_rc 0 "segrt stats started during a compact"
wait "$CPID" || fail "the compact beside the reader failed: $(cat "$T/bg.err")"
untrack_bg "$CPID"
echo "a reader started during the compact: $overlap" >&2
assert_eq "$(stat_of "$T/out" audit)" $((AUDIT + 1)) "audit entries seen by the waiting reader"
counts_of "$T/ref" >"$T/counts.ref"
grep -Ev '^(audit|store_bytes|store_used_bytes|store_free_bytes|erased_awaiting_compaction|last_compaction) ' "$T/out" |
    cmp -s "$T/counts.ref" - || fail "stats during a compact differ: $(cat "$T/out")"
ok

# --- kill -9 at random moments of a compact: the store opens and passes check.
cp -r "$T/ref" "$T/crash"
counts_of "$T/crash" >"$T/crash.counts"
t0=$(date +%s%N)
run segrt compact --db "$T/ref"
assert_rc 0 "an uninterrupted compact (for its duration)"
DUR=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "uninterrupted compact: ${DUR} ms" >&2
after_kill() {
    run segrt check --db "$T/crash"
    assert_rc 0 "segrt check after kill $1 (at $2)"
    counts_of "$T/crash" >"$T/counts"
    cmp -s "$T/crash.counts" "$T/counts" || fail "stats after kill $1 differ:
$(diff "$T/crash.counts" "$T/counts")"
    ok
}
kill_repeatedly "$KILLS" "$DUR" after_kill "$SEGRT" compact --db "$T/crash"
run segrt compact --db "$T/crash"
assert_rc 0 "compact after the kills"
[ ! -e "$T/crash/compact.tmp" ] || fail "the leftover compact.tmp was not removed"
ok
reader_view "$T/crash" "$T/view.crash"
cmp -s "$T/view.ref" "$T/view.crash" || fail "the store killed during compacts reads differently:
$(diff "$T/view.ref" "$T/view.crash" | head -20)"
ok

# --- Bad input: a clear message and exit 1 (2 for a usage error).
run segrt compact --db "$T/none"
assert_rc 1 "compact of no store"
assert_contains "$T/err" "no store here" "compact of no store says so"
[ ! -e "$T/none" ] || fail "compact of no store made $T/none"
ok

echo "a file" >"$S/compact.tmp"
run segrt compact --db "$S"
assert_rc 1 "compact with a file where the copy goes"
assert_contains "$T/err" "segrt: compact: removing $S/compact.tmp/data.mdb: Not a directory" \
    "compact says what is in the way"
rm "$S/compact.tmp"

# A read-only directory: compact cannot make its copy there. Root ignores
# the mode, so the store is handed to nobody and compacted as nobody.
mkdir "$T/ro"
cp -r "$T/ref" "$T/ro/db"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$T" "$T/ro"
    chown -R nobody "$T/ro/db"
    as_owner=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
chmod 555 "$T/ro/db"
run "${as_owner[@]}" "$SEGRT" compact --db "$T/ro/db"
chmod 755 "$T/ro/db"
assert_rc 1 "compact in a read-only directory"
assert_contains "$T/err" "segrt: compact: $T/ro/db/compact.tmp: cannot create: Permission denied" \
    "compact in a read-only directory says why"
run segrt check --db "$T/ro/db"
assert_rc 0 "segrt check after the failed compact"

run segrt compact --db "$S" extra
assert_rc 2 "compact with an argument"
run segrt compact --help
assert_rc 0 "compact --help"
assert_contains "$T/out" "usage: segrt compact" "compact --help"

finish
