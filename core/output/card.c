/*
 * card.c — segrt_contact_card(): a readable contact card built from the
 * contact's JSON object (contact_json.h): fields, consent in force at NOW,
 * the most recent events, segments; segrt_contact_card_json(): the same
 * card as JSON, for a host that serves it.
 *
 * Uses: contact_json.h, value.h.
 */
#include "privacy/contact_json.h"

#include "util/buf.h"
#include "store/schema.h"
#include "util/value.h"

#include <stdio.h>
#include <string.h>

#define CARD_RECENT_EVENTS 10

/* A JSON scalar or array as display text into out. */
static const char *text_of(json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v)) {
        size_t i, used = 0;
        json_t *item;
        out[0] = '\0';
        json_array_foreach(v, i, item) {
            int k = snprintf(out + used, n - used, "%s%s", i ? ";" : "",
                             json_is_string(item) ? json_string_value(item) : "?");
            if (k < 0 || (size_t)k >= n - used)
                break;
            used += (size_t)k;
        }
        return out;
    }
    if (json_is_null(v) || v == NULL)
        return "";
    char *dump = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    snprintf(out, n, "%s", dump ? dump : "?");
    free(dump);
    return out;
}

/*
 * The fields, each value or, for a field hide names a special category of
 * (Art. 9), that category instead.
 */
static void card_fields(buf *b, json_t *contact, int64_t now, segrt_hide_fn hide, void *ud)
{
    const char *key;
    json_t *v;
    int width = 0;
    json_object_foreach(contact, key, v) {
        if ((int)strlen(key) > width)
            width = (int)strlen(key);
    }
    buf_printf(b, "Contact %s\n", json_string_value(json_object_get(contact, "id")));
    json_object_foreach(contact, key, v) {
        char text[512];
        if (strcmp(key, "id") == 0)
            continue;
        const char *category = hide ? hide(ud, key) : NULL;
        if (category) {
            buf_printf(b, "  %-*s  (special category: %s; shown only under a purpose resting on "
                       "explicit consent)\n", width, key, category);
            continue;
        }
        buf_printf(b, "  %-*s  %s", width, key, text_of(v, text, sizeof text));
        int64_t days;
        const char *bd = json_string_value(v);
        if (strcmp(key, "birth_date") == 0 && bd &&
            value_parse_date(bd, strlen(bd), &days) == 0)
            buf_printf(b, "  (age %d)", value_age_years(days, now));
        buf_printf(b, "\n");
    }
}

/* Art. 18: since when the contact is restricted, and why, when it is. */
static void card_restricted(buf *b, json_t *r)
{
    if (r == NULL)
        return;
    const char *why = json_string_value(json_object_get(r, "reason"));
    buf_printf(b, "\nRestricted (GDPR Art. 18) since %s%s%s: kept and exportable, left out of "
               "every segment, score, render and export\n",
               json_string_value(json_object_get(r, "since")), why ? ", reason: " : "",
               why ? why : "");
}

static void card_consents(buf *b, json_t *consents, int64_t now)
{
    char t[24];
    value_format_timestamp(now, t);
    buf_printf(b, "\nConsent in force at %s\n", t);
    size_t i, shown = 0;
    json_t *c;
    json_array_foreach(consents, i, c) {
        if (!json_is_true(json_object_get(c, "in_force")))
            continue;
        char tx[4][128];
        json_t *exp = json_object_get(c, "expires_at");
        int64_t until;
        int expired = json_is_string(exp) &&
                      segrt_time_parse(json_string_value(exp), &until) == SEGRT_OK && until <= now;
        buf_printf(b, "  %-18s %-10s %-20s since %s%s%s\n",
            text_of(json_object_get(c, "purpose"), tx[0], sizeof tx[0]),
            text_of(json_object_get(c, "status"), tx[1], sizeof tx[1]),
            text_of(json_object_get(c, "legal_basis"), tx[2], sizeof tx[2]),
            text_of(json_object_get(c, "ts"), tx[3], sizeof tx[3]),
            json_is_string(exp) ? (expired ? ", expired " : ", expires ") : "",
            json_is_string(exp) ? json_string_value(exp) : "");
        shown++;
    }
    if (shown == 0)
        buf_printf(b, "  (no consent record)\n");
    buf_printf(b, "  history: %zu record%s\n", json_array_size(consents),
        json_array_size(consents) == 1 ? "" : "s");
}

static void card_events(buf *b, json_t *events)
{
    size_t n = json_array_size(events);
    size_t shown = n < CARD_RECENT_EVENTS ? n : CARD_RECENT_EVENTS;
    buf_printf(b, "\nRecent events (%zu of %zu, newest first)\n", shown, n);
    for (size_t k = 0; k < shown; k++) {
        json_t *e = json_array_get(events, n - 1 - k);
        char tx[5][128];
        buf_printf(b, "  %s  %-15s %10s  %-18s %s\n", text_of(json_object_get(e, "ts"), tx[0], 128),
            text_of(json_object_get(e, "type"), tx[1], 128),
            text_of(json_object_get(e, "amount"), tx[2], 128),
            text_of(json_object_get(e, "category"), tx[3], 128),
            text_of(json_object_get(e, "channel"), tx[4], 128));
    }
}

