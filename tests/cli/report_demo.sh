# report_demo.sh — the demo store and segment script that test_report.sh and
# test_report_html.sh report on. Source it after lib.sh. It provides:
#   $NOW, $RUNS (three NOWs before it), $D   the demo store made at NOW
#   $T/segs.lua, $SEGS                       the script (RFM model, everyone, a
#                                            tiny segment whose description
#                                            needs escaping, three others) and
#                                            the names of its segments
#   $T/counts                                "name count" at NOW, per segrt count
#   report_runs                              store a run of the script at each of $RUNS
NOW=2026-01-01T00:00:00Z
RUNS=(2025-11-01T00:00:00Z 2025-11-21T00:00:00Z 2025-12-01T00:00:00Z)
D=$T/demo
segrt demo --db "$D" --now "$NOW" >/dev/null

cat >"$T/segs.lua" <<'LUA'
local seg = require "segrt"
local F, E, days = seg.F, seg.E, seg.days
require("models.rfm").define {}
seg.segment "everyone" { description = "every contact" }
seg.segment "tiny" { description = [[<script>alert("x")</script> & 'co']], where = F.income:gt(990000) }
seg.segment "recent_buyers" { where = E.purchase:within(days(30)):exists() }
seg.segment "krakow" { where = F.city:eq "Kraków" }
seg.segment "vip_emailable" { where = E.purchase:sum "amount" :gt(5000), purpose = "email_marketing" }
LUA
SEGS="rfm.champions rfm.loyal rfm.potential_loyalist rfm.new rfm.promising rfm.need_attention
rfm.about_to_sleep rfm.at_risk rfm.cant_lose_them rfm.hibernating everyone tiny recent_buyers
krakow vip_emailable"
for s in $SEGS; do
    echo "$s $(segrt count --db "$D" --now "$NOW" "$T/segs.lua" "$s")" >>"$T/counts"
done

report_runs() {
    local r
    for r in "${RUNS[@]}"; do
        run segrt run --db "$D" --now "$r" "$T/segs.lua"
        assert_rc 0 "segrt run at $r"
    done
}
