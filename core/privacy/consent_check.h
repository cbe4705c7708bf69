/*
 * consent_check.h — who passes the consent check of a purpose at NOW
 * (SPEC §5), and who profiling may not score (an objection to direct
 * marketing, Art. 21; a profiling record refusing). The rule of a
 * purpose comes from its seg.consent definition, read as a tree; the
 * definition's check(c, rec) function, when it has one, is a callback the
 * caller provides (the Lua layer: lua/script_consent.c).
 *
 * Uses: consent.h (histories), dict.h (purpose codes), tree.h.
 */
#ifndef SEGRT_CONSENT_CHECK_H
#define SEGRT_CONSENT_CHECK_H

#include "store/store.h"
#include "util/bitset.h"
#include "util/tree.h"

struct consent_rec; /* consent.h */

typedef struct consent_check_rule {
    uint32_t code;    /* the purpose's code; 0 when nobody has a record of it */
    unsigned bases;   /* bit per consent_basis */
    int64_t max_age;  /* seconds, 0 = none */
    int has_check;    /* the definition has a check function */
    int marketing;    /* a direct-marketing purpose: objections apply (Art. 21) */
    uint32_t direct_marketing, objection; /* their purpose codes, 0 when nobody has one */
} consent_check_rule;

/*
 * The check function of a rule, for a contact that passes the rest: rec is
 * the record in force. 1 keep, 0 drop, or an error (< 0, reported on the store).
 */
typedef int (*consent_check_fn)(void *ud, const struct consent_rec *rec, uint32_t ord);

/*
 * The rule of purpose from its seg.consent definition def (NULL: the
 * defaults, consent or legitimate interest), with the codes as of txn.
 * SEGRT_ELUA naming def's line for an unknown basis or a max_age that is no duration.
 */
int consent_check_rule_read(segrt_store *s, MDB_txn *txn, const char *purpose, const tree *def,
                            consent_check_rule *r);
/* Why a contact passes or fails a rule at NOW: the first of these that holds. */
typedef enum consent_why {
    CW_PASS,       /* passes */
    CW_NO_RECORD,  /* no record of the purpose in force at NOW */
    CW_REFUSED,    /* the record in force is a withdrawal or a denial */
    CW_EXPIRED,    /* the grant in force has expired */
    CW_BASIS,      /* on a legal basis the rule does not accept */
    CW_TOO_OLD,    /* granted longer ago than the rule's max_age */
    CW_OBJECTION,  /* a direct-marketing purpose, and the contact objects (Art. 21) */
    CW_CHECK,      /* the definition's check function refused */
    CW_N
} consent_why;

/* A short English phrase for w ("no record", "withdrawn or denied", ...). */
const char *consent_why_text(consent_why w);
/*
 * why[ord] (ncontacts entries) = why contact ord passes or fails rule at now
 * (a consent_why); check is called for those that pass the rest.
 */
int consent_check_why_all(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                          uint32_t ncontacts, uint8_t *why, consent_check_fn check, void *ud);
/* Keep in bits (over ordinals) the contacts passing rule at now; check is called when it has one. */
int consent_check_filter(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                         bitset *bits, consent_check_fn check, void *ud);
/* Whether contact ord passes rule at now: 1, 0, or an error (< 0). */
int consent_check_passes(segrt_store *s, MDB_txn *txn, int64_t now, const consent_check_rule *r,
                         uint32_t ord, consent_check_fn check, void *ud);
/*
 * The contacts (ordinals below ncontacts) profiling may not score at now,
 * into out (new): those objecting to direct marketing (Art. 21(2)) and those
 * whose record in force for "profiling" is withdrawn or denied.
 */
int consent_check_unprofiled(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ncontacts,
                             bitset *out);
/* Whether contact ord is one of consent_check_unprofiled's: 1, 0, or an error (< 0). */
int consent_check_unprofiled_one(segrt_store *s, MDB_txn *txn, int64_t now, uint32_t ord);

#endif
