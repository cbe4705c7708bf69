/*
 * bench_warm.c — the warm path of segment evaluation, as in a REPL, an
 * embedding host or a server: one process opens a store read-only and loads
 * a script once, then evaluates each segment again and again and times every
 * evaluation (segrt_segment_eval, segrt_set_count, segrt_set_free). Each
 * evaluation reads a new snapshot and computes its members afresh (the
 * library keeps no result between calls); what stays warm is the process:
 * the store's mapped pages, the loaded script, the allocator's memory.
 * Public API only.
 *
 * Usage: bench_warm [--runs N] [--warmup W] [--now T] STORE SCRIPT [SEGMENT...]
 *   SCRIPT    a script file or a pack name
 *   SEGMENT   the segments to time (default: every one the script defines)
 *   --runs    timed evaluations per segment (default 10)
 *   --warmup  untimed evaluations before them (default 1)
 *   --now     NOW, YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DD (default: the clock)
 * Prints a header line starting with '#', then one line per segment:
 *   name count median_ms min_ms max_ms
 * Exit status: 0; 1 when the store, the script or an evaluation fails, or
 * a segment's count changes between evaluations; 2 on a usage error.
 *
 * tests/bench/bench_segments.sh runs it against DuckDB's in-process times.
 * Build against an installed segrt:
 *   cc bench_warm.c $(pkg-config --cflags --libs segrt) -o bench_warm
 */
#include <segrt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: bench_warm [--runs N] [--warmup W] [--now T] STORE SCRIPT [SEGMENT...]\n";

typedef struct options {
    long runs, warmup;
    const char *now;
    const char *store, *script;
    char **segments; /* argv's, or NULL: the script's */
    int nsegments;
} options;

typedef struct timing {
    uint64_t count;
    double median_ms, min_ms, max_ms;
} timing;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A count for --runs (>= 1) or --warmup (>= 0) into *out; 0 when text is not one. */
static int parse_count(const char *text, long least, long *out)
{
    char *end;
    long v = text ? strtol(text, &end, 10) : -1;
    if (text == NULL || end == text || *end != '\0' || v < least || v > 1000000)
        return 0;
    *out = v;
    return 1;
}

/* The options and operands of argv into *o; 0 on a usage error. */
static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){ .runs = 10, .warmup = 1 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--runs") == 0 && parse_count(arg, 1, &o->runs))
            i++;
        else if (strcmp(argv[i], "--warmup") == 0 && parse_count(arg, 0, &o->warmup))
            i++;
        else if (strcmp(argv[i], "--now") == 0 && arg)
            o->now = argv[++i];
        else
            return 0;
    }
    if (argc - i < 2)
        return 0;
    o->store = argv[i];
    o->script = argv[i + 1];
    o->segments = argc - i > 2 ? argv + i + 2 : NULL;
    o->nsegments = argc - i - 2;
    return 1;
}

/*
 * Evaluate segment name o->warmup + o->runs times, timing each of the last
 * o->runs (ms has room for them) into *t. 0, or 1 after printing why not.
 */
static int time_segment(segrt_store *s, segrt_script *sc, const char *name, const options *o,
                        double *ms, timing *t)
{
    for (long i = 0; i < o->warmup + o->runs; i++) {
        segrt_set *set = NULL;
        double t0 = now_ms();
        int rc = segrt_segment_eval(sc, name, &set);
        if (rc != SEGRT_OK) {
            fprintf(stderr, "bench_warm: %s: %s\n", name, segrt_errmsg(s));
            return 1;
        }
        uint64_t n = segrt_set_count(set);
        segrt_set_free(set);
        double dt = now_ms() - t0;
        if (i > 0 && n != t->count) {
            fprintf(stderr, "bench_warm: %s: the count changed between evaluations (%llu, then %llu)\n",
                    name, (unsigned long long)t->count, (unsigned long long)n);
            return 1;
        }
        t->count = n;
        if (i >= o->warmup)
            ms[i - o->warmup] = dt;
    }
    size_t n = (size_t)o->runs;
    qsort(ms, n, sizeof *ms, by_value);
    t->median_ms = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    t->min_ms = ms[0];
    t->max_ms = ms[n - 1];
    return 0;
}

/* Time every segment o names (or the script defines) and print a line each. */
static int time_segments(segrt_store *s, segrt_script *sc, const options *o)
{
    size_t n = o->segments ? (size_t)o->nsegments : segrt_script_segment_count(sc);
    if (n == 0) {
        fprintf(stderr, "bench_warm: %s defines no segments\n", o->script);
        return 1;
    }
    double *ms = malloc((size_t)o->runs * sizeof *ms);
    if (ms == NULL) {
        fprintf(stderr, "bench_warm: out of memory\n");
        return 1;
    }
    printf("# segment count median_ms min_ms max_ms (%ld runs after %ld warm-up)\n", o->runs,
           o->warmup);
    int failed = 0;
    for (size_t i = 0; i < n && !failed; i++) {
        const char *name = o->segments ? o->segments[i] : segrt_script_segment_name(sc, i);
        timing t = { 0 };
        failed = time_segment(s, sc, name, o, ms, &t);
        if (!failed)
            printf("%s %llu %.3f %.3f %.3f\n", name, (unsigned long long)t.count, t.median_ms,
                   t.min_ms, t.max_ms);
        fflush(stdout); /* a line per segment as it is done */
    }
    free(ms);
    return failed;
}

int main(int argc, char **argv)
{
    options o;
    int64_t now = 0;
    if (!parse_args(argc, argv, &o) || (o.now && segrt_time_parse(o.now, &now) != SEGRT_OK)) {
        fputs(usage, stderr);
        return 2;
    }
    char err[512] = "";
    segrt_store *s = NULL;
    segrt_script *sc = NULL;
    int status = 1;
    int rc = segrt_store_open(o.store, SEGRT_OPEN_READONLY, &s, err, sizeof err);
    if (rc != SEGRT_OK) {
        fprintf(stderr, "bench_warm: %s: %s\n", o.store, err[0] ? err : segrt_strerror(rc));
        goto out;
    }
    if (o.now)
        segrt_store_set_now(s, now);
    if (segrt_script_load(s, o.script, &sc) != SEGRT_OK) {
        fprintf(stderr, "bench_warm: %s\n", segrt_errmsg(s));
        goto out;
    }
    status = time_segments(s, sc, &o);
out:
    segrt_script_free(sc);
    segrt_store_close(s);
    return status;
}
