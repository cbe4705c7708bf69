/*
 * fuzz_serve.c — one input as a request to segrt serve, answered by
 * serve_request (cli/serve/serve_request.c) as the server answers what
 * libmicrohttpd gathers, without a network or threads. An input is:
 *
 *   byte 0     bits 0-1 the method (GET, POST, DELETE, PUT); bits 2-4 the
 *              bearer token (% 5: ops with every scope, reader, writer, none,
 *              one no token file holds); bit 5: the body is over --max-body
 *   a line     the path and ?query (k=v pairs by &, %XX and + decoded)
 *   the rest   the body
 *
 * The server runs on fuzz_store_sample's store with a script of segments
 * (with webhooks, noted in the outbox; no deliverer runs), its live session
 * kept across inputs and made again every 512 inputs. Every reply must have a status from 200 to
 * 599 and, when JSON, a body that parses; every 64th input,
 * segrt_store_check must find the store sound.
 *
 * Uses: fuzz_store.c, the server's files (cli/serve), jansson.
 */
#include "fuzz.h"
#include "fuzz_store.h"
#include "serve/serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char script[] =
    "local seg = require 'segrt'\n"
    "local F, E, days = seg.F, seg.E, seg.days\n"
    "seg.segment 'big_spenders' { where = E.purchase:sum 'amount' :gt(5),\n"
    "                             description = 'over 5', purpose = 'email_marketing' }\n"
    "seg.segment 'recent_buyers' { where = E.purchase:within(days(300)):exists() }\n"
    "seg.segment 'krakow' { where = F.city:eq 'Kraków' & F.income:gt(1000) }\n"
    "seg.on_enter 'big_spenders' { webhook = 'http://127.0.0.1:9/enter' }\n"
    "seg.on_exit 'recent_buyers' { webhook = 'http://127.0.0.1:9/exit' }\n";
/* name, secret, scopes; the fifth choice of byte 0 is a secret none of these has */
static const char tokens[] = "ops ops-0123456789abcdef read,write,gdpr\n"
                             "reader reader-0123456789abcdef read\n"
                             "writer writer-0123456789abcdef write\n";
static const char *const bearers[] = { "Bearer ops-0123456789abcdef",
                                       "Bearer reader-0123456789abcdef",
                                       "bearer  writer-0123456789abcdef", NULL,
                                       "Bearer ops-0123456789abcdeX" };
static const char *const methods[] = { "GET", "POST", "DELETE", "PUT" };

#define MAX_ARGS 16

/* The query of one request, decoded: what libmicrohttpd's lookup would find. */
typedef struct query {
    const char *key[MAX_ARGS], *value[MAX_ARGS]; /* value NULL: a key without '=' */
    size_t n;
} query;

static const char *query_arg(void *conn, const char *key)
{
    const query *q = conn;
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->key[i], key) == 0)
            return q->value[i];
    }
    return NULL;
}

/* The value of a hex digit, or -1. */
static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode %XX (not %00) and, when plus, + in place. */
static void unescape(char *s, int plus)
{
    char *out = s;
    for (; *s; s++) {
        int hi = *s == '%' ? hex(s[1]) : -1, lo = hi >= 0 ? hex(s[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi << 4 | lo);
            s += 2;
        } else {
            *out++ = plus && *s == '+' ? ' ' : *s;
        }
    }
    *out = '\0';
}

/* Split line (modified) into its path and query. */
static void parse_target(char *line, query *q)
{
    char *args = strchr(line, '?');
    q->n = 0;
    if (args) {
        *args++ = '\0';
        for (char *save = NULL, *kv = strtok_r(args, "&", &save); kv && q->n < MAX_ARGS;
             kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (eq) {
                *eq++ = '\0';
                unescape(eq, 1);
            }
            unescape(kv, 1);
            q->key[q->n] = kv;
            q->value[q->n++] = eq;
        }
    }
    unescape(line, 0);
}

static serve sv;

/* tokens into a new file at path, readable by its owner only (as serve_tokens_load wants). */
static void token_file(char *path, size_t n)
{
    snprintf(path, n, "/tmp/segrt-fuzz-tokens.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || fchmod(fd, 0600) != 0 ||
        write(fd, tokens, sizeof tokens - 1) != (ssize_t)(sizeof tokens - 1) || close(fd) != 0)
        abort();
}

