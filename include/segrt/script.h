/**
 * @file segrt/script.h
 * @brief Segment scripts: Lua code that defines segments, scores, exclusive
 * groups and models over one store. Loading a script in its sandbox and its
 * limits, the segments it defines, the actions it declares on them, and what
 * its models compute.
 */
#ifndef SEGRT_PUBLIC_SCRIPT_H
#define SEGRT_PUBLIC_SCRIPT_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a script may use (its sandbox): memory of its Lua state, and per call
 * (loading, or one evaluation) Lua instructions and wall-clock time. A call
 * that reaches a limit fails with SEGRT_ELUA naming the script and the limit;
 * the script and the store stay usable. 0 in a field keeps that limit.
 */
typedef struct segrt_limits {
    size_t memory_bytes;   /**< default 512 MiB */
    uint64_t instructions; /**< default 10^9 */
    uint32_t milliseconds; /**< default 30 000 */
} segrt_limits;

/**
 * Set the limits of the scripts loaded from now on with a store.
 * @param s the store
 * @param limits the limits (0 fields keep the current ones)
 */
SEGRT_API void segrt_store_set_limits(segrt_store *s, const segrt_limits *limits);

/**
 * A loaded segment script: its segments, scores and exclusive groups,
 * compiled against one store, which must outlive it. Script errors are
 * reported through segrt_errmsg() of the store, with the script's file and line.
 */
typedef struct segrt_script segrt_script;

/**
 * Load and run a Lua segment script: a file, or a folder pack (its
 * init.lua), or, when no such file exists, the pack of that name: installed
 * on the search path (segrt_packs_path()), else bundled ("ecommerce_coffee").
 * A pack whose required fields or event types the store lacks fails with one
 * message naming all of them; so does a missing dependency or a dependency
 * cycle.
 * @param s the store
 * @param path the script's path or a pack's name
 * @param out receives the script (NULL on failure); release it with segrt_script_free()
 * @return SEGRT_OK, SEGRT_ELUA on a script error, or another error code
 */
SEGRT_API int segrt_script_load(segrt_store *s, const char *path, segrt_script **out);

/**
 * Load several scripts into one: each SCRIPT of @p paths (a file, a folder
 * pack or a pack's name, as segrt_script_load() takes it) runs in order in
 * the same Lua state, so a later one may use what an earlier one defined;
 * a name defined twice is an error as within one script.
 * @param s the store
 * @param n how many scripts, at least 1
 * @param paths the scripts' paths or packs' names
 * @param out receives the script (NULL on failure); release it with segrt_script_free()
 * @return SEGRT_OK, SEGRT_EINVAL for n == 0 or a NULL path, SEGRT_ELUA on a
 *         script error, or another error code
 */
SEGRT_API int segrt_script_load_many(segrt_store *s, size_t n, const char *const paths[],
                                     segrt_script **out);

/**
 * Told about one thing a segment's rule reads.
 * @param ud the ud given with the callback
 * @param kind "field" (a contact field), "event" (an event type), "segment"
 *        (another segment: seg.member, an exclusive group's earlier entries,
 *        a split's population) or "score"
 * @param name its name (borrowed for the call)
 * @return 0 to go on; non-zero stops the walk, which returns it
 */
typedef int (*segrt_dep_fn)(void *ud, const char *kind, const char *name);

/**
 * What a segment's rule reads, each thing once, in the order the rule names
 * them (a field's or event type's use anywhere in the rule; a segment it
 * refers to is not followed into).
 * @param sc the script
 * @param segment the segment's name
 * @param fn called for each
 * @param ud passed to fn
 * @return SEGRT_OK, SEGRT_ENOTFOUND when the script has no such segment,
 *         fn's non-zero return, or another error code
 */
SEGRT_API int segrt_script_segment_deps(segrt_script *sc, const char *segment, segrt_dep_fn fn,
                                        void *ud);

/**
 * Load a script from memory.
 * @param s the store
 * @param chunkname names the script in error messages
 * @param code the Lua code (text)
 * @param len the length of code in bytes
 * @param out receives the script (NULL on failure); release it with segrt_script_free()
 * @return SEGRT_OK, SEGRT_ELUA on a script error, or another error code
 */
SEGRT_API int segrt_script_load_string(segrt_store *s, const char *chunkname, const char *code,
                                       size_t len, segrt_script **out);

/**
 * Release a script.
 * @param sc the script; NULL is accepted
 */
SEGRT_API void segrt_script_free(segrt_script *sc);

/**
 * Change the limits of one script.
 * @param sc the script
 * @param limits the limits (0 fields keep the current ones)
 */
SEGRT_API void segrt_script_set_limits(segrt_script *sc, const segrt_limits *limits);

