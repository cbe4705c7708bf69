/*
 * live_tags.c — the tags of seg.tag rules on the live path: when a batch
 * moves a contact into or out of a tag segment, the tag is written into the
 * contact (store/tag.h), all of a batch's in one transaction after its
 * contacts were evaluated. The contacts written are handed back as touched:
 * a segment reading F.tags may change with them.
 *
 * Uses: live.h, tag.h, column.h, array.h.
 */
#include "live/live.h"

#include "store/tag.h"
#include "util/array.h"

#include <stdlib.h>

int live_tags_note(segrt_live *lv, uint32_t ord, size_t seg, int on)
{
    if (ARRAY_RESERVE(lv->tag_changes, lv->tag_changes_cap, lv->ntag_changes + 1) != 0)
        return store_fail(lv->s, SEGRT_ENOMEM, "out of memory noting a tag");
    lv->tag_changes[lv->ntag_changes++] = (struct tag_change){ ord, (uint32_t)seg, on };
    return SEGRT_OK;
}

static int write_changes(segrt_store *s, MDB_txn *txn, void *ud)
{
    segrt_live *lv = ud;
    column_cache *cc = column_cache_new();
    tag_ref *refs = calloc(lv->nseg ? lv->nseg : 1, sizeof *refs); /* per segment, once */
    int rc = cc && refs ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; i < lv->ntag_changes && rc == SEGRT_OK; i++) {
        const struct tag_change *t = &lv->tag_changes[i];
        tag_ref *ref = &refs[t->seg];
        if (ref->field == 0)
            rc = tag_ref_get(s, txn, lv->segs[t->seg].tag, ref);
        if (rc == SEGRT_OK)
            rc = tag_set(s, txn, cc, ref, t->ord, t->on);
    }
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    free(refs);
    return rc;
}

int live_tags_write(segrt_live *lv)
{
    int rc = store_write(lv->s, write_changes, lv);
    lv->ntouched = 0;
    for (size_t i = 0; i < lv->ntag_changes && rc == SEGRT_OK; i++) {
        if (ARRAY_RESERVE(lv->touched, lv->touched_cap, lv->ntouched + 1) != 0)
            rc = store_fail(lv->s, SEGRT_ENOMEM, "out of memory noting the contacts to update");
        else
            lv->touched[lv->ntouched++] = (struct touch){ lv->tag_changes[i].ord, READS_ALL };
    }
    lv->ntag_changes = 0;
    return rc;
}
