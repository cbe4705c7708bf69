/*
 * serve_http.c — the HTTP side of segrt serve (serve.h), on libmicrohttpd:
 * a thread per connection; a request's body gathered up to --max-body;
 * the request answered by serve_request.c; the reply sent; each request
 * timed into the metrics when its response has gone. Also the replies'
 * constructors the routes use.
 *
 * Uses: libmicrohttpd (HTTP/1.1, TLS through GnuTLS), serve_request.c,
 * serve_metrics.c.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct serve_http {
    struct MHD_Daemon *d;
    serve *sv;
    char *cert, *key; /* PEM text, kept while the daemon runs */
};

/* One request under way (MHD's per-request pointer). */
typedef struct request {
    double start;
    serve_route route;
    unsigned status;
    char *body;
    size_t len, cap;
    int too_large;
} request;

/* ------------------------------------------------------------ replies */

void serve_reply_json(serve_reply *r, unsigned status, char *json)
{
    if (json == NULL) {
        serve_reply_error(r, 500, "out of memory");
        return;
    }
    *r = (serve_reply){ status, json, strlen(json), NULL, NULL };
}

/* The length of the well-formed UTF-8 sequence at p (as jansson checks it), 0 if none. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0], cp, min;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) /* the NUL at the end too */
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : n;
}

void serve_reply_error(serve_reply *r, unsigned status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /*
     * A path or name from the request, or the cut at sizeof msg, may not be
     * UTF-8, which a JSON string must be: each stray byte is shown as '?'.
     */
    for (unsigned char *p = (unsigned char *)msg; *p;) {
        size_t n = utf8_len(p);
        if (n == 0)
            *p++ = '?';
        p += n;
    }
    json_t *o = json_pack("{s:s}", "error", msg);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    *r = (serve_reply){ text ? status : 500, text, text ? strlen(text) : 0, NULL, NULL };
}

void serve_reply_store(serve_reply *r, const serve *sv, int rc)
{
    serve_reply_error(r, rc == SEGRT_ENOTFOUND ? 404 : rc == SEGRT_EINVAL ? 400 : 500, "%s",
                      segrt_errmsg(sv->s));
}

/* ------------------------------------------------------------ MHD glue */

static const char *query_arg(void *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, request *rq, serve_reply *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(r->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->type ? r->type : "application/json");
    if (r->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    rq->status = r->status;
    enum MHD_Result ok = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* Gather the body, bounded by max_body: past it the rest is read and dropped, then 413. */
static void take_body(serve *sv, request *rq, const char *data, size_t n)
{
    if (rq->too_large || n > sv->max_body - rq->len) {
        rq->too_large = 1;
        return;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 64 * 1024;
        while (cap < rq->len + n + 1)
            cap *= 2;
        char *p = realloc(rq->body, cap);
        if (p == NULL) {
            rq->too_large = 1; /* answered as 413: the server could not hold it */
            return;
        }
        rq->body = p;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)version;
    serve *sv = cls;
    request *rq = *state;
    if (rq == NULL) { /* the headers have arrived */
        if ((rq = calloc(1, sizeof *rq)) == NULL)
            return MHD_NO;
        rq->start = cli_now_ms() / 1e3;
        rq->route = R_UNKNOWN;
        *state = rq;
        atomic_fetch_add(&sv->active, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > sv->max_body)
            rq->too_large = 1; /* answered once the body is drained */
        return MHD_YES;
    }
    if (*upload_size) {
        take_body(sv, rq, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    /* the request, whole: answered by serve_request.c */
    serve_call in = {
        .method = method, .url = url, .body = rq->body, .body_len = rq->len,
        .authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_AUTHORIZATION),
        .too_large = rq->too_large, .query = query_arg, .conn = conn };
    serve_reply r;
    rq->route = serve_request(sv, &in, &r);
    return send_reply(conn, rq, &r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)conn;
    (void)why;
    serve *sv = cls;
    request *rq = *state;
    if (rq == NULL)
        return;
    serve_metrics_request(&sv->metrics, rq->route, rq->status ? rq->status : 500,
                          cli_now_ms() / 1e3 - rq->start);
    free(rq->body);
    free(rq);
    *state = NULL;
    atomic_fetch_sub(&sv->active, 1);
}

/* A whole file as text, into *out; 0 or -1 after a message into err. */
static int read_pem(const char *path, char **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    FILE *m = f ? open_memstream(&text, &len) : NULL;
    char chunk[4096];
    size_t n;
    while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    int bad = f == NULL || m == NULL || ferror(f);
    if (m)
        fclose(m);
    if (f)
        fclose(f);
    if (bad || len == 0) {
        free(text);
        snprintf(err, errlen, "%s: cannot read the PEM file", path);
        return -1;
    }
    *out = text;
    return 0;
}

int serve_http_start(serve *sv, const char *host, unsigned port, const char *tls_cert,
                     const char *tls_key, serve_http **out, char *err, size_t errlen)
{
    *out = NULL;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "--listen: '%s' is not an IPv4 address", host);
        return -1;
    }
    serve_http *h = calloc(1, sizeof *h);
    if (h == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->sv = sv;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (tls_cert) {
        if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
            snprintf(err, errlen, "this libmicrohttpd was built without TLS");
            free(h);
            return -1;
        }
        if (read_pem(tls_cert, &h->cert, err, errlen) != 0 ||
            read_pem(tls_key, &h->key, err, errlen) != 0) {
            free(h->cert);
            free(h);
            return -1;
        }
        flags |= MHD_USE_TLS;
    }
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, sv,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv,
                            MHD_OPTION_CONNECTION_TIMEOUT, 60u,
                            MHD_OPTION_CONNECTION_LIMIT, 512u,
                            tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, h->cert,
                            MHD_OPTION_HTTPS_MEM_KEY, h->key, MHD_OPTION_END);
    if (h->d == NULL) {
        snprintf(err, errlen, "cannot listen on %s:%u (in use, or not an address of this host)",
                 host, port);
        free(h->cert);
        free(h->key);
        free(h);
        return -1;
    }
    *out = h;
    return 0;
}

unsigned serve_http_port(const serve_http *h)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void serve_http_stop(serve_http *h, unsigned wait_ms)
{
    if (h == NULL)
        return;
    MHD_socket listen = MHD_quiesce_daemon(h->d); /* no new connections */
    atomic_store(&h->sv->draining, 1);
    for (unsigned waited = 0; atomic_load(&h->sv->active) > 0 && waited < wait_ms; waited += 10)
        usleep(10000);
    MHD_stop_daemon(h->d);
    if (listen != MHD_INVALID_SOCKET)
        close(listen); /* ours once quiesced, closed after the stop */
    free(h->cert);
    free(h->key);
    free(h);
}
