/*
 * report_html.c — segrt_report_html: a segment report (report.h) as one
 * self-contained HTML page: inline CSS, inline SVG charts (report_svg.c), no
 * script, no fonts or images fetched. Every string that comes from the
 * store or the script is escaped. Laid out for a laptop screen (about 1366
 * pixels wide); wide tables and heatmaps scroll inside their box.
 */
#include "output/report_html.h"

#include "output/profile.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
    ":root{--ink:#1c2430;--muted:#5f6b7a;--line:#dfe5ec;--bg:#f5f7fa;--card:#fff}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "main{max-width:1300px;margin:0 auto;padding:22px 24px 40px}"
    "h1{font-size:22px;margin:0}h2{font-size:17px;margin:30px 0 10px}"
    ".sub,.muted{color:var(--muted)}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 4px}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:8px;"
    "padding:9px 16px;min-width:150px}"
    ".card .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
    ".card .v{font-size:20px;font-weight:600}"
    ".box{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:right;"
    "white-space:nowrap;vertical-align:middle}"
    "tr:last-child td{border-bottom:0}"
    "th{background:#eef2f7;font-weight:600;color:#334155}"
    "th.name,td.name{text-align:left;white-space:normal;min-width:190px}"
    "td.name b{font-weight:600}"
    ".desc{color:var(--muted);font-size:12px;max-width:300px}"
    ".purpose{display:inline-block;font-size:11px;color:#3730a3;background:#e0e7ff;"
    "border-radius:9px;padding:0 6px;margin-left:4px}"
    ".bar{display:inline-block;width:60px;height:8px;background:#e8edf3;border-radius:4px;"
    "margin-right:6px;vertical-align:middle;overflow:hidden}"
    ".bar span{display:block;height:8px;background:#2563eb}"
    ".pct{display:inline-block;min-width:54px}"
    "nav{margin:14px 0 0;font-size:13px}nav a{color:#1d4ed8;margin-right:14px;text-decoration:none}"
    ".flag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}"
    ".flag.small{background:#fef3c7;color:#92400e}.flag.broad{background:#fee2e2;color:#991b1b}"
    ".flag.ok{background:#dcfce7;color:#166534}"
    "td.verdict{text-align:left;white-space:normal}"
    ".multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(310px,1fr));gap:12px}"
    "figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;"
    "padding:8px 10px 4px}"
    "figcaption{font-weight:600;font-size:13px;display:flex;justify-content:space-between}"
    "figcaption span{color:var(--muted);font-weight:400}"
    ".box svg.heat{display:block;margin:10px}"
    "svg text{font-family:inherit;font-size:11px;fill:#334155}"
    "svg text.muted{fill:#5f6b7a}svg text.axis{fill:#475569}"
    "svg text.cell{font-size:11px}svg text.count{font-size:15px;font-weight:600}"
    "svg text.light{fill:#fff}svg text.group{font-size:10px;font-style:italic}"
    "svg line.grid{stroke:#e2e8f0;stroke-dasharray:3 3}"
    "svg.history,svg.growth{width:100%;height:auto}"
    "svg.partition{display:block;width:100%;height:34px;margin:8px 0;border-radius:4px}"
    ".swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}"
    "figure.group{margin:0 0 12px}"
    "details.profile-box{background:var(--card);border:1px solid var(--line);border-radius:8px;"
    "padding:8px 14px;margin:0 0 8px}details.profile-box summary{cursor:pointer;font-weight:600}"
    "section.profile{margin:0 0 18px}section.profile h3{font-size:15px;margin:18px 0 6px}"
    "section.profile table{margin-bottom:8px}caption{text-align:left;font-weight:600;"
    "padding:6px 9px;color:#334155}"
    ".notes{color:var(--muted);font-size:12.5px;margin:8px 2px}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;font-size:13px;margin:0}"
    "dt{font-weight:600}dd{margin:0;color:#334155}"
    "footer{margin-top:30px;color:var(--muted);font-size:12px}";

void report_html_text(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
    }
}

static void card(FILE *f, const char *key, const char *value)
{
    fprintf(f, "<div class=\"card\"><div class=\"k\">%s</div><div class=\"v\">", key);
    report_html_text(f, value);
    fputs("</div></div>", f);
}

