#!/usr/bin/env bash
# test_mdb_fail.sh [POINTS] — LMDB faults at every write (issue 18, part 3):
# segrt_faults (tests/faults/mdb_fail.c: with SEGRT_FAIL_MDB_AT=N the N-th
# LMDB write call fails with SEGRT_FAIL_MDB_RC) runs each write command —
# an import of contacts and one of events in batches, an erase of one
# contact and of a list, a merge and its undo, `run`, retention, compact, a
# consent and a rectification — on a
# copy of a small store, once without a fault (its write calls counted, its
# result the reference) and then failing at each write call:
#   MDB_MAP_FULL at every call: the store grows its map and runs the
#     transaction again, so the command exits 0 with the reference result
#     (compact's scratch copy, mapped at twice the store's map, cannot fill:
#     there it fails cleanly like ENOSPC and leaves the store as it was);
#   ENOSPC and EIO at each of POINTS calls (default 10 a command, spread as
#     test_alloc_fail.sh does; 0 tries every call): exit 1 with one line
#     naming the device holding the store and the cause, no sanitizer
#     report; the store passes segrt check, holds what was committed before
#     the fault (a command of one transaction: all of it or none; an import:
#     whole batches), and the same command run again without a fault
#     converges to the reference.
# Prints, per command and fault, the write calls and the points tried.
set -euo pipefail
# Each trial copies a store and commits: on a tmpfs, neither costs a disk write.
[ -d /dev/shm ] && [ -w /dev/shm ] && export TMPDIR=/dev/shm
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POINTS=${1:-10}
[ -x "${SEGRT_FAULTS:-}" ] || fail "SEGRT_FAULTS names no segrt_faults binary"

NOW=2026-01-01T00:00:00Z
G=$T/good
cat >"$T/s.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
seg.segment "buyers" { where = E.purchase:count():gt(1) }
seg.segment "mailable" { where = F.email:present(), purpose = "email_marketing" }
LUA
# A small store (few records, so few write calls): 8 contacts, c1-c6 buyers lately, c7 and
# c8 seen only in 2024 (retention erases them), c1-c4 with e-mail consent.
python3 - "$T" <<'PY'
import sys
t = sys.argv[1]
ids = ['c%07d' % i for i in range(1, 9)]
with open(t + '/contacts.csv', 'w') as f:
    f.write('id,email,city\n' + ''.join('%s,%s@example.com,Cluj\n' % (c, c) for c in ids))
with open(t + '/events.csv', 'w') as f:
    f.write('contact_id,ts,type,amount\n')
    for i, c in enumerate(ids[:6]):
        for m in (10, 12):
            f.write('%s,2025-%02d-%02dT10:00:00Z,purchase,%d.50\n' % (c, m, i + 1, 10 + i))
    f.write(''.join('%s,2024-03-01T10:00:00Z,page_view,\n' % c for c in ids[6:]))
with open(t + '/consents.csv', 'w') as f:
    f.write('contact_id,purpose,status,ts\n')
    f.write(''.join('%s,email_marketing,granted,2025-01-01T00:00:00Z\n' % c for c in ids[:4]))
with open(t + '/new.csv', 'w') as f:  # 12 contacts in 3 batches of 4: 9 new, 3 updated
    f.write('id,email,city\n')
    for i in range(9):
        f.write('n%03d,n%03d@example.com,Cluj\n' % (i, i))
    for c in ids[1:4]:
        f.write('%s,,Sofia\n' % c)
with open(t + '/new_events.csv', 'w') as f:  # 12 events in 3 batches of 4
    f.write('contact_id,ts,type,amount\n')
    for i in range(12):
        f.write('c%07d,2025-11-%02dT10:00:00Z,purchase,%d.25\n' % (i % 8 + 1, i + 1, i))
with open(t + '/erase.txt', 'w') as f:
    f.write('c0000005\nc0000006\n')
