/**
 * @file segrt/run.h
 * @brief Stored runs of segments: recording a run (the members of each
 * segment, who entered and exited since its previous run, a history row),
 * reading a segment's history, and who entered and left a segment since one
 * of its runs, for syncing a mail tool incrementally.
 */
#ifndef SEGRT_PUBLIC_RUN_H
#define SEGRT_PUBLIC_RUN_H

#include "segrt/segment.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest segment name a run stores, in bytes. */
#define SEGRT_SEGMENT_NAME_MAX 255

/** One stored run of one segment: a row of its history. */
typedef struct segrt_run {
    uint64_t run;     /**< the run's number, from 1; shared by the segments of one run */
    int64_t now;      /**< NOW of the run (unix seconds) */
    uint64_t size;    /**< members after the run */
    uint64_t entered; /**< members after the run that were not before it */
    uint64_t exited;  /**< members before the run that are not after it */
} segrt_run;

/**
 * Store a run of segments at the store's NOW, in one write transaction: a
 * new run number shared by all of them and, per segment, its members, who
 * entered and who exited since its previous run, and a history row. On a
 * segment's first run every member entered.
 * @param s the store
 * @param n how many segments there are
 * @param names their names: distinct, not empty, at most SEGRT_SEGMENT_NAME_MAX bytes
 * @param purposes their consent purposes (an entry NULL or "": none), or NULL
 * @param sets their members, sets of this store
 * @param runs receives the n history rows (may be NULL)
 * @return SEGRT_OK, SEGRT_EINVAL (with a message in segrt_errmsg()) for a
 *         bad or repeated name, or another error code
 */
SEGRT_API int segrt_run_record(segrt_store *s, size_t n, const char *const names[],
                               const char *const purposes[], const segrt_set *const sets[],
                               segrt_run runs[]);

/**
 * Told about one stored run of a segment.
 * @param ud the ud given with the callback
 * @param r the run (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_run_fn)(void *ud, const segrt_run *r);

/**
 * Call @p fn for each stored run of a segment, oldest first.
 * @param s the store
 * @param name the segment's name
 * @param fn called for each run
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, SEGRT_ENOTFOUND (with a message
 *         in segrt_errmsg()) when no run of the segment is stored, or
 *         another error code
 */
SEGRT_API int segrt_segment_runs_foreach(segrt_store *s, const char *name, segrt_run_fn fn,
                                         void *ud);

/**
 * The last stored run of a segment.
 * @param s the store
 * @param name the segment's name
 * @param out receives the run
 * @return SEGRT_OK, SEGRT_ENOTFOUND (with a message in segrt_errmsg()) when
 *         no run of the segment is stored, or another error code
 */
SEGRT_API int segrt_segment_last_run(segrt_store *s, const char *name, segrt_run *out);

/**
 * Told about one segment name.
 * @param ud the ud given with the callback
 * @param name the name (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_segment_name_fn)(void *ud, const char *name);

/**
 * Call @p fn with the name of each segment that has a stored run, in byte
 * order of the names (whether or not a script still defines it).
 * @param s the store
 * @param fn called for each name
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_stored_segments_foreach(segrt_store *s, segrt_segment_name_fn fn, void *ud);

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
