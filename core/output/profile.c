/*
 * profile.c — segrt_profile_build (profile.h), and profile_build_in for a
 * caller already in an evaluation session (the report): the fields to
 * profile checked and named, then in the session at NOW the segment's
 * members, the live contacts as the base, the field distributions
 * (profile_fields.c), purchases and the event mix (profile_events.c), and
 * per channel the members it reaches (profile_reach.c); the
 * shares and indexes the renderers print, and rendering into a string.
 *
 * Uses: schema.h, lua/script.h, suggest.h.
 */
#include "output/profile.h"

#include "store/schema.h"
#include "lua/script.h"
#include "util/suggest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 1000 /* values or categories shown: more is no profile */

void segrt_profile_defaults(segrt_profile_opts *opts)
{
    *opts = (segrt_profile_opts){ .fields = NULL, .nfields = 0, .max_values = 10,
                                  .top_categories = 10, .min_base = 5 };
}

/* ------------------------------------------------------------ numbers */

int64_t profile_share(uint64_t a, uint64_t b)
{
    if (b == 0)
        return -1;
    unsigned __int128 num = (unsigned __int128)a * 10000;
    return (int64_t)((2 * num + b) / (2 * (unsigned __int128)b));
}

int64_t profile_index(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    if (b == 0 || an == 0)
        return -1;
    unsigned __int128 num = (unsigned __int128)a * bn * 100, den = (unsigned __int128)an * b;
    return (int64_t)((2 * num + den) / (2 * den));
}

void profile_share_text(int64_t share, char out[24])
{
    if (share < 0)
        snprintf(out, 24, "-");
    else
        snprintf(out, 24, "%" PRId64 ".%02" PRId64 "%%", share / 100, share % 100);
}

void profile_index_text(int64_t index, char out[24])
{
    if (index < 0)
        snprintf(out, 24, "-");
    else
        snprintf(out, 24, "%" PRId64, index);
}

int profile_render(const segrt_profile *p, profile_write_fn write, char **out)
{
    if (out)
        *out = NULL;
    if (p == NULL || out == NULL)
        return SEGRT_EINVAL;
    size_t len;
    FILE *f = open_memstream(out, &len);
    if (f == NULL)
        return SEGRT_ENOMEM;
    int rc = write(f, p);
    if (fclose(f) != 0 || rc != 0) {
        free(*out);
        *out = NULL;
        return SEGRT_ENOMEM;
    }
    return SEGRT_OK;
}

int segrt_profile_text(const segrt_profile *p, char **text)
{
    return profile_render(p, profile_text_write, text);
}

int segrt_profile_json(const segrt_profile *p, char **json)
{
    return profile_render(p, profile_json_write, json);
}

int segrt_profile_html(const segrt_profile *p, char **html)
{
    return profile_render(p, profile_html_write, html);
}

/* ------------------------------------------------------------ the fields */

/* The field name closest to want, or NULL. */
static const char *closest_field(const struct schema *sc, const char *want)
{
    const char **names = calloc(sc->n ? sc->n : 1, sizeof *names);
    const char *near = NULL;
    for (size_t i = 0; names && i < sc->n; i++)
        names[i] = sc->fields[i].name;
    if (names)
        near = suggest_closest(want, names, sc->n);
    free(names);
    return near;
}

static int add_field(segrt_profile *p, const field_def *d)
{
    profile_field *f = &p->fields[p->nfields];
    if ((f->name = strdup(d->name)) == NULL)
        return -1;
    f->type = d->type;
    p->nfields++;
    return 0;
}

/* The fields asked for (each known, none a special category), or every ordinary one. */
static int pick_fields(segrt_script *sc, segrt_profile *p, const segrt_profile_opts *o)
{
    segrt_store *s = script_store(sc);
    const struct schema *schema = s->schema;
    size_t n = o->fields ? o->nfields : schema->n;
    if ((p->fields = calloc(n ? n : 1, sizeof *p->fields)) == NULL)
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; o->fields && i < o->nfields; i++) {
        const char *name = o->fields[i];
        const field_def *d = name ? schema_find(schema, name, strlen(name)) : NULL;
        const char *near = d ? NULL : name ? closest_field(schema, name) : NULL;
        if (d == NULL)
            return store_fail(s, SEGRT_ENOTFOUND, "unknown field '%s'%s%s%s",
                              name ? name : "", near ? " (did you mean '" : "", near ? near : "",
                              near ? "'?)" : "");
        const char *category = segrt_script_sensitive(sc, name);
        if (category)
            return store_fail(s, SEGRT_EINVAL, "field '%s' holds a special category of "
                              "personal data (%s, Art. 9); profiles leave it out", name, category);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(o->fields[j], name) == 0)
                return store_fail(s, SEGRT_EINVAL, "field '%s' is named twice", name);
        }
        if (add_field(p, d) != 0)
            return store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !o->fields && i < schema->n; i++) {
        if (!segrt_script_sensitive(sc, schema->fields[i].name) && add_field(p, &schema->fields[i]))
            return store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    return SEGRT_OK;
}

