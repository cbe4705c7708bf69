/*
 * report_text.c — segrt_report_text: a segment report (report.h) as aligned
 * text tables for a terminal: sizes with a sparkline of the stored runs,
 * value and response, the overlap matrix (overlap.h) and the RFM grids.
 * Segment names are ASCII ([A-Za-z0-9_.]); sparklines are one column a glyph.
 */
#include "output/report.h"

#include "plan/overlap.h"
#include "util/value.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sparkline shows at most the last SPARK_MAX runs. */
#define SPARK_MAX 24

static const char *const spark_glyphs[8] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

/* The glyph of size v on a scale from lo to hi (the middle one when flat). */
static const char *spark_glyph(uint64_t v, uint64_t lo, uint64_t hi)
{
    if (hi == lo)
        return spark_glyphs[hi ? 3 : 0];
    return spark_glyphs[(size_t)((v - lo) * 7 + (hi - lo) / 2) / (size_t)(hi - lo)];
}

/* The runs the sparkline shows: the last SPARK_MAX. */
static size_t spark_first(const report_segment *g)
{
    return g->nruns > SPARK_MAX ? g->nruns - SPARK_MAX : 0;
}

/* Print g's sparkline padded to width columns. Unlike the HTML charts, which
 * start at zero, eight glyphs only show a trend: they run from the smallest
 * size to the largest. */
static void spark_print(FILE *f, const report_segment *g, int width)
{
    size_t first = spark_first(g);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = first; i < g->nruns; i++) {
        lo = g->runs[i].size < lo ? g->runs[i].size : lo;
        hi = g->runs[i].size > hi ? g->runs[i].size : hi;
    }
    for (size_t i = first; i < g->nruns; i++)
        fputs(spark_glyph(g->runs[i].size, lo, hi), f);
    int shown = g->nruns ? (int)(g->nruns - first) : 1;
    if (g->nruns == 0)
        fputc('-', f);
    fprintf(f, "%*s", width - shown, "");
}

static const char *flags_text(unsigned flags)
{
    if ((flags & REPORT_SMALL) && (flags & REPORT_BROAD))
        return "small broad";
    return flags & REPORT_SMALL ? "small" : flags & REPORT_BROAD ? "broad" : "";
}

static int name_width(const segrt_report *r)
{
    int w = (int)strlen("segment");
    for (size_t i = 0; i < r->nseg; i++)
        w = report_max(w, (int)strlen(r->seg[i].name));
    return w;
}

static void sizes_table(FILE *f, const segrt_report *r)
{
    int wn = name_width(r), wz = (int)strlen("size"), wh = (int)strlen("history"),
        we = (int)strlen("entered"), wx = (int)strlen("exited");
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        char n[24];
        wz = report_max(wz, snprintf(n, sizeof n, "%" PRIu64, g->size));
        wh = report_max(wh, (int)(g->nruns - spark_first(g)));
        if (g->nruns) {
            we = report_max(we, snprintf(n, sizeof n, "%" PRIu64, g->runs[g->nruns - 1].entered));
            wx = report_max(wx, snprintf(n, sizeof n, "%" PRIu64, g->runs[g->nruns - 1].exited));
        }
    }
    fprintf(f, "\nSizes at NOW, and the stored runs (segrt run) oldest first (history: smallest "
               "to largest)\n");
    fprintf(f, "%-*s  %*s  %7s  %-*s  %4s  %-20s  %*s  %*s  %s\n", wn, "segment", wz, "size",
            "share", wh, "history", "runs", "last run", we, "entered", wx, "exited", "flags");
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        char share[16], when[21] = "never", entered[24] = "-", exited[24] = "-";
        report_percent(g->size, r->contacts, share);
        if (g->nruns) {
            const membership_row *last = &g->runs[g->nruns - 1];
            segrt_time_format(last->now, when);
            snprintf(entered, sizeof entered, "%" PRIu64, last->entered);
            snprintf(exited, sizeof exited, "%" PRIu64, last->exited);
        }
        fprintf(f, "%-*s  %*" PRIu64 "  %7s  ", wn, g->name, wz, g->size, share);
        spark_print(f, g, wh);
        fprintf(f, "  %4zu  %-20s  %*s  %*s  %s\n", g->nruns, when, we, entered, wx, exited,
                flags_text(g->flags));
    }
}

