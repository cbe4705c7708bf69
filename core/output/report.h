/*
 * report.h — the segment report (segrt_report_build): the numbers report.c
 * computes once, which report_text.c and report_html.c render. Definitions
 * of every number are in include/segrt.h at segrt_report_build().
 *
 * Money is in micro-units (value.h) throughout; renderers format it with
 * report_money().
 */
#ifndef SEGRT_REPORT_H
#define SEGRT_REPORT_H

#include "output/channels.h"
#include "privacy/consent_check.h"
#include "store/membership.h"
#include "segrt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    REPORT_SMALL = 1 << 0, REPORT_BROAD = 1 << 1,
    /* the verdicts (report_verdict.c) */
    REPORT_MEASURABLE = 1 << 2, REPORT_ACCESSIBLE = 1 << 3, REPORT_SUBSTANTIAL = 1 << 4,
};

/* Cells of an RFM grid: scores 1..5. */
#define REPORT_RFM_N 5

typedef struct report_segment {
    char *name, *description, *purpose; /* purpose NULL when none */
    uint64_t size;                      /* members at NOW */
    membership_row *runs;               /* stored runs, oldest first */
    size_t nruns, runs_cap;
    int64_t value;                      /* sum of the members' purchase amounts */
    int64_t value_per_member;           /* value / size, rounded to the cent */
    /* conversion, when nruns > 0: of conv_base members of the last run,
     * conv_hits had a conversion event in (conv_from, conv_to] */
    uint64_t conv_base, conv_hits;
    int64_t conv_from, conv_to;
    uint64_t email_base, opened, clicked;
    unsigned flags;                     /* REPORT_SMALL, REPORT_BROAD, the verdicts */
    char *group;                        /* its exclusive group (seg.exclusive), or NULL */
    uint64_t (*why)[CW_N];              /* per channel: members by consent_why ([CW_PASS]:
                                           reachable) */
    long channel;                       /* its purpose's channel, else its best; -1 none */
    uint64_t reachable;                 /* members passing that channel's check */
    char **fields;                      /* the contact fields its rule reads */
    size_t nfields, fields_cap;
    const char *weak_field;             /* the least filled of them (in fields), or NULL */
    uint64_t weak_filled;               /* live contacts with a value of it */
    segrt_profile *profile;             /* with opts.profiles: its profile (profile.h) */
} report_segment;

/* A message template of the script, whose recipients are the members passing its purpose. */
typedef struct report_template {
    char *name, *purpose;
} report_template;

/* An exclusive group: its segments partition part of the contacts. */
typedef struct report_group {
    char *name;
    size_t *seg, nseg;                  /* its segments (indexes into seg), in rank order */
    uint64_t members;                   /* contacts in one of them */
} report_group;

typedef struct report_rfm {
    char *model;                                    /* the model's name ("rfm") */
    char *r_score, *f_score;                        /* its R and F scores ("rfm.R") */
    uint64_t n[REPORT_RFM_N][REPORT_RFM_N];         /* contacts, [R - 1][F - 1] */
    int64_t money[REPORT_RFM_N][REPORT_RFM_N];      /* sum of their monetary values */
    int has_money;                                  /* the model declares `monetary` */
    char **groups;                                  /* its segments' names (seg.model { segments }),
                                                       without the "model." prefix */
    size_t ngroups;
    int group[REPORT_RFM_N][REPORT_RFM_N];          /* the group most of a cell is in; -1 none */
    uint64_t scored;                                /* contacts in the grid */
} report_rfm;

/* How a locale writes money (report_locale.c). */
typedef struct report_locale {
    const char *name;      /* "en", "ro", "pl", "bg"; "plain" without a locale */
    const char *group;     /* between groups of three digits */
    const char *decimal;   /* the decimal mark */
    const char *currency;  /* the default currency */
    int currency_first;    /* "€12.50" rather than "12,50 lei" */
} report_locale;

#define REPORT_MONEY_LEN 64
#define REPORT_CURRENCY_MAX 16 /* bytes of a currency's name or sign */

/* The growth of the base (report_growth.c): live contacts joined by the end of each bucket. */
#define REPORT_GROWTH_MAX 120  /* months; yearly buckets past this */
typedef struct report_growth {
    int by_field;         /* joined = the growth field where a contact has it; else first event */
    int yearly;           /* buckets are years, else months */
    size_t n;
    int64_t *start;       /* each bucket's first second */
    uint64_t *joined;     /* live contacts joined by the bucket's end (cumulative) */
    uint64_t unknown;     /* live contacts with no growth field value and no event */
    uint64_t later;       /* ... who joined after NOW */
} report_growth;

