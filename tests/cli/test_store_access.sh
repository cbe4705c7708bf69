#!/usr/bin/env bash
# test_store_access.sh — a store this user may not open as it must (issue 18,
# part 3: a read-only store directory): the error names the file or
# directory, the access that is missing and whose the store is, and nothing
# is written. LMDB needs lock.mdb writable even to read, so another user's
# store is refused to reads too; a store whose data file alone is read-only
# reads, and refuses writes. Root ignores file modes, so the commands run as
# nobody (skipped without root).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root to run segrt as another user"
command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"

chmod 755 "$T"
S=$T/store
segrt demo --db "$S" --contacts 500 --now 2026-01-01T00:00:00Z >/dev/null
printf 'local seg = require "segrt"\nseg.segment "all" { where = seg.F.email:present() }\n' >"$T/s.lua"
printf 'id\nx1\n' >"$T/x.csv"
chmod 644 "$T/s.lua" "$T/x.csv"
WANT=$(segrt count --db "$S" "$T/s.lua" all)
cp "$S/data.mdb" "$T/before.mdb"
as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups "$SEGRT")
UID_N=$(id -u nobody)

# refused MESSAGE [WRITE_MESSAGE]: every command fails as nobody, the reads with MESSAGE,
# the writes with WRITE_MESSAGE (default MESSAGE).
refused() {
    local cmd want
    for cmd in "stats" "count $T/s.lua all" "import --contacts $T/x.csv" "erase c0000001"; do
        want=$1
        case $cmd in import*|erase*) want=${2:-$1} ;; esac
        # shellcheck disable=SC2086
        run "${as_nobody[@]}" $cmd --db "$S"
        assert_rc 1 "segrt $cmd as nobody$(last_output)"
        assert_contains "$T/err" "$S: permission denied: this user (uid $UID_N) may not $want" \
            "segrt $cmd says what nobody may not do"
    done
    cmp -s "$S/data.mdb" "$T/before.mdb" || fail "a refused command changed data.mdb"
}

chmod 755 "$S"
chmod 644 "$S/data.mdb" "$S/lock.mdb"
refused "read and write $S/lock.mdb (LMDB writes its table of readers there, even to read); run segrt as the store's owner (uid 0) or get access from them"
ok

rm "$S/lock.mdb"
refused "write in $S (LMDB makes lock.mdb there, even to read)"
ok

chmod 700 "$S"
refused "enter $S;"
ok

chmod 755 "$S"
chmod 600 "$S/data.mdb"
touch "$S/lock.mdb"
chmod 666 "$S/lock.mdb"
refused "read $S/data.mdb;" "read and write $S/data.mdb;"
ok

run segrt check --db "$S"
assert_rc 0 "the owner's check of the store nobody was refused$(last_output)"

# nobody's own store with a read-only data file: reads work, writes say what to do.
chown -R nobody "$S"
chmod 444 "$S/data.mdb"
run "${as_nobody[@]}" count --db "$S" "$T/s.lua" all
assert_rc 0 "a read of a store whose data file is read-only$(last_output)"
assert_eq "$(cat "$T/out")" "$WANT" "its count"
run "${as_nobody[@]}" import --db "$S" --contacts "$T/x.csv"
assert_rc 1 "an import into it$(last_output)"
assert_contains "$T/err" "may not read and write $S/data.mdb; the store is yours: chmod -R u+rwX $S" \
    "the import names the file and the remedy"
chmod 644 "$S/data.mdb"
run "${as_nobody[@]}" import --db "$S" --contacts "$T/x.csv"
assert_rc 0 "the import once the file is writable again$(last_output)"
ok
finish
