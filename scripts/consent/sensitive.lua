-- consent/sensitive.lua — fields that hold special categories of personal
-- data (GDPR Art. 9), loaded before every script. A segment or score that
-- reads one must name a purpose whose only accepted legal basis is explicit
-- consent, or the script is refused; a filter reading one is stopped.
-- Declare your own with seg.sensitive { field = "category", ... }.
local seg = require "segrt"

seg.sensitive {
  health = "health", health_condition = "health", diagnosis = "health",
  disability = "health", pregnancy = "health",
  religion = "religious or philosophical beliefs", beliefs = "religious or philosophical beliefs",
  ethnicity = "racial or ethnic origin", ethnic_origin = "racial or ethnic origin",
  race = "racial or ethnic origin",
  sexual_orientation = "sex life or sexual orientation", sex_life = "sex life or sexual orientation",
  political_opinion = "political opinions", political_party = "political opinions",
  trade_union = "trade union membership",
  biometric = "biometric data", genetic = "genetic data",
}
