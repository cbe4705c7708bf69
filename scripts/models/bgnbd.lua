-- models/bgnbd.lua — customer-base analysis: the BG/NBD model (Fader,
-- Hardie & Lee 2005) of repeat purchases, fitted by maximum likelihood in C.
--
--   local bgnbd = require "models.bgnbd"
--   local clv = bgnbd.define { name = "clv", event = "purchase", unit = seg.days(7),
--                              horizon = 52, obs_end = "2026-01-01T00:00:00Z" }
--   seg.segment "fading_big_spenders" {
--     where = clv.p_alive:lt(0.3) & clv.monetary:gt(100),
--   }
--
-- Per contact with a purchase (the definitions of the `lifetimes` package:
-- purchases collapsed per day, the first one not counted in frequency and
-- monetary value, durations in `unit`):
--   frequency  repeat purchase days        recency  first to last purchase
--   T          first purchase to obs_end   monetary mean repeat-day amount
--   p_alive    probability the customer is still active at obs_end
--   expected   expected purchases in the next `horizon` units
-- obs_end defaults to NOW. `segrt score SCRIPT clv` prints r, alpha, a, b.
local seg = require "segrt"

local bgnbd = {}

local OUTPUTS = { "frequency", "recency", "T", "monetary", "p_alive", "expected" }

function bgnbd.define(opts)
  opts = opts or {}
  local name = opts.name or "bgnbd"
  local unit = opts.unit or seg.days(7)
  local scores, out = {}, {}
  for i, o in ipairs(OUTPUTS) do
    scores[i] = name .. "." .. o
    out[o] = seg.S[name][o]
  end
  seg.model(name) { kind = "bgnbd", profiling = true, event = opts.event or "purchase", unit_days = unit.secs / 86400,
                    horizon = opts.horizon or 52, obs_end = opts.obs_end, scores = scores }
  out.model = name -- for models.clv
  return out
end

return bgnbd
