/*
 * report.c — segrt_report_build (report.h): per segment of a script, its
 * stored runs (membership.h); then, in one evaluation session at NOW, its
 * members, value, conversion, email response and flags, the overlap matrix
 * (overlap.h) and the RFM grids (report_rfm.c).
 *
 * Event facts are read from the per-type projections (projection.h) once
 * per report, as per-contact values or bitsets, then summed per segment.
 */
#include "output/report.h"

#include "store/dict.h"
#include "output/profile.h"
#include "plan/catalog.h"
#include "plan/overlap.h"
#include "store/projection.h"
#include "store/schema.h"
#include "lua/script.h"
#include "util/array.h"
#include "util/suggest.h"
#include "util/value.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY INT64_C(86400)
#define MAX_DAYS 36500 /* a hundred years: any longer window is a typo */

void segrt_report_defaults(segrt_report_opts *opts)
{
    *opts = (segrt_report_opts){ .conversion_event = NULL, .within_days = 30,
                                 .email_days = 90, .min_size = 100, .max_share = 0.5,
                                 .min_filled = 0.8, .min_reach = 0.3 };
}

/* ------------------------------------------------------------ formatting */

void report_money(int64_t micros, char out[32])
{
    uint64_t mag = micros < 0 ? (uint64_t)0 - (uint64_t)micros : (uint64_t)micros;
    char frac[8];
    snprintf(frac, sizeof frac, "%06" PRIu64, mag % VALUE_NUMBER_SCALE);
    for (int i = 5; i >= 2 && frac[i] == '0'; i--)
        frac[i] = '\0';
    snprintf(out, 32, "%s%" PRIu64 ".%s", micros < 0 ? "-" : "", mag / VALUE_NUMBER_SCALE, frac);
}

void report_percent(uint64_t a, uint64_t b, char out[16])
{
    if (b == 0)
        snprintf(out, 16, "-");
    else
        snprintf(out, 16, "%.2f%%", 100.0 * (double)a / (double)b);
}

uint32_t report_conv_days(const segrt_report *r, const report_segment *g)
{
    if (g->conv_to <= g->conv_from)
        return 0;
    int64_t d = (g->conv_to - g->conv_from) / DAY;
    return d < (int64_t)r->opts.within_days ? (uint32_t)d : r->opts.within_days;
}

int64_t report_conv_closes(const segrt_report *r, const report_segment *g)
{
    return g->conv_from + (int64_t)r->opts.within_days * DAY;
}

int64_t report_average(int64_t total, uint64_t n)
{
    if (n == 0)
        return 0;
    __int128 d = (__int128)n * (VALUE_NUMBER_SCALE / 100), q = total / d, rem = total % d;
    if (2 * (rem < 0 ? -rem : rem) >= d)
        q += total < 0 ? -1 : 1;
    return (int64_t)(q * (VALUE_NUMBER_SCALE / 100));
}

int report_render(const segrt_report *r, report_write_fn write, char **out)
{
    if (out)
        *out = NULL;
    if (r == NULL || out == NULL)
        return SEGRT_EINVAL;
    size_t len;
    FILE *f = open_memstream(out, &len);
    if (f == NULL)
        return SEGRT_ENOMEM;
    int rc = write(f, r);
    if (fclose(f) != 0 || rc != 0) {
        free(*out);
        *out = NULL;
        return SEGRT_ENOMEM;
    }
    return SEGRT_OK;
}

/* ------------------------------------------------------------ stored runs */

static int add_run(void *ud, const membership_row *row)
{
    report_segment *g = ud;
    if (ARRAY_RESERVE(g->runs, g->runs_cap, g->nruns + 1) != 0)
        return SEGRT_ENOMEM;
    g->runs[g->nruns++] = *row;
    return SEGRT_OK;
}

/* The stored runs of g and, when there are any, the members of the last one. */
static int load_runs(segrt_store *s, report_segment *g, bitset *last_members)
{
    int rc = membership_history_foreach(s, g->name, add_run, g);
    if (rc == SEGRT_ENOTFOUND)
        return SEGRT_OK; /* never run: no history, no conversion */
    if (rc == SEGRT_ENOMEM)
        return store_fail(s, rc, "out of memory");
    if (rc == SEGRT_OK)
        rc = membership_get(s, g->name, last_members, NULL, NULL, NULL);
    return rc;
}

/* ------------------------------------------------------------ event types */

/* The event types the store holds events of, for checks and suggestions. */
typedef struct type_list {
    char **names;
    size_t n, cap;
} type_list;

