/*
 * serve_changes.c — what segrt serve does with each contact that entered or
 * left a segment (serve.h), whether rows arrived or time moved on: counted
 * for the metrics.
 */
#include "serve.h"

int serve_on_change(void *ud, const char *id, const char *segment, int entered)
{
    (void)id;
    (void)segment;
    serve_changes *ch = ud;
    if (entered)
        ch->entered++;
    else
        ch->left++;
    return 0;
}

int serve_tick(serve *sv, int64_t now)
{
    serve_changes ch = { .sv = sv };
    serve_lock_take(&sv->lock, 0);
    int rc = segrt_live_tick(sv->lv, now, serve_on_change, &ch);
    if (rc == SEGRT_OK)
        serve_sizes_refresh(sv);
    else
        fprintf(stderr, "segrt: serve: tick: %s\n", segrt_errmsg(sv->s));
    serve_lock_give(&sv->lock);
    serve_metrics_rows(&sv->metrics, SEGRT_EVENTS, 0, 0, ch.entered, ch.left);
    return rc;
}
