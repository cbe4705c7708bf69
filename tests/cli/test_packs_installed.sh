#!/usr/bin/env bash
# Installed packs: found on the pack search path ($SEGRT_PACKS, else
# $XDG_DATA_HOME/segrt/packs) as NAME.lua or NAME/init.lua, listed by
# `segrt packs`, run by name or path, folder packs requiring their own
# modules (and nothing outside the search path), dependencies on installed
# and bundled packs, missing dependencies and cycles as one clear error, and
# an installed pack shadowing the bundled one of its name.
. "$(dirname "$0")/lib.sh"

P1=$T/packs1
P2=$T/packs2
mkdir -p "$P1" "$P2/tiers/lib/deep" "$T/elsewhere/loose"

printf 'id,income,plan,interests\nr1,1000,trial,vegan\nr2,6000,basic,\nr3,9000,pro,vegan;tech\nr4,3000,trial,\n' \
    >"$T/c.csv"
run segrt import --db "$T/db" --contacts "$T/c.csv"
assert_rc 0 "import"

# A folder pack with modules of its own (one nested), and a file pack that depends on it.
cat >"$P2/tiers/init.lua" <<'EOF'
local seg = require "segrt"
local limits = require "tiers.lib.limits"
local deep = require "tiers.lib.deep"
seg.pack { name = "tiers", version = "2.1", description = "income tiers from a folder pack",
           requires = { fields = { "income" } } }
seg.segment "rich" { where = seg.F.income:gt(limits.rich) }
seg.segment "poor" { where = seg.F.income:lt(deep.poor) }
EOF
printf 'return { rich = 5000 }\n' >"$P2/tiers/lib/limits.lua"
printf 'return { poor = 2000 }\n' >"$P2/tiers/lib/deep/init.lua"
cat >"$P1/vegan_rich.lua" <<'EOF'
local seg = require "segrt"
seg.pack { name = "vegan_rich", version = "0.3", description = "rich vegans (needs tiers)",
           depends = { "tiers" } }
seg.segment "vegan_rich" { where = seg.member "rich" & seg.F.interests:contains "vegan" }
EOF
export SEGRT_PACKS=$P1:$P2

# --- Listed with version, description and where each comes from.
run segrt packs
assert_rc 0 "segrt packs with installed packs"
assert_contains "$T/out" "tiers                2.1      installed  income tiers from a folder pack" \
    "the folder pack is listed with its version and description"
assert_contains "$T/out" "$P2/tiers/" "... and its folder"
assert_contains "$T/out" "vegan_rich           0.3      installed  rich vegans" "the file pack is listed"
assert_contains "$T/out" "$P1/vegan_rich.lua" "... and its file"
assert_contains "$T/out" "ecommerce_coffee     1.0      bundled" "bundled packs are listed too"
assert_contains "$T/out" "search path: $P1:$P2 (SEGRT_PACKS)" "the search path is shown"

# --- Run by name: a folder pack requiring its modules, and a pack depending on it.
run segrt members --db "$T/db" tiers rich
assert_rc 0 "a folder pack by name"
assert_eq "$(tr '\n' ' ' <"$T/out")" "r2 r3 " "rich, with the limit from tiers.lib.limits"
run segrt members --db "$T/db" tiers poor
assert_eq "$(tr '\n' ' ' <"$T/out")" "r1 " "poor, with the limit from tiers/lib/deep/init.lua"
run segrt members --db "$T/db" vegan_rich vegan_rich
assert_rc 0 "a file pack depending on an installed folder pack"
assert_eq "$(cat "$T/out")" "r3" "its segment uses the dependency's segment"
run segrt run --db "$T/db" vegan_rich
assert_rc 0 "segrt run of a pack by name"
assert_contains "$T/out" "rich" "the run holds the dependency's segments too"

# By path: the file, the folder (with or without the trailing slash), its modules still found.
run segrt count --db "$T/db" "$P1/vegan_rich.lua" vegan_rich
assert_eq "$(cat "$T/out")" 1 "a file pack by path"
cp -r "$P2/tiers" "$T/elsewhere/tiers"
sed -i 's/rich = 5000/rich = 8000/' "$T/elsewhere/tiers/lib/limits.lua"
for path in "$T/elsewhere/tiers" "$T/elsewhere/tiers/"; do
    run segrt members --db "$T/db" "$path" rich
    assert_rc 0 "a folder pack by path ($path)"
    assert_eq "$(cat "$T/out")" "r3" "its modules come from its own folder, not the search path"
