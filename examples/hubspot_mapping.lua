-- hubspot_mapping.lua — an import mapping for a HubSpot contacts export:
--
--   segrt import --db crm.db --contacts hubspot-contacts.csv \
--       --mapping examples/hubspot_mapping.lua
--
-- The function gets one CSV row (column name -> text; blank cells are nil)
-- and returns the contact's fields; returning nil skips the row. It runs in
-- the same sandbox as segment scripts; an error rejects its row with this
-- file's line.
return function(row)
  if row["Lifecycle Stage"] == "other" then return nil end -- not a customer record
  local revenue = row["Annual Revenue"]
  return {
    -- the id --id-from email would give, so either way re-imports upsert
    id = id_from_email(row.Email),
    email = row.Email,
    first_name = row["First Name"],
    last_name = row["Last Name"],
    phone = row["Phone Number"],
    status = row["Lifecycle Stage"],
    -- "2024-02-01 10:05": HubSpot's local time, read as UTC like the CLI does
    created_at = row["Create Date"],
    -- money as text: the importer reads decimals exactly
    revenue = revenue,
    tags = { "hubspot" },
  }
end