static int check_opts(segrt_store *s, const segrt_profile_opts *o)
{
    if (o->max_values == 0 || o->max_values > MAX_ROWS)
        return store_fail(s, SEGRT_EINVAL, "profile: %" PRIu32 " values per field; give 1 to %d",
                          o->max_values, MAX_ROWS);
    if (o->top_categories == 0 || o->top_categories > MAX_ROWS)
        return store_fail(s, SEGRT_EINVAL, "profile: %" PRIu32 " top categories; give 1 to %d",
                          o->top_categories, MAX_ROWS);
    if (o->fields && o->nfields == 0)
        return store_fail(s, SEGRT_EINVAL, "profile: an empty list of fields");
    return SEGRT_OK;
}

/* ------------------------------------------------------------ the session */

static int measure(plan_ctx *cx, segrt_profile *p)
{
    const bitset *members;
    int rc = script_segment_bits(cx, p->segment, &members);
    if (rc == SEGRT_OK && members->nbits != cx->ncontacts)
        rc = store_fail(cx->s, SEGRT_ECORRUPT, "profile: the segment has %" PRIu32 " ordinals, "
                        "the store %" PRIu32, members->nbits, cx->ncontacts);
    if (rc != SEGRT_OK)
        return rc;
    p->size = bitset_count(members);
    p->base = bitset_count(cx->live);
    rc = profile_fields_build(cx, p, members);
    if (rc == SEGRT_OK)
        rc = profile_events_build(cx, p, members);
    if (rc == SEGRT_OK)
        rc = profile_reach_build(cx, p, members);
    return rc;
}

int profile_build_in(plan_ctx *cx, const char *segment, const segrt_profile_opts *opts,
                     segrt_profile **out)
{
    *out = NULL;
    segrt_profile_opts o;
    if (opts)
        o = *opts;
    else
        segrt_profile_defaults(&o);
    int rc = check_opts(cx->s, &o);
    if (rc != SEGRT_OK)
        return rc;
    segrt_profile *p = calloc(1, sizeof *p);
    if (p == NULL || (p->segment = strdup(segment)) == NULL) {
        free(p);
        return store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    }
    p->opts = o;
    p->opts.fields = NULL;
    p->now = cx->now;
    rc = pick_fields(script_of(cx), p, &o);
    if (rc == SEGRT_OK)
        rc = measure(cx, p);
    if (rc != SEGRT_OK) {
        segrt_profile_free(p);
        return rc;
    }
    *out = p;
    return SEGRT_OK;
}

typedef struct build_job {
    const char *segment;
    const segrt_profile_opts *opts;
    segrt_profile *out;
} build_job;

static int build_in_session(plan_ctx *cx, void *ud)
{
    build_job *job = ud;
    return profile_build_in(cx, job->segment, job->opts, &job->out);
}

int segrt_profile_build(segrt_script *sc, const char *segment, const segrt_profile_opts *opts,
                        segrt_profile **out)
{
    if (out)
        *out = NULL;
    if (sc == NULL || segment == NULL || out == NULL)
        return SEGRT_EINVAL;
    build_job job = { segment, opts, NULL };
    int rc = script_session(sc, build_in_session, &job);
    if (rc != SEGRT_OK) {
        segrt_profile_free(job.out);
        return rc;
    }
    *out = job.out;
    return SEGRT_OK;
}

void segrt_profile_free(segrt_profile *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; p->fields && i < p->nfields; i++) {
        free(p->fields[i].name);
        profile_rows_free(&p->fields[i].rows);
    }
    free(p->fields);
    profile_rows_free(&p->by_count);
    profile_rows_free(&p->by_value);
    profile_rows_free(&p->types);
    for (size_t i = 0; i < p->nreach; i++)
        free(p->reach[i].purpose);
    free(p->reach);
    free(p->segment);
    free(p);
}
