/*
 * serve_changes.c — what segrt serve does with each contact that entered or
 * left a segment (serve.h), whether rows arrived or time moved on (--tick):
 * counted for the metrics and, for a segment with actions (seg.on_enter,
 * seg.on_exit), noted in the store's outbox, from which the deliverer
 * (deliver.c) posts the webhooks. Every change of such a segment is noted,
 * a leave without an on_exit too (with no webhook), so that the outbox's
 * notified state follows the segment and a later entry is not taken for a
 * replay.
 */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Changes held before they are noted, at most. */
#define NOTE_BATCH 10000

int serve_actions_init(serve *sv)
{
    size_t n = segrt_script_action_count(sv->sc);
    if (n && (sv->acts = calloc(n, sizeof *sv->acts)) == NULL)
        return SEGRT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        segrt_action a;
        if (segrt_script_action(sv->sc, i, &a) != SEGRT_OK)
            return SEGRT_EINVAL;
        size_t k = 0;
        while (k < sv->nacts && strcmp(sv->acts[k].segment, a.segment) != 0)
            k++;
        serve_action_seg *as = &sv->acts[k];
        if (k == sv->nacts) {
            as->segment = a.segment;
            sv->nacts++;
        }
        const char ***urls = a.on_enter ? &as->enter : &as->exit;
        size_t *nurls = a.on_enter ? &as->nenter : &as->nexit;
        const char **grown = realloc(*urls, (*nurls + 1) * sizeof *grown);
        if (grown == NULL)
            return SEGRT_ENOMEM;
        grown[(*nurls)++] = a.webhook;
        *urls = grown;
    }
    return SEGRT_OK;
}

void serve_actions_free(serve *sv)
{
    for (size_t i = 0; i < sv->nacts; i++) {
        free(sv->acts[i].enter);
        free(sv->acts[i].exit);
    }
    free(sv->acts);
}

int64_t serve_now(const serve *sv)
{
    return sv->now0 + (int64_t)(cli_now_ms() / 1e3 - sv->started);
}

static const serve_action_seg *actions_of(const serve *sv, const char *segment)
{
    for (size_t i = 0; i < sv->nacts; i++) {
        if (strcmp(sv->acts[i].segment, segment) == 0)
            return &sv->acts[i];
    }
    return NULL;
}

/* Note what ch holds in the outbox and wake the deliverer; under the lock. */
static int note(serve_changes *ch)
{
    serve *sv = ch->sv;
    size_t queued = 0;
    int rc = ch->n ? segrt_outbox_note(sv->s, ch->n, ch->v, &queued) : SEGRT_OK;
    if (rc != SEGRT_OK) /* the rows stand; the next start's reconciliation notes these */
        fprintf(stderr, "segrt: serve: noting %zu changes in the outbox: %s\n", ch->n,
                segrt_errmsg(sv->s));
    for (size_t i = 0; i < ch->n; i++)
        free((char *)ch->v[i].contact);
    ch->n = 0;
    if (queued && sv->dl) /* none yet while reconciling: its first round takes them */
        deliver_wake(sv->dl);
    return rc;
}

/* Hold one change of a segment with actions; noted when NOTE_BATCH are held. */
static int hold(serve_changes *ch, const serve_action_seg *as, const char *id, int entered)
{
    if (ch->n == ch->cap) {
        size_t cap = ch->cap ? ch->cap * 2 : 64;
        segrt_outbox_change *v = realloc(ch->v, cap * sizeof *v);
        if (v == NULL)
            return SEGRT_ENOMEM;
        ch->v = v;
        ch->cap = cap;
    }
    char *contact = strdup(id);
    if (contact == NULL)
        return SEGRT_ENOMEM;
    ch->held++;
    ch->v[ch->n++] = (segrt_outbox_change){
        .segment = as->segment, .contact = contact, .entered = entered, .at = ch->at,
        .urls = entered ? as->enter : as->exit, .nurls = entered ? as->nenter : as->nexit };
    return ch->n == NOTE_BATCH ? note(ch) : SEGRT_OK;
}