static void header(FILE *f, const segrt_report *r)
{
    char now[21], n[32];
    segrt_time_format(r->now, now);
    fputs("<header><h1>Segment report: ", f);
    report_html_text(f, r->script);
    fprintf(f, "</h1><div class=\"sub\">at NOW %s</div></header><section class=\"cards\">", now);
    snprintf(n, sizeof n, "%" PRIu64, r->contacts);
    card(f, "contacts", n);
    snprintf(n, sizeof n, "%zu", r->nseg);
    card(f, "segments", n);
    size_t small = 0, broad = 0;
    int64_t last = INT64_MIN;
    for (size_t i = 0; i < r->nseg; i++) {
        small += (r->seg[i].flags & REPORT_SMALL) != 0;
        broad += (r->seg[i].flags & REPORT_BROAD) != 0;
        if (r->seg[i].nruns && r->seg[i].runs[r->seg[i].nruns - 1].now > last)
            last = r->seg[i].runs[r->seg[i].nruns - 1].now;
    }
    snprintf(n, sizeof n, "%zu", small);
    card(f, "flagged small", n);
    snprintf(n, sizeof n, "%zu", broad);
    card(f, "flagged broad", n);
    if (last != INT64_MIN)
        segrt_time_format(last, n);
    card(f, "last run", last != INT64_MIN ? n : "none stored");
    fputs("</section><nav><a href=\"#segments\">Segments</a><a href=\"#review\">Review</a>", f);
    if (r->channels.n)
        fputs("<a href=\"#reach\">Reach</a>", f);
    if (r->ntemplates)
        fputs("<a href=\"#templates\">Templates</a>", f);
    fputs("<a href=\"#growth\">Growth</a>"
          "<a href=\"#history\">Size history</a>", f);
    if (r->ngroups)
        fputs("<a href=\"#groups\">Exclusive groups</a>", f);
    if (r->nov > 1)
        fputs("<a href=\"#overlap\">Overlap</a>", f);
    for (size_t i = 0; i < r->nrfm; i++) {
        fputs("<a href=\"#rfm-", f);
        report_html_text(f, r->rfm[i].model);
        fputs("\">RFM grid: ", f);
        report_html_text(f, r->rfm[i].model);
        fputs("</a>", f);
    }
    if (r->opts.profiles)
        fputs("<a href=\"#profiles\">Profiles</a>", f);
    fputs("<a href=\"#definitions\">Definitions</a></nav>", f);
}

static void name_cell(FILE *f, const report_segment *g)
{
    fputs("<td class=\"name\"><b>", f);
    report_html_text(f, g->name);
    fputs("</b>", f);
    if (g->purpose) {
        fputs("<span class=\"purpose\">", f);
        report_html_text(f, g->purpose);
        fputs("</span>", f);
    }
    if (*g->description) {
        fputs("<div class=\"desc\">", f);
        report_html_text(f, g->description);
        fputs("</div>", f);
    }
    fputs("</td>", f);
}

static void conversion_cell(FILE *f, const segrt_report *r, const report_segment *g)
{
    char pct[16], day[21];
    if (!r->has_conversion || g->nruns == 0 || g->conv_to <= g->conv_from) {
        fprintf(f, "<td class=\"conversion\"><span class=\"muted\">%s</span></td>",
                !r->has_conversion ? "-" : g->nruns == 0 ? "no run" : "run at NOW");
        return;
    }
    if (report_conv_days(r, g) < r->opts.within_days) {
        segrt_time_format(report_conv_closes(r, g), day);
        fprintf(f, "<td class=\"conversion\" data-closes=\"%.10s\"><span class=\"muted\">window "
                   "open</span><div class=\"desc\">closes %.10s</div></td>", day, day);
        return;
    }
    report_percent(g->conv_hits, g->conv_base, pct);
    fprintf(f, "<td class=\"conversion\" data-converted=\"%" PRIu64 "\" data-base=\"%" PRIu64
               "\">%s <span class=\"muted\">%" PRIu64 "/%" PRIu64 "</span></td>", g->conv_hits,
            g->conv_base, pct, g->conv_hits, g->conv_base);
}

/* Entered or exited: "+12", "-3", or "0". */
static void change_cell(FILE *f, char sign, uint64_t n)
{
    if (n)
        fprintf(f, "<td>%c%" PRIu64 "</td>", sign, n);
    else
        fputs("<td>0</td>", f);
}

