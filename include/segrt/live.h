/**
 * @file segrt/live.h
 * @brief Live sessions: a script's segments kept up to date as rows arrive
 * (the real-time path), reporting who entered or left which segment.
 */
#ifndef SEGRT_PUBLIC_LIVE_H
#define SEGRT_PUBLIC_LIVE_H

#include "segrt/import.h"
#include "segrt/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A live session. Opening evaluates every segment once; each
 * segrt_live_apply() then imports a batch of rows and evaluates again only
 * the contacts the rows touched, reporting who entered or left which
 * segment. Values that rank a contact against everybody (seg.ntile, rank,
 * percentile, fitted models such as RFM quintiles or BG/NBD) are kept as
 * they were at open: they are batch values, refreshed by opening a new
 * session. Evaluation is at the store's NOW when the session opened.
 */
typedef struct segrt_live segrt_live;

/**
 * Told that a contact entered or left a segment.
 * @param ud the ud given to segrt_live_apply()
 * @param id the contact's external id (borrowed for the call)
 * @param segment the segment's name (borrowed for the call)
 * @param entered 1 when it entered, 0 when it left
 * @return 0 to go on; non-zero stops the update with an error
 */
typedef int (*segrt_live_fn)(void *ud, const char *id, const char *segment, int entered);

/**
 * Start a live session of a script. While it is open the store commits
 * without syncing to disk; segrt_live_flush() syncs. One session per store
 * at a time.
 * @param sc the script, which must outlive the session
 * @param out receives the session (NULL on failure); end it with segrt_live_close()
 * @return SEGRT_OK, SEGRT_EINVAL when the store has a session already, or
 *         another error code
 */
SEGRT_API int segrt_live_open(segrt_script *sc, segrt_live **out);

/**
 * Import JSON lines (contacts, events or consent records, one object a
 * line, as segrt_import_buffer() accepts them), then evaluate every segment
 * again for each contact the rows touched and report each change. Rows are
 * committed, in batches, but not synced; rejected rows are counted and do
 * not stop the call.
 * @param lv the session
 * @param kind what the lines are
 * @param jsonl the lines
 * @param len their length in bytes
 * @param fn called for each change (may be NULL)
 * @param ud passed to fn
 * @param report receives what the import did (may be NULL)
 * @return SEGRT_OK, the import's error, else the evaluation's (fn's
 *         non-zero return included)
 */
SEGRT_API int segrt_live_apply(segrt_live *lv, segrt_kind kind, const char *jsonl, size_t len,
                               segrt_live_fn fn, void *ud, segrt_import_report *report);

/**
 * Whether a contact is in a segment now (a bit test).
 * @param lv the session
 * @param segment the segment's name
 * @param id the contact's external id
 * @param in receives 1 or 0
 * @return SEGRT_OK, SEGRT_ENOTFOUND for an unknown id or segment, or
 *         another error code
 */
SEGRT_API int segrt_live_contains(segrt_live *lv, const char *segment, const char *id, int *in);

/**
 * The number of members of a segment now.
 * @param lv the session
 * @param segment the segment's name
 * @param count receives the count
 * @return SEGRT_OK, SEGRT_ENOTFOUND for an unknown segment, or another error code
 */
SEGRT_API int segrt_live_count(segrt_live *lv, const char *segment, uint64_t *count);

/**
 * Make everything applied so far durable (sync to disk) and rebuild the
 * derived data the session left stale (the id order, and the event
 * projections of any chunk of contacts a batch changed in bulk), so other
 * readers of the store are fast again. Each batch keeps the projections of
 * the contacts it changed current itself, so a flush after small batches
 * costs little more than the sync; call it every few seconds, not per row.
 * @param lv the session
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_live_flush(segrt_live *lv);

/**
 * Flush what is pending and end the session.
 * @param lv the session; NULL is accepted
 * @return the flush's result (SEGRT_OK for NULL)
 */
SEGRT_API int segrt_live_close(segrt_live *lv);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_LIVE_H */
