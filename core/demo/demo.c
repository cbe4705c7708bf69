/*
 * demo.c — segrt_demo_write(): a deterministic synthetic CRM data set for
 * `segrt demo` and the tests, written as contacts.csv, events.csv and
 * consents.csv with the columns and value formats of the bench generator
 * (shared/bench/gen_crm.py), LF line ends.
 *
 * Every draw comes from three xoshiro256** streams (contacts, events,
 * consents) seeded through splitmix64 from the caller's seed, so a seed
 * gives byte-identical files. No field ever holds a comma, quote or
 * newline, so nothing needs quoting.
 *
 * Uses: demo_data.h (regions, names), rng.h (random numbers), value.h (date and time formatting),
 * libm (distributions).
 */
#include "segrt.h"

#include "demo/demo_data.h"
#include "util/rng.h"
#include "util/value.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define DAY 86400
#define SPAN_DAYS 1096                      /* "three years": 365 + 366 + 365 days */
#define MAX_CONTACTS 9999999u               /* ids are "c" + 7 digits */
#define NOW_MIN ((int64_t)SPAN_DAYS * DAY)  /* every timestamp after 1970 */
#define NOW_MAX INT64_C(253000000000)       /* year 9987: expiry dates keep 4-digit years */
#define SINK_BUF (1u << 20)

/* Events per contact: none for EV_P0 of them, else lognormal (heavy tail). */
#define EV_MEAN 10.0
#define EV_P0 0.12
#define EV_SIGMA 1.1
#define EV_MAX 2000
#define VIP_EXTRA 3     /* big purchases added to a VIP's timeline, at most */

#define P_GYM 0.14      /* gym members: the only ones with classes and card scans */
#define P_VIP 0.015     /* showcase high spenders: over 5000 in total, one recent */

/* ------------------------------------------------------------ random numbers (rng.h) */