static void segment_row(FILE *f, const segrt_report *r, const report_segment *g)
{
    char share[16], total[REPORT_MONEY_LEN], avg[REPORT_MONEY_LEN], open[16] = "-", click[16] = "-";
    char exact[32];
    report_percent(g->size, r->contacts, share);
    report_money_local(r, g->value, total);
    report_money_local(r, g->value_per_member, avg);
    report_money(g->value, exact);
    if (r->has_email) {
        report_percent(g->opened, g->email_base, open);
        report_percent(g->clicked, g->email_base, click);
    }
    double width = r->contacts ? 100.0 * (double)g->size / (double)r->contacts : 0;
    fputs("<tr>", f);
    name_cell(f, g);
    fputs("<td class=\"size\" data-segment=\"", f);
    report_html_text(f, g->name);
    fprintf(f, "\">%" PRIu64 "</td><td class=\"share\"><span class=\"bar\"><span style=\"width:"
               "%.1f%%\"></span></span><span class=\"pct\">%s</span></td><td class=\"history\">",
            g->size, width, share);
    report_svg_sparkline(f, g);
    fputs("</td>", f);
    if (g->nruns) {
        change_cell(f, '+', g->runs[g->nruns - 1].entered);
        change_cell(f, '-', g->runs[g->nruns - 1].exited);
    } else {
        fputs("<td class=\"muted\">-</td><td class=\"muted\">-</td>", f);
    }
    fprintf(f, "<td class=\"value\" data-value=\"%s\">%s</td><td class=\"per-member\">%s</td>",
            exact, total, avg);
    conversion_cell(f, r, g);
    fprintf(f, "<td>%s</td><td>%s</td><td>", open, click);
    if (g->flags & REPORT_SMALL)
        fputs("<span class=\"flag small\">small</span> ", f);
    if (g->flags & REPORT_BROAD)
        fputs("<span class=\"flag broad\">broad</span>", f);
    fputs("</td></tr>", f);
}

static void segments_table(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"segments\">Segments</h2><div class=\"box\"><table><thead><tr><th class=\"name\">Segment</th>"
          "<th>Size</th><th>Share</th><th>Size history</th><th>Entered</th><th>Exited</th>"
          "<th>Value</th><th>Per member</th><th>Conversion</th><th>Open</th><th>Click</th>"
          "<th>Flags</th></tr></thead><tbody>", f);
    for (size_t i = 0; i < r->nseg; i++)
        segment_row(f, r, &r->seg[i]);
    fputs("</tbody></table></div>", f);
    fprintf(f, "<p class=\"notes\">Size and share at NOW; entered and exited at the segment's "
               "last stored run. Flags: <span class=\"flag small\">small</span> fewer than %"
               PRIu64 " members, <span class=\"flag broad\">broad</span> more than %.2f%% of the "
               "contacts.</p>", r->opts.min_size, 100.0 * r->opts.max_share);
}

static void history_charts(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"history\">Size history</h2><div class=\"multiples\">", f);
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        fputs("<figure><figcaption>", f);
        report_html_text(f, g->name);
        fprintf(f, "<span>%zu run%s", g->nruns, g->nruns == 1 ? "" : "s");
        if (g->nruns) {
            char t0[21], t1[21];
            segrt_time_format(g->runs[0].now, t0);
            segrt_time_format(g->runs[g->nruns - 1].now, t1);
            fprintf(f, ", <span class=\"range\">%.10s to %.10s</span>", t0, t1);
        }
        fputs("</span></figcaption>", f);
        report_svg_history(f, g);
        fputs("</figure>", f);
    }
    fputs("</div>", f);
}

