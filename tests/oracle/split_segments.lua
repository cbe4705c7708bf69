-- split_segments.lua — A/B splits for tests/cli/test_split.sh; their SQLite
-- twins are in split_segments.sql (bucket = split_bucket(name, id), xxh64.py).
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

-- Everybody, in three arms: A [0, 50), B [50, 80), C [80, 100).
seg.split "exp" { C = 20, A = 50, B = 30 }

-- The members of a segment, 55% of them in two arms; 45% held out.
seg.segment "pl" { where = F.country:eq "PL" }
seg.split "pl_test" { of = "pl", treat = 45, control = 10 }

-- A population by where.
seg.split "buyers" { where = E.purchase:within(days(90)):exists(), x = 25, y = 25 }

-- Arms named by other segments.
seg.segment "exp_a_pl" { where = seg.member "exp.A" & F.country:eq "PL" }
seg.segment "not_control" { where = seg.member "pl" & ~seg.member "pl_test.control" }
