#!/usr/bin/env bash
# test_erase_compact.sh — erasure that leaves no bytes (issue 16, part 4).
#
# Contacts with values found nowhere else (id, e-mail, names, city, a custom
# string field, a set value, event categories and channels, an extra event
# attribute, consent sources) are erased: by id, many at once, from a file
# with a comment, a blank line, a CRLF line and unknown ids (reported at
# file:line, the others still erased, exit 1), one merged into another by
# segrt dedupe and then erased with the survivor, ones in stored runs. After
# erase + compact, or erase --compact, a byte search of every file of the
# store directory finds none of their values, while a kept contact's values
# are all still there (the search can fail) and some erased values were
# still there before the compact (the compact is what removes them).
# segrt stats counts the erasures awaiting a compact and says when the last
# one ran. Unhappy paths: no id, an unreadable or id-less --from file, an
# erase of a merged-away id, --compact while a repl holds the store (the
# erasure is done, the compact refused: exit 1, the count kept).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-06-01T00:00:00Z
S=$T/db

# 300 filler contacts, then the probes u01..u11 with unique values: u05 and
# u06 have the same name and city (dedupe merges u06 into the older u05),
# and so have u10 and u11 (u11 into u10, a merge kept and undone after the
# compact: what its undo record holds stays).
python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
with open(d + '/contacts.csv', 'w') as c, open(d + '/events.csv', 'w') as e, \
        open(d + '/consents.csv', 'w') as k:
    c.write('id,email,first_name,last_name,city,nickname,tags,income,created_at\n')
    e.write('contact_id,ts,type,amount,category,channel,coupon\n')
    k.write('contact_id,purpose,status,legal_basis,ts,source\n')
    for i in range(300):
        c.write('f%04d,f%04d@filler.example,Ana,Pop%04d,Cluj,filler,vip,%d,2024-01-01T00:00:00Z\n'
                % (i, i, i, 1000 + i))
        e.write('f%04d,2026-05-0%dT10:00:00Z,purchase,%d,beans,web,PLAIN\n' % (i, 1 + i % 9, i))
        k.write('f%04d,email_marketing,granted,consent,2025-01-01T00:00:00Z,web_form\n' % i)
    for n in range(1, 12):
        u = 'u%02d' % n
        pair = {5: 55, 6: 55, 10: 66, 11: 66}.get(n, n)
        name, last, city = ('%s%02d' % (w, pair) for w in ('Zorbatron', 'Vandermolt', 'Qwyxville'))
        created = '2023-01-01T00:00:00Z' if n in (5, 10) else '2024-%02d-01T00:00:00Z' % n
        c.write('%s-xq7,%s.unique@probe-mail.example,%s,%s,%s,nick-%s,tag-%s,%d,%s\n'
                % (u, u, name, last, city, u, u, 990000 + n, created))
        e.write('%s-xq7,2026-05-20T10:00:00Z,purchase,%d,cat-%s,chan-%s,CPN-%s\n'
                % (u, 100 + n, u, u, u))
        k.write('%s-xq7,email_marketing,granted,consent,2025-02-01T00:00:00Z,src-%s\n' % (u, u))
PY
run segrt import --db "$S" --now "$NOW" --contacts "$T/contacts.csv" --events "$T/events.csv" \
    --consents "$T/consents.csv"
assert_rc 0 "import"

# The values of probe uNN, one per line.
values_of() {
    local u=$1 n=${1#u}
    printf '%s\n' "$u-xq7" "$u.unique@probe-mail.example" "nick-$u" "tag-$u" "cat-$u" "chan-$u" \
        "CPN-$u" "src-$u"
    case $n in
    05 | 06 | 10 | 11) ;; # their shared names and city are checked with the merges
    *) printf '%s\n' "Zorbatron$n" "Vandermolt$n" "Qwyxville$n" ;;
    esac
}