static int add_type(void *ud, const char *type, uint64_t n)
{
    (void)n;
    type_list *t = ud;
    if (ARRAY_RESERVE(t->names, t->cap, t->n + 1) != 0)
        return SEGRT_ENOMEM;
    if ((t->names[t->n] = strdup(type)) == NULL)
        return SEGRT_ENOMEM;
    t->n++;
    return SEGRT_OK;
}

static int has_type(const type_list *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->names[i], name) == 0)
            return 1;
    }
    return 0;
}

/* Which event types there are: a conversion event that was asked for must be one. */
static int check_types(segrt_store *s, segrt_report *r)
{
    type_list t = { 0 };
    int rc = segrt_event_types_foreach(s, add_type, &t);
    if (rc == SEGRT_ENOMEM)
        rc = store_fail(s, rc, "out of memory");
    r->has_conversion = has_type(&t, r->conversion);
    if (rc == SEGRT_OK && !r->has_conversion && r->opts.conversion_event) {
        const char *near = suggest_closest(r->conversion, (const char *const *)t.names, t.n);
        rc = store_fail(s, SEGRT_ENOTFOUND, "conversion event: the store has no '%s' events%s%s%s",
                        r->conversion, near ? " (did you mean '" : "", near ? near : "",
                        near ? "'?)" : "");
    }
    r->has_email = has_type(&t, "email_open") || has_type(&t, "email_click");
    r->email_of_sent = r->has_email && has_type(&t, "email_sent");
    for (size_t i = 0; i < t.n; i++)
        free(t.names[i]);
    free(t.names);
    return rc;
}

/* ------------------------------------------------------------ the session */

typedef struct window {
    int64_t lo, hi; /* lo <= ts <= hi */
} window;

typedef struct build_job {
    segrt_report *r;
    const bitset *stored;   /* per segment: the members of its last run */
    int64_t *value;         /* per contact: purchase amounts up to NOW */
    bitset opened, clicked, sent;
    bitset converted;       /* for conv_window */
    window conv_window;
    int has_conv_window;
} build_job;

/* The FIELD_EV_TYPE code of name; 0 when the store has no such type. */
static int type_code(plan_ctx *cx, const char *name, uint32_t *code)
{
    return dict_find(cx->s, cx->txn, FIELD_EV_TYPE, name, strlen(name), code);
}

int report_events_foreach(plan_ctx *cx, const char *name, report_event_fn fn, void *ud)
{
    uint32_t type = 0;
    projection_set ev = { 0 };
    int rc = type_code(cx, name, &type);
    if (rc == SEGRT_OK && type != 0)
        rc = projection_get(cx->s, cx->txn, type, &ev);
    for (size_t k = 0; rc == SEGRT_OK && k < ev.nparts; k++) {
        const projection *p = &ev.part[k];
        for (size_t j = 0; rc == SEGRT_OK && j < p->nspan; j++) {
            for (size_t i = p->span[j].lo; rc == SEGRT_OK && i < p->span[j].hi; i++) {
                if (p->ord[i] < cx->ncontacts)
                    rc = fn(cx, ud, p, i);
            }
        }
    }
    projection_release(&ev);
    return rc;
}

typedef struct in_window {
    window w;
    bitset *out;
} in_window;

static int note_in_window(plan_ctx *cx, void *ud, const projection *p, size_t i)
{
    (void)cx;
    in_window *job = ud;
    if (p->ts[i] >= job->w.lo && p->ts[i] <= job->w.hi)
        bitset_set(job->out, p->ord[i]);
    return SEGRT_OK;
}

/* out (a fresh set over the contacts): who has an event of type name in w. */
static int events_in(plan_ctx *cx, const char *name, window w, bitset *out)
{
    bitset_free(out);
    if (bitset_init(out, cx->ncontacts) != 0)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    in_window job = { w, out };
    return report_events_foreach(cx, name, note_in_window, &job);
}

static int too_large(plan_ctx *cx)
{
    return store_fail(cx->s, SEGRT_EINVAL, "purchase amounts add up to more than can be summed "
                      "exactly (%" PRId64 " micro-units)", INT64_MAX);
}

static int add_amount(plan_ctx *cx, void *ud, const projection *p, size_t i)
{
    int64_t *v = ud;
    uint32_t o = p->ord[i];
    int64_t amount = projection_amount(p, i);
    if (p->ts[i] > cx->now || amount == VALUE_MISSING)
        return SEGRT_OK;
    return __builtin_add_overflow(v[o], amount, &v[o]) ? too_large(cx) : SEGRT_OK;
}

