#!/usr/bin/env bash
# test_sql.sh — segrt dump and segrt sql against DuckDB and PostgreSQL 15.
#
# Data: gen_crm.py --contacts 3000 --seed 7, NOW = 2026-01-01T00:00:00Z, plus
# consent records that make the record-in-force rules bite (ties on one
# second, objections, a grant after NOW), a set value with a comma and quotes,
# a restricted contact (Art. 18) and an erased one. segrt imports it and
# `segrt dump --format csv` writes the three tables; `segrt sql --ddl` and
# `--load` create and fill them in DuckDB (the npm module of the bench kit,
# ../shared/bench/anchors, installed as tests/bench/bench_lib.sh does when
# missing), in a throwaway PostgreSQL cluster (initdb, pg_ctl on a unix
# socket in the test's directory, as nobody when run as root) and, from the
# JSON lines dump, in a two-shard ClickHouse 18.16 cluster (two servers on
# loopback ports, `--ddl --cluster`: local MergeTree tables and Distributed
# ones sharded by the contact id; queries through GLOBAL IN and JOIN).
#
# For every segment of examples/bench_segments.lua (S1–S12),
# tests/oracle/*.lua, every bundled pack and a fixture of constructs that
# do not render, `segrt sql` prints a query per segment or refuses it; each
# refusal must be one of REFUSED (segment and construct), and each query's
# member set on each engine must equal `segrt members`. The dump's other
# formats (TSV into PostgreSQL, JSON lines into DuckDB) hold the same rows.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
NOW=2026-01-01T00:00:00Z
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ANCHORS_DIR=${ANCHORS_DIR:-/tmp/segrt-anchors}

FAILED=0
soft_fail() {
    echo "FAIL: $(basename "$0"): $*" >&2
    FAILED=$((FAILED + 1))
}

# What does not render: "script segment" -> the construct the message names.
declare -A REFUSED=(
    ["extra_segments X22_repeat_category"]="a Lua filter"
    ["extra_segments X23_filter_fields"]="a Lua filter"
    ["extra_segments X24_filter_store_amounts"]="a Lua filter"
    ["split_segments exp.A"]="a seg.split arm"
    ["split_segments exp.B"]="a seg.split arm"
    ["split_segments exp.C"]="a seg.split arm"
    ["split_segments pl_test.control"]="a seg.split arm"
    ["split_segments pl_test.treat"]="a seg.split arm"
    ["split_segments buyers.x"]="a seg.split arm"
    ["split_segments buyers.y"]="a seg.split arm"
    ["split_segments exp_a_pl"]="(through segment 'exp.A'): a seg.split arm"
    ["split_segments not_control"]="(through segment 'pl_test.control'): a seg.split arm"
    ["refusals r_filter"]="a Lua filter (at"
    ["refusals r_score_fn"]="the Lua fn of score 'lua_score'"
    ["refusals r_check"]="the check function of consent purpose 'custom_purpose'"
    ["refusals r_model"]="model output 'clv.p_alive'"
    ["refusals r_updated"]=":updated()"
    ["refusals r_age"]="age other than compared with constants"
    ["profiling_check scored"]="the check function of consent purpose 'profiling'"
    ["refusals r_sent"]="an extra event attribute of a timestamp or set type"
    ["refusals r_through"]="(through segment 'r_filter'): a Lua filter"
    ["coffee_offers likely_bean_buyers_30d"]="model output 'beans_30d.p' (fitted in segrt)"
    ["coffee_offers likely_email_responders"]="model output 'email_click_30d.p' (fitted in segrt)"
)

# --- DuckDB: the bench kit's module; installed the bench's way when missing.
if [ ! -d "$ANCHORS_DIR/node_modules/@duckdb/node-api" ]; then
    if ! (source "$REPO/tests/bench/bench_lib.sh" && duckdb_setup "$ANCHORS_DIR" "$T/npm.log"); then
        if ! npm ping >/dev/null 2>&1; then
            echo "SKIP: $(basename "$0"): @duckdb/node-api is not in $ANCHORS_DIR and npm" \
                "cannot reach its registry" >&2
            exit 77
        fi
        fail "installing @duckdb/node-api into $ANCHORS_DIR failed: $(tail -c 1500 "$T/npm.log")"
    fi
fi
duck() { node "$HERE/sql_duckdb.mjs" "$ANCHORS_DIR" "$@"; }