void serve_changes_begin(serve_changes *ch, serve *sv)
{
    *ch = (serve_changes){ .sv = sv, .at = serve_now(sv) };
}

int serve_on_change(void *ud, const char *id, const char *segment, int entered)
{
    serve_changes *ch = ud;
    if (entered)
        ch->entered++;
    else
        ch->left++;
    const serve_action_seg *as = actions_of(ch->sv, segment);
    return as ? hold(ch, as, id, entered) : 0;
}

int serve_changes_end(serve_changes *ch)
{
    int rc = note(ch);
    free(ch->v);
    ch->v = NULL;
    return rc;
}

int serve_tick(serve *sv, int64_t now)
{
    serve_changes ch;
    serve_lock_take(&sv->lock, 0);
    serve_changes_begin(&ch, sv);
    ch.at = now;
    int rc = segrt_live_tick(sv->lv, now, serve_on_change, &ch);
    serve_changes_end(&ch);
    atomic_fetch_add(&sv->committed, 1); /* the outbox's notes: the next sync covers them */
    if (rc == SEGRT_OK)
        serve_sizes_refresh(sv);
    else
        fprintf(stderr, "segrt: serve: tick: %s\n", segrt_errmsg(sv->s));
    serve_lock_give(&sv->lock);
    serve_metrics_rows(&sv->metrics, SEGRT_EVENTS, 0, 0, ch.entered, ch.left);
    return rc;
}

/* ------------------------------------------------------------ reconciling at the start */

/* The ids of a segment's notified state, in byte order. */
typedef struct id_list {
    char **v;
    size_t n, cap;
} id_list;

static int list_add(void *ud, const char *id)
{
    id_list *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v == NULL)
            return SEGRT_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    return (l->v[l->n] = strdup(id)) != NULL ? (l->n++, SEGRT_OK) : SEGRT_ENOMEM;
}

/* Members walked in byte order against the notified ids (a merge). */
typedef struct merge {
    serve_changes *ch;
    const serve_action_seg *as;
    const id_list *notified;
    size_t at; /* the next notified id not yet passed */
} merge;

static int merge_member(void *ud, const char *id)
{
    merge *m = ud;
    int rc = SEGRT_OK, cmp = -1;
    while (rc == SEGRT_OK && m->at < m->notified->n &&
           (cmp = strcmp(m->notified->v[m->at], id)) < 0)
        rc = hold(m->ch, m->as, m->notified->v[m->at++], 0); /* notified, no member now: left */
    if (rc == SEGRT_OK && m->at < m->notified->n && cmp == 0)
        m->at++; /* notified and a member: nothing changed */
    else if (rc == SEGRT_OK)
        rc = hold(m->ch, m->as, id, 1); /* a member not notified: entered */
    return rc;
}

static int reconcile_one(serve *sv, serve_changes *ch, const serve_action_seg *as)
{
    id_list notified = { 0 };
    segrt_set *members = NULL;
    int rc = segrt_outbox_notified_foreach(sv->s, as->segment, list_add, &notified);
    if (rc == SEGRT_OK)
        rc = segrt_live_members(sv->lv, as->segment, &members);
    merge m = { ch, as, &notified, 0 };
    if (rc == SEGRT_OK)
        rc = segrt_set_ids_foreach(sv->s, members, merge_member, &m);
    while (rc == SEGRT_OK && m.at < notified.n)
        rc = hold(ch, as, notified.v[m.at++], 0);
    segrt_set_free(members);
    for (size_t i = 0; i < notified.n; i++)
        free(notified.v[i]);
    free(notified.v);
    return rc;
}

int serve_reconcile(serve *sv, uint64_t *noted)
{
    serve_changes ch;
    serve_changes_begin(&ch, sv);
    int rc = SEGRT_OK;
    for (size_t i = 0; i < sv->nacts && rc == SEGRT_OK; i++)
        rc = reconcile_one(sv, &ch, &sv->acts[i]);
    int nrc = serve_changes_end(&ch);
    *noted = ch.held;
    if (rc == SEGRT_OK)
        rc = nrc;
    return rc == SEGRT_OK ? segrt_live_sync(sv->lv) : rc;
}