done
(cd "$T/elsewhere" && "$SEGRT" count --db "$T/db" tiers rich >"$T/out" 2>"$T/err")
assert_eq "$(cat "$T/out")" 1 "a folder in the current directory is a path before it is a name"

# The REPL loads packs by name as well.
run segrt repl --db "$T/db" tiers <<<'=seg.member "rich"'
assert_rc 0 "segrt repl with a pack by name"
assert_contains "$T/out" "loaded tiers: 2 segments" "the REPL loaded the installed pack"

# --- require stays inside the search path and the shipped modules.
printf 'error("outside code ran")\n' >"$T/elsewhere/loose/x.lua"
printf 'error("outside code ran")\n' >"$T/secret.lua"
for mod in "../secret" "$T/secret" "tiers.lib/../../../secret" "tiers..lib" "tiers.lib." \
    "tiers.nope" "loose.x" "vegan_rich.x" "os" "io"; do
    cat >"$T/req.lua" <<EOF
local seg = require "segrt"
require "$mod"
seg.segment "s" { where = seg.F.income:gt(0) }
EOF
    run segrt count --db "$T/db" "$T/req.lua" s
    assert_rc 1 "require \"$mod\" is refused"
    assert_contains "$T/err" "req.lua:2: module '$mod' not found" "... naming the line and module"
    assert_not_contains "$T/err" "outside code ran" "... without running any file outside"
done

# --- Dependencies: on a bundled pack, missing ones, cycles.
cat >"$P1/uses_bundled.lua" <<'EOF'
local seg = require "segrt"
seg.pack { name = "uses_bundled", version = "1", description = "d", depends = { "saas" } }
seg.segment "trial_rich" { where = seg.member "trial_users" & seg.F.income:gt(500) }
EOF
run segrt members --db "$T/db" uses_bundled trial_rich
assert_rc 1 "a dependency's requirements are checked"
assert_contains "$T/err" "pack 'saas' needs what the store does not have: event type 'login'" \
    "... and named"
cat >"$P1/needs_missing.lua" <<'EOF'
local seg = require "segrt"
seg.pack { name = "needs_missing", version = "1", description = "d", depends = { "tiers", "nowhere" } }
EOF
run segrt count --db "$T/db" needs_missing rich
assert_rc 1 "a missing dependency"
assert_contains "$T/err" "needs_missing.lua:2: pack 'needs_missing' depends on 'nowhere', which is neither installed (search path $P1:$P2) nor bundled" \
    "one message: the pack, the missing dependency, the line and the search path"
for p in cyc_a cyc_b cyc_c; do
    next=$([ $p = cyc_a ] && echo cyc_b || { [ $p = cyc_b ] && echo cyc_c || echo cyc_a; })
    printf 'local seg = require "segrt"\nseg.pack { name = "%s", version = "1", depends = { "%s" } }\n' \
        "$p" "$next" >"$P1/$p.lua"
done
run segrt count --db "$T/db" cyc_a x
assert_rc 1 "a dependency cycle"
assert_contains "$T/err" "cyc_c.lua:2: dependency cycle: cyc_a -> cyc_b -> cyc_c -> cyc_a" \
    "one message with the whole cycle"
printf 'local seg = require "segrt"\nseg.pack { name = "selfish", version = "1", depends = { "selfish" } }\n' \
    >"$P1/selfish.lua"
run segrt count --db "$T/db" selfish x
assert_contains "$T/err" "dependency cycle: selfish -> selfish" "a pack depending on itself"
run segrt count --db "$T/db" "$P1/cyc_b.lua" x
assert_contains "$T/err" "dependency cycle: cyc_c -> cyc_a -> cyc_b -> cyc_c" "a cycle entered by path"
printf 'local seg = require "segrt"\nseg.pack { name = "baddep", depends = "tiers" }\n' >"$P1/baddep.lua"
run segrt count --db "$T/db" baddep x
assert_contains "$T/err" "baddep.lua:2: seg.pack: depends takes a list of names" "depends must be a list"

# A pack that tampers with the seg module's registry of packs harms nothing.
cat >"$P1/tamper.lua" <<'EOF'
local seg = require "segrt"
seg.pack { name = "tamper", version = "1", description = "changes the registry" }
seg._registry.packs.tamper.fields = "not a table"
seg._registry.packs.tamper.events = 5
seg._registry.packs[1] = { fields = { income = {} }, loc = {} }
setmetatable(seg._registry.packs.tamper, { __index = function() error("boom") end })
seg.segment "t" { where = seg.F.income:gt(0) }
EOF
run segrt count --db "$T/db" tamper t
assert_rc 0 "requirements read from a changed registry: what is not a table is skipped"
assert_eq "$(cat "$T/out")" 4 "... and the pack runs"
printf 'local seg = require "segrt"\nseg.pack { name = "tamper2" }\nseg._registry.packs = 5\n' \
    >"$P1/tamper2.lua"