/* One exclusive group: its partition bar, and a legend row per part. */
static void group_box(FILE *f, const segrt_report *r, const report_group *g)
{
    char share[16], of_group[16];
    fputs("<figure class=\"group\" data-group=\"", f);
    report_html_text(f, g->name);
    fprintf(f, "\" data-members=\"%" PRIu64 "\"><figcaption>", g->members);
    report_html_text(f, g->name);
    report_percent(g->members, r->contacts, share);
    fprintf(f, "<span>%" PRIu64 " of %" PRIu64 " contacts (%s) in one of its %zu segments"
               "</span></figcaption>", g->members, r->contacts, share, g->nseg);
    report_svg_partition(f, r, g);
    fputs("<table class=\"legend\"><thead><tr><th class=\"name\">Segment</th><th>Members</th>"
          "<th>Share of the contacts</th><th>Share of the group</th></tr></thead><tbody>", f);
    for (size_t k = 0; k <= g->nseg; k++) {
        const report_segment *seg = k < g->nseg ? &r->seg[g->seg[k]] : NULL;
        uint64_t n = seg ? seg->size : r->contacts - g->members;
        report_percent(n, r->contacts, share);
        report_percent(n, g->members, of_group);
        fprintf(f, "<tr class=\"part\" data-segment=\"");
        report_html_text(f, seg ? seg->name : "");
        fprintf(f, "\" data-size=\"%" PRIu64 "\"><td class=\"name\"><span class=\"swatch\" "
                   "style=\"background:%s\"></span>", n, seg ? report_svg_part_colour(k) : "#e2e8f0");
        report_html_text(f, seg ? seg->name : "in none of them");
        fprintf(f, "</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td></tr>", n, share,
                seg ? of_group : "-");
    }
    fputs("</tbody></table></figure>", f);
}

static void groups(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"groups\">Exclusive groups</h2><p class=\"notes\">A contact is in at most "
          "one segment of an exclusive group (seg.exclusive): one bar of all the contacts, a part "
          "per segment. Overlaps are shown only between segments outside such groups.</p>", f);
    for (size_t i = 0; i < r->ngroups; i++)
        group_box(f, r, &r->groups[i]);
}

/* ------------------------------------------------------------ reach, review, templates */

static void reach_table(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"reach\">Reach per channel</h2><div class=\"box\"><table><thead><tr>"
          "<th class=\"name\">Segment</th><th>Members</th>", f);
    for (size_t c = 0; c < r->channels.n; c++) {
        fputs("<th>", f);
        report_html_text(f, r->channels.v[c]);
        fputs("</th>", f);
    }
    fputs("</tr></thead><tbody>", f);
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        fputs("<tr><td class=\"name\"><b>", f);
        report_html_text(f, g->name);
        fprintf(f, "</b></td><td>%" PRIu64 "</td>", g->size);
        for (size_t c = 0; c < r->channels.n; c++) {
            char pct[16];
            uint64_t n = g->why[c][CW_PASS];
            report_percent(n, g->size, pct);
            fputs("<td class=\"reach\" data-segment=\"", f);
            report_html_text(f, g->name);
            fputs("\" data-channel=\"", f);
            report_html_text(f, r->channels.v[c]);
            fprintf(f, "\" data-reachable=\"%" PRIu64 "\"%s>%s <span class=\"muted\">%" PRIu64
                       "</span></td>", n, (long)c == g->channel ? " style=\"font-weight:600\"" : "",
                    pct, n);
        }
        fputs("</tr>", f);
    }
    fputs("</tbody></table></div><p class=\"notes\">The share of each segment's members who pass "
          "the purpose's consent check at NOW (seg.consent, else the defaults); bold: the channel "
          "its accessibility is judged by.</p>", f);
}

static void verdict_cell(FILE *f, const char *kind, int yes, const char *why)
{
    fprintf(f, "<td class=\"verdict %s\" data-verdict=\"%s\"><span class=\"flag %s\">%s</span>"
               "<div class=\"desc\">", kind, yes ? "yes" : "no", yes ? "ok" : "broad",
            yes ? "yes" : "no");
    report_html_text(f, why);
    fputs("</div></td>", f);
}

static void review_table(FILE *f, const segrt_report *r)
{
    const segrt_report_opts *o = &r->opts;
    fprintf(f, "<h2 id=\"review\">Segment review</h2><div class=\"box\"><table><thead><tr>"
               "<th class=\"name\">Segment</th><th>Measurable</th><th>Accessible</th>"
               "<th>Substantial</th></tr></thead><tbody>");
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        char why[320];
        fputs("<tr data-segment=\"", f);
        report_html_text(f, g->name);
        fputs("\"><td class=\"name\"><b>", f);
        report_html_text(f, g->name);
        fputs("</b></td>", f);
        report_verdict_text(r, g, REPORT_MEASURABLE, why, sizeof why);
        verdict_cell(f, "measurable", (g->flags & REPORT_MEASURABLE) != 0, why);
        report_verdict_text(r, g, REPORT_ACCESSIBLE, why, sizeof why);
        verdict_cell(f, "accessible", (g->flags & REPORT_ACCESSIBLE) != 0, why);
        report_verdict_text(r, g, REPORT_SUBSTANTIAL, why, sizeof why);
        verdict_cell(f, "substantial", (g->flags & REPORT_SUBSTANTIAL) != 0, why);
        fputs("</tr>", f);
    }
    fprintf(f, "</tbody></table></div><p class=\"notes\">Thresholds: measurable when every "
               "contact field the rule reads has a value for at least %.0f%% of the contacts; "
               "accessible when at least %.0f%% of the members pass the consent check of the "
               "segment's purpose (else of its best channel); substantial with at least %" PRIu64
               " members.</p>", 100 * o->min_filled, 100 * o->min_reach, o->min_size);
}

