#!/usr/bin/env bash
# test_damaged_pages.sh — random bytes over the pages of a store (a bad disk
# block, a copy damaged in transit): segrt answers with a message and exit
# status 1, never a signal (issue 18, part 4). Each trial damages one page of
# a copy of a demo store — a whole page, or 96 bytes somewhere in it; meta,
# branch, leaf, overflow and free pages all come up — then runs check,
# count and erase on it, and retention on another copy with the same damage
# (a bulk erase, which walks the store: it checks every page first). What the system LMDB would assert
# on, or fault on, is caught: by segrt check's own walk of every page
# (store_page_check), by the walk of the main table at every open, and by
# LMDB's assert callback, which flags the store. A store found damaged (by
# check or by the walk at open) is flagged, its message saying what to do,
# and refused afterwards, naming the finding. Deterministic: the
# damage comes from a seeded generator.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

G=$T/good
segrt demo --db "$G" --contacts 3000 --now 2026-01-01T00:00:00Z >/dev/null
printf 'local seg = require "segrt"\nseg.segment "all" { where = seg.F.email:present() }\n' >"$T/s.lua"

python3 - "$SEGRT" "$G" "$T" <<'PY' || fail "a damaged page made segrt die by a signal or fail without a message"
import os, random, shutil, subprocess, sys
segrt, good, tmp = sys.argv[1:4]
rng = random.Random(20261207)
size = os.path.getsize(good + '/data.mdb')
pages = size // 4096
problems, found, trials = [], 0, 48
for trial in range(trials):
    d = '%s/bad%d' % (tmp, trial)
    shutil.copytree(good, d)
    pg = 0 if trial == 0 else 1 if trial == 1 else rng.randrange(2, pages)
    whole = trial % 3 == 0
    off = pg * 4096 + (0 if whole else rng.randrange(0, 4096 - 96))
    with open(d + '/data.mdb', 'r+b') as f:
        f.seek(off)
        f.write(rng.randbytes(4096 if whole else 96))
    shutil.copytree(d, d + 'r')  # the same damage, for a retention run of its own
    p = subprocess.run([segrt, 'retention', '--inactive-days', '400', '--db', d + 'r'],
                       capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1) or (p.returncode == 1 and not p.stderr.strip()):
        problems.append('trial %d (page %d at %d): segrt retention: exit %d, %r'
                        % (trial, pg, off, p.returncode, p.stderr[-300:]))
    shutil.rmtree(d + 'r')
    codes = []
    for cmd in (['check'], ['count', tmp + '/s.lua', 'all'], ['erase', 'c0000001']):
        p = subprocess.run([segrt] + cmd + ['--db', d], capture_output=True, text=True, timeout=300)
        codes.append(p.returncode)
        if p.returncode not in (0, 1) or (p.returncode == 1 and not p.stderr.strip()):
            problems.append('trial %d (page %d at %d): segrt %s: exit %d, %r'
                            % (trial, pg, off, cmd[0], p.returncode, p.stderr[-300:]))
        if p.returncode == 1 and ('MDB_' in p.stderr or 'Cannot allocate memory' in p.stderr):
            problems.append('trial %d: segrt %s gives LMDB\'s word, not the damage: %r'
                            % (trial, cmd[0], p.stderr[-300:]))
        at_open = 'has no valid meta page' in p.stderr  # every command says so, at open
        if cmd[0] == 'check' and p.returncode == 1:
            found += 1
            if not at_open and not os.path.exists(d + '/corrupt.flag'):
                problems.append('trial %d: check found damage but did not flag the store' % trial)
            if not at_open and 'the store is flagged corrupt: restore it from a backup' not in p.stderr:
                problems.append('trial %d: check does not say what to do: %r' % (trial, p.stderr[-300:]))
        if cmd[0] == 'count' and codes[0] == 1 and not at_open and \
                'was found corrupt' not in p.stderr:
            problems.append('trial %d: count after check found damage: %r' % (trial, p.stderr[-300:]))
    shutil.rmtree(d)
if found < trials // 5:
    problems.append('check found damage in only %d of %d trials: the damage misses the store' % (found, trials))
print('%d trials, check found damage in %d' % (trials, found))
if problems:
    print("\n".join(problems[:40]), file=sys.stderr)
    sys.exit(1)
PY
ok
run segrt check --db "$G"
assert_rc 0 "the intact store still checks"
finish