# --- PostgreSQL 15: a cluster of its own on a unix socket in $T.
[ -x "$PG_BIN/initdb" ] ||
    fail "PostgreSQL 15 not found in $PG_BIN (bash .ci/install --tests installs postgresql-15)"
as_pg=()
mkdir "$T/pg"
if [ "$(id -u)" -eq 0 ]; then # the server refuses to run as root
    as_pg=(runuser -u nobody --)
    chmod 711 "$T"
    chown nobody "$T/pg"
fi
"${as_pg[@]}" "$PG_BIN/initdb" -D "$T/pg/data" -A trust -U segrt --no-sync -E UTF8 --locale=C \
    >"$T/initdb.log" 2>&1 || fail "initdb failed: $(tail -c 1500 "$T/initdb.log")"
pg_stop() {
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1 || true
}
trap 'pg_stop; _cleanup' EXIT
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w \
    -o "-k $T/pg -c listen_addresses='' -c fsync=off" start >/dev/null ||
    fail "pg_ctl start failed: $(tail -c 1500 "$T/pg/log")"
pg() { psql -h "$T/pg" -U segrt -d postgres -v ON_ERROR_STOP=1 -q -At "$@"; }
ok

# --- ClickHouse: two servers on loopback forming the two-shard cluster "two".
source "$HERE/ch_cluster.sh"
[ -x "$CH_SERVER" ] && command -v clickhouse-client >/dev/null ||
    fail "ClickHouse not found (bash .ci/install --tests installs clickhouse-server, clickhouse-client)"
trap 'pg_stop; ch_cluster_stop; _cleanup' EXIT
ch_cluster_start "$T" || fail "the ClickHouse cluster did not start"
ok

# --- The data.
python3 "$SHARED_BENCH/gen_crm.py" --contacts 3000 --seed 7 --out "$T/crm" >/dev/null
python3 - "$T/crm" >"$T/cases" <<'PY'
import csv, json, os, sys
d = sys.argv[1]
ids = [r['id'] for r in csv.DictReader(open(os.path.join(d, 'contacts.csv')))]
buyers = sorted({r['contact_id'] for r in csv.DictReader(open(os.path.join(d, 'events.csv')))
                 if r['type'] == 'purchase'})