static void template_box(FILE *f, const segrt_report *r, const report_template *t)
{
    long c = channels_index(&r->channels, t->purpose);
    fputs("<figure class=\"template\" data-template=\"", f);
    report_html_text(f, t->name);
    fputs("\"><figcaption>", f);
    report_html_text(f, t->name);
    fputs("<span>purpose ", f);
    report_html_text(f, t->purpose);
    fputs("</span></figcaption><div class=\"box\"><table><thead><tr><th class=\"name\">Segment"
          "</th><th>Members</th><th>Recipients</th><th>Suppressed</th>", f);
    for (int w = CW_NO_RECORD; w < CW_N; w++)
        fprintf(f, "<th>%s</th>", consent_why_text((consent_why)w));
    fputs("</tr></thead><tbody>", f);
    for (size_t i = 0; c >= 0 && i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        const uint64_t *why = g->why[c];
        fputs("<tr class=\"recipients\" data-segment=\"", f);
        report_html_text(f, g->name);
        fprintf(f, "\" data-recipients=\"%" PRIu64 "\" data-suppressed=\"%" PRIu64 "\">"
                   "<td class=\"name\">", why[CW_PASS], g->size - why[CW_PASS]);
        report_html_text(f, g->name);
        fprintf(f, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>", g->size,
                why[CW_PASS], g->size - why[CW_PASS]);
        for (int w = CW_NO_RECORD; w < CW_N; w++)
            fprintf(f, "<td>%" PRIu64 "</td>", why[w]);
        fputs("</tr>", f);
    }
    fputs("</tbody></table></div></figure>", f);
}

static void templates(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"templates\">Templates</h2><p class=\"notes\">Per message template, in each "
          "segment: the members its purpose's consent check lets it reach at NOW, and the others by "
          "the first reason they fail it.</p>", f);
    for (size_t i = 0; i < r->ntemplates; i++)
        template_box(f, r, &r->templates[i]);
}

/* Each segment's profile (profile_html.c), when the report has them. */
static int profiles(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"profiles\">Segment profiles</h2><p class=\"notes\">Per segment, as segrt "
          "profile shows it: each field's values in the segment next to all contacts (index = "
          "segment share / base share x 100), its top purchase categories, its event mix and its "
          "reach per channel. Open a segment to see its profile.</p>", f);
    for (size_t i = 0; i < r->nseg; i++) {
        if (r->seg[i].profile == NULL)
            continue;
        fputs("<details class=\"profile-box\"><summary>", f); /* folded: open one at a time */
        report_html_text(f, r->seg[i].name);
        fprintf(f, " <span class=\"muted\">%" PRIu64 " members</span></summary>", r->seg[i].size);
        if (profile_html_write(f, r->seg[i].profile) != 0)
            return -1;
        fputs("</details>", f);
    }
    return 0;
}

/* How the joining time of a contact was read, for the growth chart's caption. */
static void growth_source(FILE *f, const segrt_report *r)
{
    if (r->growth.by_field) {
        fputs("joined at <b>", f);
        report_html_text(f, r->growth_field);
        fputs("</b>, else at the first event", f);
    } else {
        fputs("joined at the first event (the store has no <b>", f);
        report_html_text(f, r->growth_field);
        fputs("</b> field)", f);
    }
}

