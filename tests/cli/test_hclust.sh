#!/usr/bin/env bash
# test_hclust.sh — models.hclust (issue 19, part 1) through segrt: k
# clusters over a sample, every contact with all its features assigned (the
# sizes add up to them), the same seed the same clusters, a height cut, the
# last merge heights in decreasing order, and bad settings refused. (The
# merges themselves are checked against a brute force in test_hclust.c.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=$T/s
NOW=2026-01-01T00:00:00Z
segrt demo --db "$S" --contacts 600 --now "$NOW" >/dev/null
cat >"$T/h.lua" <<'LUA'
local seg = require "segrt"
local F, E = seg.F, seg.E
local c = require("models.hclust").define { name = "tribes", k = 4, sample = 200, seed = 3,
  features = { F.income, F.age, E.purchase:count() } }
require("models.hclust").define { name = "cut", cut = 5, linkage = "complete", sample = 200,
  features = { F.income, F.age } }
seg.segment "t1" { where = c:eq(1) }
seg.segment "clustered" { where = c:present() }
LUA
run segrt score --db "$S" --now "$NOW" "$T/h.lua" tribes
assert_rc 0 "segrt score of an hclust model$(last_output)"
cp "$T/out" "$T/score1"
sizes=$(awk '$1 == "sizes" { s = 0; for (i = 2; i <= NF; i++) s += $i; print s, NF - 1 }' "$T/out")
clustered=$(segrt count --db "$S" --now "$NOW" "$T/h.lua" clustered)
assert_eq "$sizes" "$clustered 4" "4 clusters, their sizes add up to the contacts clustered"
assert_contains "$T/out" "sample                   200" "a sample of 200"
python3 - "$T/out" <<'PY' || fail "the last merge heights are not in decreasing order"
import sys
for line in open(sys.argv[1]):
    f = line.split()
    if f and f[0] == 'last_heights':
        h = list(map(float, f[1:]))
        assert len(h) == 10 and h == sorted(h, reverse=True), h
PY
ok
run segrt score --db "$S" --now "$NOW" "$T/h.lua" tribes
assert_eq "$(cat "$T/out")" "$(cat "$T/score1")" "the same seed gives the same clusters"
run segrt score --db "$S" --now "$NOW" "$T/h.lua" cut
assert_rc 0 "a height cut"
heights=$(awk '$1 == "last_heights" { n = 0; for (i = 2; i <= NF; i++) n += $i > 5; print n }' "$T/out")
assert_eq "$(awk '$1 == "sizes" { print NF - 1 }' "$T/out")" "$((heights + 1))" \
    "a cluster per merge above the cut, plus one"

printf 'local seg = require "segrt"\nrequire("models.hclust").define { name = "h", linkage = "single", features = { seg.F.income } }\nseg.segment "x" { where = seg.S.h.cluster:eq(1) }\n' >"$T/bad.lua"
run segrt count --db "$S" --now "$NOW" "$T/bad.lua" x
assert_rc 1 "an unknown linkage"
assert_contains "$T/err" "hclust: linkage 'single' is not ward, average or complete" "is named"
printf 'local seg = require "segrt"\nrequire("models.hclust").define { name = "h", sample = 1, features = { seg.F.income } }\nseg.segment "x" { where = seg.S.h.cluster:eq(1) }\n' >"$T/bad.lua"
run segrt count --db "$S" --now "$NOW" "$T/bad.lua" x
assert_rc 1 "a sample of one"
assert_contains "$T/err" "hclust: k must be 1 to 1000 and sample 2 to 10000" "is refused"
finish