# Print the values of the probes "$@" that some file of DIR holds, "value file" per line.
found_in() {
    local dir=$1 u v f
    shift
    for u in "$@"; do
        while read -r v; do
            for f in "$dir"/*; do
                [ -f "$f" ] || continue
                if grep -qaF -- "$v" "$f"; then echo "$v $(basename "$f")"; fi
            done
        done < <(values_of "$u")
    done
}

# Every value of every probe is in the store (the search finds them).
found_in "$S" u01 u02 u03 u04 u05 u06 u07 u08 u09 u10 u11 >"$T/found"
assert_eq "$(cut -d' ' -f1 "$T/found" | sort -u | wc -l | tr -d ' ')" 109 \
    "values of the eleven probes found in the store before any erasure"

# --- stats before any erasure.
segrt stats --db "$S" >"$T/stats"
assert_eq "$(stat_of "$T/stats" erased_awaiting_compaction)" 0 "erasures awaiting before"
assert_eq "$(stat_of "$T/stats" last_compaction)" never "last compaction before"

# --- A stored run holding u07 and u08 (its memberships are stored).
cat >"$T/segs.lua" <<'LUA'
local seg = require "segrt"
local F = seg.F
seg.segment "rich" { where = F.income:gt(990000) }
LUA
run segrt run --db "$S" --now "$NOW" "$T/segs.lua"
assert_rc 0 "segrt run"
run segrt members --db "$S" --now "$NOW" "$T/segs.lua" rich
assert_eq "$(sort "$T/out" | tr '\n' ' ')" "$(printf 'u%02d-xq7 ' $(seq 11))" \
    "members of the stored segment"

# --- Merge u06 into u05 and u11 into u10 (same names and city, the older survives).
run segrt dedupe --db "$S" --now "$NOW" --by name_city --merge
assert_rc 0 "dedupe merge"
assert_eq "$(tail -n +2 "$T/out" | cut -f3,4 | sort | tr '\t\n' ' ;')" "u05-xq7 u06-xq7;u10-xq7 u11-xq7;" \
    "u06 merged into u05, u11 into u10"
M_KEPT=$(awk -F'\t' '$3 == "u10-xq7" { print $5 }' "$T/out")
[ -n "$M_KEPT" ] || fail "no merge id for u10: $(cat "$T/out")"
run segrt erase --db "$S" u06-xq7
assert_rc 1 "erase of the merged-away u06"
assert_contains "$T/err" "contact 'u06-xq7' was merged into" "erase of a merged-away id says where it went"

# --- One id, then many at once.
run segrt erase --db "$S" u01-xq7
assert_rc 0 "erase of u01"
assert_contains "$T/err" "segrt: erase: contact u01-xq7 erased" "erase of one id says so"
run segrt erase --db "$S" u02-xq7 u05-xq7
assert_rc 0 "erase of u02 and u05 (u06's survivor)"
assert_contains "$T/err" "segrt: erase: 2 of 2 contacts erased" "erase of two ids says so"
assert_eq "$(stat_of <(segrt stats --db "$S") erased_awaiting_compaction)" 3 \
    "erasures awaiting a compact after three"

# --- From a file: a comment, a blank line, a CRLF line, unknown ids, the merged-away one.
printf '# erasure requests of the week\nu03-xq7\n\n  u04-xq7\r\nno-such-id\nu06-xq7\nu01-xq7\n' \
    >"$T/requests.txt"
run segrt erase --db "$S" --from "$T/requests.txt" gone-too
assert_rc 1 "erase --from with unknown ids"
assert_contains "$T/err" "segrt: erase: no contact with id 'gone-too'" "an unknown argument is named"
assert_contains "$T/err" "segrt: erase: $T/requests.txt:5: no contact with id 'no-such-id'" \
    "an unknown id is named at its file:line"
assert_contains "$T/err" "segrt: erase: $T/requests.txt:6: no contact with id 'u06-xq7'" \
    "the merged-away id, whose undo data went with its survivor u05, at its file:line"
assert_contains "$T/err" "segrt: erase: $T/requests.txt:7: no contact with id 'u01-xq7'" \
    "an id erased before at its file:line"
assert_contains "$T/err" "segrt: erase: 2 of 6 contacts erased" "the others were erased"
for u in u03 u04; do
    run segrt show --db "$S" "$u-xq7"
    assert_rc 1 "show of the erased $u"
done
assert_eq "$(stat_of <(segrt stats --db "$S") contacts)" 304 "contacts left (300 fillers, u07, u08, u09, u10)"
segrt stats --db "$S" >"$T/stats"
assert_eq "$(stat_of "$T/stats" erased_awaiting_compaction)" 5 "erasures awaiting a compact"
assert_eq "$(stat_of "$T/stats" last_compaction)" never "no compaction yet"

# Without a compact, some erased values are still in the data file's free pages.
found_in "$S" u01 u02 u03 u04 u05 u06 >"$T/found"
[ -s "$T/found" ] || fail "no erased value left before the compact: the test proves nothing"
ok

# --- u07, in the stored run, erased with --compact: nothing of the seven is left.
T0=$(date -u +%Y-%m-%dT%H:%M:%SZ)
run segrt erase --db "$S" --compact u07-xq7
T1=$(date -u +%Y-%m-%dT%H:%M:%SZ)
assert_rc 0 "erase --compact of u07"
[ "$(stat_of "$T/out" store_bytes_after)" -lt "$(stat_of "$T/out" store_bytes_before)" ] ||
    fail "erase --compact did not shrink the data file: $(cat "$T/out")"
ok
found_in "$S" u01 u02 u03 u04 u05 u06 u07 >"$T/found"
printf '%s\n' Zorbatron55 Vandermolt55 Qwyxville55 | while read -r v; do
    for f in "$S"/*; do
        if grep -qaF -- "$v" "$f"; then echo "$v $(basename "$f")"; fi
    done
done >>"$T/found"
assert_eq "$(cat "$T/found")" "" "values of erased contacts left in the store after the compact"
found_in "$S" u08 u09 u10 u11 >"$T/found"
assert_eq "$(wc -l <"$T/found" | tr -d ' ')" 38 \
    "values of the kept u08, u09, u10 and u11 (in its merge's undo record) after the compact"
[ ! -e "$S/compact.tmp" ] || fail "compact.tmp left behind"
ok
segrt stats --db "$S" >"$T/stats"
assert_eq "$(stat_of "$T/stats" erased_awaiting_compaction)" 0 "erasures awaiting after the compact"
LAST=$(stat_of "$T/stats" last_compaction)
[[ "$LAST" > "$T0" || "$LAST" == "$T0" ]] && [[ "$LAST" < "$T1" || "$LAST" == "$T1" ]] ||
    fail "last_compaction $LAST not between $T0 and $T1"
ok
run segrt check --db "$S"
assert_rc 0 "segrt check after erase --compact"
run segrt members --db "$S" --now "$NOW" "$T/segs.lua" rich
assert_eq "$(sort "$T/out" | tr '\n' ' ')" "u08-xq7 u09-xq7 u10-xq7 " "the stored segment after the erasures"
run segrt run --db "$S" --now "$NOW" "$T/segs.lua"
assert_rc 0 "segrt run after erase --compact"
run segrt export --db "$S" --now "$NOW" u09-xq7
assert_rc 0 "export of the kept u09"
assert_contains "$T/out" "u09.unique@probe-mail.example" "u09's export holds its e-mail"
# The merge kept through the compact undoes whole: u11's category, channel and source are back.
run segrt dedupe --db "$S" --undo "$M_KEPT"
assert_rc 0 "undo of the merge of u11 into u10 after the compact"
run segrt export --db "$S" --now "$NOW" u11-xq7
assert_rc 0 "export of the unmerged u11"
for v in cat-u11 chan-u11 src-u11 CPN-u11 u11.unique@probe-mail.example; do
    assert_contains "$T/out" "$v" "u11's export after the undo"
done

# --- --compact while a repl holds the store: u08 is erased, the compact refused.
mkfifo "$T/repl.in"
"$SEGRT" repl --db "$S" <"$T/repl.in" >/dev/null 2>&1 &
RPID=$!
track_bg "$RPID"
exec 3>"$T/repl.in"
for _ in $(seq 100); do
    grep -qF "$S/data.mdb" "/proc/$RPID/maps" 2>/dev/null && break
    sleep 0.05
done
grep -qF "$S/data.mdb" "/proc/$RPID/maps" || fail "the repl did not open the store"
run segrt erase --db "$S" --compact u08-xq7
assert_rc 1 "erase --compact while a repl has the store open"
assert_contains "$T/err" "segrt: erase: contact u08-xq7 erased" "the erasure is done"
assert_contains "$T/err" "the erasure is done, the compact is not: $S is open in another process (pid $RPID)" \
    "the refused compact is named"
exec 3>&-
wait "$RPID" || fail "the repl failed"
untrack_bg "$RPID"
assert_eq "$(stat_of <(segrt stats --db "$S") erased_awaiting_compaction)" 1 \
    "the erasure awaits a compact"
# An interrupted compact's scratch copy is left: the next compact removes it.
mkdir -p "$S/compact.tmp/scratch"
echo "an interrupted copy" >"$S/compact.tmp/scratch/data.mdb"
run segrt compact --db "$S"
assert_rc 0 "segrt compact once the repl is gone, over a leftover scratch copy"
[ ! -e "$S/compact.tmp" ] || fail "the leftover compact.tmp/scratch was not removed"
ok
assert_eq "$(found_in "$S" u08)" "" "u08's values after segrt compact"
assert_eq "$(stat_of <(segrt stats --db "$S") erased_awaiting_compaction)" 0 \
    "nothing awaits a compact"

# --- Bad input: a clear message; exit 2 for a usage error, 1 otherwise.
run segrt erase --db "$S"
assert_rc 2 "erase without an id"
assert_contains "$T/err" "which contacts? give their IDs or --from FILE" "erase without an id says so"
run segrt erase --db "$S" --from "$T/none.txt"
assert_rc 1 "erase --from a missing file"
assert_contains "$T/err" "segrt: erase: $T/none.txt: cannot read: No such file or directory" \
    "a missing --from file is named"
run segrt erase --db "$S" --from "$T"
assert_rc 1 "erase --from a directory"
assert_contains "$T/err" "segrt: erase: $T: cannot read: Is a directory" "a directory is named"
printf '# nothing this week\n\n' >"$T/empty.txt"
run segrt erase --db "$S" --from "$T/empty.txt"
assert_rc 1 "erase --from a file without ids"
assert_contains "$T/err" "segrt: erase: $T/empty.txt: no id to erase" "a file without ids is named"
run segrt erase --db "$T/nostore" u09-xq7
assert_rc 1 "erase without a store"
assert_contains "$T/err" "no store here" "erase without a store says so"
assert_eq "$(stat_of <(segrt stats --db "$S") contacts)" 303 "contacts after the failed erasures"
run segrt erase --help
assert_rc 0 "erase --help"
assert_contains "$T/out" "--from FILE" "erase --help names --from"
finish
