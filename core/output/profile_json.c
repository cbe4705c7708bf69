/*
 * profile_json.c — profile_json_write (profile.h): a profile as one JSON
 * object (the keys are listed at segrt_profile_json in segrt/profile.h).
 * Shares are percentages with two decimals, money a string ("12.50"), an
 * index or share that does not exist null.
 *
 * Uses: jansson, report_money (report.h), value.h.
 */
#include "output/profile.h"

#include "output/report.h"
#include "util/value.h"

#include <jansson.h>

/* A share in hundredths of a percent as a number, or null. */
static json_t *share(int64_t s)
{
    return s < 0 ? json_null() : json_real((double)s / 100.0);
}

static json_t *index_of(int64_t i)
{
    return i < 0 ? json_null() : json_integer(i);
}

static json_t *money(int64_t micros)
{
    char text[32];
    report_money(micros, text);
    return json_string(text);
}

/* A row: "key": label, its counts and shares of seg_n and base_n, and the index. */
static json_t *row(const char *key, const profile_row *r, uint64_t seg_n, uint64_t base_n)
{
    return json_pack("{s:s, s:I, s:o, s:I, s:o, s:o}", key, r->label, "segment",
                     (json_int_t)r->seg, "segment_share", share(profile_share(r->seg, seg_n)),
                     "base", (json_int_t)r->base, "base_share",
                     share(profile_share(r->base, base_n)), "index",
                     index_of(profile_index(r->seg, seg_n, r->base, base_n)));
}

static json_t *rows(const char *key, const profile_rows *r, uint64_t seg_n, uint64_t base_n,
                    int values)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n; i++) {
        json_t *o = row(key, &r->v[i], seg_n, base_n);
        if (o && values) {
            json_object_set_new(o, "segment_value", money(r->v[i].seg_value));
            json_object_set_new(o, "base_value", money(r->v[i].base_value));
        }
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *fields(const segrt_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->nfields; i++) {
        const profile_field *f = &p->fields[i];
        json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "name", f->name,
                              "type", segrt_type_name(f->type), "binned", f->binned,
                              "values", rows("value", &f->rows, p->size, p->base, 0));
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *totals(const profile_row *t, int values)
{
    json_t *seg = json_pack("{s:I}", "count", (json_int_t)t->seg);
    json_t *base = json_pack("{s:I}", "count", (json_int_t)t->base);
    if (values && seg && base) {
        json_object_set_new(seg, "value", money(t->seg_value));
        json_object_set_new(base, "value", money(t->base_value));
    }
    return json_pack("{s:o, s:o}", "segment", seg, "base", base);
}

static json_t *reach(const segrt_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < p->nreach; i++) {
        const profile_reach *r = &p->reach[i];
        json_t *o = json_pack("{s:s, s:I, s:o}", "purpose", r->purpose,
                              "reached", (json_int_t)r->reached,
                              "share", share(profile_share(r->reached, p->size)));
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int profile_json_write(FILE *f, const segrt_profile *p)
{
    char now[32];
    value_format_timestamp(p->now, now);
    json_t *purchases = totals(&p->purchases, 1), *events = totals(&p->events, 0);
    if (purchases) {
        json_object_set_new(purchases, "by_count",
                            rows("category", &p->by_count, p->purchases.seg, p->purchases.base, 1));
        json_object_set_new(purchases, "by_value",
                            rows("category", &p->by_value, p->purchases.seg, p->purchases.base, 1));
    }
    if (events)
        json_object_set_new(events, "types",
                            rows("type", &p->types, p->events.seg, p->events.base, 0));
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o}", "segment", p->segment,
                          "now", now, "members", (json_int_t)p->size, "base", (json_int_t)p->base,
                          "fields", fields(p), "purchases", purchases, "events", events,
                          "reach", reach(p));
    int rc = o && json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(12)) == 0 && fputc('\n', f) != EOF
                 ? 0 : -1;
    json_decref(o);
    return rc;
}