g = 'granted'
histories = [  # (purpose, status, basis, ts, expires_at) per record, several per contact
    [('email_marketing', g, 'consent', '2025-11-11T11:11:11Z', ''),
     ('email_marketing', 'withdrawn', 'consent', '2025-11-11T11:11:11Z', '')],
    [('email_marketing', g, 'consent', '2025-05-01T00:00:00Z', ''),
     ('email_marketing', g, 'legitimate_interest', '2025-05-01T00:00:00Z', '2025-06-01T00:00:00Z')],
    [('email_marketing', g, 'consent', '2025-05-01T00:00:00Z', ''),
     ('email_marketing', g, 'contract', '2025-05-01T00:00:00Z', '2027-01-01T00:00:00Z')],
    [('email_marketing', g, 'consent', '2025-02-01T00:00:00Z', ''),
     ('direct_marketing', 'denied', 'consent', '2025-09-01T00:00:00Z', '')],
    [('email_marketing', g, 'consent', '2025-02-01T00:00:00Z', ''),
     ('objection', g, 'consent', '2025-10-10T00:00:00Z', ''),
     ('objection', 'withdrawn', 'consent', '2025-10-10T00:00:00Z', '')],
    [('email_marketing', g, 'consent', '2025-02-01T00:00:00Z', ''),
     ('objection', g, 'consent', '2025-12-25T00:00:00Z', '')],
    [('email_marketing', g, 'consent', '2025-02-01T00:00:00Z', ''),
     ('email_marketing', 'withdrawn', 'consent', '2026-02-01T00:00:00Z', '')],
    [('email_marketing', g, 'consent', '2025-03-01T00:00:00Z', '2025-12-31T23:59:59Z')],
    [('profiling', 'withdrawn', 'consent', '2025-04-01T00:00:00Z', '')],
]
with open(os.path.join(d, 'consents.csv'), 'a', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    for i, cid in enumerate(buyers[::7]):
        for purpose, status, basis, ts, exp in histories[i % len(histories)]:
            w.writerow([cid, purpose, status, basis, ts, exp, 'test'])
# extra event attributes of every type a query reads from the JSON text
with open(os.path.join(d, 'extra.jsonl'), 'w') as f:
    for i, cid in enumerate(buyers[::5]):
        e = {'contact_id': cid, 'ts': '2025-%02d-15T10:00:00Z' % (i % 12 + 1), 'type': 'purchase',
             'amount': 10.5 + i, 'qty': i % 7, 'weight': 900.25 + 13 * (i % 20),
             'paid': i % 3 == 0, 'shipped': '2025-%02d-20' % (i % 12 + 1),
             'campaign': {'id': i % 9}, 'sent': '2025-01-01T00:00:00Z'}
        if i % 4:
            e['coupon'] = ['SPRING', 'SUMMER', 'X,"Y"'][i % 3]
        f.write(json.dumps(e) + '\n')
print(ids[10], ids[20], ids[30])  # restricted, erased, odd set value
PY
read -r RESTRICTED ERASED ODD <"$T/cases"
run segrt import --db "$T/db" --now "$NOW" --contacts "$T/crm/contacts.csv" \
    --events "$T/crm/events.csv" --consents "$T/crm/consents.csv"
assert_rc 0 "import"
run segrt import --db "$T/db" --now "$NOW" --events "$T/crm/extra.jsonl"
assert_rc 0 "import of events with extra attributes"
run segrt restrict --db "$T/db" --now 2025-12-01T00:00:00Z "$RESTRICTED"
assert_rc 0 "restrict a contact"
run segrt erase --db "$T/db" "$ERASED"
assert_rc 0 "erase a contact"
run segrt set --db "$T/db" "$ODD" 'interests=with, comma;say "hi";coffee'
assert_rc 0 "a set value with a comma and quotes"

cat >"$T/refusals.lua" <<'LUA'
local seg = require "segrt"
local E, F = seg.E, seg.F
require("models.bgnbd").define { name = "clv", unit = seg.days(7) }
seg.score "lua_score" { fn = function(c) return 1 end }
seg.consent "custom_purpose" { check = function(c, rec) return true end }
seg.score "busy" { expr = seg.ntile(E.purchase:count(), 4), profiling = true }
seg.segment "r_filter" { where = E.purchase:exists(), filter = function(c) return true end }
seg.segment "r_score_fn" { where = seg.S.lua_score:gt(0) }
seg.segment "r_check" { where = E.purchase:exists(), purpose = "custom_purpose" }
seg.segment "r_model" { where = seg.S["clv.p_alive"]:gt(0.5) }
seg.segment "decayed" { where = E.purchase:decayed(seg.days(30)):gt(0.5) | E.login:decayed(seg.days(7)):le(0.25) }
seg.segment "r_updated" { where = F.email:updated():within(seg.days(30)) }
seg.segment "r_through" { where = seg.member "r_filter" | F.country:eq "PL" }
seg.segment "odd_set" { where = F.interests:contains 'say "hi"' & F.interests:contains "with, comma" }
seg.segment "not_missing" { where = ~F.industry:eq "retail" & ~(F.company_size:gt(50)) }
seg.segment "busy_profiled" { where = seg.S.busy:ge(3) }
seg.segment "no_where" {}
seg.segment "strings_ordered" { where = F.city:between("K", "Kz") | F.region:lt "B" }
seg.segment "arith" {
  where = ((E.purchase:sum "amount" * 3 - 7) / 4):gt(F.income / 365)
        & seg.least(E.purchase:max "amount", 100):ge(50)
        & (E.purchase:last "category"):eq "coffee_beans",
}
seg.segment "percentile" {
  where = seg.percentile(E.purchase:sum "amount"):ge(90)
        | seg.rank(F.income, { desc = true, among = F.country:eq "PL" }):le(30),
}
seg.segment "x_coupon" { where = E.purchase:where{ coupon = { "SPRING", 'X,"Y"' } }:exists() }
seg.segment "x_qty" { where = E.purchase:sum "qty" :ge(3) & E.purchase:where{ paid = true }:count():ge(1) }
seg.segment "x_nested" { where = E.purchase:where(F["campaign.id"]:gt(5)):exists() | E.purchase:max "weight" :gt(1100) }
seg.segment "x_missing" { where = E.purchase:where(F.coupon:missing() & F.qty:ge(1)):exists() }
seg.segment "x_date" { where = E.purchase:max "shipped" :after(seg.time "2025-09-01T00:00:00Z") }
seg.segment "r_age" { where = (F.age * 2):gt(60) }
seg.segment "r_sent" { where = E.purchase:min "sent" :before(seg.time "2025-02-01T00:00:00Z") }
seg.exclusive "tiers" { "arith", "percentile", { "rest", where = E.purchase:exists() } }
LUA

cat >"$T/profiling_check.lua" <<'LUA'
local seg = require "segrt"
seg.consent "profiling" { bases = { "consent" }, check = function(c, rec) return true end }
seg.score "n" { expr = seg.E.purchase:count(), profiling = true }
seg.segment "scored" { where = seg.S.n:ge(2) }
seg.segment "unscored" { where = seg.E.purchase:count():ge(2) }
LUA

# --- The dump and the tables.
run segrt dump --db "$T/db" --now "$NOW" --format csv "$T/dump"
assert_rc 0 "segrt dump --format csv"
assert_contains "$T/err" "wrote 2998 contacts" "the dump leaves out the restricted and the erased"
assert_contains "$T/err" "(1 restricted contacts left out)" "... and says how many were restricted"
for id in "$RESTRICTED" "$ERASED"; do
    assert_not_contains "$T/dump/contacts.csv" "$id," "contact $id is not dumped"
    assert_not_contains "$T/dump/events.csv" "$id," "events of $id are not dumped"
    assert_not_contains "$T/dump/consents.csv" "$id," "consents of $id are not dumped"
done
grep "^$ODD," "$T/dump/contacts.csv" >"$T/odd"
assert_contains "$T/odd" '"{""' "a set is a PostgreSQL array in a quoted CSV cell"
assert_contains "$T/odd" '""with, comma""' "... its items in double quotes"
assert_contains "$T/odd" '""say \""hi\""""' "... quotes in items escaped"
for f in tsv jsonl; do
    run segrt dump --db "$T/db" --now "$NOW" --format "$f" "$T/dump_$f"
    assert_rc 0 "segrt dump --format $f"
    for t in contacts events consents; do
        assert_eq "$(wc -l <"$T/dump_$f/$t.$f")" "$(($(wc -l <"$T/dump/$t.csv") - $([ "$f" = jsonl ] && echo 1 || echo 0)))" \
            "$t.$f has the rows of $t.csv"
    done
done
python3 -c 'import json, sys
for t in ("contacts", "events", "consents"):
    for line in open(sys.argv[1] + "/" + t + ".jsonl"):
        json.loads(line)' "$T/dump_jsonl" || fail "the JSON lines dump does not parse"
ok

for d in duckdb postgres; do
    run segrt sql --db "$T/db" --dialect $d --ddl
    assert_rc 0 "segrt sql --ddl ($d)"
    cp "$T/out" "$T/$d.setup.sql"
    run segrt sql --db "$T/db" --dialect $d --load "$T/dump"
    assert_rc 0 "segrt sql --load ($d)"
    cat "$T/out" >>"$T/$d.setup.sql"
done
assert_contains "$T/postgres.setup.sql" '"interests" TEXT[]' "a set is an array of text"
assert_contains "$T/postgres.setup.sql" '"amount" DECIMAL(19,6)' "amounts are exact decimals"
pg -f "$T/postgres.setup.sql" >"$T/pg.out" 2>&1 || fail "loading PostgreSQL: $(head -c 2000 "$T/pg.out")"
assert_eq "$(pg -c 'SELECT count(*) FROM contacts')" 2998 "PostgreSQL holds the contacts"
run segrt sql --db "$T/db" --dialect clickhouse --ddl --cluster two
assert_rc 0 "segrt sql --ddl --cluster (ClickHouse)"
assert_contains "$T/out" "ENGINE = Distributed(two, currentDatabase(), events_local, cityHash64(contact_id))" \
    "Distributed tables sharded by a hash of the contact id"
for port in "$CH1" "$CH2"; do
    ch "$port" --multiquery <"$T/out" >"$T/ch.out" 2>&1 || fail "ClickHouse DDL: $(head -c 2000 "$T/ch.out")"
done
run segrt sql --db "$T/db" --dialect clickhouse --load "$T/dump_jsonl"
assert_rc 0 "segrt sql --load (ClickHouse)"
assert_contains "$T/out" "clickhouse-client --query 'INSERT INTO events FORMAT JSONEachRow' < '$T/dump_jsonl/events.jsonl'" \
    "... clickhouse-client reads the JSON lines dump"
ch_cluster_load "$T/dump_jsonl" "$T/out" >"$T/ch.out" 2>&1 ||
    fail "loading ClickHouse: $(head -c 2000 "$T/ch.out")"
for t in contacts events consents; do
    want=$(($(wc -l <"$T/dump/$t.csv") - 1))
    assert_eq "$(ch "$CH1" -q "SELECT count() FROM $t")" "$want" "the cluster holds every row of $t"
    [ "$(ch "$CH1" -q "SELECT count() FROM ${t}_local")" -gt 0 ] && [ "$(ch "$CH2" -q "SELECT count() FROM ${t}_local")" -gt 0 ] ||
        fail "$t is not spread over both shards"
done
assert_eq "$(ch "$CH2" -q "SELECT count() FROM events_local WHERE contact_id GLOBAL NOT IN (SELECT id FROM contacts_local)")" 0 \
    "a contact's events live on its shard"
# the TSV and JSON lines dumps hold the same rows
sed -e 's/CREATE TABLE \([a-z]*\)/CREATE TABLE tsv_\1/' "$T/postgres.setup.sql" | grep -v '^\\copy' \
    >"$T/tsv.sql"
for t in contacts events consents; do
    echo "\\copy tsv_$t FROM '$T/dump_tsv/$t.tsv' WITH (FORMAT text, HEADER true)" >>"$T/tsv.sql"
    echo "SELECT '$t', count(*) FROM ((SELECT * FROM $t EXCEPT ALL SELECT * FROM tsv_$t) UNION ALL (SELECT * FROM tsv_$t EXCEPT ALL SELECT * FROM $t)) x;" >>"$T/tsv.sql"
done
pg -F ' ' -f "$T/tsv.sql" >"$T/tsv.out" 2>&1 || fail "loading the TSV dump: $(head -c 2000 "$T/tsv.out")"
assert_eq "$(tr '\n' ' ' <"$T/tsv.out")" "contacts 0 events 0 consents 0 " "the TSV dump equals the CSV dump"
cat >"$T/jsonl.sql" <<SQL
-- segment: jsonl
SELECT count(*) FROM read_json('$T/dump_jsonl/events.jsonl') j
  JOIN events e ON e.contact_id = j.contact_id AND e.seq = j.seq AND e.amount IS NOT DISTINCT FROM j.amount;
SQL
duck "$T/duckdb.setup.sql" "$T/jsonl.sql" >"$T/jsonl.out" 2>&1 || fail "DuckDB: $(head -c 2000 "$T/jsonl.out")"
assert_eq "$(cut -f2 "$T/jsonl.out")" "$(($(wc -l <"$T/dump/events.csv") - 1))" \
    "DuckDB reads the JSON lines events, amounts equal"

# --- Every segment: rendered or refused as expected, then the same members everywhere.
scripts=("$REPO/examples/bench_segments.lua" "$REPO"/tests/oracle/*.lua "$T/refusals.lua"
         "$T/profiling_check.lua")
while read -r pack; do scripts+=("$pack"); done < <(segrt packs | awk '$3 == "bundled" { print $1 }')
[ "${#scripts[@]}" -ge 12 ] || fail "only ${#scripts[@]} scripts"
declare -A seen=()
: >"$T/pg.run"
: >"$T/segments"
for i in "${!scripts[@]}"; do
    script=${scripts[$i]}
    base=$(basename "$script" .lua)
    for d in duckdb postgres clickhouse; do
        run segrt sql --db "$T/db" --now "$NOW" --dialect $d "$script"
        # each segment's marker gets the script's number, for one run per engine
        sed "s|^-- segment: |-- segment: $i:|" "$T/out" >"$T/q.$d.$i.sql"
        grep -o "segment '[^']*'[^:]*: .*cannot be rendered as SQL" "$T/err" | sort -u >"$T/refused.$d.$i" || true
        if [ -s "$T/refused.$d.$i" ]; then [ "$RC" -eq 1 ] || soft_fail "$base ($d): refusals, exit $RC"; else
            [ "$RC" -eq 0 ] || soft_fail "$base ($d): exit $RC: $(head -c 600 "$T/err")"; fi
    done
    cmp -s "$T/refused.duckdb.$i" "$T/refused.postgres.$i" || soft_fail "$base: the dialects refuse differently"
    cmp -s "$T/refused.duckdb.$i" "$T/refused.clickhouse.$i" || soft_fail "$base: ClickHouse refuses differently"
    mkdir -p "$T/chids"
    awk -v dir="$T/chq" -v i="$i" '/^-- segment: / { f = dir "." i ":" substr($3, length(i) + 2); next } { print > f }' \
        "$T/q.clickhouse.$i.sql"
    while read -r line; do
        seg=$(sed -n "s/^segment '\([^']*\)'.*/\1/p" <<<"$line")
        want=${REFUSED["$base $seg"]:-}
        if [ -z "$want" ]; then soft_fail "$base: unexpected refusal: $line"
        elif ! grep -qF -- "$want" <<<"$line"; then soft_fail "$base $seg: refused with '$line', not '$want'"
        else seen["$base $seg"]=1; ok; fi
    done <"$T/refused.duckdb.$i"
    sed -n "s|^-- segment: $i:||p" "$T/q.duckdb.$i.sql" | while read -r seg; do
        echo "$i $seg $script"
    done >>"$T/segments"
    awk -v dir="$T/pgids" '/^-- segment: / { print "\\o " dir "/" $3; next } { print }' \
        "$T/q.postgres.$i.sql" >>"$T/pg.run"
done
for key in "${!REFUSED[@]}"; do
    [ -n "${seen[$key]:-}" ] || soft_fail "$key: not refused (expected: ${REFUSED[$key]})"
done
mkdir "$T/pgids"
pg -f "$T/pg.run" >"$T/pg.run.out" 2>&1 || soft_fail "PostgreSQL: $(head -c 3000 "$T/pg.run.out")"
duck "$T/duckdb.setup.sql" "$T"/q.duckdb.*.sql >"$T/duck.ids" 2>"$T/duck.err" ||
    soft_fail "DuckDB: $(head -c 3000 "$T/duck.err")"
for f in "$T"/chq.*; do
    ch "$CH1" <"$f" >"$T/chids/${f#"$T"/chq.}" 2>"$T/ch.err" ||
        soft_fail "ClickHouse: ${f#"$T"/chq.}: $(head -c 1000 "$T/ch.err")"
done

n=0
: >"$T/sizes"
declare -A matched=()
while read -r i seg script <&3; do
    n=$((n + 1))
    run segrt members --db "$T/db" --now "$NOW" "$script" "$seg"
    [ "$RC" -eq 0 ] || { soft_fail "$seg: segrt members exited $RC: $(head -c 600 "$T/err")"; continue; }
    cp "$T/out" "$T/exp"
    echo "$seg $(wc -l <"$T/exp")" >>"$T/sizes"
    awk -F '\t' -v k="$i:$seg" '$1 == k { print $2 }' "$T/duck.ids" | LC_ALL=C sort >"$T/got.duckdb"
    LC_ALL=C sort "$T/pgids/$i:$seg" >"$T/got.postgres" 2>/dev/null || : >"$T/got.postgres"
    LC_ALL=C sort "$T/chids/$i:$seg" >"$T/got.clickhouse" 2>/dev/null || : >"$T/got.clickhouse"
    for d in duckdb postgres clickhouse; do
        if cmp -s "$T/exp" "$T/got.$d"; then
            matched[$d]=$((${matched[$d]:-0} + 1))
            ok
        else
            soft_fail "$(basename "$script") $seg on $d: segrt $(wc -l <"$T/exp"), $d $(wc -l <"$T/got.$d");" \
                "only segrt: $(LC_ALL=C comm -23 "$T/exp" "$T/got.$d" | head -n 3 | tr '\n' ' ')" \
                "only $d: $(LC_ALL=C comm -13 "$T/exp" "$T/got.$d" | head -n 3 | tr '\n' ' ')"
        fi
    done
done 3<"$T/segments"
echo "compared $n segments: DuckDB ${matched[duckdb]:-0}, PostgreSQL ${matched[postgres]:-0}," \
    "ClickHouse ${matched[clickhouse]:-0} equal"
[ "$n" -ge 80 ] || soft_fail "only $n segments rendered"
for s in S1_vip S6_saas_inactive_45d S11_rfm_champions S12_vip_emailable X19_openers_emailable \
         tier.silver odd_set not_missing percentile busy_profiled tiers.rest near_krakow_store_sms x_coupon x_qty x_nested \
         x_missing x_date decayed; do
    grep -q " $s " "$T/segments" || soft_fail "$s was not rendered"
    [ "$(awk -v s="$s" '$1 == s { print $2 }' "$T/sizes")" -gt 0 ] 2>/dev/null ||
        soft_fail "$s has no member: the data do not exercise it"
done
ok

# --- One segment alone: the query the script's listing holds, without its marker line.
run segrt sql --db "$T/db" --now "$NOW" --dialect postgres "$REPO/examples/bench_segments.lua" S12_vip_emailable
assert_rc 0 "one segment"
awk '/^-- segment: S12_vip_emailable$/ { f = 1; next } /^-- segment: / { f = 0 } f' \
    <(segrt sql --db "$T/db" --now "$NOW" --dialect postgres "$REPO/examples/bench_segments.lua") >"$T/s12"
cmp -s "$T/out" "$T/s12" || fail "segrt sql SCRIPT S12 differs from its part of the listing"
ok

# --- Unhappy paths.
run segrt sql --db "$T/db" "$REPO/examples/bench_segments.lua"
assert_rc 2 "no --dialect"
assert_contains "$T/err" "give --dialect postgres, duckdb or clickhouse" "... says what to give"
run segrt sql --db "$T/db" --dialect postgres --ddl --cluster two
assert_rc 2 "--cluster in PostgreSQL"
assert_contains "$T/err" "--cluster goes with --ddl --dialect clickhouse" "... is refused"
run segrt sql --db "$T/db" --dialect oracle --ddl
assert_rc 2 "an unknown dialect"
assert_contains "$T/err" "--dialect 'oracle' is not postgres, duckdb or clickhouse" "... names it"
run segrt sql --db "$T/db" --dialect duckdb --ddl "$REPO/examples/bench_segments.lua"
assert_rc 2 "--ddl with a script"
run segrt sql --db "$T/db" --dialect duckdb
assert_rc 2 "nothing to print"
run segrt sql --db "$T/db" --dialect duckdb "$REPO/examples/bench_segments.lua" S1_vipp
assert_rc 1 "an unknown segment"
assert_contains "$T/err" "unknown segment 'S1_vipp' (did you mean 'S1_vip'?)" "... with a hint"
run segrt sql --db "$T/db" --dialect duckdb "$T/refusals.lua" r_model
assert_rc 1 "one refused segment"
assert_contains "$T/err" "segment 'r_model': model output 'clv.p_alive' (fitted in segrt) (at $T/refusals.lua:10) cannot be rendered as SQL" \
    "... names the segment, the construct and its line"
assert_eq "$(wc -c <"$T/out")" 0 "... and prints nothing"
printf 'local seg = require "segrt"\nseg.segment "a" { where = seg.member "b" }\nseg.segment "b" { where = seg.member "a" }\n' >"$T/cycle.lua"
run segrt sql --db "$T/db" --dialect postgres "$T/cycle.lua" a
assert_rc 1 "a cycle"
assert_contains "$T/err" "segment 'a' depends on itself" "... is named"
{
    echo 'local seg = require "segrt"'
    echo 'seg.segment "s0" { where = seg.F.country:eq "PL" }'
    for i in $(seq 1 70); do echo "seg.segment \"s$i\" { where = seg.member \"s$((i - 1))\" }"; done
} >"$T/deep.lua"
run segrt sql --db "$T/db" --dialect duckdb "$T/deep.lua" s60
assert_rc 0 "seg.member 60 deep"
run segrt sql --db "$T/db" --dialect duckdb "$T/deep.lua" s70
assert_rc 1 "seg.member 70 deep"
assert_contains "$T/err" "seg.member nested too deeply" "... is refused"
run segrt dump --db "$T/db" "$T/d2"
assert_rc 2 "dump without --format"
run segrt dump --db "$T/db" --format xml "$T/d2"
assert_rc 2 "dump --format xml"
assert_contains "$T/err" "--format 'xml' is not csv, tsv or jsonl" "... names it"
run segrt dump --db "$T/db" --format csv "$T/dump/contacts.csv"
assert_rc 1 "dump into a file"
assert_contains "$T/err" "$T/dump/contacts.csv" "... names it"
run segrt dump --db "$T/nostore" --format csv "$T/d3"
assert_rc 1 "dump of a missing store"

if [ "$FAILED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
finish
