#!/usr/bin/env bash
# test_cli_usage.sh — the command line contract (SPEC §3, STYLE §13): --help on
# every command, exit codes (0 ok, 1 failure, 2 usage error), messages that
# name what is wrong, --strict imports that commit nothing, the store chosen by
# --db / $SEGRT_DB / ./segrt.db, and segrt demo's care for existing stores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NOW=2026-01-01T00:00:00Z
COMMANDS=(demo import stats show export erase audit check version)

cat >"$T/c.csv" <<'CSV'
id,email,first_name,birth_date
k1,k1@example.com,Ana,1990-01-02
k2,k2@example.com,Ion,1985-06-30
CSV

# --- --help: every command exits 0 and prints its usage on stdout.
for cmd in "${COMMANDS[@]}"; do
    run segrt "$cmd" --help
    assert_rc 0 "segrt $cmd --help"
    assert_contains "$T/out" "usage:" "segrt $cmd --help output"
done
run segrt --help
assert_rc 0 "segrt --help"
assert_contains "$T/out" "usage:" "segrt --help output"
for cmd in "${COMMANDS[@]}"; do
    assert_contains "$T/out" "$cmd" "segrt --help lists $cmd"
done

# --- segrt --version and segrt version print "segrt x.y.z", the project's VERSION.
version=$(sed -n 's/^project(segrt VERSION \([0-9.]*\).*/\1/p' "$_repo/CMakeLists.txt")
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no VERSION in CMakeLists.txt: '$version'"
for form in --version version; do
    run segrt "$form"
    assert_rc 0 "segrt $form"
    assert_eq "$(cat "$T/out")" "segrt $version" "segrt $form prints the version"
done
run segrt version extra
assert_rc 2 "segrt version with an argument"
assert_contains "$T/err" "extra" "segrt version with an argument names it"

# --- Usage errors exit 2 with a message on stderr.
run segrt
assert_rc 2 "segrt without a command"
assert_contains "$T/err" "usage:" "segrt without a command prints the usage"
run segrt frobnicate
assert_rc 2 "unknown command"
assert_contains "$T/err" "frobnicate" "unknown command message names it"
[ "$(wc -l <"$T/err")" -le 3 ] || fail "an unknown command prints the whole usage: $(cat "$T/err")"
ok
run segrt cuont
assert_rc 2 "a misspelt command"
assert_contains "$T/err" "did you mean 'count'?" "a misspelt command gets a did-you-mean"
run segrt help count
assert_rc 0 "segrt help CMD"
assert_contains "$T/out" "usage: segrt count" "segrt help CMD prints CMD's usage"
run segrt help serve
assert_rc 0 "segrt help serve (a command segrt-serve runs)"
assert_contains "$T/out" "usage: segrt serve" "segrt help serve prints its usage"
run segrt help cuont
assert_rc 2 "segrt help of a misspelt command"
assert_contains "$T/err" "did you mean 'count'?" "segrt help of a misspelt command suggests"
run segrt help
assert_rc 0 "segrt help"
assert_contains "$T/out" "commands:" "segrt help lists the commands"
for cmd in "${COMMANDS[@]}"; do
    run segrt "$cmd" --no-such-option
    assert_rc 2 "segrt $cmd --no-such-option"
    assert_contains "$T/err" "--no-such-option" "unknown option message of $cmd names it"
done
run segrt import --contacts
assert_rc 2 "option without its value"
assert_contains "$T/err" "--contacts" "missing value message names the option"
run segrt show --db "$T/none"
assert_rc 2 "segrt show without an ID"
assert_contains "$T/err" "ID" "segrt show without an ID says what is missing"
run segrt export --db "$T/none"
assert_rc 2 "segrt export without an ID"
run segrt erase --db "$T/none"
assert_rc 2 "segrt erase without an ID"
run segrt show --db "$T/none" a b
assert_rc 2 "segrt show with two IDs"
run segrt stats --db "$T/none" extra
assert_rc 2 "segrt stats with an extra argument"
run segrt import --db "$T/s"
assert_rc 2 "segrt import without files"
assert_contains "$T/err" "--contacts" "segrt import without files says what to give"
run segrt import --db "$T/s" --batch 0 --contacts "$T/c.csv"
assert_rc 2 "segrt import --batch 0"
run segrt import --db "$T/s" --field nick --contacts "$T/c.csv"
[ "$RC" -ne 0 ] || fail "segrt import --field without a type succeeded"
ok
assert_contains "$T/err" "nick" "--field without a type: message names it"
[ ! -e "$T/s" ] || [ "$(segrt stats --db "$T/s" | stat_of /dev/stdin contacts)" -eq 0 ] ||
    fail "a rejected --field imported contacts"
ok

# --- Every command has --help; a help-only command takes no --db.
for cmd in count members pack packs score run history overlap repl consent retention \
    report render changes dedupe; do
    run segrt "$cmd" --help
    assert_rc 0 "segrt $cmd --help"
    assert_contains "$T/out" "usage: segrt $cmd" "segrt $cmd --help output"