PY
segrt import --db "$G" --now "$NOW" --contacts "$T/contacts.csv" --events "$T/events.csv" \
    --consents "$T/consents.csv" >/dev/null
with_email_dups "$G" "$T/s.lua" buyers 3 "$T/merge"
U=$T/undo
cp -r "$T/merge" "$U"
segrt dedupe --db "$U" --by email --merge >/dev/null
E=$T/erased
cp -r "$G" "$E"
segrt erase --db "$E" --from "$T/erase.txt" >/dev/null

PYTHONPATH=$_lib_dir python3 - "$SEGRT_FAULTS" "$SEGRT" "$T" "$POINTS" <<'PY' ||
import subprocess, sys, hashlib, os
import faults
segrt_faults, segrt, t, budget = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
now = ['--now', '2026-01-01T00:00:00Z']
good, merge, undo, erased = t + '/good', t + '/merge', t + '/undo', t + '/erased'
# name, store, atomic (one transaction: all or nothing), what else it changes, args
cases = [
    ('import', good, False, '', ['import', '--batch', '4', '--contacts', t + '/new.csv']),
    # each batch of events is read while the one before commits
    ('import events', good, False, '', ['import', '--batch', '4', '--events',
                                        t + '/new_events.csv']),
    ('erase', good, True, '', ['erase', 'c0000001']),
    ('erase --from', good, True, '', ['erase', '--from', t + '/erase.txt']),
    ('dedupe --merge', merge, True, 'merges', ['dedupe'] + now + ['--by', 'email', '--merge']),
    ('dedupe --undo', undo, True, 'merges', ['dedupe'] + now + ['--undo', '1']),
    ('run', good, True, 'runs', ['run'] + now + [t + '/s.lua']),
    ('retention', good, False, '', ['retention'] + now + ['--inactive-days', '365']),
    ('compact', erased, True, '', ['compact']),
    ('consent', good, True, '', ['consent', 'grant'] + now + ['c0000002', 'email_marketing']),
    ('set', good, True, '', ['set', 'c0000003', 'city=Cluj']),
]
report = t + '/mdb.report'
problems = []

def segrt_out(*args, none=None):
    """The output of segrt ARGS, or NONE when it fails saying so (a run not stored)."""
    p = subprocess.run([segrt] + list(args), capture_output=True, text=True)
    if p.returncode != 0 and none and none in p.stderr:
        return 'none'
    if p.returncode != 0:
        raise RuntimeError('segrt %s: exit %d: %s' % (' '.join(args), p.returncode, p.stderr))
    return p.stdout

def fingerprint(db, extra):
    """What two stores holding the same data share: counts, every record, and the merges or
    the runs (EXTRA) when the command makes them."""
    stats = [l for l in segrt_out('stats', '--db', db).splitlines()
             if l.split()[0] not in ('store_bytes', 'store_used_bytes', 'store_free_bytes',
                                     'last_compaction')]
    out = t + '/dump'
    subprocess.run(['rm', '-rf', out], check=True)
    segrt_out('dump', '--db', db, '--format', 'csv', out)
    dump = hashlib.sha1(b''.join(open(os.path.join(out, f), 'rb').read()
                                 for f in sorted(os.listdir(out)))).hexdigest()
    if extra == 'merges':
        stats.append(segrt_out('dedupe', '--db', db, '--merges'))
    if extra == 'runs':
        stats += [segrt_out('history', '--db', db, t + '/s.lua', s, none='no stored runs')
                  for s in ('buyers', 'mailable')]
    return '\n'.join(stats + [dump])

def run(args, db, rc_name, fail_at):
    return faults.run(segrt_faults, args, db, {'SEGRT_FAIL_MDB_RC': rc_name,
                      'SEGRT_FAIL_MDB_AT': str(fail_at), 'SEGRT_MDB_REPORT': report}, report)