/* Per contact: the sum of its purchase amounts with ts <= NOW. */
static int purchase_values(plan_ctx *cx, int64_t **out)
{
    int64_t *v = calloc(cx->ncontacts ? cx->ncontacts : 1, sizeof *v);
    int rc = v ? report_events_foreach(cx, "purchase", add_amount, v)
               : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc != SEGRT_OK) {
        free(v);
        v = NULL;
    }
    *out = v;
    return rc;
}

static int segment_value(plan_ctx *cx, const int64_t *value, const bitset *members,
                         int64_t *sum)
{
    *sum = 0;
    for (uint32_t i = bitset_next(members, 0); i < members->nbits; i = bitset_next(members, i + 1)) {
        if (__builtin_add_overflow(*sum, value[i], sum))
            return too_large(cx);
    }
    return SEGRT_OK;
}

/* Of the members of g's last run, who converted in (NOW0, min(NOW0 + within, NOW)]. */
static int conversion(plan_ctx *cx, build_job *job, report_segment *g, const bitset *stored)
{
    int64_t from = g->runs[g->nruns - 1].now, end = from + (int64_t)job->r->opts.within_days * DAY;
    g->conv_from = from;
    g->conv_to = end < cx->now ? end : cx->now;
    g->conv_base = bitset_count(stored);
    if (g->conv_to <= g->conv_from)
        return SEGRT_OK; /* the run is at or after NOW: no window yet */
    window w = { from + 1, g->conv_to };
    if (!job->has_conv_window || job->conv_window.lo != w.lo || job->conv_window.hi != w.hi) {
        int rc = events_in(cx, job->r->conversion, w, &job->converted);
        if (rc != SEGRT_OK)
            return rc;
        job->conv_window = w; /* the segments of one run share it */
        job->has_conv_window = 1;
    }
    g->conv_hits = bitset_count_and(stored, &job->converted);
    return SEGRT_OK;
}

/* Openers and clickers among the members (sent an email, when the store records sends). */
static int email(plan_ctx *cx, build_job *job, report_segment *g, const bitset *members)
{
    if (!job->r->has_email)
        return SEGRT_OK;
    bitset base = { 0 };
    if (bitset_init(&base, members->nbits) != 0)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    bitset_or(&base, members);
    if (job->r->email_of_sent)
        bitset_and(&base, &job->sent);
    g->email_base = bitset_count(&base);
    g->opened = bitset_count_and(&base, &job->opened);
    g->clicked = bitset_count_and(&base, &job->clicked);
    bitset_free(&base);
    return SEGRT_OK;
}

static int measure_segment(plan_ctx *cx, build_job *job, size_t i, const bitset *members)
{
    segrt_report *r = job->r;
    report_segment *g = &r->seg[i];
    g->size = bitset_count(members);
    if (g->size < r->opts.min_size)
        g->flags |= REPORT_SMALL;
    if (r->contacts && (double)g->size > r->opts.max_share * (double)r->contacts)
        g->flags |= REPORT_BROAD;
    int rc = segment_value(cx, job->value, members, &g->value);
    g->value_per_member = report_average(g->value, g->size);
    if (rc == SEGRT_OK)
        rc = email(cx, job, g, members);
    if (rc == SEGRT_OK && g->nruns)
        rc = conversion(cx, job, g, &job->stored[i]);
    return rc;
}

