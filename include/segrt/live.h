/**
 * @file segrt/live.h
 * @brief Live sessions: a script's segments kept up to date as rows arrive
 * (the real-time path), reporting who entered or left which segment.
 */
#ifndef SEGRT_PUBLIC_LIVE_H
#define SEGRT_PUBLIC_LIVE_H

#include "segrt/import.h"
#include "segrt/script.h"
#include "segrt/segment.h"

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
 * without syncing to disk; segrt_live_flush() syncs. Meanwhile a thread of
 * the session starts the write-out of what the batches committed (at most
 * every 250 ms, without waiting or syncing), so that the flush has little
 * left to write; segrt_live_close() ends it. One session per store at a
 * time.
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
 * segrt_live_apply() with import options: with opts->strict a bad row
 * commits nothing of the call and returns SEGRT_EBADROW; opts->on_reject
 * and on_notice are told of each rejected or noticed row by its line
 * (opts->batch_rows and on_progress are honoured too).
 * @param lv the session
 * @param kind what the lines are
 * @param jsonl the lines
 * @param len their length in bytes
 * @param opts the import options, or NULL for the defaults
 * @param fn called for each change (may be NULL)
 * @param ud passed to fn
 * @param report receives what the import did (may be NULL)
 * @return as segrt_live_apply(); SEGRT_EBADROW when strict mode met a bad row
 */
SEGRT_API int segrt_live_apply_opts(segrt_live *lv, segrt_kind kind, const char *jsonl,
                                    size_t len, const segrt_import_opts *opts,
                                    segrt_live_fn fn, void *ud, segrt_import_report *report);

/**
 * Make every batch applied so far durable (one sync of the data file),
 * without rebuilding derived data as segrt_live_flush() does: what a server
 * calls before it acknowledges rows. Unlike the other calls it may run in
 * another thread at the same time as segrt_live_apply() (a sync then covers
 * at least what had committed when it began); on failure it sets no message.
 * @param lv the session
 * @return SEGRT_OK, or SEGRT_EIO when the sync failed
 */
SEGRT_API int segrt_live_sync(segrt_live *lv);

/**
 * The members of a segment now, as a set of its own (a copy: later batches
 * do not change it), for the segrt_set_* calls.
 * @param lv the session
 * @param segment the segment's name
 * @param out receives the set (NULL on failure); release it with segrt_set_free()
 * @return SEGRT_OK, SEGRT_ENOTFOUND for an unknown segment, or another error code
 */
SEGRT_API int segrt_live_members(segrt_live *lv, const char *segment, segrt_set **out);

/**
 * Erase a contact as segrt_contact_erase() does (GDPR Art. 17, audited) and
 * take it out of every segment of the session, reporting nothing: an erased
 * person is not announced anywhere.
 * @param lv the session
 * @param id the contact's external id
 * @param actor who erases, for the audit log
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the id is unknown, or another error code
 */
SEGRT_API int segrt_live_erase(segrt_live *lv, const char *id, const char *actor);

/**
 * Move the session to a new NOW: every segment is evaluated again over the
 * whole store at @p now (so rules on time, such as within, older_than or
 * ago, move), the values that rank contacts against everybody are
 * recomputed, and each contact that entered or left a segment is reported.
 * Costs what opening the session cost; a server calls it on a schedule.
 * @param lv the session
 * @param now the new NOW (seconds since the epoch, UTC)
 * @param fn called for each change (may be NULL)
 * @param ud passed to fn
 * @return SEGRT_OK or an error code (the session keeps its old state when
 *         the evaluation failed)
 */
SEGRT_API int segrt_live_tick(segrt_live *lv, int64_t now, segrt_live_fn fn, void *ud);

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
