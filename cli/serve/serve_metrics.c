/*
 * serve_metrics.c — what segrt serve counts (serve.h) and GET /metrics, in
 * the Prometheus text format: requests by route and status class, latency
 * histograms by route, rows ingested and rejected, segment entries and
 * exits, the outbox's depth and webhook attempts, and each segment's size.
 */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bounds of the latency buckets in seconds; the last is +Inf. */
static const double bucket_le[SERVE_BUCKETS - 1] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05, 0.1, 0.25, 0.5, 1.0 };

const char *serve_route_name(serve_route r)
{
    static const char *const names[R_COUNT] = {
        [R_HEALTH] = "health", [R_METRICS] = "metrics", [R_EVENTS] = "events",
        [R_CONTACTS_POST] = "contacts_post", [R_CONSENTS] = "consents",
        [R_SEGMENTS] = "segments", [R_SEGMENT] = "segment", [R_MEMBERS] = "members",
        [R_CONTACT] = "contact", [R_EXPORT] = "export", [R_ERASE] = "erase",
        [R_UNKNOWN] = "unknown",
    };
    return names[r];
}

void serve_metrics_init(serve_metrics *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
}

void serve_metrics_free(serve_metrics *m)
{
    pthread_mutex_destroy(&m->lock);
}

void serve_metrics_request(serve_metrics *m, serve_route r, unsigned status, double seconds)
{
    size_t b = 0;
    while (b < SERVE_BUCKETS - 1 && seconds > bucket_le[b])
        b++;
    unsigned cls = status >= 100 && status < 600 ? status / 100 - 1 : 4;
    pthread_mutex_lock(&m->lock);
    m->c.requests[r][cls]++;
    m->c.latency[r][b]++;
    m->c.latency_sum[r] += seconds;
    pthread_mutex_unlock(&m->lock);
}

void serve_metrics_rows(serve_metrics *m, segrt_kind kind, uint64_t rows, uint64_t rejected,
                        uint64_t entered, uint64_t left)
{
    pthread_mutex_lock(&m->lock);
    m->c.rows[kind] += rows;
    m->c.rejected[kind] += rejected;
    m->c.entered += entered;
    m->c.left += left;
    pthread_mutex_unlock(&m->lock);
}

/* A label value in Prometheus text: backslash, quote and newline escaped. */
static void label(FILE *f, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            fputc('\\', f);
        if (*v == '\n')
            fputs("\\n", f);
        else
            fputc(*v, f);
    }
}

