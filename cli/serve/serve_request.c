/*
 * serve_request.c — one request of segrt serve answered, whatever it came
 * on (serve.h): the route picked from method and path, the bearer token
 * checked against the route's scope, the route run. serve_http.c feeds it
 * what libmicrohttpd gathered; tests/fuzz/fuzz_serve.c feeds it fuzzed
 * requests.
 *
 * Uses: serve_tokens.c, serve_read.c, serve_ingest.c, serve_metrics.c.
 */
#include "serve.h"

#include <string.h>
#include <strings.h>

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

/* The token of an Authorization header "Bearer TOKEN", or NULL. */
static const serve_token *bearer(serve *sv, const char *h)
{
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

/* Whether the token passes scope; else r is set to the 401 or 403. */
static int authorised(const serve_token *t, unsigned scope, serve_reply *r)
{
    if (t == NULL)
        serve_reply_error(r, 401, "a valid bearer token is required");
    else if (!(t->scopes & scope))
        serve_reply_error(r, 403, "token '%s' lacks the %s scope", t->name,
                          scope == SCOPE_WRITE ? "write" : scope == SCOPE_GDPR ? "gdpr" : "read");
    return t && (t->scopes & scope);
}

serve_route serve_request(serve *sv, const serve_call *in, serve_reply *r)
{
    *r = (serve_reply){ 0 };
    if (atomic_load(&sv->draining)) {
        serve_reply_error(r, 503, "the server is shutting down");
        return R_UNKNOWN;
    }
    match m;
    int known = route_path(in->url, &m);
    serve_route route = !known ? R_UNKNOWN
                        : strcmp(in->method, "GET") == 0 ? m.get
                        : strcmp(in->method, "POST") == 0 ? m.post
                        : strcmp(in->method, "DELETE") == 0 ? m.del : R_UNKNOWN;
    if (!known) {
        serve_reply_error(r, 404, "no such route: %s", in->url);
        return route;
    }
    if (route == R_UNKNOWN) {
        serve_reply_error(r, 405, "%s is not allowed on %s", in->method, in->url);
        r->allow = allowed(&m);
        return route;
    }
    if (in->too_large) {
        serve_reply_error(r, 413, "the body is over %zu bytes (--max-body)", sv->max_body);
        return route;
    }
    serve_req q = { .sv = sv, .body = in->body ? in->body : "", .body_len = in->body_len,
                    .query = in->query, .conn = in->conn };
    unsigned scope = route_scope(route);
    if (scope && !authorised(q.token = bearer(sv, in->authorization), scope, r))
        return route;
    char arg[1024];
    if (m.arg) {
        if (m.arg_len >= sizeof arg) {
            serve_reply_error(r, 404, "no such segment or contact (name too long)");
            return route;
        }
        memcpy(arg, m.arg, m.arg_len);
        arg[m.arg_len] = '\0';
        q.arg = arg;
    }
    dispatch(&q, route, r);
    return route;
}