static void card_segments(buf *b, json_t *segments)
{
    buf_printf(b, "\nSegments\n");
    size_t i;
    json_t *seg;
    json_array_foreach(segments, i, seg) {
        char t[256];
        const char *purpose = json_string_value(json_object_get(seg, "purpose"));
        buf_printf(b, "  %s", text_of(json_object_get(seg, "name"), t, sizeof t));
        buf_printf(b, purpose ? "  (purpose: %s)\n" : "%s\n", purpose ? purpose : "");
    }
    if (json_array_size(segments) == 0)
        buf_printf(b, "  (member of no stored segment)\n");
}

struct card_args {
    const char *id;
    json_t *obj;
};

/* Everything held about the contact, as contact_json gives it. */
static int card_in(segrt_store *s, MDB_txn *txn, void *ud)
{
    struct card_args *a = ud;
    uint32_t ord;
    int rc = store_ord_of(s, txn, a->id, &ord);
    return rc == SEGRT_OK ? contact_json(s, txn, ord, &a->obj) : rc;
}

/* Everything held about contact id, as contact_json gives it, into *obj. */
static int card_object(segrt_store *s, const char *id, json_t **obj)
{
    struct card_args a = { id, NULL };
    int rc = store_read(s, card_in, &a);
    *obj = a.obj;
    return rc;
}

int segrt_contact_card(segrt_store *s, const char *id, char **text)
{
    return segrt_contact_card_hiding(s, id, NULL, NULL, text);
}

int segrt_contact_card_hiding(segrt_store *s, const char *id, segrt_hide_fn hide, void *ud,
                              char **text)
{
    *text = NULL;
    json_t *obj;
    int rc = card_object(s, id, &obj);
    if (rc != SEGRT_OK)
        return rc;
    buf b = { 0 };
    card_fields(&b, json_object_get(obj, "contact"), s->now, hide, ud);
    card_restricted(&b, json_object_get(obj, "restricted"));
    card_consents(&b, json_object_get(obj, "consents"), s->now);
    card_events(&b, json_object_get(obj, "events"));
    card_segments(&b, json_object_get(obj, "segments"));
    json_decref(obj);
    if (buf_put(&b, "", 1) != 0) {
        buf_free(&b);
        return store_fail(s, SEGRT_ENOMEM, "out of memory");
    }
    *text = (char *)b.p;
    return SEGRT_OK;
}

/* The consent records of the history that are in force at NOW. */
static json_t *in_force(json_t *consents)
{
    json_t *out = json_array(), *c;
    size_t i;
    json_array_foreach(consents, i, c) {
        if (json_is_true(json_object_get(c, "in_force")))
            json_array_append(out, c);
    }
    return out;
}

/* The newest CARD_RECENT_EVENTS events, newest first. */
static json_t *recent(json_t *events)
{
    json_t *out = json_array();
    size_t n = json_array_size(events);
    for (size_t k = 0; k < n && k < CARD_RECENT_EVENTS; k++)
        json_array_append(out, json_array_get(events, n - 1 - k));
    return out;
}

int segrt_contact_card_json(segrt_store *s, const char *id, char **json)
{
    return segrt_contact_card_json_hiding(s, id, NULL, NULL, json);
}

int segrt_contact_card_json_hiding(segrt_store *s, const char *id, segrt_hide_fn hide, void *ud,
                                   char **json)
{
    *json = NULL;
    json_t *obj;
    int rc = card_object(s, id, &obj);
    if (rc != SEGRT_OK)
        return rc;
    json_t *contact = json_object_get(obj, "contact");
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(contact, tmp, key, v) { /* Art. 9: the category, not the value */
        const char *category = hide ? hide(ud, key) : NULL;
        if (category)
            json_object_set_new(contact, key, json_pack("{s:s}", "special_category", category));
    }
    json_t *consents = json_object_get(obj, "consents"), *events = json_object_get(obj, "events");
    json_t *card = json_pack("{s:O, s:o, s:I, s:o, s:I, s:O}",
                             "contact", json_object_get(obj, "contact"),
                             "consent", in_force(consents),
                             "consent_records", (json_int_t)json_array_size(consents),
                             "recent_events", recent(events),
                             "events", (json_int_t)json_array_size(events),
                             "segments", json_object_get(obj, "segments"));
    json_t *restricted = json_object_get(obj, "restricted");
    if (card && restricted)
        json_object_set(card, "restricted", restricted);
    json_decref(obj);
    *json = card ? json_dumps(card, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
                 : NULL;
    json_decref(card);
    return *json ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
}
