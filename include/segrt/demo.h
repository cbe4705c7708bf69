/**
 * @file segrt/demo.h
 * @brief A synthetic demo data set to try segrt on.
 */
#ifndef SEGRT_PUBLIC_DEMO_H
#define SEGRT_PUBLIC_DEMO_H

#include "segrt/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Write a demo data set (contacts.csv, events.csv, consents.csv) of
 * synthetic contacts into a directory, with timestamps in the three years
 * before @p now. Deterministic for a given seed.
 * @param dir the directory
 * @param contacts how many contacts
 * @param seed the seed of the random data
 * @param now unix seconds
 * @param errbuf when non-NULL, receives a message on failure
 * @param errlen the size of errbuf
 * @return SEGRT_OK or an error code
 */
SEGRT_API int segrt_demo_write(const char *dir, uint32_t contacts, uint64_t seed,
                               int64_t now, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_DEMO_H */
