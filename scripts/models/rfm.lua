-- models/rfm.lua — recency, frequency and monetary quintiles, and the ten
-- named RFM groups.
--
--   local rfm = require "models.rfm"
--   rfm.define { name = "rfm", event = "purchase", window = seg.days(365) }
--
-- Scores (value expressions, 1..5, missing for contacts without a purchase):
--   seg.S.rfm.R  NTILE(5) over days since the last purchase, longest first,
--                so R = 5 is the most recent buyers
--   seg.S.rfm.F  NTILE(5) over the number of purchases (5 = most)
--   seg.S.rfm.M  NTILE(5) over the sum of amounts (5 = biggest spenders)
-- over the contacts with at least one purchase (in the window, when given),
-- ties broken by external id: exactly queries.md S11.
--
-- Groups: the exclusive group "rfm" (segments rfm.champions ... rfm.hibernating)
-- by (R, F), the usual map of RFM segments:
--   champions           R 5     F 4-5
--   loyal               R 3-4   F 4-5
--   potential_loyalist  R 4-5   F 2-3
--   new                 R 5     F 1
--   promising           R 4     F 1
--   need_attention      R 3     F 3
--   about_to_sleep      R 3     F 1-2
--   at_risk             R 1-2   F 3-4
--   cant_lose_them      R 1-2   F 5
--   hibernating         R 1-2   F 1-2
-- Every (R, F) cell belongs to exactly one group. Copy this file to change the map.
--
-- The model's `monetary` (the sum of amounts M ranks) is what segrt report
-- averages per (R, F) cell of its grid.
local seg = require "segrt"

local rfm = {}

local GROUPS = {
  { "champions", { 5, 5 }, { 4, 5 } },
  { "loyal", { 3, 4 }, { 4, 5 } },
  { "potential_loyalist", { 4, 5 }, { 2, 3 } },
  { "new", { 5, 5 }, { 1, 1 } },
  { "promising", { 4, 4 }, { 1, 1 } },
  { "need_attention", { 3, 3 }, { 3, 3 } },
  { "about_to_sleep", { 3, 3 }, { 1, 2 } },
  { "at_risk", { 1, 2 }, { 3, 4 } },
  { "cant_lose_them", { 1, 2 }, { 5, 5 } },
  { "hibernating", { 1, 2 }, { 1, 2 } },
}

function rfm.define(opts)
  opts = opts or {}
  local name = opts.name or "rfm"
  local events = seg.events(opts.event or "purchase")
  if opts.window then events = events:within(opts.window) end
  local buyers = events:exists()
  local days_since = seg.floor((seg.now() - events:last()) / seg.days(1))
  seg.score(name .. ".R") { expr = seg.ntile(days_since, 5, { desc = true, among = buyers }) }
  seg.score(name .. ".F") { expr = seg.ntile(events:count(), 5, { among = buyers }) }
  seg.score(name .. ".M") { expr = seg.ntile(events:sum "amount", 5, { among = buyers }) }
  local R, F = seg.S[name].R, seg.S[name].F
  local entries, segments = {}, {}
  for i, g in ipairs(GROUPS) do
    entries[i] = { g[1], where = R:between(g[2][1], g[2][2]) & F:between(g[3][1], g[3][2]) }
    segments[i] = name .. "." .. g[1]
  end
  seg.exclusive(name)(entries)
  seg.model(name) { kind = "rfm", profiling = true, scores = { name .. ".R", name .. ".F", name .. ".M" },
                    segments = segments, monetary = events:sum "amount" }
  return { R = R, F = F, M = seg.S[name].M }
end

return rfm
