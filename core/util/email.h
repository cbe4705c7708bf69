/*
 * email.h — e-mail address normalisation (SPEC §2: unique after trimming and
 * lower-casing). Uses: utf8proc for non-ASCII lower-casing.
 */
#ifndef SEGRT_EMAIL_H
#define SEGRT_EMAIL_H

#include "util/buf.h"

/* Trimmed, lower-cased copy of s[0..n) in out (not NUL-terminated). -1 out of memory. */
int email_normalize(const char *s, size_t n, buf *out);
/* Whether a normalised address looks like local@domain with no spaces. */
int email_plausible(const char *s, size_t n);

#endif
