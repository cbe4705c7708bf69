-- packs/retail_regional.lua — retail: urban trend buyers, mountain vs seaside, hyper-local, language audiences
--
-- Needs the contact fields urban, interests, income, region, lat, lon and
-- language (as in the demo data: Poland, Romania, Bulgaria), and
-- sms_marketing consent records (the in-store offers go by text). Change the
-- region lists and the point of the hyper-local campaign for your market.
local seg = require "segrt"
local F = seg.F

seg.pack {
  name = "retail_regional", version = "1.0",
  description = "urban fashion buyers with high income, mountain vs seaside, hyper-local, language",
  requires = { fields = { "urban", interests = "set", income = "integer", "region",
                          lat = "number", lon = "number", "language" } },
  purposes = { "sms_marketing" },
}

seg.segment "urban_fashion_high_income" {
  description = "city dwellers into fashion, income in the top fifth",
  where = F.urban:eq "urban" & F.interests:contains "fashion" & seg.ntile(F.income, 5):eq(5),
}

-- Climate campaigns: where the contact lives decides the season's offer.
seg.exclusive "climate" {
  { "mountain", description = "mountain regions: ski and hiking gear",
    where = F.region:one_of { "małopolskie", "podkarpackie", "dolnośląskie", "Brasov", "Harghita",
                              "Covasna", "Maramures", "Hunedoara", "Alba", "Sibiu", "Suceava" } },
  { "seaside", description = "coastal regions: beach and summer gear",
    where = F.region:one_of { "pomorskie", "zachodniopomorskie", "Constanta", "Varna", "Burgas" } },
}

seg.segment "near_krakow_store" {
  description = "within 25 km of the Kraków store (50.0647 N, 19.9450 E)",
  where = seg.near(F.lat, F.lon, 50.0647, 19.9450, 25),
}
seg.segment "near_krakow_store_sms" {
  description = "near the Kraków store, and marketing texts are allowed: in-store offers",
  where = seg.member "near_krakow_store",
  purpose = "sms_marketing",
}

seg.exclusive "language" {
  { "polish", where = F.language:eq "pl" },
  { "romanian", where = F.language:eq "ro" },
  { "bulgarian", where = F.language:eq "bg" },
}
