"""faults.py — what the fault-injection tests share (test_alloc_fail.sh,
test_mdb_fail.sh): which of a command's fault points to try, running
segrt_faults with one of them failing, and judging how the run ended.

segrt_faults (tests/faults) counts, in one process, the calls that one kind
of fault can hit, fails the N-th, and writes "COUNT SITE" to a report file
at exit (SITE: the failed call's caller, as an offset in the executable).
"""
import os
import shutil
import subprocess


def points(total, budget):
    """The fault points to try of a run with TOTAL of them: all when BUDGET is
    0 or at least TOTAL, else the first BUDGET/2 and BUDGET/2 more spread
    evenly over the rest."""
    if budget == 0 or total <= budget:
        return list(range(1, total + 1))
    half = budget // 2
    step = (total - half) / half
    return list(range(1, half + 1)) + sorted({half + 1 + int(k * step) for k in range(half)})


def copy_store(base, dst):
    """A fresh copy of the store BASE at DST (replacing what is there)."""
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(base, dst)
    return dst


def run(binary, args, db, env, report):
    """Run BINARY ARGS --db DB with the variables ENV added; the finished
    process, and the fault points it counted and the site of the failed one
    ('0': none) from the report file REPORT (whose variable ENV names)."""
    if os.path.exists(report):
        os.unlink(report)
    p = subprocess.run([binary] + args + ['--db', db], env=dict(os.environ, **env),
                       capture_output=True, text=True, errors='replace', timeout=300)
    try:
        n, site = open(report).read().split()
    except OSError:
        n, site = '-1', '?'  # no report: the process did not exit normally
    return p, int(n), site


def unclean(p):
    """Why the run P did not end cleanly (exit 0, or exit 1 with a message in
    valid UTF-8, and no sanitizer report), or None."""
    err = p.stderr
    if p.returncode not in (0, 1):
        return 'exit %d' % p.returncode
    if 'Sanitizer' in err or 'runtime error' in err:
        return 'a sanitizer report'
    if '\ufffd' in err:
        return 'a message that is not UTF-8'
    if p.returncode == 1 and not err.strip():
        return 'exit 1 without a message'
    return None
