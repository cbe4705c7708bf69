/**
 * @file segrt/report.h
 * @brief The segment report: how each segment of a script is doing (size
 * and history, value, conversion, e-mail engagement, overlaps, RFM cells),
 * computed once and rendered as text or as an HTML page.
 */
#ifndef SEGRT_PUBLIC_REPORT_H
#define SEGRT_PUBLIC_REPORT_H

#include "segrt/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What segrt_report_build() measures; segrt_report_defaults() fills it. */
typedef struct segrt_report_opts {
    const char *conversion_event; /**< event type that counts as a conversion (NULL:
                                       purchase, when the store has any) */
    uint32_t within_days;  /**< conversion window after a segment's last run (30 days) */
    uint32_t email_days;   /**< email opens and clicks counted in the days up to NOW (90) */
    uint64_t min_size;     /**< a segment with fewer members is flagged small (100) */
    double max_share;      /**< one with more than this share of the contacts is flagged
                                broad (0.5; 0 < max_share <= 1) */
    const char *locale;    /**< how money is written: NULL the exact decimal alone
                                ("3600178.26"), "en" ("€3,600,178.26"), "ro"
                                ("3.600.178,26 lei"), "pl" ("3 600 178,26 zł") or "bg"
                                ("3 600 178,26 лв."; pl and bg group with U+00A0) */
    const char *currency;  /**< the currency written with amounts (NULL: the locale's;
                                "" for none; at most 16 bytes) */
    double min_filled;     /**< a segment is measurable when every contact field its rule
                                reads has a value for at least this share of the live
                                contacts (0.8) */
    double min_reach;      /**< accessible when at least this share of its members pass
                                its purpose's consent check, or without a purpose its best
                                channel's (0.3) */
    int profiles;          /**< also profile every segment (segrt_profile_build() with its
                                defaults), for the HTML page's profile sections (0) */
    const char *growth_field; /**< the date or timestamp field at which a contact joined,
                                   for the growth of the base (NULL: "created_at"); a
                                   contact without it joined at its first event */
} segrt_report_opts;

/**
 * Fill the options of segrt_report_build() with their defaults.
 * @param opts receives the defaults
 */
SEGRT_API void segrt_report_defaults(segrt_report_opts *opts);

/** A segment report: numbers computed once, rendered as text or HTML. */
typedef struct segrt_report segrt_report;

/**
 * Measure every segment of a script at the store's NOW, over one snapshot:
 *  - size, and share of the live contacts;
 *  - size history: the stored runs of the segment (segrt run), and the
 *    entered and exited of the last run;
 *  - value: the sum of the amounts of the members' purchase events with
 *    ts <= NOW (exact, micro-units), and that sum per member rounded half
 *    away from zero to the cent;
 *  - conversion: of the members stored by the segment's last run (NOW0), the
 *    share with at least one conversion event with NOW0 < ts <=
 *    min(NOW0 + within_days, NOW); the window is open while NOW0 +
 *    within_days is after NOW, and the renderings then give the day it
 *    closes instead of a rate;
 *  - email: the share of members with at least one email_open, and with at
 *    least one email_click, with NOW - email_days <= ts <= NOW; when the
 *    store has email_sent events, of the members sent an email in that
 *    window instead of all members;
 *  - flags: small (size < min_size) and broad (share > max_share);
 *  - the overlap matrix of the segments outside exclusive groups; each
 *    exclusive group (seg.exclusive) as one partition of the contacts;
 *  - per RFM model of the script (require "models.rfm"): the count of
 *    contacts per (R, F) cell, the average monetary value of each cell and
 *    the group (of the model's segments) most of the cell is in;
 *  - reach per channel: for each consent purpose (those the store has
 *    records of, the script defines or its segments and templates name,
 *    less profiling, direct_marketing, objection and restriction), the
 *    members passing its check at NOW and the others by the first reason
 *    they fail it (no record, withdrawn or denied, expired, legal basis,
 *    max_age, objection, the check function); per template of the script,
 *    these numbers for its purpose;
 *  - a review: measurable (every contact field the segment's rule reads has
 *    a value for at least min_filled of the live contacts), accessible (at
 *    least min_reach of the members pass its purpose or, without one, its
 *    best channel), substantial (at least min_size members);
 *  - the growth of the base: live contacts joined by the end of each month
 *    (each year past 120 months), joined at growth_field or else at the
 *    first event.
 * Without conversion_event and without purchase events, there is no
 * conversion to report.
 * @param sc the script
 * @param opts the options, or NULL for the defaults
 * @param title names what the report is of (the script's path or pack name;
 *        NULL: "script")
 * @param out receives the report (NULL on failure); release it with segrt_report_free()
 * @return SEGRT_OK; SEGRT_ENOTFOUND (with a hint in segrt_errmsg()) when
 *         conversion_event is given and the store has no such events;
 *         SEGRT_EINVAL for bad options; or another error code
 */
SEGRT_API int segrt_report_build(segrt_script *sc, const segrt_report_opts *opts,
                                 const char *title, segrt_report **out);

/**
 * The report as aligned text tables with sparklines (UTF-8).
 * @param r the report
 * @param text receives the text, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_report_text(const segrt_report *r, char **text);

/**
 * The report as one self-contained HTML page (inline CSS and SVG charts, no
 * script, nothing fetched). Each segment's size is in an element
 * <td class="size" data-segment="NAME">.
 * @param r the report
 * @param html receives the page, malloc'd (segrt_free()); NULL on failure
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_report_html(const segrt_report *r, char **html);

/**
 * Release a report.
 * @param r the report; NULL is accepted
 */
SEGRT_API void segrt_report_free(segrt_report *r);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_REPORT_H */