static void write_requests(FILE *f, const serve_counts *m)
{
    fputs("# HELP segrt_http_requests_total HTTP requests answered, by route and status class.\n"
          "# TYPE segrt_http_requests_total counter\n", f);
    for (int r = 0; r < R_COUNT; r++) {
        for (int c = 0; c < 5; c++) {
            if (m->requests[r][c])
                fprintf(f, "segrt_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n",
                        serve_route_name((serve_route)r), c + 1,
                        (unsigned long long)m->requests[r][c]);
        }
    }
    fputs("# HELP segrt_http_request_duration_seconds Time from request to response, by route.\n"
          "# TYPE segrt_http_request_duration_seconds histogram\n", f);
    for (int r = 0; r < R_COUNT; r++) {
        uint64_t total = 0;
        const char *name = serve_route_name((serve_route)r);
        for (int b = 0; b < SERVE_BUCKETS; b++) {
            total += m->latency[r][b];
            if (b < SERVE_BUCKETS - 1)
                fprintf(f, "segrt_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                        "%llu\n", name, bucket_le[b], (unsigned long long)total);
            else
                fprintf(f, "segrt_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} "
                        "%llu\n", name, (unsigned long long)total);
        }
        fprintf(f, "segrt_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                m->latency_sum[r]);
        fprintf(f, "segrt_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
                (unsigned long long)total);
    }
}

static void write_rows(FILE *f, const serve_counts *m)
{
    static const char *const kinds[] = { "", "contacts", "events", "consents" };
    fputs("# HELP segrt_rows_ingested_total Rows accepted through the API, by kind.\n"
          "# TYPE segrt_rows_ingested_total counter\n", f);
    for (int k = SEGRT_CONTACTS; k <= SEGRT_CONSENTS; k++)
        fprintf(f, "segrt_rows_ingested_total{kind=\"%s\"} %llu\n", kinds[k],
                (unsigned long long)m->rows[k]);
    fputs("# HELP segrt_rows_rejected_total Rows rejected through the API, by kind.\n"
          "# TYPE segrt_rows_rejected_total counter\n", f);
    for (int k = SEGRT_CONTACTS; k <= SEGRT_CONSENTS; k++)
        fprintf(f, "segrt_rows_rejected_total{kind=\"%s\"} %llu\n", kinds[k],
                (unsigned long long)m->rejected[k]);
    fprintf(f, "# HELP segrt_events_ingested_total Events accepted through the API.\n"
               "# TYPE segrt_events_ingested_total counter\n"
               "segrt_events_ingested_total %llu\n",
            (unsigned long long)m->rows[SEGRT_EVENTS]);
    fprintf(f, "# HELP segrt_segment_changes_total Contacts that entered or left a segment.\n"
               "# TYPE segrt_segment_changes_total counter\n"
               "segrt_segment_changes_total{change=\"entered\"} %llu\n"
               "segrt_segment_changes_total{change=\"left\"} %llu\n",
            (unsigned long long)m->entered, (unsigned long long)m->left);
}

static void write_outbox(FILE *f, serve *sv)
{
    uint64_t pending = 0, failed = 0;
    deliver_counts dc = { 0 };
    serve_lock_take(&sv->lock, 1);
    int rc = segrt_outbox_depth(sv->s, &pending, &failed);
    serve_lock_give(&sv->lock);
    deliver_counts_get(sv->dl, &dc);
    if (rc == SEGRT_OK)
        fprintf(f, "# HELP segrt_outbox_depth Webhook deliveries waiting, and given up.\n"
                   "# TYPE segrt_outbox_depth gauge\n"
                   "segrt_outbox_depth{state=\"pending\"} %llu\n"
                   "segrt_outbox_depth{state=\"failed\"} %llu\n",
                (unsigned long long)pending, (unsigned long long)failed);
    fprintf(f, "# HELP segrt_webhooks_total Webhook attempts, by outcome.\n"
               "# TYPE segrt_webhooks_total counter\n"
               "segrt_webhooks_total{outcome=\"delivered\"} %llu\n"
               "segrt_webhooks_total{outcome=\"failed\"} %llu\n",
            (unsigned long long)dc.delivered, (unsigned long long)dc.failed);
}

static void write_sizes(FILE *f, serve *sv)
{
    fputs("# HELP segrt_segment_size Members of each segment now.\n"
          "# TYPE segrt_segment_size gauge\n", f);
    size_t n = segrt_script_segment_count(sv->sc);
    pthread_mutex_lock(&sv->sizes_lock);
    for (size_t i = 0; i < n; i++) {
        fputs("segrt_segment_size{segment=\"", f);
        label(f, segrt_script_segment_name(sv->sc, i));
        fprintf(f, "\"} %llu\n", (unsigned long long)sv->sizes[i]);
    }
    pthread_mutex_unlock(&sv->sizes_lock);
}

void serve_metrics_text(serve_req *q, serve_reply *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        serve_reply_error(r, 500, "out of memory");
        return;
    }
    serve_counts copy;
    pthread_mutex_lock(&q->sv->metrics.lock);
    copy = q->sv->metrics.c;
    pthread_mutex_unlock(&q->sv->metrics.lock);
    write_requests(f, &copy);
    write_rows(f, &copy);
    write_outbox(f, q->sv);
    write_sizes(f, q->sv);
    if (fclose(f) != 0) {
        free(text);
        serve_reply_error(r, 500, "out of memory");
        return;
    }
    *r = (serve_reply){ 200, text, len, "text/plain; version=0.0.4", NULL };
}
