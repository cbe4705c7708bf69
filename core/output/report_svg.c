/*
 * report_svg.c — the inline SVG charts of the HTML segment report
 * (report_html.h): a sparkline and a size-history line chart per segment,
 * the overlap heatmap and the RFM grid heatmap. Plain SVG 1.1 shapes and
 * text; every mark carries a <title>, which browsers show on hover.
 */
#include "output/report_html.h"

#include "util/value.h"

#include <inttypes.h>
#include <string.h>

#define ACCENT "#2563eb"

void report_svg_heat(double t, char out[8])
{
    static const int lo[3] = { 0xee, 0xf4, 0xfb }, hi[3] = { 0x1e, 0x4f, 0x91 };
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = lo[i] + (int)((hi[i] - lo[i]) * t + (hi[i] > lo[i] ? 0.5 : -0.5));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

int report_svg_heat_dark(double t)
{
    return t > 0.5;
}

static void day_text(int64_t t, char out[16])
{
    char ts[21];
    segrt_time_format(t, ts);
    snprintf(out, 16, "%.10s", ts);
}

/* y of size v in a band from top to bottom for sizes lo..hi (the middle when flat). */
static double scale_y(uint64_t v, uint64_t lo, uint64_t hi, double top, double bottom)
{
    if (hi == lo)
        return (top + bottom) / 2;
    return bottom - (double)(v - lo) / (double)(hi - lo) * (bottom - top);
}

/* x of time t in a band from left to right for times t0..t1 (the middle when equal). */
static double scale_x(int64_t t, int64_t t0, int64_t t1, double left, double right)
{
    if (t1 <= t0)
        return (left + right) / 2;
    return left + (right - left) * (double)(t - t0) / (double)(t1 - t0);
}

/* The largest size of g's runs: charts run from zero to it. */
static uint64_t size_max(const report_segment *g)
{
    uint64_t hi = 0;
    for (size_t i = 0; i < g->nruns; i++)
        hi = g->runs[i].size > hi ? g->runs[i].size : hi;
    return hi;
}

/* A point's tooltip: the run's day and size. */
static void run_title(FILE *f, const membership_row *row)
{
    char day[16];
    day_text(row->now, day);
    fprintf(f, "<title>run %" PRIu64 ", %s: %" PRIu64 " members (+%" PRIu64 " -%" PRIu64
               ")</title>", row->run, day, row->size, row->entered, row->exited);
}

void report_svg_sparkline(FILE *f, const report_segment *g)
{
    const double w = 100, h = 24, pad = 3;
    if (g->nruns == 0) {
        fputs("<span class=\"muted\">no runs</span>", f);
        return;
    }
    uint64_t lo = 0, hi = size_max(g);
    fprintf(f, "<svg class=\"spark\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\"><title>size at %zu stored run%s, from 0 to %" PRIu64 "</title>",
            w, h, w, h, g->nruns, g->nruns == 1 ? "" : "s", hi);
    double x = w / 2, y = h / 2;
    fprintf(f, "<polyline fill=\"none\" stroke=\"" ACCENT "\" stroke-width=\"1.5\" points=\"");
    for (size_t i = 0; i < g->nruns; i++) {
        x = g->nruns > 1 ? pad + (w - 2 * pad) * (double)i / (double)(g->nruns - 1) : w / 2;
        y = scale_y(g->runs[i].size, lo, hi, pad, h - pad);
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", x, y);
    }
    fprintf(f, "\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"" ACCENT "\"/></svg>", x, y);
}

void report_svg_history(FILE *f, const report_segment *g)
{
    const double w = 400, h = 150, left = 60, right = 16, top = 12, bottom = 26;
    fprintf(f, "<svg class=\"history\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\">", w, h, w, h);
    if (g->nruns == 0) {
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" class=\"muted\">"
                   "no stored runs yet</text></svg>", w / 2, h / 2);
        return;
    }
    uint64_t lo = 0, hi = size_max(g);
    int64_t t0 = g->runs[0].now, t1 = g->runs[g->nruns - 1].now;
    double x0 = left, x1 = w - right, y0 = top, y1 = h - bottom;
    char day0[16], day1[16];
    day_text(t0, day0);
    day_text(t1, day1);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"grid\"/>"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"grid\"/>",
            x0, y0, x1, y0, x0, y1, x1, y1);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
               "class=\"axis\">%" PRIu64 "</text>", x0 - 6, scale_y(hi, lo, hi, y0, y1), hi);
    if (hi != lo)
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                   "class=\"axis\">%" PRIu64 "</text>", x0 - 6, y1, lo);
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"axis\">%s</text>", x0, h - 8, day0);
    if (t1 != t0)
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" class=\"axis\">%s</text>",
                x1, h - 8, day1);
    fprintf(f, "<polyline fill=\"none\" stroke=\"" ACCENT "\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < g->nruns; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", scale_x(g->runs[i].now, t0, t1, x0, x1),
                scale_y(g->runs[i].size, lo, hi, y0, y1));
    fputs("\"/>", f);
    for (size_t i = 0; i < g->nruns; i++) {
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"" ACCENT "\">",
                scale_x(g->runs[i].now, t0, t1, x0, x1), scale_y(g->runs[i].size, lo, hi, y0, y1));
        run_title(f, &g->runs[i]);
        fputs("</circle>", f);
    }
    fputs("</svg>", f);
}