done
run segrt version --db "$T/none"
assert_rc 2 "segrt version --db"
assert_contains "$T/err" "segrt: version: unknown option '--db'" "segrt version takes no --db"

# --- A value outside an option's choices is a usage error naming them all.
check_choice() { # WHAT EXPECTED CMD...
    local what=$1 expected=$2
    shift 2
    run segrt "$@"
    assert_rc 2 "$what"
    assert_contains "$T/err" "$expected" "$what names the choices"
}
check_choice "members --format xml" "segrt: members: --format 'xml' is not ids, csv or jsonl" \
    members --db "$T/none" --format xml a b
check_choice "changes --format xml" "segrt: changes: --format 'xml' is not csv or jsonl" \
    changes --db "$T/none" --format xml a b
check_choice "render --format xml" "segrt: render: --format 'xml' is not jsonl or csv" \
    render --db "$T/none" --format xml a b c
check_choice "dedupe --by x" "segrt: dedupe: --by 'x' is not email, phone or name_city" \
    dedupe --db "$T/none" --by x
check_choice "dedupe --survivor x" \
    "segrt: dedupe: --survivor 'x' is not oldest, newest or most_events" \
    dedupe --db "$T/none" --by email --merge --survivor x
run segrt overlap --db "$T/none"
assert_rc 2 "segrt overlap without a script"
assert_contains "$T/err" "which script? give SCRIPT and the segments to compare" \
    "segrt overlap without a script says what to give"
run segrt pack check a b
assert_rc 2 "segrt pack with three words"
assert_contains "$T/err" "give check PACK or new NAME" "segrt pack with three words"

# --- --now with a bad value is a usage error for every command that takes it.
for cmd in stats show export import demo; do
    run segrt "$cmd" --db "$T/none" --now yesterday
    assert_rc 2 "segrt $cmd --now yesterday"
    assert_contains "$T/err" "yesterday" "bad --now message of $cmd names the value"
done
run segrt stats --db "$T/none" --now 2026-13-01T00:00:00Z
assert_rc 2 "--now with month 13"

# --- A missing store: exit 1 with a clear message, and nothing is created.
for cmd in show export erase; do
    run segrt "$cmd" --db "$T/none" X
    assert_rc 1 "segrt $cmd on a missing store"
    assert_contains "$T/err" "$T/none" "segrt $cmd on a missing store names the directory"
    assert_contains "$T/err" "no store" "segrt $cmd on a missing store says there is none"
done
for cmd in stats audit check; do
    run segrt "$cmd" --db "$T/none"
    assert_rc 1 "segrt $cmd on a missing store"
    assert_contains "$T/err" "$T/none" "segrt $cmd on a missing store names the directory"
done
[ ! -e "$T/none" ] || fail "a read command on a missing store created $T/none"
ok

# --- Import failures: exit 1 naming the file or the column.
run segrt import --db "$T/fresh" --contacts "$T/missing.csv"
assert_rc 1 "import of a missing file"
assert_contains "$T/err" "$T/missing.csv" "missing file message names the file"
[ ! -e "$T/fresh" ] || fail "an import of a missing file created the store $T/fresh"
ok
printf 'name,email\nAna,ana@example.com\n' >"$T/noid.csv"
run segrt import --db "$T/s" --contacts "$T/noid.csv"
assert_rc 1 "import of contacts without an id column"
assert_contains "$T/err" "'id'" "missing id column message names the column"
assert_contains "$T/err" "noid.csv" "missing id column message names the file"
printf 'contact_id,type\nk1,login\n' >"$T/nots.csv"
run segrt import --db "$T/s" --events "$T/nots.csv"
assert_rc 1 "import of events without a ts column"
assert_contains "$T/err" "'ts'" "missing ts column message names the column"

# --- --strict: the first bad row aborts, names its line, and nothing of the
# file is committed.
S=$T/strict
run segrt import --db "$S" --contacts "$T/c.csv"
assert_rc 0 "import of the base contacts"
segrt stats --db "$S" >"$T/stats.before"
cat >"$T/bad.csv" <<'CSV'
id,email,first_name,birth_date
k3,k3@example.com,Eva,1991-02-03
k4,k4@example.com,Dan,31/12/1980
k5,k5@example.com,Ola,1979-07-07
CSV
run segrt import --db "$S" --strict --contacts "$T/bad.csv"
assert_rc 1 "strict import with a bad row"
assert_contains "$T/err" "line 3" "strict import reports the bad line"
assert_contains "$T/err" "birth_date" "strict import names the bad field"
segrt stats --db "$S" >"$T/stats.after"
cmp -s <(grep -v '^store_bytes ' "$T/stats.before") <(grep -v '^store_bytes ' "$T/stats.after") ||
    fail "strict import changed the store:
$(diff "$T/stats.before" "$T/stats.after")"
ok
run segrt show --db "$S" k3
assert_rc 1 "the good row before the bad one was not committed"
# Same with a small --batch: strict still commits nothing of the file.
run segrt import --db "$S" --strict --batch 1 --contacts "$T/bad.csv"
assert_rc 1 "strict import with --batch 1"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin contacts)" 2 "contacts after strict --batch 1"
# Strict on events: a bad row at line 3.
cat >"$T/bad_ev.csv" <<'CSV'
contact_id,ts,type,amount
k1,2025-01-01T10:00:00Z,purchase,10.00
k2,2025-01-02T10:00:00Z,purchase,12,50
k1,2025-01-03T10:00:00Z,login,
CSV
run segrt import --db "$S" --strict --events "$T/bad_ev.csv"
assert_rc 1 "strict import of events with a bad row"
assert_contains "$T/err" "line 3" "strict events import reports line 3"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin events)" 0 "events after strict failure"
# Without --strict the same file keeps its good rows and exits 0.
run segrt import --db "$S" --events "$T/bad_ev.csv"
assert_rc 0 "non-strict import of the same events"
assert_contains "$T/err" "bad_ev.csv:3:" "non-strict import reports the reject on stderr"
assert_eq "$(segrt stats --db "$S" | stat_of /dev/stdin events)" 2 "events after non-strict import"

# --- The store: --db, else $SEGRT_DB, else ./segrt.db.
run env SEGRT_DB="$T/envdb" "$SEGRT" import --contacts "$T/c.csv"
assert_rc 0 "import into \$SEGRT_DB"
[ -d "$T/envdb" ] || fail "\$SEGRT_DB=$T/envdb was not used"
ok
run env SEGRT_DB="$T/envdb" "$SEGRT" stats
assert_rc 0 "stats of \$SEGRT_DB"
assert_eq "$(stat_of "$T/out" contacts)" 2 "contacts in \$SEGRT_DB"
run env SEGRT_DB="$T/envdb" "$SEGRT" show k1
assert_rc 0 "show from \$SEGRT_DB"
assert_contains "$T/out" "k1@example.com" "show from \$SEGRT_DB"
# --db wins over $SEGRT_DB.
run env SEGRT_DB="$T/envdb" "$SEGRT" import --db "$T/flagdb" --contacts "$T/noid.csv"
assert_rc 1 "(import error into --db)"
printf 'id\nz1\nz2\nz3\n' >"$T/three.csv"
run env SEGRT_DB="$T/envdb" "$SEGRT" import --db "$T/flagdb" --contacts "$T/three.csv"
assert_rc 0 "import with both --db and \$SEGRT_DB"
assert_eq "$(segrt stats --db "$T/flagdb" | stat_of /dev/stdin contacts)" 3 "contacts in --db"
assert_eq "$(segrt stats --db "$T/envdb" | stat_of /dev/stdin contacts)" 2 \
    "\$SEGRT_DB untouched when --db is given"
run env SEGRT_DB="$T/envdb" "$SEGRT" stats --db "$T/flagdb"
assert_eq "$(stat_of "$T/out" contacts)" 3 "stats --db overrides \$SEGRT_DB"
# Neither: ./segrt.db in the working directory.
mkdir "$T/cwd"
run bash -c 'cd "$1" && "$2" import --contacts "$3"' _ "$T/cwd" "$SEGRT" "$T/three.csv"
assert_rc 0 "import into the default store"
[ -d "$T/cwd/segrt.db" ] || fail "the default store ./segrt.db was not created"
ok
run bash -c 'cd "$1" && "$2" stats' _ "$T/cwd" "$SEGRT"
assert_eq "$(stat_of "$T/out" contacts)" 3 "contacts in ./segrt.db"

# --- segrt demo: replaces its own earlier demo, refuses any other store.
run segrt demo --db "$T/demo" --contacts 200 --now "$NOW"
assert_rc 0 "first demo"
assert_contains "$T/out" "200 contacts" "demo report"
# Add a contact by hand; a second demo replaces the store, so it goes away.
printf 'id\nextra1\n' >"$T/extra.csv"
run segrt import --db "$T/demo" --contacts "$T/extra.csv"
assert_rc 0 "import into the demo store"
assert_eq "$(segrt stats --db "$T/demo" | stat_of /dev/stdin contacts)" 201 "demo store plus one"
run segrt demo --db "$T/demo" --contacts 200 --now "$NOW"
assert_rc 0 "second demo into the same directory"
assert_eq "$(segrt stats --db "$T/demo" | stat_of /dev/stdin contacts)" 200 \
    "the second demo replaced the first"
run segrt show --db "$T/demo" extra1
assert_rc 1 "the hand-imported contact is gone after the second demo"
run segrt check --db "$T/demo"
assert_eq "$(cat "$T/out")" ok "segrt check of the replaced demo store"
# A store that demo did not make is left alone.
segrt stats --db "$S" >"$T/s.before"
run segrt demo --db "$S" --contacts 200 --now "$NOW"
assert_rc 1 "demo into a non-demo store"
assert_contains "$T/err" "$S" "demo refusal names the directory"
segrt stats --db "$S" >"$T/s.after"
cmp -s "$T/s.before" "$T/s.after" || fail "demo changed a store it refused to replace"
ok
run segrt demo --db "$T/demo" --contacts 0
assert_rc 2 "demo --contacts 0"

finish