def checks(db):
    c = subprocess.run([segrt, 'check', '--db', db], capture_output=True, text=True)
    return None if c.returncode == 0 else 'the store no longer checks: ' + c.stderr[-300:]

def faulted(name, atomic, extra, args, db, rc_name, n, ref, before):
    """Why the run failing at write call n went wrong, or None."""
    p, _, _ = run(args, db, rc_name, n)
    why = faults.unclean(p)
    if why:
        return why + ': ' + p.stderr[-400:]
    why = checks(db)
    if why:
        return why
    fp = fingerprint(db, extra)
    handled = rc_name == 'MDB_MAP_FULL'  # the store grows its map and runs the transaction again
    if p.returncode == 0 and not handled:
        return 'exit 0: the failed write was not reported'
    if p.returncode == 0:
        return None if fp == ref else 'a result other than the run without a fault'
    if handled and name != 'compact':  # compact's scratch copy does not grow (it cannot fill)
        return 'exit %d: %s' % (p.returncode, p.stderr[-400:])
    lines = p.stderr.strip().split('\n')
    cause = {'ENOSPC': 'reported no space left', 'EIO': 'reported an I/O error',
             'MDB_MAP_FULL': 'MDB_MAP_FULL'}[rc_name]
    if len(lines) != 1 or cause not in lines[0] or \
            (rc_name != 'MDB_MAP_FULL' and 'the device holding ' + db not in lines[0]):
        return 'a message that does not name the cause: ' + p.stderr[-400:]
    if atomic and fp not in (before, ref):
        return 'a half-done transaction: neither the store before nor the result'
    if name == 'import':
        contacts = lambda fp: int(fp.split('\n')[0].split()[1])  # its first line: contacts N
        new = contacts(fp) - contacts(before)
        if new not in (0, 4, 8, 9):  # what whole batches of new.csv add
            return 'part of a batch kept: %d new contacts' % new
    if name == 'import events':
        events = lambda fp: int([l for l in fp.split('\n') if l.startswith('events ')][0].split()[1])
        new = events(fp) - events(before)
        if new not in (0, 4, 8, 12):  # what whole batches of new_events.csv add
            return 'part of a batch kept: %d new events' % new
    if fp != ref:
        again = subprocess.run([segrt] + args + ['--db', db], capture_output=True, text=True)
        if again.returncode != 0 or fingerprint(db, extra) != ref:
            return 'the run again without a fault did not converge: ' + again.stderr[-300:]
    return None

for name, base, atomic, extra, args in cases:
    db = faults.copy_store(base, t + '/w')
    before = fingerprint(db, extra)
    p, total, _ = run(args, db, 'MDB_MAP_FULL', 0)
    if p.returncode != 0:
        problems.append('%s without a fault: exit %d: %s' % (name, p.returncode, p.stderr[-300:]))
        continue
    ref = fingerprint(db, extra)
    for rc_name in ('MDB_MAP_FULL', 'ENOSPC', 'EIO'):
        p, total, _ = run(args, faults.copy_store(base, db), rc_name, 0)
        if total <= 0:  # segrt_faults's --wrap reached none of segrt's LMDB calls: nothing tested
            problems.append('%s, %s: no write call counted' % (name, rc_name))
            continue
        at = faults.points(total, 0 if rc_name == 'MDB_MAP_FULL' else budget)
        failed = 0
        for n in at:
            why = faulted(name, atomic, extra, args, faults.copy_store(base, db), rc_name, n,
                          ref, before)
            if why:
                failed += 1
                problems.append('%s, %s at write call %d: %s' % (name, rc_name, n, why))
        print('%s, %s: %d write calls, %d tried, %d failed' % (name, rc_name, total, len(at),
                                                              failed), flush=True)
if problems:
    print('\n'.join(problems[:20]), file=sys.stderr)
    sys.exit(1)
PY
    fail "an LMDB fault did not end as it should"
ok
finish
