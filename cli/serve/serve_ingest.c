/*
 * serve_ingest.c — POST /v1/events, /v1/contacts, /v1/consents (serve.h):
 * a body of JSON lines or one JSON array of rows, with the fields of
 * `segrt import`. Malformed JSON is refused whole (400, naming line and
 * column). The rows go through the live session in one transaction, so
 * the segments follow them; bad rows are reported by line (the element's
 * number in an array) and, with ?strict=1, nothing is kept (400). The
 * answer waits until the rows are durable: one sync covers every write
 * committed before it began (group commit).
 */
#include "serve.h"

#include <stdlib.h>
#include <string.h>

/*
 * The body as JSON lines into *lines (malloc'd), syntax checked, and how
 * many rows they hold; 0, or -1 with r set.
 */
static int to_lines(const char *body, size_t len, char **lines, size_t *out_len, size_t *rows,
                    serve_reply *r)
{
    size_t skip = strspn(body, " \t\r\n");
    json_error_t err;
    if (skip < len && body[skip] == '[') {
        json_t *all = json_loadb(body, len, 0, &err);
        if (all == NULL || !json_is_array(all)) {
            json_decref(all);
            serve_reply_error(r, 400, "malformed JSON at line %d, column %d: %s", err.line,
                              err.column, err.text);
            return -1;
        }
        char *text = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&text, &n);
        size_t i;
        json_t *row;
        *rows = json_array_size(all);
        json_array_foreach(all, i, row) { /* element i is line i + 1 of what is imported */
            if (f && (json_dumpf(row, f, JSON_COMPACT | JSON_ENCODE_ANY) != 0 ||
                      fputc('\n', f) == EOF))
                break;
        }
        json_decref(all);
        if (f == NULL || fclose(f) != 0) {
            free(text);
            serve_reply_error(r, 500, "out of memory");
            return -1;
        }
        *lines = text;
        *out_len = n;
        return 0;
    }
    unsigned line = 1;
    *rows = 0;
    for (const char *p = body, *end = body + len; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        if (strspn(p, " \t\r") < n) { /* not a blank line */
            json_t *v = json_loadb(p, n, JSON_DECODE_ANY, &err);
            if (v == NULL) {
                serve_reply_error(r, 400, "malformed JSON at line %u, column %d: %s", line,
                                  err.column, err.text);
                return -1;
            }
            json_decref(v);
            ++*rows;
        }
        p += n + 1;
    }
    if ((*lines = malloc(len + 1)) == NULL) {
        serve_reply_error(r, 500, "out of memory");
        return -1;
    }
    memcpy(*lines, body, len);
    (*lines)[len] = '\0';
    *out_len = len;
    return 0;
}

static void on_reject(void *ud, const char *file, uint64_t line, const char *reason)
{
    (void)file;
    json_array_append_new((json_t *)ud,
                          json_pack("{s:I, s:s}", "line", (json_int_t)line, "reason", reason));
}

int serve_sync_upto(serve *sv, uint64_t seq)
{
    int rc = SEGRT_OK;
    pthread_mutex_lock(&sv->sync_lock);
    if (sv->synced < seq) {
        uint64_t target = atomic_load(&sv->committed);
        rc = segrt_live_sync(sv->lv);
        if (rc == SEGRT_OK)
            sv->synced = target;
    }
    pthread_mutex_unlock(&sv->sync_lock);
    return rc;
}

void serve_ingest(serve_req *q, segrt_kind kind, serve_reply *r)
{
    serve *sv = q->sv;
    const char *strict_arg = q->query(q->conn, "strict");
    int strict = strict_arg && strcmp(strict_arg, "1") == 0;
    if (strict_arg && !strict && strcmp(strict_arg, "0") != 0) {
        serve_reply_error(r, 400, "strict must be 0 or 1");
        return;
    }
    char *lines;
    size_t len, rows;
    if (to_lines(q->body, q->body_len, &lines, &len, &rows, r) != 0)
        return;
    json_t *rejected = json_array(); /* [{"line","reason"}] */
    serve_changes ch;
    /* one transaction a request: a crash keeps all of it or none */
    segrt_import_opts opts = { .strict = strict, .batch_rows = UINT32_MAX, .on_reject = on_reject,
                               .ud = rejected };
    segrt_import_report rep;
    serve_lock_take(&sv->lock, rows <= SERVE_SHORT_ROWS);
    serve_changes_begin(&ch, sv);
    int rc = rejected ? segrt_live_apply_opts(sv->lv, kind, lines, len, &opts, serve_on_change, &ch,
                                              &rep)
                      : SEGRT_ENOMEM;
    serve_changes_end(&ch);
    /* under the lock, after the outbox's note: a sync up to seq covers both */
    uint64_t seq = atomic_fetch_add(&sv->committed, 1) + 1;
    if (rc != SEGRT_OK && rc != SEGRT_EBADROW)
        serve_reply_store(r, sv, rc);
    if (ch.entered || ch.left)
        serve_sizes_refresh(sv);
    serve_lock_give(&sv->lock);
    free(lines);
    if (rc == SEGRT_OK || rc == SEGRT_EBADROW)
        serve_metrics_rows(&sv->metrics, kind, rc == SEGRT_OK ? rep.accepted : 0,
                           json_array_size(rejected), ch.entered, ch.left);
    if (rc == SEGRT_OK && serve_sync_upto(sv, seq) != SEGRT_OK) {
        rc = SEGRT_EIO;
        serve_reply_error(r, 500, "the rows could not be synced to disk");
    }
    if (rc == SEGRT_OK || rc == SEGRT_EBADROW) {
        json_int_t accepted = rc == SEGRT_OK ? (json_int_t)rep.accepted : 0;
        json_t *o = json_pack("{s:I, s:O}", "accepted", accepted, "rejected", rejected);
        if (o && rc == SEGRT_EBADROW)
            json_object_set_new(o, "error", json_string("strict: a row is bad, nothing was kept"));
        char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        serve_reply_json(r, rc == SEGRT_OK ? 200 : 400, text);
    }
    json_decref(rejected);
}
