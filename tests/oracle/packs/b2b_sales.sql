-- b2b_sales.sql — SQLite twins of the segments of scripts/packs/b2b_sales.lua.
-- Conventions: ecommerce_coffee.sql (set membership as in food_delivery.sql);
-- :between is inclusive. Segments with a purpose keep the contacts
-- passing its consent check: _consent.sql.

-- name: lost_on_price_1_2y
SELECT c.id FROM contacts c
WHERE c.status = 'lost' AND c.loss_reason = 'price_too_high'
  AND c.last_contacted_at BETWEEN 1767225600 - 730 * 86400 AND 1767225600 - 365 * 86400;

-- name: company_tier.enterprise
SELECT c.id FROM contacts c WHERE c.company_size >= 1000;

-- name: company_tier.mid_market
SELECT c.id FROM contacts c
WHERE c.company_size >= 100 AND c.id NOT IN ({{company_tier.enterprise}});

-- name: company_tier.small
SELECT c.id FROM contacts c
WHERE c.company_size IS NOT NULL
  AND c.id NOT IN ({{company_tier.enterprise}}) AND c.id NOT IN ({{company_tier.mid_market}});

-- name: it_services_enterprise
SELECT c.id FROM contacts c WHERE c.industry = 'it_services' AND c.company_size >= 1000;

-- name: uses_technology
SELECT c.id FROM contacts c
WHERE c.company_size IS NOT NULL AND instr(';' || c.interests || ';', ';tech;') > 0;

-- name: lost_on_price_emailable
SELECT c.id FROM contacts c
WHERE c.id IN ({{lost_on_price_1_2y}}) AND c.id IN ({{_email_marketing}});
