/*
 * profile.h — the segment profile (segrt_profile_build): the numbers
 * profile.c computes once, in one evaluation session (fields in
 * profile_fields.c, purchases and events in profile_events.c, reach per
 * channel in profile_reach.c), which profile_text.c, profile_json.c and profile_html.c
 * render. Definitions of every number are in include/segrt/profile.h.
 *
 * Money is in micro-units (value.h) throughout; renderers format it with
 * report_money().
 */
#ifndef SEGRT_PROFILE_H
#define SEGRT_PROFILE_H

#include "plan/plan.h"
#include "segrt.h"

#include <stdint.h>
#include <stdio.h>

/* One row of a table: a value, a bin, a category or an event type. */
typedef struct profile_row {
    char *label;
    uint64_t seg, base;           /* contacts (fields) or events (purchases, event mix) */
    int64_t seg_value, base_value; /* purchases: the sum of the amounts */
} profile_row;

typedef struct profile_rows {
    profile_row *v;
    size_t n, cap;
} profile_rows;

typedef struct profile_field {
    char *name;
    segrt_type type;
    int binned;                   /* rows are quintile bins (numbers, dates, timestamps) */
    profile_rows rows;
} profile_field;

typedef struct profile_reach {
    char *purpose;
    uint64_t reached;             /* members passing its consent check at NOW */
} profile_reach;

struct segrt_profile {
    char *segment;
    int64_t now;
    uint64_t size, base;          /* members and live contacts at NOW */
    segrt_profile_opts opts;      /* opts.fields is not kept */
    profile_field *fields;
    size_t nfields;
    profile_row purchases;        /* totals: seg, base, seg_value, base_value */
    profile_rows by_count, by_value; /* the top categories */
    profile_row events;           /* totals: seg, base */
    profile_rows types;           /* per event type, by name */
    profile_reach *reach;
    size_t nreach;
};

/*
 * segrt_profile_build inside a session the caller runs (script_session), so
 * that the report profiles its segments in its own snapshot: the profile
 * of segment at cx->now into *out (NULL on failure; segrt_profile_free).
 */
int profile_build_in(plan_ctx *cx, const char *segment, const segrt_profile_opts *opts,
                     segrt_profile **out);
/* The profile's field distributions inside a session (profile_fields.c). */
int profile_fields_build(plan_ctx *cx, segrt_profile *p, const bitset *members);
/* Its purchase categories and event mix inside a session (profile_events.c). */
int profile_events_build(plan_ctx *cx, segrt_profile *p, const bitset *members);
/* The members each channel reaches, inside a session (profile_reach.c). */
int profile_reach_build(plan_ctx *cx, segrt_profile *p, const bitset *members);

/* Append a row (label copied); 0, or -1 when out of memory. */
int profile_rows_add(profile_rows *r, const char *label, uint64_t seg, uint64_t base);
void profile_rows_free(profile_rows *r);
/* Counts summed into "(other)": rows left out, and values never made rows. */
typedef struct profile_fold {
    uint64_t seg, base;
    int any;
} profile_fold;
/*
 * Order r by seg, then base (descending), then label (bytes), keep the
 * first max rows of at least min_base base contacts and add the others to
 * fold (which may hold values left out before); then one "(other)" row of
 * fold when it holds any. 0, or -1 when out of memory.
 */
int profile_rows_top(profile_rows *r, uint32_t max, uint64_t min_base, profile_fold *fold);

/* a / b in hundredths of a percent, rounded half up; -1 when b is 0. */
int64_t profile_share(uint64_t a, uint64_t b);
/* (a / an) / (b / bn) x 100 rounded half up; -1 when b or an is 0. */
int64_t profile_index(uint64_t a, uint64_t an, uint64_t b, uint64_t bn);
/* A share as "12.34%" or "-", an index as "123" or "-". */
void profile_share_text(int64_t share, char out[24]);
void profile_index_text(int64_t index, char out[24]);

/* A profile's writer (text, JSON, HTML): 0, or -1 when out of memory. */
typedef int (*profile_write_fn)(FILE *f, const segrt_profile *p);
/* Render p through write into a malloc'd string *out. */
int profile_render(const segrt_profile *p, profile_write_fn write, char **out);
int profile_text_write(FILE *f, const segrt_profile *p);
int profile_json_write(FILE *f, const segrt_profile *p);
/* The HTML fragment <section class="profile" data-segment="NAME">, for the report too. */
int profile_html_write(FILE *f, const segrt_profile *p);

#endif
