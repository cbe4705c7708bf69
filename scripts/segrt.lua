-- segrt.lua — the `seg` module (SPEC §4): builds segment definitions as
-- expression trees. Nothing here looks at data: the C core type-checks each
-- tree against the store, compiles it to a plan and evaluates it over columns.
--
-- A node is a table {k = kind, loc = "file:line", ...} with a metatable that
-- gives it methods and the operators & | ~ (predicates) or + - * / (values).
-- The C side reads nodes by these field names (core/plan/plan_compile.c).

local where = ... -- where() -> "file:line" of the innermost script line outside this module

-- Errors name the script line that made the mistake, not this module.
local function fail(msg)
  error(where() .. ": " .. msg, 0)
end

local seg = {}
local registry = { segments = {}, by_name = {}, scores = {}, groups = {}, consents = {},
                   models = {}, packs = {}, fields = {} }

local Value, Pred, Events = {}, {}, {}
Pred.__index, Events.__index = Pred, Events

local function node(mt, t)
  t.loc = t.loc or where()
  return setmetatable(t, mt)
end

local function kind_of(x)
  local mt = getmetatable(x)
  return mt == Value and "value" or mt == Pred and "predicate" or mt == Events and "events"
      or type(x)
end

-- A constant or a value node, as a value node.
local function val(x, what)
  local t = type(x)
  if getmetatable(x) == Value then return x end
  if t == "number" or t == "string" or t == "boolean" then
    return setmetatable({ k = "const", v = x, loc = where() }, Value)
  end
  fail(string.format("%s: expected a value or a constant, got %s", what or "argument",
                      kind_of(x)))
end

local function pred(x, what)
  if getmetatable(x) == Pred then return x end
  fail(string.format("%s: expected a predicate (a comparison, & | ~, exists, member), got %s",
                      what or "argument", kind_of(x)))
end

-- ------------------------------------------------------------ predicates

function Pred.__band(a, b) return node(Pred, { k = "and", list = { pred(a, "&"), pred(b, "&") } }) end
function Pred.__bor(a, b) return node(Pred, { k = "or", list = { pred(a, "|"), pred(b, "|") } }) end
function Pred.__bnot(a) return node(Pred, { k = "not", a = pred(a, "~") }) end
Pred.__tostring = function(p) return "<predicate " .. p.k .. " at " .. p.loc .. ">" end

local function list_of(t, what)
  if type(t) ~= "table" or getmetatable(t) then
    fail(what .. " takes a list of predicates: " .. what .. "{ a, b, ... }")
  end
  local out = {}
  for i, p in ipairs(t) do out[i] = pred(p, what .. " item " .. i) end
  return out
end

function seg.all(t) return node(Pred, { k = "and", list = list_of(t, "seg.all") }) end
function seg.any(t) return node(Pred, { k = "or", list = list_of(t, "seg.any") }) end

-- ------------------------------------------------------------ values

local function arith(op)
  return function(a, b)
    return node(Value, { k = "arith", op = op, a = val(a, op), b = val(b, op) })
  end
end
Value.__add, Value.__sub, Value.__mul, Value.__div = arith "+", arith "-", arith "*", arith "/"
Value.__index = function(v, key)
  local m = Value[key]
  if m ~= nil then return m end
  if rawget(v, "k") == "score" and type(key) == "string" then -- seg.S.rfm.R: score "rfm.R"
    return node(Value, { k = "score", name = rawget(v, "name") .. "." .. key })
  end
  if rawget(v, "k") == "field" and type(key) == "string" then -- F.campaign.id: "campaign.id"
    return node(Value, { k = "field", name = rawget(v, "name") .. "." .. key })
  end
  return nil
end
-- seg.field "nps" { type = "integer", min = 0, max = 10, one_of = {...}, pattern = "..." }:
-- checks of the field's values as rows are imported (segrt import --schema FILE).
local field_keys = { type = true, min = true, max = true, one_of = true, pattern = true,
                     description = true }
