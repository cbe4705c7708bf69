-- retail_regional.sql — SQLite twins of the segments of scripts/packs/retail_regional.lua.
-- Conventions: ecommerce_coffee.sql (set membership as in food_delivery.sql).
-- Segments with a purpose keep the contacts
-- passing its consent check: _consent.sql.

-- name: urban_fashion_high_income
-- seg.ntile(F.income, 5): NTILE(5) over the contacts with an income, lowest
-- first, ties by id in byte order (core/plan/plan_rank.c, queries.md S11)
WITH q AS (SELECT id, ntile(5) OVER (ORDER BY income ASC, id ASC) AS t
           FROM contacts WHERE income IS NOT NULL)
SELECT c.id FROM contacts c JOIN q ON q.id = c.id
WHERE c.urban = 'urban' AND instr(';' || c.interests || ';', ';fashion;') > 0 AND q.t = 5;

-- name: climate.mountain
SELECT c.id FROM contacts c
WHERE c.region IN ('małopolskie', 'podkarpackie', 'dolnośląskie', 'Brasov', 'Harghita',
                   'Covasna', 'Maramures', 'Hunedoara', 'Alba', 'Sibiu', 'Suceava');

-- name: climate.seaside
SELECT c.id FROM contacts c
WHERE c.region IN ('pomorskie', 'zachodniopomorskie', 'Constanta', 'Varna', 'Burgas')
  AND c.id NOT IN ({{climate.mountain}});

-- name: near_krakow_store
-- haversine, mean Earth radius 6371.0088 km, within 25 km of (50.0647, 19.9450):
-- sin²(Δlat/2) + cos(lat)·cos(lat0)·sin²(Δlon/2) <= sin²(d / 2r)
SELECT c.id FROM contacts c
WHERE c.lat IS NOT NULL AND c.lon IS NOT NULL
  AND pow(sin((radians(c.lat) - radians(50.0647)) / 2), 2)
      + cos(radians(c.lat)) * cos(radians(50.0647))
        * pow(sin((radians(c.lon) - radians(19.9450)) / 2), 2)
      <= pow(sin(25 / (2 * 6371.0088)), 2);

-- name: language.polish
SELECT c.id FROM contacts c WHERE c.language = 'pl';

-- name: language.romanian
SELECT c.id FROM contacts c WHERE c.language = 'ro';

-- name: language.bulgarian
SELECT c.id FROM contacts c WHERE c.language = 'bg';

-- name: near_krakow_store_sms
SELECT c.id FROM contacts c
WHERE c.id IN ({{near_krakow_store}}) AND c.id IN ({{_sms_marketing}});