/* "12.34% 65/530" for a closed window; "- (open until 2026-01-15)" while it is open. */
static void conversion_text(const segrt_report *r, const report_segment *g, char *out, size_t n)
{
    char pct[16], day[21];
    if (!r->has_conversion || g->nruns == 0 || g->conv_to <= g->conv_from) {
        snprintf(out, n, "%s", !r->has_conversion ? "-" : g->nruns == 0 ? "- (no run)"
                                                                       : "- (run at NOW)");
        return;
    }
    if (report_conv_days(r, g) < r->opts.within_days) {
        segrt_time_format(report_conv_closes(r, g), day);
        snprintf(out, n, "- (open until %.10s)", day);
        return;
    }
    report_percent(g->conv_hits, g->conv_base, pct);
    snprintf(out, n, "%s %" PRIu64 "/%" PRIu64, pct, g->conv_hits, g->conv_base);
}

/* Columns s takes on a terminal: its UTF-8 code points (money may hold "zł", U+00A0). */
static int text_cols(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The printf width that right-aligns s in cols columns. */
static int pad(const char *s, int cols)
{
    return cols + (int)strlen(s) - text_cols(s);
}

static void value_table(FILE *f, const segrt_report *r)
{
    int wn = name_width(r), wv = (int)strlen("value"), wp = (int)strlen("per member"),
        wc = (int)strlen("conversion");
    char text[96], money[REPORT_MONEY_LEN];
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        report_money_local(r, g->value, money);
        wv = report_max(wv, text_cols(money));
        report_money_local(r, g->value_per_member, money);
        wp = report_max(wp, text_cols(money));
        conversion_text(r, g, text, sizeof text);
        wc = report_max(wc, (int)strlen(text));
    }
    fprintf(f, "\nValue and response\n");
    fprintf(f, "%-*s  %*s  %*s  %-*s  %7s  %7s\n", wn, "segment", wv, "value", wp, "per member",
            wc, "conversion", "open", "click");
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        char total[REPORT_MONEY_LEN], avg[REPORT_MONEY_LEN], open[16] = "-", click[16] = "-";
        report_money_local(r, g->value, total);
        report_money_local(r, g->value_per_member, avg);
        conversion_text(r, g, text, sizeof text);
        if (r->has_email) {
            report_percent(g->opened, g->email_base, open);
            report_percent(g->clicked, g->email_base, click);
        }
        fprintf(f, "%-*s  %*s  %*s  %-*s  %7s  %7s\n", wn, g->name, pad(total, wv), total,
                pad(avg, wp), avg, wc, text, open, click);
    }
    fprintf(f, "  value: the members' purchase amounts up to NOW; per member: rounded to the cent\n");
    if (r->has_conversion)
        fprintf(f, "  conversion: of the members at the segment's last run, those with a '%s' event\n"
                   "    in the %" PRIu32 " days after it; shown once that window has closed\n",
                r->conversion, r->opts.within_days);
    else
        fprintf(f, "  conversion: the store has no '%s' events\n", r->conversion);
    if (r->has_email)
        fprintf(f, "  open, click: members with an email_open, email_click event in the %" PRIu32
                   " days up to NOW,\n    of %s\n", r->opts.email_days,
                r->email_of_sent ? "the members sent an email (email_sent) in those days"
                                 : "all members (the store records no email_sent events)");
    else
        fprintf(f, "  open, click: the store has no email_open or email_click events\n");
    fprintf(f, "  flags: small = fewer than %" PRIu64 " members; broad = more than %.2f%% of the "
               "contacts\n", r->opts.min_size, 100.0 * r->opts.max_share);
}

/* The grid's cells by group name (the group most of a cell's contacts are in). */
static void rfm_groups(FILE *f, const report_rfm *g)
{
    int w = 1;
    for (size_t k = 0; k < g->ngroups; k++)
        w = report_max(w, text_cols(g->groups[k]));
    fprintf(f, "Groups of '%s' per cell:\n%3s", g->model, "");
    for (int fi = 0; fi < REPORT_RFM_N; fi++)
        fprintf(f, "  F=%-*d", fi + 1 < REPORT_RFM_N ? w - 2 : 0, fi + 1);
    fprintf(f, "\n");
    for (int ri = REPORT_RFM_N - 1; ri >= 0; ri--) {
        fprintf(f, "R=%d", ri + 1);
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            const char *name = g->group[ri][fi] >= 0 ? g->groups[g->group[ri][fi]] : "-";
            int cols = fi + 1 < REPORT_RFM_N ? w : 0; /* no trailing blanks */
            fprintf(f, "  %-*s", cols + (int)strlen(name) - text_cols(name), name);
        }
        fprintf(f, "\n");
    }
}

