/**
 * @file segrt/consent.h
 * @brief Consent records: their statuses and legal bases, recording one,
 * a contact's full history, and per-purpose counts over the store.
 *
 * A contact's record in force for a purpose at NOW is its record with the
 * latest ts <= NOW; when several share that ts, one that is not a grant wins
 * (the most protective), then the one recorded last.
 */
#ifndef SEGRT_PUBLIC_CONSENT_H
#define SEGRT_PUBLIC_CONSENT_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Consent statuses; indexes of segrt_consent_tally.status. */
enum {
    SEGRT_CONSENT_GRANTED = 1,
    SEGRT_CONSENT_WITHDRAWN,
    SEGRT_CONSENT_DENIED,
    SEGRT_CONSENT_STATUS_COUNT
};

/** Legal bases (GDPR Art. 6(1)); indexes of segrt_consent_tally.basis. */
enum {
    SEGRT_BASIS_NONE = 0, /**< no basis recorded (an imported record without one) */
    SEGRT_BASIS_CONSENT,
    SEGRT_BASIS_LEGITIMATE_INTEREST,
    SEGRT_BASIS_CONTRACT,
    SEGRT_BASIS_LEGAL_OBLIGATION,
    SEGRT_BASIS_VITAL_INTEREST,
    SEGRT_BASIS_PUBLIC_TASK,
    SEGRT_BASIS_COUNT
};

/**
 * The name of a consent status.
 * @param status SEGRT_CONSENT_GRANTED, _WITHDRAWN or _DENIED
 * @return its name ("granted"), a static string, or NULL for an unknown value
 */
SEGRT_API const char *segrt_consent_status_name(int status);

/**
 * The name of a legal basis.
 * @param basis one of SEGRT_BASIS_...
 * @return its name ("legitimate_interest"), a static string, or NULL for
 *         SEGRT_BASIS_NONE or an unknown value
 */
SEGRT_API const char *segrt_legal_basis_name(int basis);

/**
 * Append a consent record for a contact at ts = the store's NOW, with an
 * audit entry "consent" (detail: purpose and status, never personal data) in
 * the same write transaction. A record identical to one already held (same
 * ts, purpose, status, basis, expiry and source) adds nothing and is not
 * audited. By the rule of the record in force, a grant appended in the same
 * second as a withdrawal does not override it.
 * @param s the store
 * @param id the contact's external id
 * @param purpose the consent purpose
 * @param status "granted", "withdrawn" or "denied"
 * @param basis a legal basis name (NULL: "consent")
 * @param expires the expiry in unix seconds, after NOW; or INT64_MIN when the
 *        record never expires
 * @param source where the record comes from (NULL or "": none)
 * @param actor who made the change (NULL: "unknown")
 * @return SEGRT_OK; SEGRT_ENOTFOUND when the id is unknown; SEGRT_EINVAL,
 *         with a message in segrt_errmsg(), for a bad purpose name, status,
 *         basis or expiry; or another error code
 */
SEGRT_API int segrt_consent_append(segrt_store *s, const char *id, const char *purpose,
                                   const char *status, const char *basis, int64_t expires,
                                   const char *source, const char *actor);

/** One consent record. Strings are borrowed for the duration of the callback. */
typedef struct segrt_consent_record {
    const char *purpose;  /**< the consent purpose */
    const char *status;   /**< "granted", "withdrawn" or "denied" */
    const char *basis;    /**< a legal basis name, or NULL when none was recorded */
    int64_t ts;           /**< when it was given (unix seconds) */
    int64_t expires;      /**< INT64_MIN when it never expires */
    const char *source;   /**< NULL when none was recorded */
    int in_force;         /**< 1 when it is the record in force for its purpose at NOW */
} segrt_consent_record;

/**
 * Told about one consent record.
 * @param ud the ud given with the callback
 * @param r the record (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_consent_record_fn)(void *ud, const segrt_consent_record *r);

/**
 * Call @p fn for each consent record of a contact in the order they were
 * recorded (the full history, GDPR Art. 7(1)).
 * @param s the store
 * @param id the contact's external id
 * @param fn called for each record
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, SEGRT_ENOTFOUND when the id is
 *         unknown, or another error code
 */
SEGRT_API int segrt_consent_history_foreach(segrt_store *s, const char *id,
                                            segrt_consent_record_fn fn, void *ud);

/** Days ahead of NOW within which segrt_consent_report_foreach() counts a grant expiring. */
#define SEGRT_CONSENT_EXPIRING_DAYS 30

/** What segrt_consent_report_foreach() counts for one purpose, over the records in force. */
typedef struct segrt_consent_tally {
    const char *purpose; /**< the consent purpose */
    uint64_t contacts;   /**< contacts with a record in force (records after NOW wait) */
    uint64_t status[SEGRT_CONSENT_STATUS_COUNT]; /**< by status ([0] unused) */
    uint64_t basis[SEGRT_BASIS_COUNT];           /**< by legal basis ([0]: none) */
    uint64_t expired;    /**< granted, but expires_at <= NOW */
    uint64_t stale;      /**< granted, not expired, ts older than NOW - max_age */
    uint64_t expiring;   /**< granted, not expired, expires_at <= NOW + 30 days */
} segrt_consent_tally;

/**
 * Told about the records in force of one consent purpose.
 * @param ud the ud given with the callback
 * @param t the counts (borrowed for the call)
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_consent_tally_fn)(void *ud, const segrt_consent_tally *t);

/**
 * Call @p fn once per consent purpose, in name order, with the counts of the
 * records in force at NOW.
 * @param s the store
 * @param max_age seconds after which a grant is stale (0 or less: never)
 * @param fn called for each purpose
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_consent_report_foreach(segrt_store *s, int64_t max_age,
                                           segrt_consent_tally_fn fn, void *ud);

/**
 * Told how many contacts have a record for one consent purpose.
 * @param ud the ud given with the callback
 * @param purpose the purpose (borrowed for the call)
 * @param with_record the number of contacts that have a record for it
 * @param granted the number whose record in force at NOW is a grant that
 *        has not expired
 * @return 0 to go on; non-zero stops the iteration, which returns it
 */
typedef int (*segrt_consent_summary_fn)(void *ud, const char *purpose, uint64_t with_record,
                                        uint64_t granted);

/**
 * Call @p fn for each consent purpose with how many contacts have a record
 * for it and how many a grant in force.
 * @param s the store
 * @param fn called for each purpose
 * @param ud passed to fn
 * @return SEGRT_OK, fn's non-zero return, or an error code
 */
SEGRT_API int segrt_consent_summary_foreach(segrt_store *s, segrt_consent_summary_fn fn,
                                            void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_CONSENT_H */
