#!/usr/bin/env bash
# test_repl.sh — segrt repl (SPEC §6).
#
# On a demo store of 2,000 contacts: piped mode (no prompts, each result
# printed plainly, exit 1 when a statement failed) for predicates, values,
# segment names, multi-line definitions, errors and every :command (:mode,
# :limit and :once too: a CSV result in a file equals segrt members); :save
# then `segrt run` of the saved file must give the sizes the REPL printed.
# test_repl_pty.py then drives the REPL through a pseudo-terminal: count of
# a typed predicate, Tab completion of F.reg, a multi-line definition,
# an error then a working line, Ctrl-C, Ctrl-D, history between sessions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
DB=$T/demo.db
run segrt demo --db "$DB" --contacts 2000 --seed 11 --now "$NOW"
assert_rc 0 "segrt demo makes the store"

repl() {
    segrt repl --db "$DB" --now "$NOW" "$@"
}

# The reference counts come from segrt count on scripts.
cat >"$T/ref.lua" <<'EOF'
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days
seg.segment "brasov" { where = F.region:eq "Brasov" }
seg.segment "buyers" { where = E.purchase:within(days(90)):exists() }
EOF
BRASOV=$(segrt count --db "$DB" --now "$NOW" "$T/ref.lua" brasov)
BUYERS=$(segrt count --db "$DB" --now "$NOW" "$T/ref.lua" buyers)
CONTACTS=$(segrt stats --db "$DB" | awk '$1 == "contacts" { print $2 }')

# --- piped: a predicate prints its count, share and first members.
run repl <<<'F.region:eq "Brasov"'
assert_rc 0 "a predicate in piped mode"
assert_eq "$(head -1 "$T/out" | awk '{ print $1 }')" "$BRASOV" "the predicate's count is segrt count's"
assert_contains "$T/out" "of $CONTACTS)" "the share names the contacts"
assert_eq "$(sed -n 2p "$T/out" | awk '{ print $1, $2 }')" "id region" \
    "the sample table has the id and the field the predicate reads"
assert_eq "$(sed -n 3p "$T/out" | awk '{ print $2 }')" "Brasov" "sample rows show the field"
assert_not_contains "$T/out" "seg>" "no prompt when piped"
assert_not_contains "$T/out" " ms" "no timing when piped"
assert_not_contains "$T/err" $'\033' "no colours when piped"

# Fields read inside an event :where are event attributes, not columns.
run repl <<<'E.purchase:where(F.amount:gt(100)):within(days(90)):exists() & F.income:gt(0)'
assert_rc 0 "a predicate with events"
assert_eq "$(sed -n 2p "$T/out" | awk '{ print NF, $1, $2 }')" "2 id income" \
    "only contact fields are sampled"

# --- a multi-line statement, a value, an expression, a segment by name.
run repl <<'EOF'
seg.segment "buyers" {
  description = "bought in the last 90 days",
  where = E.purchase:within(days(90)):exists(),
}
F.income
=1 + 2
days(30)
buyers
EOF
assert_rc 0 "multi-line definition, values, a segment name"
assert_contains "$T/out" "segment buyers: $BUYERS contact" "a definition prints the new segment's size"
assert_contains "$T/out" "number: " "a value prints its type"
assert_contains "$T/out" "min " "a value prints its range"
grep -qx 3 "$T/out" || fail "=expr prints the value$(last_output)"
ok
assert_contains "$T/out" "duration 30 days" "a constant prints as itself"
assert_contains "$T/out" "segment buyers: bought in the last 90 days" "a segment name prints its description"
assert_contains "$T/out" "defined  input#1:1" "... where it was defined"
assert_contains "$T/out" "size     $BUYERS contact" "... and its size"

# --- errors: the line and a short traceback; the session goes on; exit 1.
run repl <<'EOF'
nosuch()
function f() error("boom") end
f()
1 + 1
F.regoin:eq "x"
seg.segment "bad name" {}
EOF
assert_rc 1 "a failed statement makes the piped exit code 1"
assert_contains "$T/err" "input#1:1: undefined global 'nosuch'" "an error names its line"
assert_contains "$T/err" "input#2:1: boom" "an error raised in a function"
assert_contains "$T/err" "in function 'f'" "... with a traceback of the user's frames"
assert_not_contains "$T/err" "[C]:" "... without C frames"
grep -qx 2 "$T/out" || fail "the session goes on after errors$(last_output)"
ok
assert_contains "$T/err" "unknown field 'regoin' (did you mean 'region'?)" "engine errors are shown"
assert_contains "$T/err" "input#6:1: segment name bad name" "seg module errors name the REPL line"

run repl <<<'seg.segment "x" {'
assert_rc 1 "an unfinished statement at the end of input"
assert_contains "$T/err" "<eof>" "... is a syntax error"

# --- :commands.
run repl <<EOF
:help
:fields
:events
:show c0000001
:now 2025-06-01
:now
:time
:nosuch
:show
EOF
assert_rc 1 "meta-commands (two wrong ones)"
for c in :fields :events ":show ID" ":save FILE" ":load FILE" :segments ":now [T]" :time :quit; do
    assert_contains "$T/out" "  $c" ":help lists $c"
