#!/usr/bin/env bash
# test_alloc_fail.sh [POINTS] — allocation failures (issue 18, part 2): the
# segrt command built with alloc_fail.c (segrt_faults: the N-th
# allocation of its own code fails) runs evaluation, an import, an erase, a
# merge and a render, each with the failure at every allocation up to
# POINTS/2 and at POINTS/2 more spread over the rest of its run (POINTS
# defaults to 200; 0 tries every allocation). Each run must end in exit 0 or
# in exit 1 with a message in valid UTF-8 (never a signal or a sanitizer report: under ASan
# a leak on an error path fails too), and a store it wrote to must still
# pass segrt check. Prints, per command, its allocations, the failures tried
# and the distinct allocation sites they hit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
POINTS=${1:-200}
[ -x "${SEGRT_FAULTS:-}" ] || fail "SEGRT_FAULTS names no segrt_faults binary"

G=$T/good
segrt demo --db "$G" --contacts 300 --now 2026-01-01T00:00:00Z >/dev/null
cat >"$T/s.lua" <<'LUA'
local seg = require "segrt"
local F, E, S = seg.F, seg.E, seg.S
seg.segment "buyers" { where = E.purchase:count():gt(2) & F.city:present() }
seg.score "spent" { expr = E.purchase:sum "amount" }
seg.segment "top" { where = seg.ntile(S.spent, 4):eq(4), purpose = "email_marketing" }
seg.template "hello" { purpose = "email_marketing", subject = "Hi {first_name|there}",
                       body = "You spent {spent:money(lei)}.", values = { spent = S.spent } }
LUA
printf 'id,email,city\nn1,n1@example.com,Cluj\nn2,n2@example.com,Sofia\nn3,,Kraków\n' >"$T/new.csv"
with_email_dups "$G" "$T/s.lua" buyers 20 "$T/merge"

PYTHONPATH=$_lib_dir python3 - "$SEGRT_FAULTS" "$SEGRT" "$T" "$POINTS" <<'PY' || fail "an allocation failure did not end cleanly"
import subprocess, sys
import faults
segrt_faults, segrt, t, budget = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
now = ['--now', '2026-01-01T00:00:00Z']
cases = [
    ('count', t + '/good', False, ['count'] + now + [t + '/s.lua', 'top']),
    ('import', t + '/good', True, ['import', '--contacts', t + '/new.csv']),
    ('erase', t + '/good', True, ['erase', 'c0000001']),
    ('merge', t + '/merge', True, ['dedupe', '--by', 'email', '--merge']),
    ('render', t + '/good', False, ['render'] + now + [t + '/s.lua', 'buyers', 'hello']),
]
report = t + '/alloc.report'
problems = []

def run(args, db, fail_at):
    return faults.run(segrt_faults, args, db,
                      {'SEGRT_FAIL_ALLOC_AT': str(fail_at), 'SEGRT_ALLOC_REPORT': report}, report)

for name, base, writes, args in cases:
    db = faults.copy_store(base, t + '/w') if writes else base
    p, total, _ = run(args, db, 0)
    if p.returncode != 0:
        problems.append('%s without a failure: exit %d: %s' % (name, p.returncode, p.stderr[-300:]))
        continue
    if total <= 0:  # segrt_faults's --wrap reached none of segrt's allocations: nothing tested
        problems.append('%s: no allocation counted' % name)
        continue
    at = faults.points(total, budget)
    sites = set()
    for n in at:
        if writes:
            faults.copy_store(base, db)
        p, _, site = run(args, db, n)
        sites.add(site)
        why = faults.unclean(p)
        if why:
            problems.append('%s, allocation %d failed: %s: %s' % (name, n, why, p.stderr[-400:]))
            continue
        if writes:
            c = subprocess.run([segrt, 'check', '--db', db], capture_output=True, text=True)
            if c.returncode != 0:
                problems.append('%s, allocation %d failed: the store no longer checks: %s'
                                % (name, n, c.stderr[-300:]))
    sites.discard('0')
    print('%s: %d allocations, %d failures tried, %d distinct allocation sites failed'
          % (name, total, len(at), len(sites)))
if problems:
    print('\n'.join(problems[:15]), file=sys.stderr)
    sys.exit(1)
PY
ok
finish
