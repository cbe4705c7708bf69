/*
 * serve_http.c — the HTTP side of segrt serve (serve.h), on libmicrohttpd:
 * a thread per connection; a request's body gathered up to --max-body;
 * the route picked from method and path; the bearer token checked against
 * the route's scope; the route's reply sent; each request timed into the
 * metrics when its response has gone.
 *
 * Uses: libmicrohttpd (HTTP/1.1, TLS through GnuTLS), serve_tokens.c,
 * serve_read.c, serve_ingest.c, serve_metrics.c.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
    *r = (serve_reply){ status, json, strlen(json), NULL };
}

void serve_reply_error(serve_reply *r, unsigned status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_pack("{s:s}", "error", msg);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    *r = (serve_reply){ text ? status : 500, text, text ? strlen(text) : 0, NULL };
}

void serve_reply_store(serve_reply *r, const serve *sv, int rc)
{
    serve_reply_error(r, rc == SEGRT_ENOTFOUND ? 404 : rc == SEGRT_EINVAL ? 400 : 500, "%s",
                      segrt_errmsg(sv->s));
}

/* ------------------------------------------------------------ routing */

/* What a path names: a route per method, and its NAME or ID part. */
typedef struct match {
    serve_route get, post, del; /* R_UNKNOWN: not allowed */
    const char *arg;            /* points into the path */
    size_t arg_len;
} match;

/* The routes of a path; 0 when the path is none of ours. */
static int route_path(const char *url, match *m)
{
    static const struct {
        const char *path;
        serve_route get, post;
    } fixed[] = {
        { "/v1/health", R_HEALTH, R_UNKNOWN },      { "/metrics", R_METRICS, R_UNKNOWN },
        { "/v1/events", R_UNKNOWN, R_EVENTS },      { "/v1/contacts", R_UNKNOWN, R_CONTACTS_POST },
        { "/v1/consents", R_UNKNOWN, R_CONSENTS },  { "/v1/segments", R_SEGMENTS, R_UNKNOWN },
    };
    *m = (match){ R_UNKNOWN, R_UNKNOWN, R_UNKNOWN, NULL, 0 };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(url, fixed[i].path) == 0) {
            m->get = fixed[i].get;
            m->post = fixed[i].post;
            return 1;
        }
    }
    static const char segs[] = "/v1/segments/", contacts[] = "/v1/contacts/";
    const char *rest;
    size_t n;
    if (strncmp(url, segs, sizeof segs - 1) == 0) {
        rest = url + sizeof segs - 1;
        n = strlen(rest);
        if (n > 8 && strcmp(rest + n - 8, "/members") == 0) {
            m->get = R_MEMBERS;
            n -= 8;
        } else {
            m->get = R_SEGMENT;
        }
    } else if (strncmp(url, contacts, sizeof contacts - 1) == 0) {
        rest = url + sizeof contacts - 1;
        n = strlen(rest);
        if (n > 7 && strcmp(rest + n - 7, "/export") == 0) {
            m->get = R_EXPORT;
            n -= 7;
        } else {
            m->get = R_CONTACT;
            m->del = R_ERASE;
        }
    } else {
        return 0;
    }
    m->arg = rest;
    m->arg_len = n;
    return n > 0;
}

static unsigned route_scope(serve_route r)
{
    switch (r) {
    case R_HEALTH: return 0;
    case R_EVENTS: case R_CONTACTS_POST: case R_CONSENTS: return SCOPE_WRITE;
    case R_EXPORT: case R_ERASE: return SCOPE_GDPR;
    default: return SCOPE_READ;
    }
}

static void dispatch(serve_req *q, serve_route r, serve_reply *out)
{
    switch (r) {
    case R_HEALTH: serve_reply_json(out, 200, strdup("{\"status\":\"ok\"}")); break;
    case R_METRICS: serve_metrics_text(q, out); break;
    case R_EVENTS: serve_ingest(q, SEGRT_EVENTS, out); break;
    case R_CONTACTS_POST: serve_ingest(q, SEGRT_CONTACTS, out); break;
    case R_CONSENTS: serve_ingest(q, SEGRT_CONSENTS, out); break;
    case R_SEGMENTS: serve_segments(q, out); break;
    case R_SEGMENT: serve_segment(q, out); break;
    case R_MEMBERS: serve_members(q, out); break;
    case R_CONTACT: serve_contact(q, out); break;
    case R_EXPORT: serve_export(q, out); break;
    case R_ERASE: serve_erase(q, out); break;
    default: serve_reply_error(out, 404, "no such route"); break;
    }
}

/* ------------------------------------------------------------ MHD glue */

static const char *query_arg(void *conn, const char *key)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, request *rq, serve_reply *r,
                                  const char *allow)
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
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    rq->status = r->status;
    enum MHD_Result ok = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const serve_token *bearer(serve *sv, struct MHD_Connection *conn)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return serve_tokens_find(&sv->tokens, h, strlen(h));
}

static const char *allowed(const match *m)
{
    if (m->del != R_UNKNOWN)
        return "GET, DELETE";
    return m->post != R_UNKNOWN ? "POST" : "GET";
}

/* The request, whole: route, authorise, answer. */
static enum MHD_Result answer(serve *sv, struct MHD_Connection *conn, request *rq,
                              const char *url, const char *method)
{
    serve_reply r = { 0 };
    match m;
    int known = route_path(url, &m);
    serve_route route = !known ? R_UNKNOWN
                        : strcmp(method, "GET") == 0 ? m.get
                        : strcmp(method, "POST") == 0 ? m.post
                        : strcmp(method, "DELETE") == 0 ? m.del : R_UNKNOWN;
    rq->route = route;
    if (!known) {
        serve_reply_error(&r, 404, "no such route: %s", url);
        return send_reply(conn, rq, &r, NULL);
    }
    if (route == R_UNKNOWN) {
        serve_reply_error(&r, 405, "%s is not allowed on %s", method, url);
        return send_reply(conn, rq, &r, allowed(&m));
    }
    if (rq->too_large) {
        serve_reply_error(&r, 413, "the body is over %zu bytes (--max-body)", sv->max_body);
        return send_reply(conn, rq, &r, NULL);
    }
    serve_req q = { .sv = sv, .body = rq->body ? rq->body : "", .body_len = rq->len,
                    .query = query_arg, .conn = conn };
    unsigned scope = route_scope(route);
    if (scope) {
        q.token = bearer(sv, conn);
        if (q.token == NULL)
            serve_reply_error(&r, 401, "a valid bearer token is required");
        else if (!(q.token->scopes & scope))
            serve_reply_error(&r, 403, "token '%s' lacks the %s scope", q.token->name,
                              scope == SCOPE_WRITE ? "write" : scope == SCOPE_GDPR ? "gdpr"
                                                                                  : "read");
        if (r.body || r.status)
            return send_reply(conn, rq, &r, NULL);
    }
    char arg[1024];
    if (m.arg) {
        if (m.arg_len >= sizeof arg) {
            serve_reply_error(&r, 404, "no such segment or contact (name too long)");
            return send_reply(conn, rq, &r, NULL);
        }
        memcpy(arg, m.arg, m.arg_len);
        arg[m.arg_len] = '\0';
        q.arg = arg;
    }
    dispatch(&q, route, &r);
    return send_reply(conn, rq, &r, NULL);
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
    if (atomic_load(&sv->draining)) {
        serve_reply r;
        serve_reply_error(&r, 503, "the server is shutting down");
        return send_reply(conn, rq, &r, NULL);
    }
    return answer(sv, conn, rq, url, method);
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