/* The exclusive group of segment i, when it is in one: into g->group and r's groups. */
static int find_group(plan_ctx *cx, segrt_report *r, size_t i)
{
    const char *name = tree_get_string(catalog_segment(cx->cat, r->seg[i].name), "group");
    if (name == NULL)
        return SEGRT_OK;
    size_t k = 0;
    while (k < r->ngroups && strcmp(r->groups[k].name, name) != 0)
        k++;
    if (k == r->ngroups) {
        report_group *more = realloc(r->groups, (k + 1) * sizeof *more);
        if (more == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
        r->groups = more;
        more[k] = (report_group){ .name = strdup(name), .seg = calloc(r->nseg, sizeof *more[k].seg) };
        r->ngroups++;
        if (more[k].name == NULL || more[k].seg == NULL)
            return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    report_group *g = &r->groups[k];
    g->seg[g->nseg++] = i;
    g->members += r->seg[i].size; /* the group's segments are disjoint */
    if ((r->seg[i].group = strdup(name)) == NULL)
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    return SEGRT_OK;
}

/* The overlap matrix of the segments in no exclusive group (a group's own is empty). */
static int overlaps(plan_ctx *cx, segrt_report *r, const bitset **sets)
{
    r->ov = calloc(r->nseg ? r->nseg : 1, sizeof *r->ov);
    const bitset **ov_sets = calloc(r->nseg ? r->nseg : 1, sizeof *ov_sets);
    int rc = SEGRT_OK;
    if (r->ov && ov_sets) {
        for (size_t i = 0; i < r->nseg; i++) {
            if (r->seg[i].group == NULL) {
                ov_sets[r->nov] = sets[i];
                r->ov[r->nov++] = i;
            }
        }
        r->overlap = calloc(r->nov ? r->nov * r->nov : 1, sizeof *r->overlap);
    }
    if (r->ov == NULL || ov_sets == NULL || r->overlap == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    else
        overlap_matrix(r->nov, ov_sets, r->overlap);
    free(ov_sets);
    return rc;
}

static int measure(plan_ctx *cx, void *ud)
{
    build_job *job = ud;
    segrt_report *r = job->r;
    r->contacts = bitset_count(cx->live);
    window email_w = { cx->now - (int64_t)r->opts.email_days * DAY, cx->now };
    const bitset **sets = calloc(r->nseg ? r->nseg : 1, sizeof *sets);
    int rc = sets ? purchase_values(cx, &job->value) : store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK && r->has_email)
        rc = events_in(cx, "email_open", email_w, &job->opened);
    if (rc == SEGRT_OK && r->has_email)
        rc = events_in(cx, "email_click", email_w, &job->clicked);
    if (rc == SEGRT_OK && r->email_of_sent)
        rc = events_in(cx, "email_sent", email_w, &job->sent);
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++) {
        rc = script_segment_bits(cx, r->seg[i].name, &sets[i]);
        if (rc == SEGRT_OK)
            rc = measure_segment(cx, job, i, sets[i]);
        if (rc == SEGRT_OK)
            rc = find_group(cx, r, i);
    }
    if (rc == SEGRT_OK)
        rc = overlaps(cx, r, sets);
    if (rc == SEGRT_OK)
        rc = report_reach_build(cx, r, sets);
    if (rc == SEGRT_OK)
        rc = report_verdict_build(cx, r);
    for (size_t i = 0; rc == SEGRT_OK && r->opts.profiles && i < r->nseg; i++)
        rc = profile_build_in(cx, r->seg[i].name, NULL, &r->seg[i].profile);
    if (rc == SEGRT_OK)
        rc = report_rfm_build(cx, r);
    if (rc == SEGRT_OK)
        rc = report_growth_build(cx, r);
    free(sets);
    return rc;
}

/* ------------------------------------------------------------ the report */

static int check_opts(segrt_store *s, const segrt_report_opts *o)
{
    if (o->conversion_event && o->conversion_event[0] == '\0')
        return store_fail(s, SEGRT_EINVAL, "report: an empty conversion event type");
    if (o->within_days == 0 || o->within_days > MAX_DAYS)
        return store_fail(s, SEGRT_EINVAL, "report: a conversion window of %" PRIu32 " days; "
                          "give 1 to %d", o->within_days, MAX_DAYS);
    if (o->email_days == 0 || o->email_days > MAX_DAYS)
        return store_fail(s, SEGRT_EINVAL, "report: an email window of %" PRIu32 " days; "
                          "give 1 to %d", o->email_days, MAX_DAYS);
    if (!(o->min_filled >= 0 && o->min_filled <= 1) || !(o->min_reach >= 0 && o->min_reach <= 1))
        return store_fail(s, SEGRT_EINVAL, "report: a share of %g filled or %g reachable; give "
                          "0 to 1", o->min_filled, o->min_reach);
    if (o->growth_field && o->growth_field[0] == '\0')
        return store_fail(s, SEGRT_EINVAL, "report: an empty growth field name");
    if (o->currency && strlen(o->currency) > REPORT_CURRENCY_MAX)
        return store_fail(s, SEGRT_EINVAL, "report: a currency of %zu bytes; give at most %d, "
                          "e.g. lei or RON", strlen(o->currency), REPORT_CURRENCY_MAX);
    if (report_locale_find(o->locale) == NULL)
        return store_fail(s, SEGRT_EINVAL, "report: no locale '%s'; give en, ro, pl or bg",
                          o->locale);
    if (!(o->max_share > 0 && o->max_share <= 1))
        return store_fail(s, SEGRT_EINVAL, "report: a largest share of %g; give more than 0 "
                          "and at most 1", o->max_share);
    return SEGRT_OK;
}

/* The report's own copies of what it names; 0, or -1 when out of memory. */
static int copy_names(segrt_script *sc, segrt_report *r, const char *title)
{
    r->nseg = segrt_script_segment_count(sc);
    r->seg = calloc(r->nseg ? r->nseg : 1, sizeof *r->seg);
    r->script = strdup(title ? title : "script");
    r->conversion = strdup(r->opts.conversion_event ? r->opts.conversion_event : "purchase");
    r->locale = report_locale_find(r->opts.locale);
    r->currency = strdup(r->opts.currency ? r->opts.currency : r->locale->currency);
    r->growth_field = strdup(r->opts.growth_field ? r->opts.growth_field : "created_at");
    if (r->seg == NULL || r->script == NULL || r->conversion == NULL || r->currency == NULL ||
        r->growth_field == NULL)
        return -1;
    if (r->opts.growth_field)
        r->opts.growth_field = r->growth_field;
    r->opts.locale = r->opts.locale ? r->locale->name : NULL;
    r->opts.currency = r->currency;
    if (r->opts.conversion_event)
        r->opts.conversion_event = r->conversion;
    for (size_t i = 0; i < r->nseg; i++) {
        report_segment *g = &r->seg[i];
        const char *purpose = segrt_script_segment_purpose(sc, i);
        g->name = strdup(segrt_script_segment_name(sc, i));
        g->description = strdup(segrt_script_segment_description(sc, i));
        g->purpose = purpose && *purpose ? strdup(purpose) : NULL;
        if (g->name == NULL || g->description == NULL || (purpose && *purpose && !g->purpose))
            return -1;
    }
    return 0;
}

int segrt_report_build(segrt_script *sc, const segrt_report_opts *opts, const char *title,
                       segrt_report **out)
{
    if (out)
        *out = NULL;
    if (sc == NULL || out == NULL)
        return SEGRT_EINVAL;
    segrt_store *s = script_store(sc);
    segrt_report_opts o;
    if (opts)
        o = *opts;
    else
        segrt_report_defaults(&o);
    int rc = check_opts(s, &o);
    if (rc != SEGRT_OK)
        return rc;
    segrt_report *r = calloc(1, sizeof *r);
    build_job job = { .r = r };
    bitset *stored = NULL;
    if (r == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    r->opts = o;
    r->now = segrt_store_now(s);
    if (copy_names(sc, r, title) != 0 ||
        (stored = calloc(r->nseg ? r->nseg : 1, sizeof *stored)) == NULL)
        rc = store_fail(s, SEGRT_ENOMEM, "out of memory");
    if (rc == SEGRT_OK)
        rc = check_types(s, r);
    for (size_t i = 0; rc == SEGRT_OK && i < r->nseg; i++)
        rc = load_runs(s, &r->seg[i], &stored[i]);
    if (rc == SEGRT_OK)
        rc = report_verdict_fields(sc, r);
    job.stored = stored;
    if (rc == SEGRT_OK)
        rc = script_session(sc, measure, &job);
    for (size_t i = 0; stored && i < r->nseg; i++)
        bitset_free(&stored[i]);
    free(stored);
    free(job.value);
    bitset_free(&job.opened);
    bitset_free(&job.clicked);
    bitset_free(&job.sent);
    bitset_free(&job.converted);
    if (rc != SEGRT_OK) {
        segrt_report_free(r);
        return rc;
    }
    *out = r;
    return SEGRT_OK;
}

void segrt_report_free(segrt_report *r)
{
    if (r == NULL)
        return;
    report_reach_free(r);
    report_verdict_free(r);
    for (size_t i = 0; r->seg && i < r->nseg; i++) {
        free(r->seg[i].name);
        free(r->seg[i].description);
        free(r->seg[i].purpose);
        free(r->seg[i].runs);
        free(r->seg[i].group);
        segrt_profile_free(r->seg[i].profile);
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        free(r->groups[i].name);
        free(r->groups[i].seg);
    }
    free(r->groups);
    free(r->seg);
    free(r->ov);
    free(r->overlap);
    report_rfm_free(r);
    report_growth_free(r);
    free(r->growth_field);
    free(r->script);
    free(r->conversion);
    free(r->currency);
    free(r);
}
