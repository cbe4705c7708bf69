/*
 * realtime.c — a host that keeps segments up to date from a stream of events:
 * each line of stdin is one event as JSON; the host adds it to the store,
 * re-evaluates the script's segments and prints which ones the event's
 * contact entered or left. The "real-time" use of a CRM's segments, with the
 * public API only.
 *
 * Usage: realtime STORE SCRIPT [NOW]     (events on stdin, one JSON object a line)
 * Prints: "<contact> entered <segment>" / "<contact> left <segment>".
 */
#include <segrt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The contact_id of a JSON event line (enough for this example's input). */
static int contact_of(const char *line, char *out, size_t n)
{
    const char *p = strstr(line, "\"contact_id\"");
    if (p == NULL || (p = strchr(p + 12, '"')) == NULL)
        return -1;
    const char *end = strchr(++p, '"');
    if (end == NULL || (size_t)(end - p) >= n)
        return -1;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

/* Whether the contact is in each segment of the script now (in[i]). */
static int memberships(segrt_store *s, segrt_script *sc, const char *id, int *in)
{
    for (size_t i = 0; i < segrt_script_segment_count(sc); i++) {
        segrt_set *m = NULL;
        int rc = segrt_segment_eval(sc, segrt_script_segment_name(sc, i), &m);
        if (rc == SEGRT_OK)
            rc = segrt_set_contains(s, m, id, &in[i]);
        segrt_set_free(m);
        if (rc != SEGRT_OK)
            return rc;
    }
    return SEGRT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s STORE SCRIPT [NOW]\n", argv[0]);
        return 2;
    }
    char err[512];
    segrt_store *s;
    if (segrt_store_open(argv[1], 0, &s, err, sizeof err) != SEGRT_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t now;
    if (argc == 4 && segrt_time_parse(argv[3], &now) == SEGRT_OK)
        segrt_store_set_now(s, now);
    segrt_script *sc = NULL;
    int rc = segrt_script_load(s, argv[2], &sc);
    size_t n = segrt_script_segment_count(sc);
    int *before = calloc(n + 1, sizeof *before), *after = calloc(n + 1, sizeof *after);
    char line[65536], id[512];
    while (rc == SEGRT_OK && before && after && fgets(line, sizeof line, stdin)) {
        if (contact_of(line, id, sizeof id) != 0) {
            fprintf(stderr, "skipped a line without a contact_id\n");
            continue;
        }
        segrt_import_report rep;
        rc = memberships(s, sc, id, before);
        if (rc == SEGRT_OK)
            rc = segrt_import_buffer(s, SEGRT_EVENTS, "stdin", line, strlen(line), 1, NULL, &rep);
        if (rc == SEGRT_OK)
            rc = memberships(s, sc, id, after);
        for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
            if (before[i] != after[i])
                printf("%s %s %s\n", id, after[i] ? "entered" : "left",
                       segrt_script_segment_name(sc, i));
        }
        fflush(stdout);
    }
    if (rc != SEGRT_OK)
        fprintf(stderr, "%s\n", segrt_errmsg(s));
    free(before);
    free(after);
    segrt_script_free(sc);
    segrt_store_close(s);
    return rc == SEGRT_OK ? 0 : 1;
}
