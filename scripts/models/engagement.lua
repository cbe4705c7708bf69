-- models/engagement.lua — behavioural (lead) scoring: points per event, with
-- an optional half-life decay by event age, a cap, and a threshold segment.
--
--   local engagement = require "models.engagement"
--   engagement.define {
--     name = "engagement", half_life = seg.days(30), cap = 100, threshold = 40,
--     points = {
--       email_open = 1,
--       email_click = 3,
--       { "page_view", where = { category = "pricing" }, points = 10 },
--       { "download", points = 15 },
--     },
--   }
--
-- The score seg.S.engagement is the sum over the contact's events of the
-- points of each rule that matches, an event `half_life` old counting half
-- (no half_life: every event counts fully), capped at `cap`. The segment
-- "<name>_sales_ready" holds the contacts at or above `threshold`.
local seg = require "segrt"

local engagement = {}

-- One rule as { type, where = {...} or predicate, points = n }.
local function rules_of(points)
  local rules = {}
  for key, v in pairs(points) do
    if type(key) == "string" then
      rules[#rules + 1] = { type = key, points = v }
    else
      rules[#rules + 1] = { type = v[1], where = v.where, points = v.points }
    end
  end
  table.sort(rules, function(a, b) return a.type < b.type end)
  return rules
end

function engagement.define(opts)
  local name = opts.name or "engagement"
  local total
  for _, r in ipairs(rules_of(opts.points or {})) do
    local events = seg.events(r.type)
    if r.where then events = events:where(r.where) end
    local n = opts.half_life and events:decayed(opts.half_life) or events:count()
    local part = n * r.points
    total = total and total + part or part
  end
  if total == nil then error("engagement.define: give points = { event_type = n, ... }", 2) end
  if opts.cap then total = seg.least(total, opts.cap) end
  seg.score(name) { expr = total, profiling = true }
  local segments = {}
  if opts.threshold then
    seg.segment(name .. "_sales_ready") {
      description = "engagement score of " .. opts.threshold .. " or more",
      where = seg.S[name]:ge(opts.threshold),
    }
    segments[1] = name .. "_sales_ready"
  end
  seg.model(name .. "_model") { kind = "engagement", scores = { name }, segments = segments }
  return seg.S[name]
end

return engagement