done
assert_contains "$T/out" "region" ":fields lists fields"
assert_contains "$T/out" "distinct: " ":fields lists values of string fields"
grep -Eq '^purchase +[0-9]+ +20[0-9]{2}-[0-9]{2}-[0-9]{2} +20[0-9]{2}-' "$T/out" ||
    fail ":events lists types with counts and a date range$(last_output)"
ok
assert_contains "$T/out" "Contact c0000001" ":show prints the contact card"
assert_contains "$T/out" "NOW = 2025-06-01T00:00:00Z" ":now sets NOW"
assert_contains "$T/out" "timing on" ":time toggles timing"
assert_contains "$T/err" "unknown command ':nosuch'" "an unknown :command"
assert_contains "$T/err" "usage: :show ID" ":show without an id"

# --- scripts on the command line and :load; :segments.
run repl "$T/ref.lua" <<<':segments'
assert_rc 0 "a script named on the command line"
assert_contains "$T/out" "loaded $T/ref.lua: 2 segments (brasov, buyers)" "the script is loaded"
grep -Eq "^brasov +$BRASOV " "$T/out" || fail ":segments lists sizes$(last_output)"
ok
run repl <<<":load $T/nosuch.lua"
assert_rc 1 ":load of a missing file"
assert_contains "$T/err" "nosuch.lua" "... names the file"

# --- :save, then segrt run of the saved file gives the same sizes.
run repl <<EOF
rich = F.income:gt(9000)
seg.segment "rich_buyers" {
  where = rich & E.purchase:within(days(90)):exists(),
}
seg.segment "brasov_or_rich" { where = F.region:eq "Brasov" | rich }
seg.exclusive "tier" { "rich_buyers", "brasov_or_rich" }
1 + 1
:save $T/saved.lua
EOF
assert_rc 0 "a session with definitions and :save"
assert_contains "$T/out" "saved 4 statements to $T/saved.lua" ":save counts the statements kept"
assert_not_contains "$T/saved.lua" "1 + 1" ":save leaves out expressions"
assert_contains "$T/saved.lua" 'local seg = require "segrt"' ":save writes the prelude"
cp "$T/out" "$T/repl_sizes"
run segrt run --db "$DB" --now "$NOW" "$T/saved.lua"
assert_rc 0 "segrt run accepts the saved session"
for s in rich_buyers brasov_or_rich tier.rich_buyers tier.brasov_or_rich; do
    want=$(awk -v s="segment $s:" 'index($0, s) == 1 { print $3 }' "$T/repl_sizes")
    got=$(awk -v s="$s" '$1 == s { print $2 }' "$T/out")
    [ -n "$want" ] || fail "the REPL printed no size for $s: $(cat "$T/repl_sizes")"
    assert_eq "$got" "$want" "segrt run of the saved file sizes $s as the REPL did"
done

# --- :mode, :limit and :once: the members as CSV, JSON lines or a field a line.
segrt members --db "$DB" --now "$NOW" --format csv --fields region "$T/ref.lua" brasov >"$T/brasov.csv"
run repl <<EOF
:mode csv
:limit 0
:once $T/once.csv
F.region:eq "Brasov"
:mode jsonl
:limit 2
F.region:eq "Brasov"
:mode line
F.region:eq "Brasov"
:mode table
:limit 1
F.region:eq "Brasov"
EOF
assert_rc 0 ":mode, :limit, :once"
diff "$T/brasov.csv" "$T/once.csv" >/dev/null ||
    fail ":once of a CSV result differs from segrt members: $(diff "$T/brasov.csv" "$T/once.csv" | head -3)"
ok
assert_eq "$(grep -c '^{"id":"' "$T/out")" 2 ":limit 2 in jsonl mode prints two JSON lines"
assert_eq "$(grep -c '^  region = Brasov$' "$T/out")" 2 ":mode line prints a field a line"
assert_contains "$T/out" "$((BRASOV - 1)) more (:limit N shows more)" ":limit 1 in table mode"
assert_not_contains "$T/out" "id,region" "the CSV went to the :once file, not the terminal"
run repl <<'EOF'
:mode xml
:limit x
:once /nonexistent/dir/f
EOF
assert_rc 1 "bad :mode, :limit and :once arguments are errors"
assert_contains "$T/err" ":mode 'xml' is not table, csv, jsonl or line" "a bad :mode"
assert_contains "$T/err" ":limit 'x' is not a whole number" "a bad :limit"
assert_contains "$T/err" ":once /nonexistent/dir/f:" "a :once file that cannot be made"

# --- through a pseudo-terminal.
mkdir -p "$T/home"
python3 "$_lib_dir/test_repl_pty.py" "$SEGRT" "$DB" "$T/home" "$(
    segrt count --db "$DB" "$T/ref.lua" brasov)" "$T/tty_saved.lua" >"$T/pty" 2>&1 ||
    fail "$(cat "$T/pty")"
PASSED=$((PASSED + $(grep -c '^ok: ' "$T/pty")))
run segrt run --db "$DB" "$T/tty_saved.lua"
assert_rc 0 "segrt run accepts what :save wrote on a terminal"
assert_eq "$(awk '$1 == "brasov_rich" { print $2 }' "$T/out")" \
    "$(sed -n 's/^brasov_rich=//p' "$T/pty")" "... with the size the REPL printed"
finish
