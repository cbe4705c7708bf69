#!/usr/bin/env bash
# test_oracle.sh — segrt's segment members against SQLite, segment by segment.
#
# Data: gen_crm.py --contacts 20000 --seed 7 (clean), NOW = 2026-01-01T00:00:00Z.
# segrt imports it; tests/oracle/sqlite_oracle.py loads the same CSVs into an
# in-memory SQLite database (the schema and conversions of
# ../shared/bench/anchors/load_sqlite.sh, no sqlite3 CLI needed) and writes the
# expected member ids of
#   - S1–S12: the anchor queries of anchors/queries_sqlite.sql turned into
#     member-id queries (their counts are cross-checked against the original
#     count queries and against the SQL-free anchors/reference_counts.py),
#     segrt side: examples/bench_segments.lua;
#   - every segment of tests/oracle/extra_segments.lua, whose SQL twins are in
#     tests/oracle/extra_segments.sql.
# For each segment, `segrt members` must print exactly the expected ids (sorted
# by byte order, one a line) and `segrt count` their number. Every segment is
# checked even after a failure; each failure shows both sizes and a few ids
# that only one side has.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
ORACLE=$REPO/tests/oracle
NOW=2026-01-01T00:00:00Z
BENCH_LUA=$REPO/examples/bench_segments.lua
EXTRA_LUA=$ORACLE/extra_segments.lua

FAILED=0
soft_fail() {
    echo "FAIL: $(basename "$0"): $*" >&2
    FAILED=$((FAILED + 1))
}

D=$T/crm
python3 "$SHARED_BENCH/gen_crm.py" --contacts 20000 --seed 7 --out "$D" >/dev/null

# --- Expected member sets (SQLite), computed while segrt imports.
python3 "$ORACLE/sqlite_oracle.py" "$D" "$T/exp" \
    --anchors "$SHARED_BENCH/anchors/queries_sqlite.sql" \
    --extra "$ORACLE/extra_segments.sql" \
    --reference "$SHARED_BENCH/anchors/reference_counts.py" \
    >"$T/oracle.out" 2>"$T/oracle.err" &
oracle_pid=$!
track_bg "$oracle_pid"

run segrt import --db "$T/db" --contacts "$D/contacts.csv" --events "$D/events.csv" \
    --consents "$D/consents.csv"
assert_rc 0 "import of the clean 20000-contact data set"
segrt stats --db "$T/db" >"$T/stats"
assert_eq "$(stat_of "$T/stats" contacts)" 20000 "stats contacts"
assert_eq "$(stat_of "$T/stats" events)" "$(($(wc -l <"$D/events.csv") - 1))" "stats events"
assert_eq "$(stat_of "$T/stats" consents)" "$(($(wc -l <"$D/consents.csv") - 1))" "stats consents"

rc=0
wait "$oracle_pid" || rc=$?
untrack_bg "$oracle_pid"
[ "$rc" -eq 0 ] || fail "sqlite_oracle.py failed (exit $rc): $(head -c 3000 "$T/oracle.err")"
ok  # SQLite anchors = their count queries = reference_counts.py

# --- Every segment the Lua files define has an SQL twin, and the other way round.
python3 - "$BENCH_LUA" "$EXTRA_LUA" "$T/exp/manifest" <<'PY' || fail "Lua segments and SQL twins differ (see above)"
import re, sys
bench, extra, manifest = sys.argv[1:4]
def names(path):
    src = open(path, encoding='utf-8').read()
    src = re.sub(r'--[^\n]*', '', src)
    out = re.findall(r'seg\.segment\s*"([A-Za-z_][A-Za-z0-9_]*)"', src)
    for group, body in re.findall(r'seg\.exclusive\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*\{([^}]*)\}', src):
        out += [group + '.' + m for m in re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"', body)]
    return set(out)
want = {'anchors': names(bench), 'extra': names(extra)}
have = {'anchors': set(), 'extra': set()}
for line in open(manifest):
    group, name, _ = line.split()
    have[group].add(name)
bad = False
for g in want:
    if want[g] != have[g]:
        bad = True
        sys.stderr.write('%s: only in Lua %s, only in SQL %s\n'
                         % (g, sorted(want[g] - have[g]), sorted(have[g] - want[g])))
if len(want['extra']) < 20:
    bad = True
    sys.stderr.write('only %d extra segments\n' % len(want['extra']))
sys.exit(1 if bad else 0)
PY
ok

# --- segrt against SQLite, segment by segment.
# show_diff NAME GOT EXPECTED: sizes and a few ids only one side has.
show_diff() {
    local name=$1 got=$2 exp=$3
    LC_ALL=C sort -u "$got" >"$T/got.sorted"
    local n_got n_exp only_segrt only_sql
    n_got=$(wc -l <"$got")
    n_exp=$(wc -l <"$exp")
    # head closes the pipe early on a big difference: not a failure of the check
    only_segrt=$(LC_ALL=C comm -23 "$T/got.sorted" "$exp" | head -n 5 | tr '\n' ' ' || true)
    only_sql=$(LC_ALL=C comm -13 "$T/got.sorted" "$exp" | head -n 5 | tr '\n' ' ' || true)
    if [ -z "$only_segrt$only_sql" ]; then
        soft_fail "$name: same ids as SQLite but not sorted by byte order or with" \
            "duplicates ($n_got lines, $(wc -l <"$T/got.sorted") distinct)"
    else
        soft_fail "$name: segrt $n_got members, SQLite $n_exp;" \
            "only segrt: ${only_segrt:-none}; only SQLite: ${only_sql:-none}"
    fi
}

n_seg=0
while read -r group name count <&3; do
    case "$group" in
        anchors) script=$BENCH_LUA ;;
        *) script=$EXTRA_LUA ;;
    esac
    exp=$T/exp/$name.ids
    n_seg=$((n_seg + 1))

    run segrt members --db "$T/db" --now "$NOW" "$script" "$name" </dev/null
    if [ "$RC" -ne 0 ]; then
        soft_fail "$name: segrt members exited $RC: $(head -c 600 "$T/err")"
    elif cmp -s "$T/out" "$exp"; then
        ok
    else
        cp "$T/out" "$T/got"
        show_diff "$name" "$T/got" "$exp"
    fi

    run segrt count --db "$T/db" --now "$NOW" "$script" "$name" </dev/null
    if [ "$RC" -ne 0 ]; then
        soft_fail "$name: segrt count exited $RC: $(head -c 600 "$T/err")"
    elif [ "$(cat "$T/out")" != "$count" ]; then
        soft_fail "$name: segrt count printed '$(head -c 200 "$T/out")', SQLite has $count members"
    else
        ok
    fi
done 3<"$T/exp/manifest"
[ "$n_seg" -ge 32 ] || fail "only $n_seg segments in the manifest"
ok

if [ "$FAILED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
finish
