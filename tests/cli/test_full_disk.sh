#!/usr/bin/env bash
# test_full_disk.sh — a store on a device that fills up during an import, or
# that is read-only (issue 18, part 3). On a small tmpfs (so the test needs
# root, to mount one; without it, or where mounting is not allowed, it is
# skipped with a message): the import stops with an error that says the
# device is full, how much is free, and that what was committed is kept;
# the store stays readable and `segrt check` accepts it; with room again,
# the same import completes and converges to every contact once. On the
# device remounted read-only, reading works and a write says why not.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
FS=$T/fs
mkdir "$FS"
mount -t tmpfs -o size=6m tmpfs "$FS" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs here: $(cat "$T/mount.err")"
trap 'umount "$FS" 2>/dev/null || true; _cleanup' EXIT

python3 - "$T/contacts.csv" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('id,email,city,income,note\n')
    for i in range(60000):
        f.write('c%06d,user%d@example.com,City %d,%d,%s\n' % (i, i, i % 500, 1000 + i, 'x' * (i % 40)))
PY
S=$FS/store
run segrt import --db "$S" --batch 10000 --contacts "$T/contacts.csv"
assert_rc 1 "an import that fills the device"
assert_contains "$T/err" "no space left on the device holding $S (" "says the device is full$(last_output)"
assert_contains "$T/err" "what was committed before it is kept and readable" "says what is kept"
run segrt stats --db "$S"
assert_rc 0 "stats of the store on the full device"
kept=$(awk '$1 == "contacts" { print $2 }' "$T/out")
[ "$kept" -gt 0 ] && [ "$kept" -lt 60000 ] || fail "kept $kept contacts: want some, not all"
ok
run segrt check --db "$S"
assert_rc 0 "check of the store on the full device$(last_output)"

mount -o remount,size=64m "$FS"
run segrt import --db "$S" --contacts "$T/contacts.csv"
assert_rc 0 "the same import with room again$(last_output)"
run segrt stats --db "$S"
assert_contains "$T/out" "contacts 60000" "every contact, once"
run segrt check --db "$S"
assert_rc 0 "check after the import completed"

mount -o remount,ro "$FS"
run segrt stats --db "$S"
assert_rc 0 "stats on a read-only file system"
assert_contains "$T/out" "contacts 60000" "reads the store"
printf 'id\nnew1\n' >"$T/one.csv"
run segrt import --db "$S" --contacts "$T/one.csv"
assert_rc 1 "an import into a read-only store"
assert_contains "$T/err" "the store is on a read-only file system: commands that only read it work" \
    "says why it cannot write$(last_output)"
finish
