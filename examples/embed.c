/*
 * embed.c — a host that keeps a store's segments up to date from a stream
 * of events: each line of stdin is one event as a JSON object; the host
 * applies it through a live session and prints which segments the event's
 * contact entered or left. The "real-time" use of a CRM's segments, with the
 * public API only.
 *
 * Usage: embed [--batch N] [--stats] STORE SCRIPT [NOW]
 *   SCRIPT  a script file or a pack name (e.g. ecommerce_coffee)
 *   NOW     the reference time of relative rules (default: the clock)
 *   --batch apply N lines at once (default 1: changes are per event)
 *   --stats print events/s, the time of one membership test and of the
 *           final flush (sync and derived data) to stderr
 * Prints "<contact> entered <segment>" / "<contact> left <segment>".
 *
 * Build against an installed segrt:
 *   cc embed.c $(pkg-config --cflags --libs segrt) -o embed
 */
#include <segrt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int print_change(void *ud, const char *id, const char *segment, int entered)
{
    FILE *out = ud;
    fprintf(out, "%s %s %s\n", id, entered ? "entered" : "left", segment);
    return 0;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The contact of the last event applied, for the membership-test timing. */
static void remember_contact(const char *line, char *id, size_t n)
{
    const char *p = strstr(line, "\"contact_id\"");
    const char *q = p ? strchr(p + 12, '"') : NULL;
    const char *end = q ? strchr(q + 1, '"') : NULL;
    if (end && (size_t)(end - q - 1) < n) {
        memcpy(id, q + 1, (size_t)(end - q - 1));
        id[end - q - 1] = '\0';
    }
}

/* Time many segrt_live_contains calls of one contact in the first segment. */
static void membership_timing(segrt_live *lv, segrt_script *sc, const char *id)
{
    if (segrt_script_segment_count(sc) == 0 || id[0] == '\0')
        return;
    const char *seg = segrt_script_segment_name(sc, 0);
    int in = 0, rc = SEGRT_OK;
    const int n = 100000;
    double t0 = seconds();
    for (int i = 0; i < n && rc == SEGRT_OK; i++)
        rc = segrt_live_contains(lv, seg, id, &in);
    double us = (seconds() - t0) / n * 1e6;
    fprintf(stderr, "membership test: %.3f us (%s in %s: %d)\n", us, id, seg, in);
}

int main(int argc, char **argv)
{
    const char *pos[3] = { NULL, NULL, NULL };
    int npos = 0, stats = 0;
    long batch = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stats") == 0)
            stats = 1;
        else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc && atol(argv[i + 1]) > 0)
            batch = atol(argv[++i]);
        else if (argv[i][0] != '-' && npos < 3)
            pos[npos++] = argv[i];
        else
            npos = -100;
    }
    if (npos < 2) {
        fprintf(stderr, "usage: %s [--batch N] [--stats] STORE SCRIPT [NOW]\n", argv[0]);
        return 2;
    }
    char err[512];
    segrt_store *s;
    if (segrt_store_open(pos[0], 0, &s, err, sizeof err) != SEGRT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t now;
    if (pos[2] && segrt_time_parse(pos[2], &now) == SEGRT_OK)
        segrt_store_set_now(s, now);
    segrt_script *sc = NULL;
    segrt_live *lv = NULL;
    int rc = segrt_script_load(s, pos[1], &sc);
    if (rc == SEGRT_OK)
        rc = segrt_live_open(sc, &lv);
    size_t cap = 1 << 20, len = 0, events = 0;
    long lines = 0;
    char *pending = malloc(cap), line[65536], last[512] = "";
    double t0 = seconds();
    while (rc == SEGRT_OK && pending && fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (len + n + 1 > cap) { /* apply what is pending before it overflows */
            rc = segrt_live_apply(lv, SEGRT_EVENTS, pending, len, print_change, stdout, NULL);
            len = 0;
            lines = 0;
        }
        memcpy(pending + len, line, n);
        len += n;
        events++;
        if (stats)
            remember_contact(line, last, sizeof last);
        if (rc == SEGRT_OK && ++lines >= batch) {
            rc = segrt_live_apply(lv, SEGRT_EVENTS, pending, len, print_change, stdout, NULL);
            len = 0;
            lines = 0;
        }
    }
    if (rc == SEGRT_OK && len)
        rc = segrt_live_apply(lv, SEGRT_EVENTS, pending, len, print_change, stdout, NULL);
    double applied = seconds() - t0;
    if (rc == SEGRT_OK && stats) {
        fprintf(stderr, "%zu events in %.3f s: %.0f events/s (batch %ld, %zu segments)\n", events,
                applied, events / (applied > 0 ? applied : 1e-9), batch,
                segrt_script_segment_count(sc));
        membership_timing(lv, sc, last);
        double f0 = seconds();
        rc = segrt_live_flush(lv);
        fprintf(stderr, "flush: %.1f ms\n", (seconds() - f0) * 1e3);
    }
    int crc = segrt_live_close(lv); /* syncs and rebuilds the derived data */
    if (rc == SEGRT_OK)
        rc = crc;
    if (rc != SEGRT_OK)
        fprintf(stderr, "%s\n", pending ? segrt_errmsg(s) : "out of memory");
    fflush(stdout);
    free(pending);
    segrt_script_free(sc);
    segrt_store_close(s);
    return rc == SEGRT_OK ? 0 : 1;
}
