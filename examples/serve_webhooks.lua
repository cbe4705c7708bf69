-- serve_webhooks.lua — actions for the README's segrt serve walk-through, on
-- the demo store with the coffee pack loaded first:
--   segrt serve --token-file tokens ecommerce_coffee examples/serve_webhooks.lua
-- Each VIP (and, from then on, each new one) is posted to a local receiver;
-- so is each lapsed customer who comes back.
local seg = require "segrt"

seg.on_enter "vip" { webhook = "http://127.0.0.1:9000/vip" }
seg.on_exit "inactive_90d" { webhook = "http://127.0.0.1:9000/back" }
