/**
 * @file segrt/segment.h
 * @brief Evaluating the segments of a script into sets of contacts, and
 * reading a set: its size, whether it holds a contact, its members' ids and
 * rows.
 */
#ifndef SEGRT_PUBLIC_SEGMENT_H
#define SEGRT_PUBLIC_SEGMENT_H

#include "segrt/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A set of contacts, e.g. the members of a segment at NOW. */
typedef struct segrt_set segrt_set;

/**
 * Evaluate a segment at the store's NOW over one snapshot of the store.
 * @param sc the script
 * @param name the segment's name
 * @param out receives the members (NULL on failure); release them with segrt_set_free()
 * @return SEGRT_OK; SEGRT_ENOTFOUND (with a "did you mean" hint in
 *         segrt_errmsg()) when the script has no such segment; SEGRT_ELUA
 *         when the definition is wrong or a filter raises; or another error code
 */
SEGRT_API int segrt_segment_eval(segrt_script *sc, const char *name, segrt_set **out);

/**
 * A copy of a set, to change (e.g. with segrt_set_keep_purpose()) while the
 * original stays.
 * @param m the set
 * @return the copy (release it with segrt_set_free()), or NULL when out of
 *         memory or m is NULL
 */
SEGRT_API segrt_set *segrt_set_copy(const segrt_set *m);

/**
 * Keep in a set only the contacts that pass the consent check of a purpose
 * at NOW (the script's seg.consent, else the shipped one; objections to
 * direct marketing apply to marketing purposes). For exporting a segment
 * without a purpose to a channel.
 * @param sc the script
 * @param m the set, changed in place
 * @param purpose the consent purpose
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_set_keep_purpose(segrt_script *sc, segrt_set *m, const char *purpose);

/**
 * Release a set.
 * @param m the set; NULL is accepted
 */
SEGRT_API void segrt_set_free(segrt_set *m);

/**
 * Whether a contact is in a set.
 * @param s the store the set is of
 * @param m the set
 * @param id the contact's external id
 * @param in receives 1 or 0
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the store has no such contact, or
 *         another error code
 */
SEGRT_API int segrt_set_contains(segrt_store *s, const segrt_set *m, const char *id, int *in);

/**
 * The number of contacts in a set.
 * @param m the set
 * @return the count
 */
SEGRT_API uint64_t segrt_set_count(const segrt_set *m);

/**
 * Call @p fn with every contact in a set, in byte order of the ids.
 * @param s the store the set is of
 * @param m the set
 * @param fn called for each contact
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_set_ids_foreach(segrt_store *s, const segrt_set *m, segrt_id_fn fn,
                                    void *ud);

/**
 * segrt_set_ids_foreach() from a point: only the ids after @p after in byte
 * order (a page of members starts after the last id of the page before).
 * @param s the store the set is of
 * @param m the set
 * @param after start after this id (need not be a member, nor known); NULL: from the first
 * @param fn called for each contact; a non-zero return stops the walk
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_set_ids_after(segrt_store *s, const segrt_set *m, const char *after,
                                  segrt_id_fn fn, void *ud);

/**
 * Told about one contact as a row.
 * @param ud the ud given with the callback
 * @param json the row, a compact JSON object (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_row_fn)(void *ud, const char *json);

/**
 * Call @p fn for every contact of a set, in byte order of the ids, with a
 * compact JSON object: "id" and the named fields in that order (missing
 * values are null), or every field when @p nfields is 0.
 * @param s the store the set is of
 * @param m the set
 * @param fields the contact fields to give
 * @param nfields how many fields there are
 * @param fn called for each contact
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, SEGRT_EINVAL naming an unknown
 *         field in segrt_errmsg(), or another error code
 */
SEGRT_API int segrt_set_rows_foreach(segrt_store *s, const segrt_set *m,
                                     const char *const *fields, size_t nfields, segrt_row_fn fn,
                                     void *ud);

/**
 * As segrt_set_rows_foreach(), where the fields may also name scores and
 * model outputs of the script (e.g. "rfm.R"), evaluated at the store's NOW.
 * @param sc the script
 * @param m the set (of the script's store)
 * @param fields the contact fields, scores and model outputs to give
 * @param nfields how many fields there are
 * @param fn called for each contact
 * @param ud passed to fn
 * @return as segrt_set_rows_foreach()
 */
SEGRT_API int segrt_script_rows_foreach(segrt_script *sc, const segrt_set *m,
                                        const char *const *fields, size_t nfields,
                                        segrt_row_fn fn, void *ud);

/**
 * Write the tags a script keeps (seg.tag "NAME" { where = ... }) for the
 * members of its tag segments: the set field "tags" of every contact holds
 * NAME exactly when the contact is in the set given for segment NAME; the
 * field's other strings stay as they are. Every tag in one transaction.
 * `segrt run` calls it with the sets it recorded (segrt_run_record()).
 * Contacts added after a set was evaluated are left alone. A store with no
 * field "tags" gets it, as a set field.
 * @param sc the script
 * @param n how many sets there are
 * @param names the segments' names; those that are not tags of the script are skipped
 * @param sets their members, evaluated at NOW (segrt_segment_eval())
 * @param changed receives how many contacts gained or lost a tag (may be NULL)
 * @return SEGRT_OK; SEGRT_ESCHEMA when the store's "tags" is not a set
 *         field; SEGRT_EINVAL for missing arguments; or another error code
 */
SEGRT_API int segrt_script_tags_write(segrt_script *sc, size_t n, const char *const names[],
                                      const segrt_set *const sets[], uint64_t *changed);

/**
 * The pairwise overlaps of sets as a text table: a header row of names,
 * then per set a row whose cell in column B reads "N (P%)", N contacts in
 * both and P their share of the row's set ("N (-)" for an empty row); the
 * diagonal holds each set's size.
 * @param n how many sets there are
 * @param names their names, the table's row and column headers
 * @param sets the sets, of one store
 * @param text receives the table, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOMEM, or SEGRT_EINVAL for missing arguments
 */
SEGRT_API int segrt_overlap_table(size_t n, const char *const names[],
                                  const segrt_set *const sets[], char **text);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_SEGMENT_H */