static void server_down(void)
{
    if (sv.s == NULL)
        return;
    if (sv.lv && segrt_live_close(sv.lv) != SEGRT_OK) {
        fprintf(stderr, "fuzz_serve: closing the live session: %s\n", segrt_errmsg(sv.s));
        abort();
    }
    serve_actions_free(&sv);
    segrt_script_free(sv.sc);
    serve_tokens_free(&sv.tokens);
    free(sv.sizes);
    serve_metrics_free(&sv.metrics);
    serve_lock_free(&sv.lock);
    pthread_mutex_destroy(&sv.sizes_lock);
    pthread_mutex_destroy(&sv.sync_lock);
    sv = (serve){ 0 };
}

/* A server on a new store, as cmd_serve.c starts one (without HTTP and the deliverer). */
static void server_up(void)
{
    static int registered;
    segrt_store *s = fuzz_store_sample();
    if (!registered)
        registered = atexit(server_down) == 0; /* after fuzz_store's: runs before it */
    sv = (serve){ .s = s, .max_body = 1 << 20, .now0 = segrt_store_now(s),
                  .started = cli_now_ms() / 1e3 };
    serve_lock_init(&sv.lock);
    pthread_mutex_init(&sv.sizes_lock, NULL);
    pthread_mutex_init(&sv.sync_lock, NULL);
    serve_metrics_init(&sv.metrics);
    char path[64], err[512];
    token_file(path, sizeof path);
    int bad = serve_tokens_load(&sv.tokens, path, err, sizeof err);
    unlink(path);
    uint64_t noted;
    int rc = bad ? SEGRT_EINVAL
                 : segrt_script_load_string(s, "serve.lua", script, sizeof script - 1, &sv.sc);
    if (rc == SEGRT_OK && (sv.sizes = calloc(segrt_script_segment_count(sv.sc),
                                             sizeof *sv.sizes)) == NULL)
        rc = SEGRT_ENOMEM;
    if (rc == SEGRT_OK)
        rc = segrt_live_open(sv.sc, &sv.lv);
    if (rc == SEGRT_OK)
        rc = serve_actions_init(&sv);
    if (rc == SEGRT_OK)
        rc = serve_reconcile(&sv, &noted);
    if (rc != SEGRT_OK) {
        fprintf(stderr, "fuzz_serve: cannot start the server: %s\n", bad ? err : segrt_errmsg(s));
        abort();
    }
    serve_sizes_refresh(&sv);
}

/* The invariants of every reply. */
static void check_reply(const serve_call *in, const serve_reply *r)
{
    const char *bad = r->status < 200 || r->status > 599 ? "a status out of 200..599"
                      : r->body == NULL                  ? "no body"
                      : strlen(r->body) != r->len        ? "a body whose length is wrong"
                                                         : NULL;
    json_error_t err;
    json_t *v = NULL;
    if (bad == NULL && r->type == NULL &&
        (v = json_loadb(r->body, r->len, JSON_DECODE_ANY, &err)) == NULL)
        bad = "a body that is not JSON";
    json_decref(v);
    if (bad) {
        fprintf(stderr, "fuzz_serve: %s %s: %s (status %u): %.200s\n", in->method, in->url, bad,
                r->status, r->body ? r->body : "");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned n;
    if (size == 0)
        return 0;
    if (n % 512 == 0) {
        server_down();
        server_up();
    }
    /* the target line and the body, each NUL-terminated as the server has them */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    char *nl = memchr(copy, '\n', size - 1);
    char *body = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    query q;
    parse_target(copy, &q);
    serve_call in = { .method = methods[data[0] & 3], .url = copy,
                      .authorization = bearers[(data[0] >> 2 & 7) % 5],
                      .body = body, .body_len = body ? (size_t)(copy + size - 1 - body) : 0,
                      .too_large = data[0] >> 5 & 1, .query = query_arg, .conn = &q };
    serve_reply r;
    serve_route route = serve_request(&sv, &in, &r);
    check_reply(&in, &r);
    serve_metrics_request(&sv.metrics, route, r.status, 0.001);
    free(r.body);
    free(copy);
    if (++n % 64 == 0 && segrt_store_check(sv.s) != SEGRT_OK) {
        fprintf(stderr, "fuzz_serve: the store is inconsistent after a request: %s\n",
                segrt_errmsg(sv.s));
        abort();
    }
    return 0;
}
