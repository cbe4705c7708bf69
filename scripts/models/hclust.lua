-- models/hclust.lua — hierarchical (agglomerative) clusters of contacts over
-- standardised features given as value expressions: exact on a seeded sample
-- of the contacts, every other contact assigned to the nearest cluster.
--
--   local hclust = require "models.hclust"
--   local cluster = hclust.define { name = "tribes", k = 5, linkage = "ward", sample = 1000,
--     seed = 42, features = { seg.F.income, seg.F.age, seg.E.purchase:count() } }
--   seg.segment "tribe_2" { where = cluster:eq(2) }
--
-- sample: at most 10000 (the distance matrix takes 8 sample^2 bytes).
-- k clusters (default 8), or cut = a height: the tree is cut where merges
-- pass it. linkage: "ward" (default), "average" or "complete". The score
-- <name>.cluster is 1..k, missing when a feature is. `segrt score SCRIPT
-- tribes` prints the last merge heights, the sizes and the centroids.
local seg = require "segrt"

local hclust = {}

function hclust.define(opts)
  local name = opts.name or "hclust"
  if type(opts.features) ~= "table" or #opts.features == 0 then
    error("hclust.define: give features = { value, ... }", 2)
  end
  seg.model(name) { kind = "hclust", profiling = true, k = opts.k, cut = opts.cut,
                    linkage = opts.linkage, sample = opts.sample or 1000, seed = opts.seed or 1,
                    features = opts.features, scores = { name .. ".cluster" } }
  return seg.S[name].cluster
end

return hclust