/* A row of n legend swatches from 0 to 1 at (x, y), with its two end labels. */
static void heat_legend(FILE *f, double x, double y, const char *low, const char *high)
{
    char fill[8];
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
               "class=\"axis\">%s</text>", x - 6, y + 6, low);
    for (int i = 0; i < 10; i++) {
        report_svg_heat(i / 9.0, fill);
        fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"12\" fill=\"%s\"/>",
                x + 16 * i, y, fill);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" dominant-baseline=\"middle\" class=\"axis\">%s</text>",
            x + 166, y + 6, high);
}

/* One heatmap cell: the rect with its tooltip, and its label when given. */
static void heat_cell(FILE *f, double x, double y, double w, double h, double t,
                      const char *label, const char *title_a, const char *title_b)
{
    char fill[8];
    report_svg_heat(t, fill);
    fprintf(f, "<g><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
               "<title>", x, y, w - 1, h - 1, fill);
    report_html_text(f, title_a);
    report_html_text(f, title_b);
    fputs("</title>", f);
    if (label) {
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" dominant-baseline=\"middle\" "
                   "class=\"cell%s\">", x + w / 2, y + h / 2, report_svg_heat_dark(t) ? " light" : "");
        report_html_text(f, label);
        fputs("</text>", f);
    }
    fputs("</g>", f);
}

/* A cell's label: the size on the diagonal, else the share of the row rounded, "<1%" when
 * some but under half a percent, ">99%" when not all but rounding to 100. */
static void share_text(char *out, size_t n, int diagonal, uint64_t both, uint64_t row)
{
    double pct = row ? 100.0 * (double)both / (double)row : 0;
    if (diagonal)
        snprintf(out, n, "%" PRIu64, both);
    else if (both && pct < 0.5)
        snprintf(out, n, "<1%%");
    else if (both < row && pct >= 99.5)
        snprintf(out, n, ">99%%");
    else
        snprintf(out, n, "%.0f%%", pct);
}

void report_svg_overlap(FILE *f, const segrt_report *r)
{
    size_t n = r->nov, longest = 0;
    for (size_t i = 0; i < n; i++)
        longest = strlen(r->seg[r->ov[i]].name) > longest ? strlen(r->seg[r->ov[i]].name) : longest;
    longest = longest < 40 ? longest : 40; /* longer names run off the edge */
    double cell = n <= 16 ? 42 : n <= 28 ? 34 : 18, label = 14 + 6.6 * (double)longest;
    double top = 0.72 * label + 12, w = label + cell * (double)n + 0.72 * label + 8,
           h = top + cell * (double)n + 40;
    fprintf(f, "<svg class=\"heat\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\"><title>overlap of the segments: share of the row segment's members "
               "also in the column segment</title>", w, h, w, h);
    for (size_t i = 0; i < n; i++) {
        double mid = (double)i * cell + cell / 2;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                   "class=\"axis\">", label - 6, top + mid);
        report_html_text(f, r->seg[r->ov[i]].name);
        fprintf(f, "</text><text transform=\"translate(%.1f %.1f) rotate(-45)\" class=\"axis\">",
                label + mid, top - 6);
        report_html_text(f, r->seg[r->ov[i]].name);
        fputs("</text>", f);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t row = r->overlap[i * n + i];
        for (size_t j = 0; j < n; j++) {
            uint64_t both = r->overlap[i * n + j];
            double t = row ? (double)both / (double)row : 0;
            char text[48], title[160];
            share_text(text, sizeof text, i == j, both, row);
            int fits = cell >= 30 && (double)strlen(text) * 6.2 + 4 < cell;
            snprintf(title, sizeof title, ": %" PRIu64 " members (%.1f%% of the first)", both,
                     100 * t);
            char pair[2 * 260];
            snprintf(pair, sizeof pair, "%s and %s", r->seg[r->ov[i]].name, r->seg[r->ov[j]].name);
            heat_cell(f, label + (double)j * cell, top + (double)i * cell, cell, cell, t,
                      fits ? text : NULL, pair, title);
        }
    }
    heat_legend(f, label + 60, top + cell * (double)n + 16, "0%", "100% of the row's members");
    fputs("</svg>", f);
}