run segrt count --db "$T/db" tamper2 t
assert_rc 1 "a registry of packs that is not a table"
assert_contains "$T/err" "unknown segment 't'" "... is no crash"

# A broken pack is listed with its error; the others still are.
run segrt packs
assert_rc 0 "segrt packs with broken packs installed"
assert_contains "$T/out" "needs_missing        -        installed  error: " "a broken pack shows its error"
assert_contains "$T/out" "cyc_a                -        installed  error: $P1/cyc_c.lua:2: dependency cycle: cyc_a -> cyc_b -> cyc_c -> cyc_a" \
    "... a cycle from the pack listed"
assert_contains "$T/out" "tiers                2.1" "... and the others are listed"
assert_contains "$T/out" "tamper2              -        installed  error: it declares no seg.pack { name = \"tamper2\" }" \
    "a pack whose declaration cannot be read"
assert_contains "$T/out" "tamper               1        installed  changes the registry" \
    "a declaration read from a changed registry"

# --- Shadowing: an installed pack hides the bundled pack of its name.
run segrt count --db "$T/db" saas trial_users
assert_rc 1 "the bundled saas needs login events"
cat >"$P2/saas.lua" <<'EOF'
local seg = require "segrt"
seg.pack { name = "saas", version = "9.0", description = "our own saas segments" }
seg.segment "trial_users" { where = seg.F.plan:eq "trial" }
EOF
run segrt count --db "$T/db" saas trial_users
assert_rc 0 "the installed saas shadows the bundled one"
assert_eq "$(cat "$T/out")" 2 "... and is the one that runs"
run segrt members --db "$T/db" uses_bundled trial_rich
assert_rc 0 "a dependency resolves to the installed pack as well"
assert_eq "$(tr '\n' ' ' <"$T/out")" "r1 r4 " "... whose segments it uses"
run segrt packs
assert_contains "$T/out" "saas                 9.0      installed  our own saas segments" "segrt packs: the installed saas"
assert_contains "$T/out" "saas                 1.0      shadowed   trial users" "... and the bundled one, shadowed"
assert_contains "$T/out" "bundled; $P2/saas.lua shadows it" "... saying by what"
[ "$(grep -n '^saas ' "$T/out" | head -1 | grep -c '9.0')" = 1 ] || fail "the installed saas is listed first"
ok
# The first directory of the path wins.
printf 'local seg = require "segrt"\nseg.pack { name = "saas", version = "10.0", description = "first" }\n' \
    >"$P1/saas.lua"
run segrt packs
assert_contains "$T/out" "saas                 10.0     installed  first" "the first directory wins"
assert_not_contains "$T/out" "our own saas segments" "... and the later one is not listed"
assert_contains "$T/out" "bundled; $P1/saas.lua shadows it" "... as the bundled pack's shadow"

# --- The default path, and pack new --dir writing into it.
unset SEGRT_PACKS
run segrt count --db "$T/db" tiers rich
assert_rc 1 "without SEGRT_PACKS, the packs there are not found"
assert_contains "$T/err" "tiers: no such file, and no pack of that name is installed (search path $XDG_DATA_HOME/segrt/packs)" \
    "... and the message shows the default search path"
run segrt pack new --dir "$XDG_DATA_HOME/segrt/packs" fresh
assert_rc 0 "pack new --dir into the default search path (made on the way)"
assert_contains "$T/out" "wrote $XDG_DATA_HOME/segrt/packs/fresh.lua" "pack new says what it wrote"
run segrt packs
assert_contains "$T/out" "fresh                0.1      installed  what the segments are for" \
    "the new pack is listed"
assert_contains "$T/out" "search path: $XDG_DATA_HOME/segrt/packs" "the default search path"
run segrt pack check --db "$T/db" fresh
assert_rc 1 "the skeleton needs a purchase event type this store lacks"
assert_contains "$T/out" "pack 'fresh' needs what the store does not have: field 'email', event type 'purchase'" \
    "... named by pack check"
run segrt pack new --dir "$XDG_DATA_HOME/segrt/packs" fresh
assert_rc 1 "pack new never overwrites"
run segrt pack new "bad-name"
assert_rc 2 "pack new refuses a name no SCRIPT could load"
assert_contains "$T/err" "'bad-name' is not a pack name" "... saying why"
run segrt pack check --dir "$T" --db "$T/db" fresh
assert_rc 2 "--dir is for pack new only"

finish
