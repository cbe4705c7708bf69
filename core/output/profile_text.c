/*
 * profile_text.c — profile_text_write (profile.h): a profile as aligned
 * text tables: a header (segment, NOW, members of the base), per field its
 * values, the top purchase categories by count and by value, the event mix
 * and the reach per consent purpose.
 *
 * Uses: report_money, report.h; value.h.
 */
#include "output/profile.h"

#include "output/report.h"
#include "util/value.h"

#include <inttypes.h>
#include <string.h>

/* Width in columns of a label (code points; labels are short). */
static int width(const char *s)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* The widest label of rows, at least min. */
static int label_width(const profile_rows *r, int min)
{
    int w = min;
    for (size_t i = 0; i < r->n; i++)
        w = report_max(w, width(r->v[i].label));
    return w > 60 ? 60 : w;
}

static void pad(FILE *f, const char *s, int w)
{
    fputs(s, f);
    for (int n = width(s); n < w; n++)
        fputc(' ', f);
}

/* Rows with counts, shares and index; with money columns when values. */
static void table(FILE *f, const char *head, const profile_rows *r, uint64_t seg_n,
                  uint64_t base_n, int values)
{
    int w = label_width(r, width(head));
    pad(f, head, w);
    fprintf(f, "  %10s %8s %10s %8s %6s%s\n", "segment", "share", "base", "share", "index",
            values ? "        segment value           base value" : "");
    for (size_t i = 0; i < r->n; i++) {
        const profile_row *x = &r->v[i];
        char ss[24], bs[24], ix[24], sv[32], bv[32];
        profile_share_text(profile_share(x->seg, seg_n), ss);
        profile_share_text(profile_share(x->base, base_n), bs);
        profile_index_text(profile_index(x->seg, seg_n, x->base, base_n), ix);
        pad(f, x->label, w);
        fprintf(f, "  %10" PRIu64 " %8s %10" PRIu64 " %8s %6s", x->seg, ss, x->base, bs, ix);
        if (values) {
            report_money(x->seg_value, sv);
            report_money(x->base_value, bv);
            fprintf(f, " %20s %20s", sv, bv);
        }
        fputc('\n', f);
    }
}

static void reach(FILE *f, const segrt_profile *p)
{
    fputs("\nreach: members passing the consent check of each purpose at NOW\n", f);
    if (p->nreach == 0)
        fputs("  (no consent purposes)\n", f);
    for (size_t i = 0; i < p->nreach; i++) {
        char s[24];
        profile_share_text(profile_share(p->reach[i].reached, p->size), s);
        fputs("  ", f);
        pad(f, p->reach[i].purpose, 24);
        fprintf(f, " %10" PRIu64 " %8s\n", p->reach[i].reached, s);
    }
}

int profile_text_write(FILE *f, const segrt_profile *p)
{
    char now[24], sv[32], bv[32], share[24];
    value_format_timestamp(p->now, now);
    profile_share_text(profile_share(p->size, p->base), share);
    fprintf(f, "profile of %s at %s: %" PRIu64 " members of %" PRIu64 " live contacts (%s)\n",
            p->segment, now, p->size, p->base, share);
    fputs("index = segment share / base share x 100\n", f);
    for (size_t i = 0; i < p->nfields; i++) {
        const profile_field *x = &p->fields[i];
        fprintf(f, "\n%s (%s%s)\n", x->name, segrt_type_name(x->type),
                x->binned ? ", quintiles of the base" : "");
        table(f, "value", &x->rows, p->size, p->base, 0);
    }
    report_money(p->purchases.seg_value, sv);
    report_money(p->purchases.base_value, bv);
    fprintf(f, "\npurchases up to NOW: %" PRIu64 " by members (value %s), %" PRIu64
               " in the base (value %s)\n", p->purchases.seg, sv, p->purchases.base, bv);
    if (p->by_count.n) {
        fputs("top categories by count\n", f);
        table(f, "category", &p->by_count, p->purchases.seg, p->purchases.base, 1);
        fputs("top categories by value\n", f);
        table(f, "category", &p->by_value, p->purchases.seg, p->purchases.base, 1);
    }
    fprintf(f, "\nevents up to NOW: %" PRIu64 " of members, %" PRIu64 " in the base\n",
            p->events.seg, p->events.base);
    table(f, "type", &p->types, p->events.seg, p->events.base, 0);
    reach(f, p);
    return ferror(f) ? -1 : 0;
}
