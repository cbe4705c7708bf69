#!/usr/bin/env bash
# test_audit_verify.sh — segrt audit --verify (issue 16, part 5): an intact
# log verifies (exit 0) with its entry count and head; an entry edited in
# the data file itself, bytes of the same length, is named (exit 1); the
# log still holds no personal data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/db
segrt demo --db "$S" --contacts 50 --now 2026-01-01T00:00:00Z >/dev/null
for who in AUDITOR-ALPHA AUDITOR-BRAVO; do
    segrt export --db "$S" --actor "$who" c0000001 >/dev/null
done
run segrt audit --db "$S" --verify
assert_rc 0 "an intact log$(last_output)"
n=$(segrt audit --db "$S" | wc -l)
assert_contains "$T/out" "audit log: $n entries, the chain holds" "every entry checks out"
head=$(sed -n 's/^head \([0-9a-f]*\)$/\1/p' "$T/out")
assert_eq "${#head}" 64 "the head is a SHA-256 in hex"
run segrt audit --db "$S" --verify
assert_contains "$T/out" "head $head" "the head is the same until the next entry"
assert_not_contains "$T/out" "c0000001" "no contact id in the report"

seq=$(segrt audit --db "$S" | grep AUDITOR-ALPHA | cut -f1)
python3 - "$S/data.mdb" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read()
assert data.count(b"AUDITOR-ALPHA") >= 1  # free pages may hold older copies too
open(path, "wb").write(data.replace(b"AUDITOR-ALPHA", b"AUDITOR-OMEGA"))
PY
run segrt audit --db "$S"
assert_contains "$T/out" "AUDITOR-OMEGA" "the edit is in the log"
run segrt audit --db "$S" --verify
assert_rc 1 "an edited entry"
assert_contains "$T/out" "the chain breaks: entry $seq was changed" "the edited entry is named"
assert_contains "$T/out" "($((seq - 1)) entries before it check out)" "the entries before it hold"
finish