static void growth(FILE *f, const segrt_report *r)
{
    const report_growth *g = &r->growth;
    fputs("<h2 id=\"growth\">Growth of the base</h2><figure class=\"growth-box\"><figcaption>"
          "Live contacts joined by the end of each ", f);
    fputs(g->yearly ? "year" : "month", f);
    if (g->n) {
        char t0[21], t1[21];
        segrt_time_format(g->start[0], t0);
        segrt_time_format(r->now, t1);
        fprintf(f, "<span><span class=\"range\">%.10s to %.10s</span></span>", t0, t1);
    }
    fputs("</figcaption>", f);
    if (g->n)
        report_svg_growth(f, g);
    fputs("<p class=\"notes\">", f);
    growth_source(f, r);
    fprintf(f, "; %" PRIu64 " contacts by NOW", g->n ? g->joined[g->n - 1] : 0);
    if (g->unknown)
        fprintf(f, "; %" PRIu64 " without a time and without events are not drawn", g->unknown);
    if (g->later)
        fprintf(f, "; %" PRIu64 " joined after NOW", g->later);
    fputs(".</p></figure>", f);
}

static void definitions(FILE *f, const segrt_report *r)
{
    fputs("<h2 id=\"definitions\">How the numbers are computed</h2><div class=\"box\" style=\"padding:12px 16px\"><dl>"
          "<dt>Size, share</dt><dd>members of the segment evaluated at NOW; share of the live "
          "contacts.</dd>"
          "<dt>Size history</dt><dd>the size at each stored run of the segment (segrt run), "
          "oldest first; entered and exited compare the last run with the one before.</dd>"
          "<dt>Value</dt><dd>the sum of the amounts of the members' purchase events up to NOW, "
          "exact; per member: that sum divided by the size, rounded to the cent.</dd>", f);
    fputs("<dt>Conversion</dt><dd>", f);
    if (r->has_conversion)
        fputs("of the members stored by the segment's last run, the share with at least one <b>", f);
    else
        fputs("the store has no <b>", f);
    report_html_text(f, r->conversion);
    if (r->has_conversion)
        fprintf(f, "</b> event in the %" PRIu32 " days after that run, shown once that window "
                   "has closed; while it is open, the day it closes.</dd>", r->opts.within_days);
    else
        fputs("</b> events.</dd>", f);
    if (r->has_email)
        fprintf(f, "<dt>Open, click</dt><dd>the share of %s with at least one email_open, "
                   "email_click event in the %" PRIu32 " days up to NOW.</dd>",
                r->email_of_sent ? "the members sent an email (email_sent) in those days"
                                 : "all members (the store records no email_sent events)",
                r->opts.email_days);
    else
        fputs("<dt>Open, click</dt><dd>the store has no email_open or email_click events.</dd>", f);
    fputs("<dt>Overlap</dt><dd>cell (A, B): members of both A and B, coloured by their share "
          "of A's members; the diagonal holds the sizes.</dd>"
          "<dt>RFM grid</dt><dd>contacts per recency (R) and frequency (F) score of an RFM "
          "model, with the average of their monetary value.</dd></dl></div>", f);
}

static int write_page(FILE *f, const segrt_report *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<title>Segment report: ", f);
    report_html_text(f, r->script);
    fprintf(f, "</title><style>%s</style></head><body><main>", style);
    header(f, r);
    segments_table(f, r);
    review_table(f, r);
    if (r->channels.n)
        reach_table(f, r);
    if (r->ntemplates)
        templates(f, r);
    growth(f, r);
    history_charts(f, r);
    if (r->ngroups)
        groups(f, r);
    if (r->nov > 1) {
        fputs("<h2 id=\"overlap\">Overlap</h2><div class=\"box\">", f);
        report_svg_overlap(f, r);
        fputs("</div>", f);
    }
    for (size_t i = 0; i < r->nrfm; i++) {
        const report_rfm *g = &r->rfm[i];
        fputs("<h2 id=\"rfm-", f);
        report_html_text(f, g->model);
        fputs("\">RFM grid: ", f);
        report_html_text(f, g->model);
        fprintf(f, " <span class=\"sub\" style=\"font-weight:400\">%" PRIu64 " contacts scored"
                   "</span></h2><div class=\"box rfm\" data-model=\"", g->scored);
        report_html_text(f, g->model);
        fprintf(f, "\" data-scored=\"%" PRIu64 "\">", g->scored);
        report_svg_rfm(f, r, g);
        fputs("</div>", f);
    }
    if (r->opts.profiles && profiles(f, r) != 0)
        return -1;
    definitions(f, r);
    fputs("<footer>Made by segrt report. Self-contained: no script, nothing fetched.</footer>"
          "</main></body></html>\n", f);
    return 0;
}

int segrt_report_html(const segrt_report *r, char **html)
{
    return report_render(r, write_page, html);
}
