/*
 * email.h — e-mail address normalisation (SPEC §2: unique after trimming and
 * lower-casing), and ids made from addresses. Uses: utf8proc for non-ASCII
 * lower-casing, xxhash.
 */
#ifndef SEGRT_EMAIL_H
#define SEGRT_EMAIL_H

#include "util/buf.h"

#define EMAIL_ID_BYTES 19 /* "e:", 16 hex digits, NUL */

/* Trimmed, lower-cased copy of s[0..n) in out (not NUL-terminated). -1 out of memory. */
int email_normalize(const char *s, size_t n, buf *out);
/*
 * The id --id-from email makes of an address (import_map.c): "e:" and the 16
 * lower-case hex digits of XXH64 (seed 0) of the normalised address, into
 * out (NUL-terminated). Its length; 0 when the address is blank; -1 out of
 * memory. scratch holds the normalised address.
 */
int email_id(const char *s, size_t n, buf *scratch, char out[EMAIL_ID_BYTES]);
#define EMAIL_MAX_BYTES 254 /* an address's length limit (RFC 5321 path, less its brackets) */
#define EMAIL_MAX_LOCAL 64  /* a local part's */
/*
 * Whether s[0..n) is an RFC 5322 addr-spec: a dot-atom or a quoted string,
 * '@', a dot-atom or an address literal ([...]); atoms may hold UTF-8 (RFC
 * 6531). "tom,x@example.com", "a..b@x.ro" and spaces outside quotes are not.
 */
int email_plausible(const char *s, size_t n);

#endif
