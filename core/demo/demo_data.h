/*
 * demo_data.h — reference tables of the demo data set: countries with their
 * regions, cities and coordinates, and the first and last names of their
 * people (with diacritics; Bulgarian also in Cyrillic).
 *
 * Provides: demo_countries[], demo_hu_names, demo_translit(). Defined in
 * demo_names.c; used by demo.c.
 */
#ifndef SEGRT_DEMO_DATA_H
#define SEGRT_DEMO_DATA_H

#include <stddef.h>

typedef struct demo_city {
    const char *name;
    double lat, lon;
} demo_city;

typedef struct demo_region {
    const char *name;      /* as the bench data spells it: "mazowieckie", "Cluj", "Sofia-grad" */
    double weight;         /* about the population, in millions */
    double hu_share;       /* share of Hungarian speakers (Romanian counties) */
    const demo_city *cities;
    size_t ncities;
} demo_region;

/* Names of one script of one people; female surnames listed apart (Kowalska). */
typedef struct demo_names {
    const char *const *female, *const *male;
    size_t nfemale, nmale;
    const char *const *last_m, *const *last_f; /* parallel arrays of nlast */
    size_t nlast;
} demo_names;

typedef struct demo_country {
    const char *code;         /* "RO", "PL", "BG" */
    const char *language;     /* main language: "ro", "pl", "bg" */
    double weight;            /* share of contacts */
    double income;            /* median yearly income in EUR */
    const demo_region *regions;
    size_t nregions;
    const demo_names *latin;  /* names in Latin script */
    const demo_names *cyrillic; /* NULL unless the country writes in Cyrillic */
    const char *const *domains;
    size_t ndomains;
} demo_country;

enum { DEMO_NCOUNTRIES = 3 };

extern const demo_country demo_countries[DEMO_NCOUNTRIES];
/* Names of the Hungarian minority of Romania. */
extern const demo_names demo_hu_names;

/*
 * Write the ASCII form of UTF-8 name @p s to out (at most outlen - 1 bytes,
 * NUL-terminated): transliterated, lower case, letters a-z only, so that
 * "Ștefănescu" gives "stefanescu" and "Желязков" gives "zhelyazkov".
 * Returns the length written.
 */
size_t demo_translit(const char *s, char *out, size_t outlen);

#endif