static void rfm_grid(FILE *f, const segrt_report *r, const report_rfm *g)
{
    char cells[REPORT_RFM_N][REPORT_RFM_N][96];
    int w = 5;
    for (int ri = 0; ri < REPORT_RFM_N; ri++) {
        for (int fi = 0; fi < REPORT_RFM_N; fi++) {
            char avg[REPORT_MONEY_LEN];
            report_money_local(r, report_average(g->money[ri][fi], g->n[ri][fi]), avg);
            if (g->has_money && g->n[ri][fi])
                snprintf(cells[ri][fi], sizeof cells[ri][fi], "%" PRIu64 " (%s)", g->n[ri][fi], avg);
            else
                snprintf(cells[ri][fi], sizeof cells[ri][fi], "%" PRIu64, g->n[ri][fi]);
            w = report_max(w, text_cols(cells[ri][fi]));
        }
    }
    fprintf(f, "\nRFM grid of model '%s': %" PRIu64 " contacts scored, per cell contacts%s\n",
            g->model, g->scored, g->has_money ? " (average monetary value)" : "");
    fprintf(f, "%3s", "");
    for (int fi = 0; fi < REPORT_RFM_N; fi++)
        fprintf(f, "  %*s%d", w - 1, "F=", fi + 1);
    fprintf(f, "\n");
    for (int ri = REPORT_RFM_N - 1; ri >= 0; ri--) {
        fprintf(f, "R=%d", ri + 1);
        for (int fi = 0; fi < REPORT_RFM_N; fi++)
            fprintf(f, "  %*s", pad(cells[ri][fi], w), cells[ri][fi]);
        fprintf(f, "\n");
    }
    if (g->ngroups)
        rfm_groups(f, g);
}

/* Members passing each channel's consent check; the channel a segment is judged by has a '*'. */
static void reach_table(FILE *f, const segrt_report *r)
{
    int wn = name_width(r);
    fprintf(f, "\nReach per channel: members passing the purpose's consent check at NOW "
               "(* the channel accessibility is judged by)\n%-*s", wn, "segment");
    for (size_t c = 0; c < r->channels.n; c++)
        fprintf(f, "  %*s", report_max(16, (int)strlen(r->channels.v[c])), r->channels.v[c]);
    fputc('\n', f);
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        fprintf(f, "%-*s", wn, g->name);
        for (size_t c = 0; c < r->channels.n; c++) {
            char pct[16], cell[48];
            report_percent(g->why[c][CW_PASS], g->size, pct);
            snprintf(cell, sizeof cell, "%s %" PRIu64 "%s", pct, g->why[c][CW_PASS],
                     (long)c == g->channel ? "*" : " ");
            fprintf(f, "  %*s", report_max(16, (int)strlen(r->channels.v[c])), cell);
        }
        fputc('\n', f);
    }
}

static void review_table(FILE *f, const segrt_report *r)
{
    const segrt_report_opts *o = &r->opts;
    int wn = name_width(r);
    fprintf(f, "\nSegment review: measurable (every field the rule reads filled for >= %.0f%% of "
               "the contacts),\n  accessible (>= %.0f%% of the members pass its purpose, else its "
               "best channel), substantial (>= %" PRIu64 " members)\n",
            100 * o->min_filled, 100 * o->min_reach, o->min_size);
    static const unsigned which[3] = { REPORT_MEASURABLE, REPORT_ACCESSIBLE, REPORT_SUBSTANTIAL };
    for (size_t i = 0; i < r->nseg; i++) {
        const report_segment *g = &r->seg[i];
        fprintf(f, "%-*s", wn, g->name);
        for (int k = 0; k < 3; k++) {
            char why[320];
            report_verdict_text(r, g, which[k], why, sizeof why);
            fprintf(f, "%s%s: %s, %s", k ? "; " : "  ",
                    k == 0 ? "measurable" : k == 1 ? "accessible" : "substantial",
                    g->flags & which[k] ? "yes" : "NO", why);
        }
        fputc('\n', f);
    }
}

static void template_table(FILE *f, const segrt_report *r, const report_template *t)
{
    long c = channels_index(&r->channels, t->purpose);
    int wn = name_width(r);
    fprintf(f, "\nTemplate '%s' (purpose %s): recipients after its consent check, suppressed by "
               "reason\n%-*s  %10s  %10s  %10s", t->name, t->purpose, wn, "segment", "members",
            "recipients", "suppressed");
    fputs("  reasons\n", f);
    for (size_t i = 0; c >= 0 && i < r->nseg; i++) {
        const uint64_t *why = r->seg[i].why[c];
        uint64_t size = r->seg[i].size;
        fprintf(f, "%-*s  %10" PRIu64 "  %10" PRIu64 "  %10" PRIu64, wn, r->seg[i].name, size,
                why[CW_PASS], size - why[CW_PASS]);
        const char *sep = "  ";
        for (int w = CW_NO_RECORD; w < CW_N; w++) {
            if (why[w]) {
                fprintf(f, "%s%s %" PRIu64, sep, consent_why_text((consent_why)w), why[w]);
                sep = ", ";
            }
        }
        fputc('\n', f);
    }
}

