-- models/kmeans.lua — k-means clusters of contacts over standardised
-- features given as value expressions (k-means++ start, fixed seed).
--
--   local kmeans = require "models.kmeans"
--   local cluster = kmeans.define { name = "clusters", k = 8, seed = 42, features = {
--     seg.F.income, seg.F.age, seg.E.purchase:count(), seg.E.purchase:sum "amount",
--     seg.E.email_open:within(seg.days(90)):count(), seg.E.login:count() } }
--   seg.segment "cluster_3" { where = cluster:eq(3) }
--
-- The score <name>.label is the cluster (1..k), missing when a feature is.
-- `segrt score SCRIPT clusters` prints the cluster sizes and centroids.
local seg = require "segrt"

local kmeans = {}

function kmeans.define(opts)
  local name = opts.name or "clusters"
  if type(opts.features) ~= "table" or #opts.features == 0 then
    error("kmeans.define: give features = { value, ... }", 2)
  end
  seg.model(name) { kind = "kmeans", profiling = true, k = opts.k or 8, seed = opts.seed or 1,
                    features = opts.features, scores = { name .. ".label" } }
  return seg.S[name].label
end

return kmeans