/* Uniform in [lo, hi]. */
static int64_t between(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

static bool chance(rng *r, double p)
{
    return rng_uniform(r) < p;
}

static double lognormal(rng *r, double mu, double sigma)
{
    return exp(mu + sigma * rng_normal(r));
}

/* Index drawn with the given weights. */
static size_t pick(rng *r, const double *w, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    double x = rng_uniform(r) * total;
    for (size_t i = 0; i + 1 < n; i++) {
        x -= w[i];
        if (x < 0)
            return i;
    }
    return n - 1;
}

/* ------------------------------------------------------------ vocabularies */

static const char *const contact_hdr =
    "id,email,first_name,last_name,gender,birth_date,marital_status,education,"
    "occupation,income,country,region,city,urban,lat,lon,language,status,loss_reason,"
    "last_contacted_at,plan,company_size,industry,interests,tags,created_at\n";
static const char *const event_hdr = "contact_id,ts,type,amount,category,channel\n";
static const char *const consent_hdr =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n";

static const double country_w[DEMO_NCOUNTRIES] = { 42, 40, 18 };
static const char *const genders[] = { "f", "m", "x" };
static const double gender_w[] = { 49, 49, 2 };
static const char *const email_seps[] = { ".", ".", "_", "" };

static const char *const educations[] = { "primary", "secondary", "bachelor", "master", "phd" };
static const double education_w[] = { 8, 40, 30, 18, 4 };
static const double education_income[] = { 0.7, 0.9, 1.15, 1.35, 1.5 };
static const char *const occupations[] = { "it_specialist", "engineer", "teacher", "healthcare",
                                           "sales", "manager", "administrative",
                                           "self_employed", "skilled_trades" };
static const double occupation_w[] = { 12, 10, 9, 10, 14, 8, 12, 10, 15 };

static const char *const statuses[] = { "lead", "opportunity", "customer", "lost" };
static const double status_w[] = { 40, 15, 30, 15 };
static const char *const loss_reasons[] = { "price_too_high", "no_budget", "competitor",
                                            "no_response" };
static const double loss_w[] = { 35, 25, 20, 20 };
static const char *const plans[] = { "none", "trial", "basic", "pro" };
static const double plan_w[] = { 45, 10, 27, 18 };
static const char *const industries[] = { "retail", "horeca", "it_services", "manufacturing",
                                          "healthcare", "education", "finance", "logistics",
                                          "fitness", "agriculture" };

enum { INTEREST_YOGA = 2, INTEREST_FITNESS = 10 };
static const char *const interests[] = { "hiking", "spa", "yoga", "coffee", "tech", "fashion",
                                         "travel", "vegan", "vegetarian", "gaming", "fitness",
                                         "books", "music", "cooking", "cinema" };
static const double ninterests_w[] = { 15, 20, 25, 20, 12, 8 };
/* The last tag marks the showcase high spenders and is never drawn at random. */
static const char *const tags[] = { "newsletter", "webinar_2024", "black_friday_2024",
                                    "black_friday_2025", "referral", "beta_tester",
                                    "event_attendee", "partner", "support_ticket", "vip" };
enum { TAG_VIP = N(tags) - 1 };
static const double ntags_w[] = { 45, 35, 15, 5 };

enum { EV_PURCHASE, EV_EMAIL_OPEN, EV_EMAIL_CLICK, EV_PAGE_VIEW, EV_LOGIN, EV_CLASS,
       EV_CARD_SCAN, EV_NTYPES };
static const char *const event_types[EV_NTYPES] = {
    "purchase", "email_open", "email_click", "page_view", "login", "class_attended",
    "card_scan" };

static const char *const categories[] = { "coffee_beans", "ground_coffee", "grinder",
                                          "espresso_machine", "accessories", "apparel",
                                          "electronics", "books", "subscription" };
static const double category_w_coffee[] = { 25, 15, 5, 4, 15, 10, 8, 10, 8 };
static const double category_w_other[] = { 0, 0, 5, 4, 15, 10, 8, 10, 8 };
static const double category_median[] = { 18, 12, 80, 450, 25, 40, 250, 20, 30 };
static const double category_sigma[] = { 0.5, 0.4, 0.8, 0.9, 0.7, 0.6, 1.0, 0.4, 0.3 };
static const char *const bulk_categories[] = { "coffee_beans", "espresso_machine",
                                               "electronics", "grinder" };
static const char *const pages[] = { "pricing", "blog", "product", "checkout", "home" };
static const double page_w[] = { 15, 25, 35, 8, 17 };
static const char *const classes[] = { "yoga", "pilates", "spinning", "crossfit" };

typedef struct purpose {
    const char *name;
    double p_has, p_granted; /* has any record; the first record grants */
    const char *bases[3];
    double basis_w[3];
} purpose;

static const purpose purposes[] = {
    { "email_marketing", 0.85, 0.65, { "consent", "legitimate_interest", "" }, { 95, 5, 0 } },
    { "sms_marketing", 0.50, 0.35, { "consent", "legitimate_interest", "" }, { 95, 5, 0 } },
    { "profiling", 0.60, 0.45, { "consent", "legitimate_interest", "" }, { 70, 30, 0 } },
    { "personalization", 0.70, 0.60, { "consent", "contract", "legitimate_interest" },
      { 50, 40, 10 } },
};
static const char *const sources[] = { "web_form", "import", "sales_call" };
static const double source_w[] = { 60, 25, 15 };

/* ------------------------------------------------------------ output rows */

/* One output file; err keeps the errno of its first failure. */
typedef struct sink {
    const char *name;
    FILE *f;
    char *buf;
    int err;
} sink;

static void sink_put(sink *k, const char *p, size_t n)
{
    if (k->err == 0 && fwrite(p, 1, n, k->f) != n)
        k->err = errno != 0 ? errno : EIO;
}

/* A CSV row being built; rows are far shorter than the buffer. */
typedef struct row {
    char b[1024];
    size_t n;
    unsigned cells;
} row;

static void cell_n(row *w, const char *s, size_t n)
{
    if (w->cells > 0 && w->n < sizeof w->b - 2)
        w->b[w->n++] = ',';
    w->cells++;
    if (n > sizeof w->b - 2 - w->n)
        n = sizeof w->b - 2 - w->n;
    memcpy(w->b + w->n, s, n);
    w->n += n;
}

static void cell(row *w, const char *s)
{
    cell_n(w, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void cellf(row *w, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    cell_n(w, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void cell_time(row *w, int64_t secs)
{
    char t[24];
    cell_n(w, t, value_format_timestamp(secs, t));
}

/* A ';'-joined set of the names whose bit is set in mask. */
static void cell_set(row *w, const char *const *names, size_t n, uint32_t mask)
{
    char tmp[256];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if ((mask >> i & 1) == 0)
            continue;
        size_t k = strlen(names[i]);
        if (len + k + 1 >= sizeof tmp)
            break;
        if (len > 0)
            tmp[len++] = ';';
        memcpy(tmp + len, names[i], k);
        len += k;
    }
    cell_n(w, tmp, len);
}

static void row_emit(row *w, sink *k)
{
    w->b[w->n++] = '\n';
    sink_put(k, w->b, w->n);
    w->n = 0;
    w->cells = 0;
}

/* ------------------------------------------------------------ the generator */

enum { OUT_CONTACTS, OUT_EVENTS, OUT_CONSENTS, OUT_N };

/* What the events and consents of a contact depend on. */
typedef struct contact {
    char id[12];
    int64_t created;
    bool saas, gym, b2b, vip;
} contact;

typedef struct event {
    int64_t ts;
    unsigned char type;
    unsigned char big; /* a showcase purchase over 5000 */
} event;

typedef struct demo {
    rng rc, re, rs;   /* independent streams: contacts, events, consents */
    int64_t now, t0, end; /* timestamps lie in [t0, end], end = now - 1 */
    double ev_mu;     /* lognormal mu of the events per active contact */
    event *ev;        /* EV_MAX + VIP_EXTRA slots */
    sink out[OUT_N];
    row w;
} demo;

static void contact_name(demo *d, const demo_country *co, const char *lang, bool female,
                         const char **first, const char **last)
{
    rng *r = &d->rc;
    const demo_names *nm = co->latin;
    if (strcmp(lang, "hu") == 0)
        nm = &demo_hu_names;
    else if (co->cyrillic != NULL && chance(r, 0.4))
        nm = co->cyrillic;
    *first = female ? nm->female[rng_below(r, nm->nfemale)] : nm->male[rng_below(r, nm->nmale)];
    size_t k = rng_below(r, nm->nlast);
    *last = female ? nm->last_f[k] : nm->last_m[k];
}

static const char *marital_status(rng *r, int age)
{
    double u = rng_uniform(r);
    if (age < 25)
        return u < 0.85 ? "single" : "married";
    if (age <= 35)
        return u < 0.40 ? "single" : u < 0.90 ? "married" : "divorced";
    double widowed = fmin(0.45, fmax(0.0, (age - 55) * 0.012));
    if (u < widowed)
        return "widowed";
    return u < widowed + 0.15 ? "single" : u < widowed + 0.30 ? "divorced" : "married";
}

static const char *occupation(rng *r, int age)
{
    if (age >= 63 && chance(r, 0.8))
        return "retired";
    if (age < 25 && chance(r, 0.55))
        return "student";
    if (chance(r, 0.06))
        return "unemployed";
    return occupations[pick(r, occupation_w, N(occupation_w))];
}

/* Yearly income: the country's median, more with education, less for students. */
static int64_t income(rng *r, const demo_country *co, size_t edu, const char *occ)
{
    double inc = co->income * education_income[edu] * exp(0.55 * rng_normal(r));
    if (strcmp(occ, "student") == 0 || strcmp(occ, "unemployed") == 0)
        inc *= 0.35;
    else if (strcmp(occ, "retired") == 0)
        inc *= 0.55;
    else if (strcmp(occ, "manager") == 0)
        inc *= 1.6;
    return (int64_t)inc / 10 * 10;
}

static uint32_t interest_set(rng *r, bool gym)
{
    size_t k = pick(r, ninterests_w, N(ninterests_w));
    uint32_t mask = 0;
    if (gym && chance(r, 0.6))
        mask |= 1u << (chance(r, 0.5) ? INTEREST_FITNESS : INTEREST_YOGA);
    while ((size_t)__builtin_popcount(mask) < k)
        mask |= 1u << rng_below(r, N(interests));
    return mask;
}

static uint32_t tag_set(rng *r, bool vip)
{
    size_t k = pick(r, ntags_w, N(ntags_w));
    uint32_t mask = vip ? 1u << TAG_VIP : 0;
    while ((size_t)__builtin_popcount(mask & ~(1u << TAG_VIP)) < k)
        mask |= 1u << rng_below(r, TAG_VIP);
    return mask;
}

static void gen_contact(demo *d, uint32_t i, contact *c)
{
    rng *r = &d->rc;
    row *w = &d->w;
    snprintf(c->id, sizeof c->id, "c%07u", (unsigned)i);

    const demo_country *co = &demo_countries[pick(r, country_w, DEMO_NCOUNTRIES)];
    double total = 0;
    for (size_t j = 0; j < co->nregions; j++)
        total += co->regions[j].weight;
    double x = rng_uniform(r) * total;
    const demo_region *rg = &co->regions[co->nregions - 1];
    for (size_t j = 0; j + 1 < co->nregions; j++) {
        x -= co->regions[j].weight;
        if (x < 0) {
            rg = &co->regions[j];
            break;
        }
    }
    const demo_city *city = &rg->cities[rng_below(r, rg->ncities)];
    bool urban = chance(r, 0.72);
    double jitter = urban ? 0.03 : 0.25;
    double lat = city->lat + jitter * rng_normal(r);
    double lon = city->lon + 1.4 * jitter * rng_normal(r);
    double u = rng_uniform(r);
    const char *lang = u < rg->hu_share ? "hu" : u < rg->hu_share + 0.05 ? "en" : co->language;

    size_t g = pick(r, gender_w, N(gender_w));
    bool female = g == 0 || (g == 2 && chance(r, 0.5));
    const char *first, *last;
    contact_name(d, co, lang, female, &first, &last);
    char email[128], a[48], b[48];
    demo_translit(first, a, sizeof a);
    demo_translit(last, b, sizeof b);
    snprintf(email, sizeof email, "%s%s%s%u@%s", a, email_seps[rng_below(r, N(email_seps))], b,
             (unsigned)i, co->domains[rng_below(r, co->ndomains)]);

    /* Birth date: 18 to 85 years before NOW, most between 25 and 55. */
    int64_t today = d->now / DAY;
    int64_t bmax = today - 6576, bmin = today - 31046;
    u = rng_uniform(r);
    double tri = u < 0.3 ? sqrt(u * 0.3) : 1.0 - sqrt((1.0 - u) * 0.7);
    int64_t birth = bmax - (int64_t)(tri * (double)(bmax - bmin));
    int age = (int)((today - birth) * 400 / 146097);

    const char *marital = marital_status(r, age);
    size_t edu = pick(r, education_w, N(education_w));
    const char *occ = occupation(r, age);
    int64_t inc = income(r, co, edu, occ);

    c->vip = chance(r, P_VIP);
    const char *status = statuses[pick(r, status_w, N(status_w))];
    const char *loss = strcmp(status, "lost") == 0 ? loss_reasons[pick(r, loss_w, N(loss_w))] : "";
    if (c->vip) {
        status = "customer";
        loss = "";
    }
    c->created = d->t0 + (int64_t)((double)(d->end - d->t0) * pow(rng_uniform(r), 0.85));
    int64_t contacted = between(r, c->created, d->end);
    const char *plan = plans[pick(r, plan_w, N(plan_w))];
    c->saas = strcmp(plan, "none") != 0;
    c->b2b = chance(r, 0.40);
    int64_t size = 0;
    const char *industry = "";
    if (c->b2b) {
        size = 1 + (int64_t)exp(2.3 + 1.6 * rng_normal(r));
        if (size > 99999)
            size = 50000;
        industry = industries[rng_below(r, N(industries))];
    }
    c->gym = chance(r, P_GYM);
    uint32_t imask = interest_set(r, c->gym);
    uint32_t tmask = tag_set(r, c->vip);

    char birth_s[16];
    value_format_date(birth, birth_s);
    cell(w, c->id);
    cell(w, email);
    cell(w, first);
    cell(w, last);
    cell(w, genders[g]);
    cell(w, birth_s);
    cell(w, marital);
    cell(w, educations[edu]);
    cell(w, occ);
    cellf(w, "%lld", (long long)inc);
    cell(w, co->code);
    cell(w, rg->name);
    cell(w, city->name);
    cell(w, urban ? "urban" : "rural");
    cellf(w, "%.5f", lat);
    cellf(w, "%.5f", lon);
    cell(w, lang);
    cell(w, status);
    cell(w, loss);
    cell_time(w, contacted);
    cell(w, plan);
    if (c->b2b)
        cellf(w, "%lld", (long long)size);
    else
        cell(w, "");
    cell(w, industry);
    cell_set(w, interests, N(interests), imask);
    cell_set(w, tags, N(tags), tmask);
    cell_time(w, c->created);
    row_emit(w, &d->out[OUT_CONTACTS]);
}

static int event_cmp(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return (int)a->big - (int)b->big;
}

/*
 * Draw the timeline of a contact: n (ts, type) pairs between its creation
 * and its last activity; classes and card scans in a membership window.
 * Returns the number of events in d->ev, sorted, no (ts, type) twice.
 */
static size_t draw_timeline(demo *d, const contact *c)
{
    rng *r = &d->re;
    size_t n = 0;
    if (!chance(r, EV_P0)) {
        double x = lognormal(r, d->ev_mu, EV_SIGMA) + rng_uniform(r);
        n = x >= EV_MAX ? EV_MAX : (size_t)x;
    }
    int64_t stop = chance(r, 0.55) ? d->end : between(r, c->created, d->end);
    int64_t gym_from = c->created + (int64_t)((double)(d->end - c->created) * rng_uniform(r) * 0.8);
    int64_t gym_to = chance(r, 0.6) ? d->end : between(r, gym_from, d->end);

    /* Shares of the types: logins for plan users, classes and scans for gym members. */
    double w[EV_NTYPES];
    double gym = c->gym ? 0.05 / P_GYM : 0.0, login = c->saas ? 0.12 / 0.55 : 0.0;
    double rest = (1.0 - 2 * gym - login) / 78.0;
    w[EV_PURCHASE] = 20 * rest;
    w[EV_EMAIL_OPEN] = 25 * rest;
    w[EV_EMAIL_CLICK] = 8 * rest;
    w[EV_PAGE_VIEW] = 25 * rest;
    w[EV_LOGIN] = login;
    w[EV_CLASS] = gym;
    w[EV_CARD_SCAN] = gym;

    event *ev = d->ev;
    for (size_t k = 0; k < n; k++) {
        ev[k].type = (unsigned char)pick(r, w, EV_NTYPES);
        ev[k].big = 0;
        if (ev[k].type == EV_CLASS || ev[k].type == EV_CARD_SCAN)
            ev[k].ts = between(r, gym_from, gym_to);
        else
            ev[k].ts = between(r, c->created, stop);
    }
    if (c->vip) {
        /* One big purchase in the last 180 days, maybe more earlier. */
        size_t extra = 1 + rng_below(r, VIP_EXTRA);
        int64_t recent = d->end - 180 * DAY;
        for (size_t k = 0; k < extra; k++) {
            ev[n].type = EV_PURCHASE;
            ev[n].big = 1;
            ev[n].ts = between(r, k == 0 && recent > c->created ? recent : c->created, d->end);
            n++;
        }
    }
    qsort(ev, n, sizeof *ev, event_cmp);

    /* Move a repeated (ts, type) one second later; drop it past the window. */
    int64_t last[EV_NTYPES];
    for (size_t t = 0; t < EV_NTYPES; t++)
        last[t] = INT64_MIN;
    bool moved = false;
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        event e = ev[k];
        if (e.ts <= last[e.type]) {
            e.ts = last[e.type] + 1;
            moved = true;
        }
        if (e.ts > d->end)
            continue;
        last[e.type] = e.ts;
        ev[m++] = e;
    }
    if (moved)
        qsort(ev, m, sizeof *ev, event_cmp);
    return m;
}

static void gen_events(demo *d, const contact *c)
{
    size_t n = draw_timeline(d, c);
    rng *r = &d->re;
    row *w = &d->w;
    const double *cat_w = chance(r, 0.6) ? category_w_coffee : category_w_other;
    size_t favourite = rng_below(r, N(classes));
    double p_bulk = c->b2b ? 0.01 : 0.001;
    for (size_t k = 0; k < n; k++) {
        const event *e = &d->ev[k];
        cell(w, c->id);
        cell_time(w, e->ts);
        cell(w, event_types[e->type]);
        switch (e->type) {
        case EV_PURCHASE: {
            const char *cat;
            double amount;
            if (e->big || chance(r, p_bulk)) {
                /* Bulk order: Pareto from 5000 up. */
                cat = bulk_categories[rng_below(r, N(bulk_categories))];
                amount = fmin(250000.0, 5000.0 * pow(1.0 - rng_uniform(r), -1.0 / 1.8));
            } else {
                size_t j = pick(r, cat_w, N(categories));
                cat = categories[j];
                amount = fmax(0.5, lognormal(r, log(category_median[j]), category_sigma[j]));
            }
            double u = rng_uniform(r);
            cellf(w, "%.2f", amount);
            cell(w, cat);
            cell(w, u < 0.5 ? "web" : u < 0.8 ? "app" : "store");
            break;
        }
        case EV_PAGE_VIEW:
            cell(w, "");
            cell(w, pages[pick(r, page_w, N(page_w))]);
            cell(w, chance(r, 0.7) ? "web" : "app");
            break;
        case EV_LOGIN:
            cell(w, "");
            cell(w, "");
            cell(w, chance(r, 0.55) ? "web" : "app");
            break;
        case EV_CLASS:
            cell(w, "");
            cell(w, classes[chance(r, 0.6) ? favourite : rng_below(r, N(classes))]);
            cell(w, "store");
            break;
        case EV_CARD_SCAN:
            cell(w, "");
            cell(w, "");
            cell(w, "store");
            break;
        default: /* email_open, email_click */
            cell(w, "");
            cell(w, "");
            cell(w, "email");
            break;
        }
        row_emit(w, &d->out[OUT_EVENTS]);
    }
}

/*
 * Consent records per purpose: a first answer a few days after the contact
 * was created, then maybe changes of mind at strictly later times.
 */
static void gen_consents(demo *d, const contact *c)
{
    rng *r = &d->rs;
    row *w = &d->w;
    for (size_t p = 0; p < N(purposes); p++) {
        const purpose *pu = &purposes[p];
        if (!chance(r, pu->p_has))
            continue;
        int64_t t = c->created + (int64_t)rng_below(r, 3 * DAY);
        if (t > d->end)
            t = d->end;
        const char *status = chance(r, pu->p_granted) ? "granted" : "denied";
        const char *source = sources[pick(r, source_w, N(source_w))];
        for (size_t nrec = 1;; nrec++) {
            bool granted = strcmp(status, "granted") == 0;
            int64_t expires = 0;
            if (granted && chance(r, 0.35))
                expires = t + (chance(r, 0.5) ? 365 : 730) * (int64_t)DAY;
            cell(w, c->id);
            cell(w, pu->name);
            cell(w, status);
            cell(w, pu->bases[pick(r, pu->basis_w, N(pu->basis_w))]);
            cell_time(w, t);
            if (expires != 0)
                cell_time(w, expires);
            else
                cell(w, "");
            cell(w, source);
            row_emit(w, &d->out[OUT_CONSENTS]);
            if (t >= d->end || !chance(r, nrec == 1 ? 0.22 : 0.15))
                break;
            t = between(r, t + 1, d->end);
            if (granted)
                status = chance(r, 0.8) ? "withdrawn" : "granted";
            else
                status = "granted";
            source = chance(r, 0.8) ? "web_form" : "sales_call";
        }
    }
}

/* ------------------------------------------------------------ entry point */

__attribute__((format(printf, 4, 5)))
static int fail(char *errbuf, size_t errlen, int rc, const char *fmt, ...)
{
    if (errbuf != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* What goes between dir and a file name: nothing when dir ends with '/'. */
static const char *dir_sep(const char *dir)
{
    return dir[strlen(dir) - 1] == '/' ? "" : "/";
}

static int sinks_open(demo *d, const char *dir, char *errbuf, size_t errlen)
{
    static const char *const names[OUT_N] = { "contacts.csv", "events.csv", "consents.csv" };
    const char *slash = dir_sep(dir);
    for (size_t k = 0; k < OUT_N; k++) {
        sink *s = &d->out[k];
        char path[4096];
        s->name = names[k];
        if ((size_t)snprintf(path, sizeof path, "%s%s%s", dir, slash, names[k]) >= sizeof path)
            return fail(errbuf, errlen, SEGRT_EINVAL, "demo: directory name too long: %s", dir);
        s->buf = malloc(SINK_BUF);
        if (s->buf == NULL)
            return fail(errbuf, errlen, SEGRT_ENOMEM, "demo: out of memory");
        s->f = fopen(path, "wb");
        if (s->f == NULL)
            return fail(errbuf, errlen, SEGRT_EIO, "demo: cannot write %s: %s", path,
                        strerror(errno));
        setvbuf(s->f, s->buf, _IOFBF, SINK_BUF);
    }
    return SEGRT_OK;
}

/* Close every sink; report the first that failed. */
static int sinks_close(demo *d, const char *dir, int rc, char *errbuf, size_t errlen)
{
    const char *slash = dir_sep(dir);
    for (size_t k = 0; k < OUT_N; k++) {
        sink *s = &d->out[k];
        if (s->f != NULL && fclose(s->f) != 0 && s->err == 0)
            s->err = errno;
        free(s->buf);
        if (rc == SEGRT_OK && s->err != 0)
            rc = fail(errbuf, errlen, SEGRT_EIO, "demo: cannot write %s%s%s: %s", dir, slash,
                      s->name, strerror(s->err));
    }
    return rc;
}

static bool sinks_failed(const demo *d)
{
    return d->out[OUT_CONTACTS].err != 0 || d->out[OUT_EVENTS].err != 0 ||
           d->out[OUT_CONSENTS].err != 0;
}

int segrt_demo_write(const char *dir, uint32_t contacts, uint64_t seed, int64_t now,
                     char *errbuf, size_t errlen)
{
    if (dir == NULL || dir[0] == '\0')
        return fail(errbuf, errlen, SEGRT_EINVAL, "demo: no directory given");
    if (contacts > MAX_CONTACTS)
        return fail(errbuf, errlen, SEGRT_EINVAL, "demo: at most %u contacts (ids are c + 7 digits)",
                    MAX_CONTACTS);
    if (now < NOW_MIN || now > NOW_MAX)
        return fail(errbuf, errlen, SEGRT_EINVAL, "demo: NOW out of range (%lld)", (long long)now);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail(errbuf, errlen, SEGRT_EIO, "demo: cannot create directory %s: %s", dir,
                    strerror(errno));

    demo *d = calloc(1, sizeof *d);
    if (d == NULL)
        return fail(errbuf, errlen, SEGRT_ENOMEM, "demo: out of memory");
    uint64_t master = seed;
    rng_seed(&d->rc, rng_splitmix64(&master));
    rng_seed(&d->re, rng_splitmix64(&master));
    rng_seed(&d->rs, rng_splitmix64(&master));
    d->now = now;
    d->end = now - 1;
    d->t0 = now - (int64_t)SPAN_DAYS * DAY;
    d->ev_mu = log(EV_MEAN / (1.0 - EV_P0)) - EV_SIGMA * EV_SIGMA / 2.0;

    int rc = SEGRT_ENOMEM;
    d->ev = malloc((EV_MAX + VIP_EXTRA) * sizeof *d->ev);
    if (d->ev == NULL) {
        fail(errbuf, errlen, rc, "demo: out of memory");
        goto done;
    }
    rc = sinks_open(d, dir, errbuf, errlen);
    if (rc != SEGRT_OK)
        goto done;
    sink_put(&d->out[OUT_CONTACTS], contact_hdr, strlen(contact_hdr));
    sink_put(&d->out[OUT_EVENTS], event_hdr, strlen(event_hdr));
    sink_put(&d->out[OUT_CONSENTS], consent_hdr, strlen(consent_hdr));
    for (uint32_t i = 1; i <= contacts && !sinks_failed(d); i++) {
        contact c;
        gen_contact(d, i, &c);
        gen_events(d, &c);
        gen_consents(d, &c);
    }
done:
    rc = sinks_close(d, dir, rc, errbuf, errlen);
    free(d->ev);
    free(d);
    return rc;
}