local function bound(x)
  if type(x) == "number" then
    return math.tointeger(x) and tostring(math.tointeger(x)) or string.format("%.6f", x)
  end
  return x
end
Value.__call = function(v, spec)
  local name = rawget(v, "name")
  if rawget(v, "k") ~= "field" then fail("only a field (seg.field \"name\") takes checks") end
  if type(spec) ~= "table" or getmetatable(spec) then
    fail("seg.field \"" .. name .. "\" takes a table { type, min, max, one_of, pattern }")
  end
  for key in pairs(spec) do
    if not field_keys[key] then
      fail("seg.field \"" .. name .. "\": unknown key '" .. tostring(key) ..
           "' (type, min, max, one_of, pattern, description)")
    end
  end
  if spec.one_of ~= nil and type(spec.one_of) ~= "table" then
    fail("seg.field \"" .. name .. "\": one_of takes a list of values")
  end
  if registry.fields[name] then fail("seg.field \"" .. name .. "\" is declared twice") end
  local one_of
  if spec.one_of then
    one_of = {}
    for i, x in ipairs(spec.one_of) do one_of[i] = tostring(bound(x)) end
  end
  registry.fields[name] = { type = spec.type, min = bound(spec.min), max = bound(spec.max),
                            one_of = one_of, pattern = spec.pattern, loc = rawget(v, "loc") }
  return v
end
Value.__unm = function(a) return node(Value, { k = "arith", op = "-", a = val(0), b = a }) end
Value.__tostring = function(v) return "<value " .. v.k .. " at " .. v.loc .. ">" end
Value.__band = function() fail("& combines predicates; compare the value first (:eq, :gt, ...)") end
Value.__bor = Value.__band

local function cmp(op)
  return function(a, b)
    return node(Pred, { k = "cmp", op = op, a = a, b = val(b, ":" .. op) })
  end
end
for _, op in ipairs { "eq", "ne", "lt", "le", "gt", "ge" } do Value[op] = cmp(op) end

function Value:between(lo, hi)
  return node(Pred, { k = "between", a = self, lo = val(lo, ":between"), hi = val(hi, ":between") })
end

function Value:one_of(vs)
  if type(vs) ~= "table" or getmetatable(vs) then fail(":one_of takes a list: :one_of{ a, b }") end
  local list = {}
  for i, v in ipairs(vs) do list[i] = val(v, ":one_of") end
  return node(Pred, { k = "one_of", a = self, list = list })
end

function Value:present() return node(Pred, { k = "present", a = self }) end
-- F.phone:updated(): when the contact's value was last written (an import, segrt set/unset).
function Value:updated()
  if rawget(self, "k") ~= "field" then fail(":updated() takes a contact field: F.phone:updated()") end
  return node(Value, { k = "updated", a = self })
end
function Value:missing() return node(Pred, { k = "missing", a = self }) end
function Value:contains(v) return node(Pred, { k = "contains", a = self, b = val(v, ":contains") }) end
function Value:within(d) return node(Pred, { k = "within", a = self, b = val(d, ":within") }) end
function Value:older_than(d) return node(Pred, { k = "older_than", a = self, b = val(d, ":older_than") }) end
function Value:before(t) return node(Pred, { k = "before", a = self, b = val(t, ":before") }) end
function Value:after(t) return node(Pred, { k = "after", a = self, b = val(t, ":after") }) end

-- ------------------------------------------------------------ fields, times

local function field(name)
  if type(name) ~= "string" then fail("seg.field takes a field name") end
  return node(Value, { k = "field", name = name })
end
function seg.field(name) return field(name) end
seg.F = setmetatable({}, { __index = function(_, name) return field(name) end })

