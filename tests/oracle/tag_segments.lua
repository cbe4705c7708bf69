-- tag_segments.lua — tags kept by rules for tests/cli/test_tag.sh; their
-- SQLite twins are in tag_segments.sql.
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days

-- A tag the CSV also holds: from the first run on, the rule decides who has it.
seg.tag "high_value" { where = E.purchase:within(days(365)):sum "amount" :gt(2000) }

-- A new tag, its rule reading a tag no rule manages.
seg.tag "pl_newsletter" { where = F.country:eq "PL" & F.tags:contains "newsletter" }

-- What the store holds after a run: the tags themselves.
seg.segment "has_high_value" { where = F.tags:contains "high_value" }
seg.segment "has_pl_newsletter" { where = F.tags:contains "pl_newsletter" }
seg.segment "everybody" {}
