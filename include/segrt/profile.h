/**
 * @file segrt/profile.h
 * @brief Segment profiles: who the members of one segment are next to the
 * whole base, field by field, by purchases, events and consent, computed
 * once and rendered as text, JSON or an HTML fragment.
 */
#ifndef SEGRT_PUBLIC_PROFILE_H
#define SEGRT_PUBLIC_PROFILE_H

#include "segrt/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What segrt_profile_build() profiles; segrt_profile_defaults() fills it. */
typedef struct segrt_profile_opts {
    const char *const *fields; /**< the contact fields to profile, in this order; NULL:
                                    every field of the schema that holds no special
                                    category (segrt_script_sensitive()) */
    size_t nfields;            /**< how many fields names */
    uint32_t max_values;       /**< values shown per field, most frequent in the segment
                                    first; the rest are one "(other)" row (10; 1..1000) */
    uint32_t top_categories;   /**< purchase categories shown by count and by value
                                    (10; 1..1000) */
    uint64_t min_base;         /**< a value fewer contacts of the base hold is not named
                                    but counted in "(other)", so that no one's e-mail
                                    or name is shown (5; 0 names every value) */
} segrt_profile_opts;

/**
 * Fill the options of segrt_profile_build() with their defaults.
 * @param opts receives the defaults
 */
SEGRT_API void segrt_profile_defaults(segrt_profile_opts *opts);

/** A segment profile: numbers computed once, rendered as text, JSON or HTML. */
typedef struct segrt_profile segrt_profile;

/**
 * Profile one segment of a script at the store's NOW, over one snapshot.
 * The members are the segment's at NOW (as segrt_segment_eval() gives
 * them); the base is every live contact at NOW (not erased, not restricted).
 * Shares are of the members and of the base; index = member share / base
 * share x 100, rounded half up to an integer (none when the base share is 0
 * or there are no members). Shares are rounded half up to hundredths of a
 * percent (none of nothing).
 *  - fields: per field, the contacts per value in the segment and in the
 *    base. Strings and booleans by value; sets per element (a contact counts
 *    once for each element it has, so shares may add up to more than 100%);
 *    integers, numbers, dates and timestamps in up to five bins cut at the
 *    base's quintiles: sorting the base's n values, cut k (k = 1..4) is the
 *    value at index floor(k n / 5), a cut not above the one before (or the
 *    least value) dropped, a bin
 *    [cut, next cut), the last one closed [cut, max]. Contacts without a value
 *    are the row "(missing)", last. Values are ordered by segment count, then
 *    base count (descending), then by value (bytes); those past max_values
 *    and those fewer than min_base contacts of the base hold are summed in
 *    one row "(other)" (for a set, a contact counts there once per such
 *    element). Bins stay in their order.
 *  - purchases: the members' purchase events with ts <= NOW per category
 *    ("(missing)" for none), their count and value (the sum of their
 *    amounts, exact, micro-units; none counts 0), next to the base's; the top
 *    top_categories by count and, separately, by value (ties by the other
 *    measure, then by name). Shares and index are of the purchase count.
 *  - events: per event type, events with ts <= NOW of the members and of
 *    the base, the share of each in all events, and the index.
 *  - reach: per channel, how many members pass its consent check at NOW
 *    (the script's seg.consent, else the defaults). The channels are those
 *    of segrt report, by name: the consent purposes the store has records
 *    of, those the script defines and those its segments name, but
 *    profiling, direct_marketing, objection and restriction, which reach no
 *    one (they record consent to scoring, or a contact's requests).
 * @param sc the script
 * @param segment the segment's name
 * @param opts the options, or NULL for the defaults
 * @param out receives the profile (NULL on failure); release it with segrt_profile_free()
 * @return SEGRT_OK; SEGRT_ENOTFOUND (with a "did you mean" hint in
 *         segrt_errmsg()) for an unknown segment or field; SEGRT_EINVAL for a
 *         special-category field (it is never profiled) or bad options;
 *         SEGRT_ELUA when the segment cannot be evaluated; or another error code
 */
SEGRT_API int segrt_profile_build(segrt_script *sc, const char *segment,
                                  const segrt_profile_opts *opts, segrt_profile **out);

/**
 * The profile as aligned text tables (UTF-8).
 * @param p the profile
 * @param text receives the text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_profile_text(const segrt_profile *p, char **text);

/**
 * The profile as one JSON object: "segment", "now", "members", "base",
 * "fields" (each "name", "type", "binned" (true for quintile bins),
 * "values": rows of "value", "segment", "segment_share", "base",
 * "base_share", "index"),
 * "purchases" ("segment", "base" totals as {"count", "value"}; "by_count"
 * and "by_value": rows of "category", "segment", "segment_value",
 * "segment_share", "base", "base_value", "base_share", "index"), "events"
 * ("segment", "base" totals; "types": rows as the fields' with "type"),
 * "reach" (rows of "purpose", "reached", "share"). Shares are percentages
 * (two decimals), money is a string with at least two decimals, an index
 * or share that does not exist is null.
 * @param p the profile
 * @param json receives the JSON text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_profile_json(const segrt_profile *p, char **json);

/**
 * The profile as an HTML fragment, to place in a page: one
 * <section class="profile" data-segment="NAME"> with a table per part.
 * Each number is in an element with data- attributes naming it
 * (data-field and data-value, data-category, data-type, data-purpose, and
 * data-measure: "segment", "segment_share", "base", "base_share", "index",
 * "segment_value", "base_value", "reached", "share").
 * @param p the profile
 * @param html receives the fragment, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_profile_html(const segrt_profile *p, char **html);

/**
 * Release a profile.
 * @param p the profile; NULL is accepted
 */
SEGRT_API void segrt_profile_free(segrt_profile *p);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_PROFILE_H */
