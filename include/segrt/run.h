/**
 * @file segrt/run.h
 * @brief Stored runs of segments: the members each run of `segrt run`
 * recorded, and who entered and left a segment since one of its runs, for
 * syncing a mail tool incrementally.
 */
#ifndef SEGRT_PUBLIC_RUN_H
#define SEGRT_PUBLIC_RUN_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One contact whose membership changed; strings borrowed for the call. */
typedef struct segrt_change {
    const char *change; /**< "entered" or "left" */
    const char *id;     /**< the contact's external id */
    const char *email;  /**< its email field, or NULL when it has none */
} segrt_change;

/**
 * The stored run of a segment to sync from at a time: of its runs whose NOW
 * is at or before t, the one with the latest NOW (the higher run number on a
 * tie).
 * @param s the store
 * @param name the segment's name
 * @param t unix seconds
 * @param run receives the run number (0 on failure)
 * @return SEGRT_OK; SEGRT_ENOTFOUND, with a message in segrt_errmsg(), when
 *         the segment has no stored run or none at or before t; or another
 *         error code
 */
SEGRT_API int segrt_segment_run_at(segrt_store *s, const char *name, int64_t t, uint64_t *run);

/**
 * Told about one contact whose membership changed.
 * @param ud the ud given with the callback
 * @param c the change (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_change_fn)(void *ud, const segrt_change *c);

/**
 * Who entered and who left a segment between one of its stored runs and its
 * last stored run, once per contact in byte order of the ids. The members at
 * run @p since are rebuilt from the last run's members through the entered
 * and exited sets each later run stored; erased contacts appear nowhere.
 * @param s the store
 * @param name the segment's name
 * @param since the run number to start from
 * @param fn called for each contact that entered or left
 * @param ud passed to fn
 * @return SEGRT_OK; fn's non-zero return; SEGRT_ENOTFOUND, with a message in
 *         segrt_errmsg(), when the segment has no stored run, since is not
 *         one of its runs, or a later run was stored before runs kept their
 *         changes; or another error code
 */
SEGRT_API int segrt_segment_changes_foreach(segrt_store *s, const char *name, uint64_t since,
                                            segrt_change_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_RUN_H */
