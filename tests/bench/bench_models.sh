#!/usr/bin/env bash
# bench_models.sh — time the shipped models on the 1M-contact bench data, each
# as a whole `segrt score` process (median of --runs), next to DuckDB's time
# for S11 (RFM champions) in the same run.
#
# Usage: tests/bench/bench_models.sh [DATA_DIR] [--runs N]
#   DATA_DIR defaults to /tmp/crm1m; the store DATA_DIR/segrt.db and DuckDB's
#   numbers come from bench_segments.sh, which this script runs for S11 first
#   (it generates and imports the data when missing).
# Targets (issue 5): RFM <= DuckDB's S11; BG/NBD summary + fit + scoring < 5 s;
# k-means (k = 8, 6 features) < 3 s.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DATA_DIR=/tmp/crm1m RUNS=3
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) DATA_DIR=$1; shift ;;
    esac
done
NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

bash "$HERE/bench_segments.sh" "$DATA_DIR" --runs "$RUNS" --only S11_rfm_champions >"$T/s11.txt"
SEGRT=$(awk '$1 == "segrt" && $2 ~ /^\// { print $2; exit }' "$T/s11.txt")
duck_s11=$(awk '$1 == "S11_rfm_champions" { print $5 }' "$T/s11.txt")

cat >"$T/models.lua" <<'LUA'
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days
require("models.rfm").define {}
require("models.bgnbd").define { name = "clv" }
require("models.kmeans").define { name = "clusters", k = 8, seed = 7, features = {
  F.income, F.age, E.purchase:count(), E.purchase:sum "amount",
  E.email_open:within(days(90)):count(), E.login:count() } }
require("models.engagement").define { half_life = days(30), cap = 100, threshold = 20,
  points = { email_open = 1, email_click = 3, login = 2 } }
LUA

# median (and the other benchmark helpers)
# shellcheck source-path=SCRIPTDIR source=bench_lib.sh
. "$HERE/bench_lib.sh"

echo "# segrt model benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $SEGRT, $DATA_DIR/segrt.db, NOW = $NOW"
printf '%-22s %10s %12s\n' model "seconds" "peak RSS MiB"
for model in rfm engagement_model clv clusters; do
    secs=() kib=0
    for _ in $(seq 1 "$RUNS"); do
        /usr/bin/time -f '%e %M' -o "$T/time" "$SEGRT" score --db "$DATA_DIR/segrt.db" --now "$NOW" \
            "$T/models.lua" "$model" >"$T/$model.txt"
        read -r s k <"$T/time"
        secs+=("$s")
        [ "$k" -le "$kib" ] || kib=$k
    done
    printf '%-22s %10s %12d\n' "$model" "$(median "${secs[@]}")" $((kib / 1024))
done
echo
echo "DuckDB S11 (RFM champions, in-process, threads 2): ${duck_s11:-?} ms"
echo
echo "## BG/NBD fit"
sed -n '/^  /p' "$T/clv.txt"