function seg.days(n) return node(Value, { k = "dur", secs = n * 86400 }) end
function seg.hours(n) return node(Value, { k = "dur", secs = n * 3600 }) end
function seg.ago(d) return node(Value, { k = "ago", a = val(d, "seg.ago") }) end
function seg.now() return node(Value, { k = "now" }) end
function seg.time(text)
  if type(text) ~= "string" then fail("seg.time takes \"YYYY-MM-DDTHH:MM:SSZ\"") end
  return node(Value, { k = "time", text = text })
end
function seg.floor(x) return node(Value, { k = "floor", a = val(x, "seg.floor") }) end

-- Orderings over the contacts where expr is present (and opts.among holds),
-- by expr ascending (descending with opts.desc), ties by external id:
--   seg.ntile(expr, n [, opts])   NTILE(n) as in SQL: buckets 1..n
--   seg.rank(expr [, opts])       the position, from 1
--   seg.percentile(expr [, opts]) 100 * (rank - 1) / (N - 1), 0 for one contact
local function ordering(mode, x, n, opts)
  opts = opts or {}
  return node(Value, { k = "ntile", mode = mode, a = val(x, "seg." .. mode), n = n,
                       desc = opts.desc and true or false,
                       among = opts.among and pred(opts.among, "seg." .. mode .. " among") })
end
function seg.ntile(x, n, opts)
  if math.type(n) ~= "integer" or n < 1 then fail("seg.ntile: n must be a positive integer") end
  return ordering("ntile", x, n, opts)
end
function seg.rank(x, opts) return ordering("rank", x, 0, opts) end
function seg.percentile(x, opts) return ordering("percentile", x, 0, opts) end

-- seg.near(lat, lon, lat0, lon0, km): the point (lat, lon) — values in degrees,
-- e.g. F.lat, F.lon — lies within km kilometres of (lat0, lon0) (great-circle).
function seg.near(lat, lon, lat0, lon0, km)
  for _, x in ipairs { lat0, lon0, km } do
    if type(x) ~= "number" then fail("seg.near(lat, lon, lat0, lon0, km): the point and km are numbers") end
  end
  return node(Pred, { k = "near", a = val(lat, "seg.near"), b = val(lon, "seg.near"),
                      lat0 = lat0, lon0 = lon0, km = km })
end

-- The smaller / larger of two values (missing when either is).
function seg.least(a, b) return node(Value, { k = "arith", op = "min", a = val(a), b = val(b) }) end
function seg.greatest(a, b) return node(Value, { k = "arith", op = "max", a = val(a), b = val(b) }) end

-- ------------------------------------------------------------ events

local function events(type_name)
  if type(type_name) ~= "string" then fail("seg.events takes an event type name") end
  return node(Events, { k = "events", type = type_name })
end
function seg.events(type_name) return events(type_name) end
seg.E = setmetatable({}, { __index = function(_, name) return events(name) end })

local function derive(ev, changes)
  local t = { k = "events", type = ev.type, pred = ev.pred, window = ev.window, loc = where() }
  for key, v in pairs(changes) do t[key] = v end
  return setmetatable(t, Events)
end

