-- food_delivery.sql — SQLite twins of the segments of scripts/packs/food_delivery.lua.
-- Conventions: ecommerce_coffee.sql; set membership (interests 'a;b;c') is
-- instr(';' || col || ';', ';v;') > 0. Segments with a purpose keep the contacts
-- passing its consent check: _consent.sql.

-- name: diet.vegan
SELECT c.id FROM contacts c WHERE instr(';' || c.interests || ';', ';vegan;') > 0;

-- name: diet.vegetarian
SELECT c.id FROM contacts c
WHERE instr(';' || c.interests || ';', ';vegetarian;') > 0 AND c.id NOT IN ({{diet.vegan}});

-- name: cuisine_lovers
SELECT c.id FROM contacts c
WHERE instr(';' || c.interests || ';', ';cooking;') > 0
  AND (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.type = 'purchase') >= 3;

-- name: repeat_orderers
SELECT c.id FROM contacts c
WHERE (SELECT count(*) FROM events e
       WHERE e.contact_id = c.id AND e.type = 'purchase'
         AND e.ts >= 1767225600 - 90 * 86400) >= 3;

-- name: cuisine_picks
SELECT c.id FROM contacts c
WHERE c.id IN ({{cuisine_lovers}}) AND c.id IN ({{_personalization}});