void report_svg_growth(FILE *f, const report_growth *g)
{
    const double w = 900, h = 210, left = 70, right = 20, top = 14, bottom = 30;
    uint64_t hi = g->n ? g->joined[g->n - 1] : 0;
    double x0 = left, x1 = w - right, y0 = top, y1 = h - bottom;
    fprintf(f, "<svg class=\"growth\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\"><title>contacts joined by the end of each %s, from 0</title>", w, h,
            w, h, g->yearly ? "year" : "month");
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"grid\"/>"
               "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" class=\"grid\"/>"
               "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
               "class=\"axis\">%" PRIu64 "</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\" "
               "dominant-baseline=\"middle\" class=\"axis\">0</text>",
            x0, y0, x1, y0, x0, y1, x1, y1, x0 - 6, y0, hi, x0 - 6, y1);
    double step = g->n > 1 ? (x1 - x0) / (double)(g->n - 1) : 0;
    fprintf(f, "<polygon fill=\"#dbeafe\" stroke=\"none\" points=\"%.1f,%.1f", x0, y1);
    for (size_t k = 0; k < g->n; k++)
        fprintf(f, " %.1f,%.1f", x0 + step * (double)k, scale_y(g->joined[k], 0, hi, y0, y1));
    fprintf(f, " %.1f,%.1f\"/><polyline fill=\"none\" stroke=\"" ACCENT "\" stroke-width=\"2\" "
               "points=\"", x0 + step * (double)(g->n ? g->n - 1 : 0), y1);
    for (size_t k = 0; k < g->n; k++)
        fprintf(f, "%s%.1f,%.1f", k ? " " : "", x0 + step * (double)k,
                scale_y(g->joined[k], 0, hi, y0, y1));
    fputs("\"/>", f);
    for (size_t k = 0; k < g->n; k++) {
        char day[16];
        day_text(g->start[k], day);
        fprintf(f, "<circle class=\"growth-point\" data-start=\"%.*s\" data-joined=\"%" PRIu64
                   "\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"" ACCENT "\"><title>%" PRIu64
                   " contacts by the end of %.*s</title></circle>", g->yearly ? 4 : 7, day,
                g->joined[k], x0 + step * (double)k, scale_y(g->joined[k], 0, hi, y0, y1),
                g->joined[k], g->yearly ? 4 : 7, day);
        if (k == 0 || k + 1 == g->n)
            fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\" class=\"axis\">%.*s</text>",
                    x0 + step * (double)k, h - 10, k == 0 ? "start" : "end", g->yearly ? 4 : 7, day);
    }
    fputs("</svg>", f);
}

/* Colours of a partition bar's parts, in turn; the contacts in none are grey. */
static const char *const part_colours[] = { "#1d4ed8", "#0891b2", "#059669", "#65a30d", "#ca8a04",
                                            "#ea580c", "#dc2626", "#db2777", "#9333ea", "#4f46e5" };
#define PART_NONE "#e2e8f0"

const char *report_svg_part_colour(size_t k)
{
    return part_colours[k % (sizeof part_colours / sizeof part_colours[0])];
}

