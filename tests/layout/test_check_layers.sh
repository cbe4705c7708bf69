#!/usr/bin/env bash
# test_check_layers.sh — check_layers.py finds each kind of layering mistake
# in a small made-up tree, then finds none in the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=$here/check_layers.py
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

layer() {  # layer NAME "MAY INCLUDE"
    mkdir -p "$T/core/$1"
    printf '# core/%s\n\nWhat lives here.\n\nMay include: %s\n' "$1" "$2" >"$T/core/$1/README.md"
}
mkdir -p "$T/cli"
layer util nothing
layer store util
layer plan "store, util"
echo '#include "util/buf.h"' >"$T/core/store/ok.c"
echo '#include "store/store.h"' >"$T/core/plan/ok.c"
echo '#include "plan/plan.h"' >"$T/core/store/up.c"            # store may not include plan
printf '#include <stdio.h>\n#include <lauxlib.h>\n' >"$T/core/plan/glue.c"  # Lua outside core/lua
echo '#include "store/store.h"' >"$T/cli/cmd.c"                 # the CLI uses the public API
echo '#include "segrt/store.h"' >"$T/cli/ok.c"

set +e
out=$(python3 "$check" "$T")
status=$?
set -e
[ "$status" -eq 1 ] || fail "expected exit 1 on a broken tree, got $status: $out"
for want in \
    'core/store/up.c:1: includes "plan/plan.h", but core/store/README.md does not allow '"'plan'" \
    'core/plan/glue.c:2: includes <lauxlib.h>: Lua'"'"'s C API belongs to core/lua/' \
    'cli/cmd.c:1: includes "store/store.h": the CLI uses the public API only' \
    'the layer graph of the includes has a cycle: plan -> store -> plan'; do
    grep -qF "$want" <<<"$out" || fail "missing: $want; got: $out"
done
grep -q 'ok.c' <<<"$out" && fail "an allowed include was reported: $out"
echo "ok: made-up violations found"

# A cycle declared in the READMEs themselves, with no source at all.
rm -f "$T"/core/*/*.c "$T"/cli/*.c
layer util "store"
set +e
out=$(python3 "$check" "$T")
status=$?
set -e
[ "$status" -eq 1 ] && grep -qF 'declared in the READMEs has a cycle: store -> util -> store' <<<"$out" ||
    fail "a declared cycle was not found: $out"
rm "$T/core/plan/README.md"
out=$(python3 "$check" "$T" || true)
grep -qF 'core/plan/README.md: missing' <<<"$out" || fail "a layer without README passed: $out"
echo "ok: declared cycle and missing README found"

python3 "$check" || fail "the repository breaks its layering rules"
echo "ok: the repository keeps its layering rules"
