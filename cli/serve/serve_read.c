/*
 * serve_read.c — the GET and DELETE routes of segrt serve (serve.h):
 * segments and their sizes, a segment's members a page at a time (those
 * a purpose's consent check passes, when asked), a
 * contact's card with its live segments, and the GDPR export and erasure,
 * audited under the token's name.
 */
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MEMBERS_DEFAULT 1000
#define MEMBERS_MAX 100000

void serve_sizes_refresh(serve *sv)
{
    size_t n = segrt_script_segment_count(sv->sc);
    pthread_mutex_lock(&sv->sizes_lock);
    for (size_t i = 0; i < n; i++) {
        uint64_t c = 0;
        if (segrt_live_count(sv->lv, segrt_script_segment_name(sv->sc, i), &c) == SEGRT_OK)
            sv->sizes[i] = c;
    }
    pthread_mutex_unlock(&sv->sizes_lock);
}

/* {"name","size","purpose","description"} of segment i; size from the copy under sizes_lock. */
static json_t *segment_json(serve *sv, size_t i)
{
    const char *purpose = segrt_script_segment_purpose(sv->sc, i);
    const char *description = segrt_script_segment_description(sv->sc, i);
    pthread_mutex_lock(&sv->sizes_lock);
    uint64_t size = sv->sizes[i];
    pthread_mutex_unlock(&sv->sizes_lock);
    return json_pack("{s:s, s:I, s:s?, s:s?}", "name", segrt_script_segment_name(sv->sc, i),
                     "size", (json_int_t)size, "purpose", purpose, "description", description);
}

static char *dump(json_t *v)
{
    size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15);
    char *text = v ? json_dumps(v, flags) : NULL;
    json_decref(v);
    return text;
}

void serve_segments(serve_req *q, serve_reply *r)
{
    json_t *all = json_array();
    size_t n = segrt_script_segment_count(q->sv->sc);
    for (size_t i = 0; all && i < n; i++) {
        if (json_array_append_new(all, segment_json(q->sv, i)) != 0) {
            json_decref(all);
            all = NULL;
        }
    }
    serve_reply_json(r, 200, dump(all));
}

void serve_segment(serve_req *q, serve_reply *r)
{
    long i = cli_segment_index(q->sv->sc, q->arg);
    if (i < 0)
        serve_reply_error(r, 404, "no segment '%s'", q->arg);
    else
        serve_reply_json(r, 200, dump(segment_json(q->sv, (size_t)i)));
}

/* A page of members: ids until limit, then the id that shows there is more. */
typedef struct page {
    json_t *ids;
    size_t limit;
    int more;
} page;

static int page_add(void *ud, const char *id)
{
    page *p = ud;
    if (json_array_size(p->ids) == p->limit) {
        p->more = 1;
        return 1; /* stop: a next page exists */
    }
    return json_array_append_new(p->ids, json_string(id)) == 0 ? SEGRT_OK : SEGRT_ENOMEM;
}

/* ?limit=N: 1 to MEMBERS_MAX, default MEMBERS_DEFAULT; 0 when bad. */
static size_t page_limit(serve_req *q)
{
    const char *text = q->query(q->conn, "limit");
    if (text == NULL)
        return MEMBERS_DEFAULT;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v == 0 || v > MEMBERS_MAX)
        return 0;
    return (size_t)v;
}

void serve_members(serve_req *q, serve_reply *r)
{
    page p = { .limit = page_limit(q) };
    if (p.limit == 0) {
        serve_reply_error(r, 400, "limit must be a whole number from 1 to %d", MEMBERS_MAX);
        return;
    }
    const char *after = q->query(q->conn, "after");
    serve *sv = q->sv;
    if ((p.ids = json_array()) == NULL) {
        serve_reply_error(r, 500, "out of memory");
        return;
    }
    serve_lock_take(&sv->lock, 1);
    segrt_set *m = NULL;
    int rc = segrt_live_members(sv->lv, q->arg, &m);
    const char *purpose = q->query(q->conn, "purpose"); /* as segrt members --purpose */
    if (rc == SEGRT_OK && purpose)
        rc = segrt_set_keep_purpose(sv->sc, m, purpose);
    if (rc == SEGRT_OK)
        rc = segrt_set_ids_after(sv->s, m, after, page_add, &p);
    if (rc < 0)
        serve_reply_store(r, sv, rc);
    serve_lock_give(&sv->lock);
    segrt_set_free(m);
    if (rc < 0) {
        json_decref(p.ids);
        return;
    }
    size_t n = json_array_size(p.ids);
    json_t *next = p.more && n ? json_incref(json_array_get(p.ids, n - 1)) : json_null();
    serve_reply_json(r, 200, dump(json_pack("{s:o, s:o}", "members", p.ids, "next", next)));
}

/* The card, its "segments" the live ones with their purposes. */
static json_t *card_with_live_segments(serve *sv, const char *id, const char *card)
{
    json_t *obj = json_loads(card, 0, NULL), *segs = json_array();
    size_t n = segrt_script_segment_count(sv->sc);
    for (size_t i = 0; obj && segs && i < n; i++) {
        int in = 0;
        const char *name = segrt_script_segment_name(sv->sc, i);
        if (segrt_live_contains(sv->lv, name, id, &in) == SEGRT_OK && in)
            json_array_append_new(segs, json_pack("{s:s, s:s?}", "name", name, "purpose",
                                                  segrt_script_segment_purpose(sv->sc, i)));
    }
    if (obj == NULL || segs == NULL || json_object_set_new(obj, "segments", segs) != 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Art. 9: a card over HTTP shows a special-category field's category, not its value. */
static const char *hide_special(void *ud, const char *field)
{
    return segrt_script_sensitive(ud, field);
}

void serve_contact(serve_req *q, serve_reply *r)
{
    serve *sv = q->sv;
    char *card = NULL;
    json_t *obj = NULL;
    serve_lock_take(&sv->lock, 1);
    int rc = segrt_contact_card_json_hiding(sv->s, q->arg, hide_special, sv->sc, &card);
    if (rc == SEGRT_OK)
        obj = card_with_live_segments(sv, q->arg, card);
    else
        serve_reply_store(r, sv, rc);
    serve_lock_give(&sv->lock);
    segrt_free(card);
    if (rc == SEGRT_OK)
        serve_reply_json(r, 200, dump(obj));
}

void serve_export(serve_req *q, serve_reply *r)
{
    serve *sv = q->sv;
    char *json = NULL;
    serve_lock_take(&sv->lock, 1);
    int rc = segrt_contact_export(sv->s, q->arg, q->token->name, &json);
    if (rc != SEGRT_OK)
        serve_reply_store(r, sv, rc);
    serve_lock_give(&sv->lock);
    if (rc == SEGRT_OK) {
        serve_reply_json(r, 200, strdup(json));
        segrt_free(json);
    }
}

void serve_erase(serve_req *q, serve_reply *r)
{
    serve *sv = q->sv;
    serve_lock_take(&sv->lock, 1);
    int rc = segrt_live_erase(sv->lv, q->arg, q->token->name);
    if (rc == SEGRT_OK) {
        rc = segrt_live_sync(sv->lv); /* durable before it is acknowledged */
        if (rc != SEGRT_OK)
            serve_reply_error(r, 500, "the erasure could not be synced to disk");
        serve_sizes_refresh(sv);
    } else {
        serve_reply_store(r, sv, rc);
    }
    serve_lock_give(&sv->lock);
    if (rc == SEGRT_OK)
        serve_reply_json(r, 200, dump(json_pack("{s:s}", "erased", q->arg)));
}