struct segrt_report {
    char *script;                 /* as loaded (a path or a pack name) */
    int64_t now;
    uint64_t contacts;            /* live contacts at NOW */
    segrt_report_opts opts;       /* opts.conversion_event, when given, points to conversion */
    char *conversion;             /* the conversion event type */
    const report_locale *locale;  /* how money is written */
    char *currency;               /* the currency written with it ("" for none) */
    int has_conversion;           /* the store has events of that type */
    int has_email;                /* the store has email_open or email_click events */
    int email_of_sent;            /* ... and email_sent: rates are of members sent an email */
    size_t nseg;
    report_segment *seg;
    size_t nov, *ov;              /* the segments in no exclusive group (indexes into seg) */
    uint64_t *overlap;            /* their nov x nov overlap matrix (overlap.h) */
    size_t ngroups;
    report_group *groups;         /* exclusive groups, each drawn as one partition bar */
    size_t nrfm, rfm_cap;
    report_rfm *rfm;
    char *growth_field;           /* the field a contact joined at ("created_at") */
    channel_list channels;        /* consent purposes a contact is reached through (channels.h) */
    report_template *templates;   /* in definition order */
    size_t ntemplates;
    report_growth growth;
};

static inline int report_max(int a, int b)
{
    return a > b ? a : b;
}

/* Money (micro-units) as a decimal with at least two fractional digits: "-12.50". */
void report_money(int64_t micros, char out[32]);
/* The locale named name (NULL: none, the plain exact decimal), or NULL when there is none such. */
const report_locale *report_locale_find(const char *name);
/* Money as r's locale writes it, with its currency: "3.600.178,26 lei". */
void report_money_local(const segrt_report *r, int64_t micros, char out[REPORT_MONEY_LEN]);
/* total / n (micro-units) rounded half away from zero to the cent; 0 when n is 0. */
int64_t report_average(int64_t total, uint64_t n);
/* a / b as a percentage with two decimals ("12.34%"), or "-" when b is 0. */
void report_percent(uint64_t a, uint64_t b, char out[16]);
/* Days of the conversion window that have passed at NOW (<= within_days). */
uint32_t report_conv_days(const segrt_report *r, const report_segment *g);
/* When g's conversion window closes: its last run plus within_days. */
int64_t report_conv_closes(const segrt_report *r, const report_segment *g);

/* A report's writer (text, HTML): 0, or -1 when out of memory. */
typedef int (*report_write_fn)(FILE *f, const segrt_report *r);
/* Render r through write into a malloc'd string *out. */
int report_render(const segrt_report *r, report_write_fn write, char **out);

/* The RFM grids of the models of kind "rfm" of the script, inside a session (report_rfm.c). */
struct plan_ctx;
struct projection;
/* Called for event i of projection part p (its ordinal is a contact's): SEGRT_OK to go on. */
typedef int (*report_event_fn)(struct plan_ctx *cx, void *ud, const struct projection *p, size_t i);
/* Call fn for every event of type name, inside the report's session (none without such a type). */
int report_events_foreach(struct plan_ctx *cx, const char *name, report_event_fn fn, void *ud);
int report_rfm_build(struct plan_ctx *cx, segrt_report *r);
void report_rfm_free(segrt_report *r);
/* The channels and templates, and per segment its members by channel and reason (report_reach.c). */
int report_reach_build(struct plan_ctx *cx, segrt_report *r, const bitset *const *sets);
void report_reach_free(segrt_report *r);
/* The fields each segment's rule reads, before the session (report_verdict.c). */
int report_verdict_fields(segrt_script *sc, segrt_report *r);
/* The verdicts, in the session, after report_reach_build. */
int report_verdict_build(struct plan_ctx *cx, segrt_report *r);
void report_verdict_free(segrt_report *r);
/* Why g is or is not REPORT_MEASURABLE, REPORT_ACCESSIBLE or REPORT_SUBSTANTIAL, in a phrase. */
void report_verdict_text(const segrt_report *r, const report_segment *g, unsigned which,
                         char *out, size_t n);
/* The growth of the base, inside the report's session (report_growth.c). */
int report_growth_build(struct plan_ctx *cx, segrt_report *r);
void report_growth_free(segrt_report *r);

#endif