-- :where(pred) or :where{ attr = value | {values} }; several :where calls all apply.
function Events:where(p)
  if getmetatable(p) ~= Pred then
    if type(p) ~= "table" or getmetatable(p) then
      fail(":where takes a predicate or a table { attr = value | {values} }")
    end
    local parts, names = {}, {}
    for name in pairs(p) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do
      local v, f = p[name], field(name)
      if type(v) == "table" and not getmetatable(v) then
        parts[#parts + 1] = f:one_of(v)
      else
        parts[#parts + 1] = f:eq(v)
      end
    end
    p = node(Pred, { k = "and", list = parts })
  end
  if self.pred then p = node(Pred, { k = "and", list = { self.pred, p } }) end
  return derive(self, { pred = p })
end

function Events:within(d)
  return derive(self, { window = val(d, ":within") })
end

local function agg(fn, attr)
  return function(self, a)
    a = a or attr
    if a ~= nil and type(a) ~= "string" then fail(":" .. fn .. " takes an attribute name") end
    return node(Value, { k = "agg", fn = fn, ev = self, attr = a })
  end
end
Events.count = agg("count")
Events.sum, Events.avg, Events.min, Events.max = agg("sum"), agg("avg"), agg("min"), agg("max")
-- :first() / :last(): the earliest / latest ts; :first "attr" / :last "attr" (amount,
-- category, channel): that attribute of the earliest / latest event.
Events.first, Events.last = agg("first", "ts"), agg("last", "ts")
-- Each event weighs 2^(-age / half_life): a recent event counts 1, one a
-- half-life old 0.5 (engagement scores).
function Events:decayed(half_life)
  return node(Value, { k = "agg", fn = "decayed", ev = self, half_life = val(half_life, ":decayed") })
end
function Events:exists() return node(Pred, { k = "exists", ev = self }) end
function Events:none() return node(Pred, { k = "none", ev = self }) end
Events.__tostring = function(e) return "<events " .. e.type .. " at " .. e.loc .. ">" end

-- ------------------------------------------------------------ definitions

local function check_name(name, what)
  if type(name) ~= "string" or not name:match "^[A-Za-z_][A-Za-z0-9_]*$" then
    fail(string.format("%s name %s is not [A-Za-z_][A-Za-z0-9_]*", what, tostring(name)))
  end
end

-- registry.redefine (set by the REPL) lets a definition replace an earlier one.
local function add_segment(def)
  local old = registry.by_name[def.name]
  if old and not registry.redefine then
    fail(string.format("segment '%s' is defined twice (first at %s)", def.name, old.loc))
  end
  registry.by_name[def.name] = def
  for i, d in ipairs(registry.segments) do
    if d == old then
      registry.segments[i] = def
      return
    end
  end
  registry.segments[#registry.segments + 1] = def
end

local function check_segment_spec(name, spec)
  if type(spec) ~= "table" then fail("seg.segment \"" .. name .. "\" takes a table { where = ... }") end
  for key in pairs(spec) do
    if key ~= "where" and key ~= "filter" and key ~= "purpose" and key ~= "description" then
      fail(string.format("segment '%s': unknown key '%s' (where, filter, purpose, description)",
                          name, tostring(key)))
    end
  end
  if spec.where ~= nil then pred(spec.where, "segment '" .. name .. "' where") end
  if spec.filter ~= nil and type(spec.filter) ~= "function" then
    fail("segment '" .. name .. "': filter must be a function(c)")
  end
  if spec.purpose ~= nil and type(spec.purpose) ~= "string" then
    fail("segment '" .. name .. "': purpose must be a string")
  end
end

function seg.segment(name)
  check_name(name, "segment")
  local at = where()
  return function(spec)
    check_segment_spec(name, spec)
    add_segment { name = name, where = spec.where, filter = spec.filter, purpose = spec.purpose,
                  description = spec.description or "", loc = at }
  end
end

-- seg.exclusive "group" { "a", "b" }: group.a = a, group.b = b and not a, ...
-- An entry may also define its member inline: { "c", where = pred, description = "..." }.
function seg.exclusive(group)
  check_name(group, "group")
  local at = where()
  return function(members)
    if type(members) ~= "table" or #members == 0 then
      fail("seg.exclusive \"" .. group .. "\" takes a list of segment names or { name, where = ... }")
    end
    local entries = {}
    for i, m in ipairs(members) do
      if type(m) == "table" then
        check_name(m[1], "segment")
        entries[i] = { name = m[1], where = pred(m.where, "group '" .. group .. "' member " .. m[1]),
                       description = m.description or "" }
      else
        check_name(m, "segment")
        entries[i] = m
      end
    end
    registry.groups[group] = entries
    for i, m in ipairs(entries) do
      local inline = type(m) == "table"
      add_segment { name = group .. "." .. (inline and m.name or m), group = group, rank = i,
                    base = not inline and m or nil, description = inline and m.description or "",
                    loc = at }
    end
  end
end

-- Whether string a sorts before b in byte order (Lua's < follows the locale).
local function bytes_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local split_options = { of = "string", where = "predicate", description = "string" }

-- seg.split "NAME" { A = 50, B = 50 [, of = "segment" | where = pred] [, description = ...] }:
-- the segments NAME.A, NAME.B, ... split the population (every live contact,
-- the members of `of`, or those matching `where`) by a stable hash of
-- (contact id, NAME): bucket = XXH64(NAME .. ":" .. id) % 100, and the arms,
-- in byte order of their names, take consecutive ranges of buckets as wide
-- as their integer percentages (summing to at most 100: the rest is held out).
function seg.split(name)
  check_name(name, "split")
  local at = where()
  return function(spec)
    if type(spec) ~= "table" or getmetatable(spec) then
      fail("seg.split \"" .. name .. "\" takes a table { A = 50, B = 50 }")
    end
    local arms, total = {}, 0
    for key, v in pairs(spec) do
      local want = split_options[key]
      if want then
        if kind_of(v) ~= want then fail(string.format("split '%s': %s must be a %s", name, key, want)) end
      else
        check_name(key, "split '" .. name .. "' arm")
        if math.type(v) ~= "integer" or v <= 0 then
          fail(string.format("split '%s': arm %s takes a positive integer percentage, got %s",
                             name, key, tostring(v)))
        end
        arms[#arms + 1], total = key, total + v
      end
    end
    if #arms == 0 then fail("split '" .. name .. "' has no arms: { A = 50, B = 50 }") end
    if total > 100 then
      fail(string.format("split '%s': the arms' percentages add up to %d, more than 100", name, total))
    end
    if spec.of and spec.where then fail("split '" .. name .. "' takes of or where, not both") end
    table.sort(arms, bytes_before)
    local lo = 0
    for _, arm in ipairs(arms) do
      local hi = lo + spec[arm]
      local p = setmetatable({ k = "split", name = name, lo = lo, hi = hi, loc = at }, Pred)
      local population = spec.where or (spec.of and seg.member(spec.of))
      if population then p = node(Pred, { k = "and", list = { population, p }, loc = at }) end
      add_segment { name = name .. "." .. arm, where = p, split = name,
                    description = spec.description or "", loc = at }
      lo = hi
    end
  end
end

-- seg.tag "NAME" { where = pred [, description = ...] }: a segment NAME whose
-- members carry the string NAME in their set field `tags`: every `segrt run`
-- and live update adds it to the members and removes it from everyone else
-- (core/lua/script_tags.c). Strings of `tags` no seg.tag names are left alone.
function seg.tag(name)
  check_name(name, "tag")
  local at = where()
  return function(spec)
    if type(spec) ~= "table" or getmetatable(spec) then
      fail("seg.tag \"" .. name .. "\" takes a table { where = ... }")
    end
    for key in pairs(spec) do
      if key ~= "where" and key ~= "description" then
        fail(string.format("tag '%s': unknown key '%s' (where, description)", name, tostring(key)))
      end
    end
    if spec.where == nil then
      fail("tag '" .. name .. "' needs a where: the rule that decides who carries it")
    end
    pred(spec.where, "tag '" .. name .. "' where")
    if spec.description ~= nil and type(spec.description) ~= "string" then
      fail("tag '" .. name .. "': description must be a string")
    end
    add_segment { name = name, where = spec.where, tag = name, description = spec.description or "",
                  loc = at }
  end
end

-- seg.on_enter "SEGMENT" { webhook = "https://..." } and seg.on_exit: what a
-- host (segrt serve) does when a contact enters or leaves a segment. Declared
-- here, checked when the script has run (the segment must exist by then:
-- core/lua/script_actions.c), delivered by the host; several per segment.
registry.actions = {}

local function action(kind)
  return function(segment)
    if type(segment) ~= "string" then fail("seg." .. kind .. " takes a segment name") end
    local at = where()
    return function(spec)
      local what = string.format("seg.%s \"%s\"", kind, segment)
      if type(spec) ~= "table" or getmetatable(spec) then
        fail(what .. " takes a table { webhook = \"https://...\" }")
      end
      for key in pairs(spec) do
        if key ~= "webhook" then fail(string.format("%s: unknown key '%s' (webhook)", what, tostring(key))) end
      end
      local url = spec.webhook
      if type(url) ~= "string" then fail(what .. " needs a webhook = \"https://...\"") end
      if not (url:match "^http://[^/]" or url:match "^https://[^/]") or url:find "[%s%c]" then
        fail(string.format("%s: webhook %q is not an http:// or https:// URL", what, url))
      end
      registry.actions[#registry.actions + 1] = { segment = segment, on_enter = kind == "on_enter",
                                                  webhook = url, loc = at }
    end
  end
end
seg.on_enter, seg.on_exit = action "on_enter", action "on_exit"

function seg.member(name)
  if type(name) ~= "string" then fail("seg.member takes a segment name") end
  return node(Pred, { k = "member", name = name })
end

function seg.score(name)
  if type(name) ~= "string" or not name:match "^[A-Za-z_][A-Za-z0-9_]*$"
     and not name:match "^[A-Za-z_][A-Za-z0-9_]*%.[A-Za-z_][A-Za-z0-9_]*$" then
    fail(string.format("score name %s is not [A-Za-z_][A-Za-z0-9_]* (or model.output)", tostring(name)))
  end
  local at = where()
  return function(spec)
    if type(spec) ~= "table" or (spec.expr == nil) == (spec.fn == nil) then
      fail("seg.score \"" .. name .. "\" takes { expr = <value> } or { fn = function(c) ... end }")
    end
    if spec.expr ~= nil then val(spec.expr, "score '" .. name .. "' expr") end
    if spec.fn ~= nil and type(spec.fn) ~= "function" then fail("score fn must be a function") end
    if registry.scores[name] and not registry.redefine then
      fail("score '" .. name .. "' is defined twice")
    end
    if spec.purpose ~= nil and type(spec.purpose) ~= "string" then
      fail("score '" .. name .. "': purpose must be a string")
    end
    registry.scores[name] = { name = name, expr = spec.expr, fn = spec.fn, purpose = spec.purpose,
                              profiling = spec.profiling and true or false, loc = at }
  end
end
-- seg.model "name" { kind = ..., scores = { "name.x", ... }, segments = { ... }, ... }:
-- what `segrt score SCRIPT name` summarises. The shipped models (scripts/models/)
-- register themselves; kinds "bgnbd", "kmeans" and "logreg" are computed in C and
-- their outputs are the scores "name.<output>".
function seg.model(name)
  check_name(name, "model")
  local at = where()
  return function(spec)
    if type(spec) ~= "table" or type(spec.kind) ~= "string" then
      fail("seg.model \"" .. name .. "\" takes a table with a kind")
    end
    if registry.models[name] and not registry.redefine then
      fail("model '" .. name .. "' is defined twice")
    end
    spec.name, spec.loc = name, at
    spec.scores, spec.segments = spec.scores or {}, spec.segments or {}
    registry.models[name] = spec
  end
end

seg.S = setmetatable({}, { __index = function(_, name)
  return node(Value, { k = "score", name = name })
end })

function seg.consent(purpose)
  if type(purpose) ~= "string" then fail("seg.consent takes a purpose name") end
  local at = where()
  return function(spec)
    if type(spec) ~= "table" then fail("seg.consent \"" .. purpose .. "\" takes a table") end
    if spec.check ~= nil and type(spec.check) ~= "function" then
      fail("consent '" .. purpose .. "': check must be a function(c, rec)")
    end
    registry.consents[purpose] = { bases = spec.bases, max_age = spec.max_age and val(spec.max_age),
                                   check = spec.check, marketing = spec.marketing and true or false,
                                   loc = at }
  end
end

-- ------------------------------------------------------------ packs

-- seg.pack { name, version, description,
--            requires = { fields = { "email", income = "integer", ... }, events = {...} },
--            purposes = { "email_marketing", ... }, depends = { "other_pack", ... } }:
-- what a pack is and needs: fields (a name, or name = type), event types,
-- and the consent purposes its segments use (the store must hold records of
-- them). The core checks all of it against the store when the script has
-- run, and names everything missing at once. Each pack of depends is loaded
-- first (installed, else bundled); a missing one or a cycle is an error.
local function names(list, what)
  if list ~= nil and type(list) ~= "table" then
    fail("seg.pack: " .. what .. " takes a list of names: " .. what .. " = { \"...\" }")
  end
  for _, v in ipairs(list or {}) do
    if type(v) ~= "string" then fail("seg.pack: " .. what .. " takes a list of names") end
  end
  return list or {}
end

function seg.pack(spec)
  if type(spec) ~= "table" or type(spec.name) ~= "string" then
    fail("seg.pack takes { name = ..., version = ..., requires = { fields = {...}, events = {...} } }")
  end
  local requires = spec.requires or {}
  if type(requires) ~= "table" or (requires.fields ~= nil and type(requires.fields) ~= "table") then
    fail("seg.pack: requires takes { fields = { \"a\", b = \"integer\" }, events = { \"...\" } }")
  end
  registry.packs[spec.name] = { name = spec.name, version = spec.version or "",
                                description = spec.description or "",
                                fields = requires.fields or {},
                                events = names(requires.events, "events"),
                                purposes = names(spec.purposes, "purposes"),
                                loc = where() }
  for _, dep in ipairs(names(spec.depends, "depends")) do require("packs." .. dep, spec.name) end
end

-- ------------------------------------------------------------ special categories (Art. 9)

local sensitive = {}
registry.sensitive = sensitive -- read by the host (segrt_script_sensitive)

-- seg.sensitive { field = "category", ... } marks contact fields as special
-- categories of personal data (consent/sensitive.lua lists the usual names).
function seg.sensitive(fields)
  if type(fields) ~= "table" then fail("seg.sensitive takes { field = \"category\", ... }") end
  for name, category in pairs(fields) do
    if type(name) ~= "string" or type(category) ~= "string" then
      fail("seg.sensitive takes { field = \"category\", ... }")
    end
    sensitive[name] = category
  end
end

-- The sensitive fields a tree reads (into found: name -> true), through scores.
-- Event attributes under :where (an events node's pred) are not contact fields.
local function sensitive_reads(t, found, seen)
  if type(t) ~= "table" or seen[t] then return end
  seen[t] = true
  if t.k == "field" and sensitive[t.name] then found[t.name] = true end
  if t.k == "field" and t.name == "age" and sensitive.birth_date then found.birth_date = true end
  if t.k == "score" and registry.scores[t.name] then
    sensitive_reads(registry.scores[t.name].expr, found, seen)
  end
  for key, v in pairs(t) do
    if not (t.k == "events" and key == "pred") and key ~= "loc" then sensitive_reads(v, found, seen) end
  end
end

-- Whether a purpose accepts explicit consent and nothing else.
local function consent_only(purpose)
  local def = purpose and registry.consents[purpose]
  local bases = def and def.bases or { "consent", "legitimate_interest" }
  return purpose ~= nil and #bases == 1 and bases[1] == "consent"
end

-- A definition (kind "segment", "score", "template") whose tree reads a
-- sensitive field must name a purpose whose only basis is explicit consent.
local function check(kind, name, tree, purpose, loc)
  local found = {}
  sensitive_reads(tree, found, {})
  local fields = {}
  for f in pairs(found) do fields[#fields + 1] = f end
  table.sort(fields)
  if #fields > 0 and not consent_only(purpose) then
    error(string.format("%s: %s '%s' reads %s (%s: a special category of personal data, GDPR "
      .. "Art. 9); it must name a purpose whose only legal basis is explicit consent, e.g. "
      .. "seg.consent \"%s_research\" { bases = { \"consent\" } }%s", loc, kind, name,
      "'" .. table.concat(fields, "', '") .. "'", sensitive[fields[1]], fields[1],
      purpose and (" (its purpose '" .. purpose .. "' accepts other bases)") or ""), 0)
  end
end
-- For templates (core/output/template.c): the tree is the list of nodes its placeholders name.
registry.check_sensitive_reads = check

-- Run by the core after a script ran: every segment or score that reads a
-- sensitive field must name a purpose whose only basis is explicit consent.
function seg._check_sensitive()
  for _, def in ipairs(registry.segments) do
    check("segment", def.name, def.where, def.purpose, def.loc)
  end
  for name, def in pairs(registry.scores) do
    check("score", name, def.expr, def.purpose, def.loc)
  end
  for group, entries in pairs(registry.groups) do
    for _, e in ipairs(entries) do
      if type(e) == "table" then check("segment", group .. "." .. e.name, e.where, nil, "group") end
    end
  end
end

-- ------------------------------------------------------------ message templates

-- seg.template "name" { purpose = "email_marketing", subject = "...", body = [[...]],
--                       format = "text" | "html", values = { name = <value>, ... } }
-- One message per contact who passes the purpose's consent check. {placeholders}
-- in the subject and body name a contact field, a score (rfm.R) or one of
-- values, with an optional :format and |fallback (syntax: core/output/template_text.h).
-- The core parses and checks them against the store once the script has run
-- (core/output/template.c): an unknown name fails the load, not the send.
registry.templates, registry.template_order = {}, {}

local template_keys = { purpose = "string", subject = "string", body = "string",
                        format = "string", values = "table", description = "string" }

function seg.template(name)
  check_name(name, "template")
  local at = where()
  return function(spec)
    if type(spec) ~= "table" then
      fail("seg.template \"" .. name .. "\" takes a table { purpose = ..., subject = ..., body = ... }")
    end
    for key, v in pairs(spec) do
      local want = template_keys[key]
      if want == nil then
        fail(string.format("template '%s': unknown key '%s' (purpose, subject, body, format, values, "
                           .. "description)", name, tostring(key)))
      end
      if type(v) ~= want then fail(string.format("template '%s': %s must be a %s", name, key, want)) end
    end
    if spec.purpose == nil then
      fail("template '" .. name .. "' needs a purpose: its consent check decides who gets the "
           .. "message (e.g. purpose = \"email_marketing\")")
    end
    for _, key in ipairs { "subject", "body" } do
      if spec[key] == nil then fail("template '" .. name .. "' needs a " .. key) end
    end
    if spec.subject:find "[\r\n]" then fail("template '" .. name .. "': the subject must be one line") end
    local format = spec.format or "text"
    if format ~= "text" and format ~= "html" then
      fail("template '" .. name .. "': format is \"text\" or \"html\", not \"" .. format .. "\"")
    end
    local values = {}
    for key, v in pairs(spec.values or {}) do
      check_name(key, "template '" .. name .. "' value")
      values[key] = val(v, "template '" .. name .. "' value '" .. key .. "'")
    end
    local old = registry.templates[name]
    if old and not registry.redefine then
      fail(string.format("template '%s' is defined twice (first at %s)", name, old.loc))
    end
    if not old then registry.template_order[#registry.template_order + 1] = name end
    registry.templates[name] = { name = name, purpose = spec.purpose, subject = spec.subject,
                                 body = spec.body, format = format, values = values,
                                 description = spec.description or "", loc = at }
  end
end

-- For filters: the category of a sensitive field, or nil.
function seg._sensitive_category(field) return sensitive[field] end
function seg._consent_only(purpose) return consent_only(purpose) end

seg._registry = registry
return seg