void report_svg_partition(FILE *f, const segrt_report *r, const report_group *g)
{
    const double w = 1000, h = 34;
    fprintf(f, "<svg class=\"partition\" viewBox=\"0 0 %.0f %.0f\" preserveAspectRatio=\"none\" "
               "role=\"img\"><title>", w, h);
    report_html_text(f, g->name);
    fprintf(f, ": %" PRIu64 " of %" PRIu64 " contacts in one of its segments</title>", g->members,
            r->contacts);
    double x = 0;
    for (size_t k = 0; k <= g->nseg; k++) {
        uint64_t n = k < g->nseg ? r->seg[g->seg[k]].size : r->contacts - g->members;
        double part = r->contacts ? w * (double)n / (double)r->contacts : 0;
        fprintf(f, "<rect x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\"><title>",
                x, part, h, k < g->nseg ? report_svg_part_colour(k) : PART_NONE);
        report_html_text(f, k < g->nseg ? r->seg[g->seg[k]].name : "in none of them");
        fprintf(f, ": %" PRIu64 " contacts (%.2f%%)</title></rect>", n,
                r->contacts ? 100.0 * (double)n / (double)r->contacts : 0.0);
        x += part;
    }
    fputs("</svg>", f);
}

void report_svg_rfm(FILE *f, const segrt_report *r, const report_rfm *g)
{
    const double cw = 112, ch = 60, left = 72, top = 8;
    const double w = left + cw * REPORT_RFM_N + 16, h = top + ch * REPORT_RFM_N + 84;
    uint64_t most = 0;
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++)
            most = g->n[ri][fi] > most ? g->n[ri][fi] : most;
    }
    fprintf(f, "<svg class=\"heat\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
               "role=\"img\"><title>contacts per recency and frequency score</title>", w, h, w, h);
    fprintf(f, "<text transform=\"translate(16 %.0f) rotate(-90)\" text-anchor=\"middle\" "
               "class=\"axis\">R: recency (5 = most recent)</text>", top + ch * REPORT_RFM_N / 2);
    for (int k = 0; k < REPORT_RFM_N; k++) {
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"middle\" "
                   "class=\"axis\">R %d</text>", left - 8, top + ch * (REPORT_RFM_N - 1 - k) + ch / 2,
                k + 1);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" class=\"axis\">F %d</text>",
                left + cw * k + cw / 2, top + ch * REPORT_RFM_N + 16, k + 1);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" class=\"axis\">F: frequency "
               "(5 = most purchases)</text>", left + cw * REPORT_RFM_N / 2,
            top + ch * REPORT_RFM_N + 36);
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            uint64_t n = g->n[ri][fi];
            double t = most ? (double)n / (double)most : 0;
            double x = left + cw * fi, y = top + ch * (REPORT_RFM_N - 1 - ri);
            char avg[REPORT_MONEY_LEN] = "", title[160], head[160];
            const char *group = g->group[ri][fi] >= 0 ? g->groups[g->group[ri][fi]] : NULL;
            if (g->has_money && n)
                report_money_local(r, report_average(g->money[ri][fi], n), avg);
            snprintf(head, sizeof head, "R %d, F %d%s%s", ri + 1, fi + 1, group ? ": " : "",
                     group ? group : "");
            snprintf(title, sizeof title, ": %" PRIu64 " contacts%s%s", n,
                     *avg ? ", average monetary value " : "", avg);
            heat_cell(f, x, y, cw, ch, t, NULL, head, title);
            if (group) {
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"group%s\" "
                           "data-r=\"%d\" data-f=\"%d\">", x + cw / 2, y + 13,
                        report_svg_heat_dark(t) ? " light" : "", ri + 1, fi + 1);
                report_html_text(f, group);
                fputs("</text>", f);
            }
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"count%s\">%"
                       PRIu64 "</text>", x + cw / 2, y + (*avg ? ch / 2 + 3 : ch / 2 + 8),
                    report_svg_heat_dark(t) ? " light" : "", n);
            if (*avg)
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"cell%s\">"
                           "avg %s</text>", x + cw / 2, y + ch / 2 + 19,
                        report_svg_heat_dark(t) ? " light" : "", avg);
        }
    }
    heat_legend(f, left + 70, top + ch * REPORT_RFM_N + 56, "fewest", "most contacts");
    fputs("</svg>", f);
}
