/*
 * erase.h — erasing many contacts at once (GDPR Art. 17), for retention:
 * one write transaction and one rebuild of the derived data per batch, an
 * audit entry per contact, as segrt_contact_erase() writes for one.
 */
#ifndef SEGRT_ERASE_H
#define SEGRT_ERASE_H

#include "store/store.h"

/* Ids per transaction of segrt_contact_erase_many (and retention). */
#define ERASE_BATCH 512

/*
 * Erase the contacts ids[0 .. n) in one transaction; erased[i] tells which
 * were there (an id erased meanwhile is skipped, not an error). With erased
 * NULL, an unknown id fails (SEGRT_ENOTFOUND) and nothing is erased.
 */
int erase_batch(segrt_store *s, const char *const *ids, size_t n, const char *actor,
                unsigned char *erased);

#endif