/**
 * The number of segments a script defines.
 * @param sc the script (NULL: none)
 * @return the count, exclusive group members included
 */
SEGRT_API size_t segrt_script_segment_count(const segrt_script *sc);

/**
 * The name of a segment.
 * @param sc the script
 * @param i its index in definition order, below segrt_script_segment_count()
 * @return the name ("group.member" for a group member), borrowed until the
 *         script is freed; NULL for an index out of range
 */
SEGRT_API const char *segrt_script_segment_name(const segrt_script *sc, size_t i);

/**
 * The consent purpose of a segment.
 * @param sc the script
 * @param i its index in definition order
 * @return the purpose, borrowed until the script is freed, or NULL when it
 *         has none (or for an index out of range)
 */
SEGRT_API const char *segrt_script_segment_purpose(const segrt_script *sc, size_t i);

/**
 * The description of a segment.
 * @param sc the script
 * @param i its index in definition order
 * @return the description ("" when none was given), borrowed until the
 *         script is freed; NULL for an index out of range
 */
SEGRT_API const char *segrt_script_segment_description(const segrt_script *sc, size_t i);

/**
 * An action a script declares on a segment: seg.on_enter "SEGMENT" {
 * webhook = "https://..." } or seg.on_exit. The script only declares it; a
 * host (segrt serve) delivers it when a contact enters or leaves the segment.
 */
typedef struct segrt_action {
    const char *segment; /**< the segment's name (it exists in the script) */
    int on_enter;        /**< 1: when a contact enters the segment; 0: when it leaves it */
    const char *webhook; /**< the URL to POST to, starting with http:// or https:// */
} segrt_action;

/**
 * The number of actions a script declares (several may name one segment).
 * @param sc the script (NULL: none)
 * @return the count
 */
SEGRT_API size_t segrt_script_action_count(const segrt_script *sc);

/**
 * An action of a script, in declaration order.
 * @param sc the script
 * @param i its index, below segrt_script_action_count()
 * @param out receives the action; its strings are borrowed until the script
 *        is freed (zeroed on failure)
 * @return SEGRT_OK, SEGRT_ENOTFOUND for an index out of range, or
 *         SEGRT_EINVAL for a NULL argument
 */
SEGRT_API int segrt_script_action(const segrt_script *sc, size_t i, segrt_action *out);

/**
 * What a model of the script (seg.model; the shipped models.rfm,
 * models.bgnbd, models.kmeans, models.churn, models.engagement) computes at
 * NOW, as text: fitted parameters, its scores' ranges, its segments' sizes.
 *
 * A logistic-regression model (models.propensity, models.churn) is measured
 * on its held-out contacts (features at the cut-off NOW - horizon, label at
 * NOW): auc_holdout, the probability that a random positive scores above a
 * random negative (ties one half); base_rate_holdout, the share of
 * positives; brier_holdout, the mean of (p - label)^2;
 * lift_top_decile_holdout, the rate of positives among the 10% with the
 * highest p over the base rate, where the contacts tied at the 10% boundary
 * each count with an equal share so the top holds exactly 10% of the
 * contacts; and a reliability table (per decile of p: contacts, mean p and
 * observed rate of positives, in 10 bins by rank of p, contacts tied on p
 * sharing the bin of the first of them, so a bin may be empty, printed -). A
 * calibrated model (models.propensity by default) maps the regression's
 * output to p by isotonic regression on the training contacts
 * (calibration_blocks steps) and also prints auc_holdout_uncalibrated and
 * brier_holdout_uncalibrated, the measures of the regression's output.
 * @param sc the script
 * @param name the model's name
 * @param text receives the text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK, SEGRT_ENOTFOUND (with a hint in segrt_errmsg()) when
 *         there is no such model, or another error code
 */
SEGRT_API int segrt_model_summary(segrt_script *sc, const char *name, char **text);

/**
 * The special category of personal data (GDPR Art. 9) a script says a field
 * holds: seg.sensitive { field = "category" }, with the shipped names of
 * consent/sensitive.lua ("health", "religion", ...).
 * @param sc the script
 * @param field a contact field's name
 * @return the category (valid while sc lives), or NULL for an ordinary field
 */
SEGRT_API const char *segrt_script_sensitive(segrt_script *sc, const char *field);

/**
 * Whether a purpose of the script rests on explicit consent alone (its
 * seg.consent accepts the legal basis "consent" and nothing else): the only
 * kind of purpose under which special-category values are shown.
 * @param sc the script
 * @param purpose the purpose's name
 * @return 1 or 0
 */
SEGRT_API int segrt_script_purpose_explicit(segrt_script *sc, const char *purpose);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_SCRIPT_H */
