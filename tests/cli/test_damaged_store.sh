#!/usr/bin/env bash
# test_damaged_store.sh — a truncated data.mdb (a copy cut short, a disk
# that filled during a backup) is refused with a message naming the file
# and its sizes by every command, never a crash (issue 18); an empty one is
# not silently replaced by a new store; the intact copy is untouched; a store
# segrt check flagged corrupt is refused until checked sound or opened with
# --open-flagged.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GOOD=$T/good
segrt demo --db "$GOOD" --contacts 3000 --now 2026-01-01T00:00:00Z >/dev/null
size=$(stat -c %s "$GOOD/data.mdb")
printf 'id\nx1\n' >"$T/x.csv"
printf 'local seg = require "segrt"\nseg.segment "all" { where = seg.F.email:present() }\n' >"$T/s.lua"

for cut in $((size / 2)) $((size - 4096)) 8192; do
    D=$T/cut$cut
    cp -r "$GOOD" "$D"
    truncate -s "$cut" "$D/data.mdb"
    for cmd in "stats" "check" "count $T/s.lua all" "members $T/s.lua all" "import --contacts $T/x.csv" \
               "erase c0000001" "export c0000001"; do
        # shellcheck disable=SC2086
        run segrt $cmd --db "$D"
        assert_rc 1 "segrt $cmd on data.mdb cut to $cut bytes (no signal)$(last_output)"
        assert_contains "$T/err" "$D/data.mdb is truncated: it has $cut bytes, and the store's pages end at" \
            "segrt $cmd names the file and its sizes"
    done
done

# Cuts at many more offsets, within the meta pages too (seeded): a message naming the file.
for cut in 1 100 4096 6000 $(python3 -c "import random; r = random.Random(18); print(*sorted(r.sample(range(8193, $size), 20)))"); do
    D=$T/cut
    rm -rf "$D"
    cp -r "$GOOD" "$D"
    truncate -s "$cut" "$D/data.mdb"
    for cmd in "stats" "check" "count $T/s.lua all"; do
        # shellcheck disable=SC2086
        run segrt $cmd --db "$D"
        assert_rc 1 "segrt $cmd on data.mdb cut to $cut bytes (no signal)$(last_output)"
        grep -qE "$D/data.mdb (is truncated: it has $cut bytes|has no valid meta page)" "$T/err" ||
            fail "segrt $cmd on data.mdb cut to $cut bytes names neither the cut nor a missing meta page: $(cat "$T/err")"
    done
done
ok

E=$T/empty
cp -r "$GOOD" "$E"
truncate -s 0 "$E/data.mdb"
run segrt import --db "$E" --contacts "$T/x.csv"
assert_rc 1 "an empty data.mdb is not made a new store"
assert_contains "$T/err" "$E/data.mdb is empty (0 bytes)" "and says so"
assert_eq "$(stat -c %s "$E/data.mdb")" 0 "nothing was written to it"
run segrt stats --db "$E"
assert_rc 1 "stats on an empty data.mdb"

# A store segrt check flagged corrupt (the flag written here as check writes it; the C tests
# make check find a real inconsistency): every command refuses it, naming the finding and
# what to do, until --open-flagged; check (which always opens it) clears the flag once the
# store passes.
F=$T/flagged
cp -r "$GOOD" "$F"
echo "at 2026-01-01T00:00:00Z: check: the contacts counter says 3001, the store holds 3000" \
    >"$F/corrupt.flag"
for cmd in "stats" "count $T/s.lua all" "members $T/s.lua all" "run $T/s.lua" \
           "import --contacts $T/x.csv" "erase c0000001"; do
    # shellcheck disable=SC2086
    run segrt $cmd --db "$F"
    assert_rc 1 "segrt $cmd on a flagged store$(last_output)"
    assert_contains "$T/err" "$F was found corrupt (at 2026-01-01T00:00:00Z: check: the contacts counter says 3001" \
        "segrt $cmd names what check found"
    assert_contains "$T/err" "segrt check clears this once the store passes, and --open-flagged opens it anyway" \
        "segrt $cmd says what to do"
done
run segrt count --db "$F" --open-flagged "$T/s.lua" all
assert_rc 0 "--open-flagged opens it anyway$(last_output)"
run segrt check --db "$F"
assert_rc 0 "check of the (sound) flagged store"
[ ! -e "$F/corrupt.flag" ] || fail "check left the flag on a store that passes"
ok
run segrt stats --db "$F"
assert_rc 0 "the store opens again once check cleared the flag"

run segrt check --db "$GOOD"
assert_rc 0 "the intact store still checks"
finish
