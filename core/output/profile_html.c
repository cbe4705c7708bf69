/*
 * profile_html.c — profile_html_write (profile.h): a profile as an HTML
 * fragment for a page (the report places one per segment):
 * <section class="profile" data-segment="NAME"> with a table per field, the
 * top purchase categories, the event mix and the reach. Every number is in
 * a <td> whose data-measure names it and whose row carries what it is of
 * (data-field and data-value, data-category, data-type, data-purpose);
 * the number itself is in data-n, as the JSON has it, so that a DOM test
 * reads the same values the CLI prints. Every string from the store or the
 * script is escaped (report_html_text). No style of its own: the page's.
 *
 * Uses: report_html.h (escaping), report.h (money).
 */
#include "output/profile.h"

#include "output/report_html.h"
#include "util/value.h"

#include <inttypes.h>

/* An attribute name="text", escaped. */
static void attr(FILE *f, const char *name, const char *text)
{
    fprintf(f, " %s=\"", name);
    report_html_text(f, text);
    fputc('"', f);
}

static void count_cell(FILE *f, const char *measure, uint64_t n)
{
    fprintf(f, "<td data-measure=\"%s\" data-n=\"%" PRIu64 "\">%" PRIu64 "</td>", measure, n, n);
}

/* A share (hundredths of a percent) or index; data-n is empty when it does not exist. */
static void ratio_cell(FILE *f, const char *measure, int64_t v, int is_index)
{
    char text[24], n[24] = "";
    if (is_index)
        profile_index_text(v, text);
    else
        profile_share_text(v, text);
    if (v >= 0 && is_index)
        snprintf(n, sizeof n, "%" PRId64, v);
    else if (v >= 0)
        snprintf(n, sizeof n, "%" PRId64 ".%02" PRId64, v / 100, v % 100);
    fprintf(f, "<td data-measure=\"%s\" data-n=\"%s\">%s</td>", measure, n, text);
}

static void money_cell(FILE *f, const char *measure, int64_t micros)
{
    char text[32];
    report_money(micros, text);
    fprintf(f, "<td data-measure=\"%s\" data-n=\"%s\">%s</td>", measure, text, text);
}

/* A table (data-part="part") of rows; each <tr> carries key="label" (and data-field when field). */
static void table(FILE *f, const char *part, const char *caption, const char *head, const char *key,
                  const char *field, const profile_rows *r, uint64_t seg_n, uint64_t base_n,
                  int values)
{
    fprintf(f, "<div class=\"box\"><table data-part=\"%s\"", part);
    if (field)
        attr(f, "data-field", field);
    fputs("><caption>", f);
    report_html_text(f, caption);
    fputs("</caption><tr><th class=\"name\">", f);
    report_html_text(f, head);
    fputs("</th><th>segment</th><th>share</th><th>base</th><th>share</th><th>index</th>", f);
    if (values)
        fputs("<th>segment value</th><th>base value</th>", f);
    fputs("</tr>\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const profile_row *x = &r->v[i];
        fputs("<tr", f);
        if (field)
            attr(f, "data-field", field);
        attr(f, key, x->label);
        fputs("><td class=\"name\">", f);
        report_html_text(f, x->label);
        fputs("</td>", f);
        count_cell(f, "segment", x->seg);
        ratio_cell(f, "segment_share", profile_share(x->seg, seg_n), 0);
        count_cell(f, "base", x->base);
        ratio_cell(f, "base_share", profile_share(x->base, base_n), 0);
        ratio_cell(f, "index", profile_index(x->seg, seg_n, x->base, base_n), 1);
        if (values) {
            money_cell(f, "segment_value", x->seg_value);
            money_cell(f, "base_value", x->base_value);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

static void reach(FILE *f, const segrt_profile *p)
{
    fputs("<div class=\"box\"><table data-part=\"reach\"><caption>Reach: members passing the "
          "consent check of each purpose at NOW</caption><tr><th class=\"name\">purpose</th>"
          "<th>reached</th><th>share</th></tr>\n", f);
    for (size_t i = 0; i < p->nreach; i++) {
        fputs("<tr", f);
        attr(f, "data-purpose", p->reach[i].purpose);
        fputs("><td class=\"name\">", f);
        report_html_text(f, p->reach[i].purpose);
        fputs("</td>", f);
        count_cell(f, "reached", p->reach[i].reached);
        ratio_cell(f, "share", profile_share(p->reach[i].reached, p->size), 0);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

int profile_html_write(FILE *f, const segrt_profile *p)
{
    char now[24], share[24];
    value_format_timestamp(p->now, now);
    profile_share_text(profile_share(p->size, p->base), share);
    fputs("<section class=\"profile\"", f);
    attr(f, "data-segment", p->segment);
    fputs(">\n<h3>Profile of ", f);
    report_html_text(f, p->segment);
    fprintf(f, "</h3>\n<p class=\"notes\">At %s: <span data-measure=\"members\" data-n=\"%" PRIu64
               "\">%" PRIu64 "</span> members of <span data-measure=\"base\" data-n=\"%" PRIu64
               "\">%" PRIu64 "</span> live contacts (%s). Index = segment share / base share "
               "&times; 100.</p>\n", now, p->size, p->size, p->base, p->base, share);
    for (size_t i = 0; i < p->nfields; i++) {
        const profile_field *x = &p->fields[i];
        char caption[160];
        snprintf(caption, sizeof caption, "%s (%s%s)", x->name, segrt_type_name(x->type),
                 x->binned ? ", quintiles of the base" : "");
        table(f, "field", caption, "value", "data-value", x->name, &x->rows, p->size, p->base, 0);
    }
    table(f, "by_count", "Top purchase categories by count", "category", "data-category", NULL,
          &p->by_count, p->purchases.seg, p->purchases.base, 1);
    table(f, "by_value", "Top purchase categories by value", "category", "data-category", NULL,
          &p->by_value, p->purchases.seg, p->purchases.base, 1);
    table(f, "events", "Event mix up to NOW", "type", "data-type", NULL, &p->types, p->events.seg,
          p->events.base, 0);
    reach(f, p);
    fputs("</section>\n", f);
    return ferror(f) ? -1 : 0;
}