#define GROWTH_TEXT_MAX 12 /* buckets the text shows: the last ones */

/* The growth of the base: contacts joined by the end of the last months (or years). */
static void growth_table(FILE *f, const segrt_report *r)
{
    const report_growth *g = &r->growth;
    fprintf(f, "\nGrowth of the base: live contacts joined by the end of each %s (joined at %s%s)\n",
            g->yearly ? "year" : "month", g->by_field ? r->growth_field : "the first event",
            g->by_field ? ", else at the first event" : "");
    size_t first = g->n > GROWTH_TEXT_MAX ? g->n - GROWTH_TEXT_MAX : 0;
    for (size_t k = first; k < g->n; k++) {
        char day[21];
        segrt_time_format(g->start[k], day);
        uint64_t before = k ? g->joined[k - 1] : 0;
        fprintf(f, "  %.*s  %10" PRIu64 "  +%" PRIu64 "\n", g->yearly ? 4 : 7, day, g->joined[k],
                g->joined[k] - before);
    }
    if (g->n == 0)
        fprintf(f, "  none: no contact has a time to join at\n");
    if (g->unknown || g->later)
        fprintf(f, "  not counted: %" PRIu64 " without a time or an event, %" PRIu64 " joined after NOW\n",
                g->unknown, g->later);
}

/* An exclusive group: how its segments partition the contacts. */
static void group_table(FILE *f, const segrt_report *r, const report_group *g)
{
    char share[16];
    int wn = (int)strlen("in none of them");
    for (size_t k = 0; k < g->nseg; k++)
        wn = report_max(wn, text_cols(r->seg[g->seg[k]].name));
    report_percent(g->members, r->contacts, share);
    fprintf(f, "\nExclusive group '%s': %" PRIu64 " of %" PRIu64 " contacts (%s) in one of its "
               "%zu segments\n", g->name, g->members, r->contacts, share, g->nseg);
    for (size_t k = 0; k <= g->nseg; k++) {
        const char *name = k < g->nseg ? r->seg[g->seg[k]].name : "in none of them";
        uint64_t n = k < g->nseg ? r->seg[g->seg[k]].size : r->contacts - g->members;
        report_percent(n, r->contacts, share);
        fprintf(f, "  %-*s  %10" PRIu64 "  %7s", wn + (int)strlen(name) - text_cols(name), name,
                n, share);
        uint64_t bar = r->contacts ? (n * 40 + r->contacts / 2) / r->contacts : 0;
        for (uint64_t b = 0; b < bar; b++)
            fputs(b ? "█" : "  █", f);
        fputc('\n', f);
    }
}

static int write_text(FILE *f, const segrt_report *r)
{
    char now[21];
    segrt_time_format(r->now, now);
    fprintf(f, "Segment report of %s at NOW %s: %" PRIu64 " contacts, %zu segment%s\n", r->script,
            now, r->contacts, r->nseg, r->nseg == 1 ? "" : "s");
    if (r->nseg) {
        sizes_table(f, r);
        value_table(f, r);
        review_table(f, r);
        if (r->channels.n)
            reach_table(f, r);
        for (size_t i = 0; i < r->ntemplates; i++)
            template_table(f, r, &r->templates[i]);
        growth_table(f, r);
    }
    for (size_t i = 0; i < r->ngroups; i++)
        group_table(f, r, &r->groups[i]);
    if (r->nov > 1) {
        fprintf(f, "\nOverlap of the segments outside exclusive groups: members in both the row "
                   "and the column segment (share of the row's size)\n");
        const char **names = calloc(r->nov, sizeof *names);
        if (names == NULL)
            return -1;
        for (size_t i = 0; i < r->nov; i++)
            names[i] = r->seg[r->ov[i]].name;
        int rc = overlap_print(f, r->nov, names, r->overlap);
        free(names);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < r->nrfm; i++)
        rfm_grid(f, r, &r->rfm[i]);
    return 0;
}

int segrt_report_text(const segrt_report *r, char **text)
{
    return report_render(r, write_text, text);
}
