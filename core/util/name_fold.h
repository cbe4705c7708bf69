/*
 * name_fold.h — the comparison form of a name (a person's, a city's), the
 * key segrt dedupe --by name_city compares: "Ștefan" = "Ştefan" = "STEFAN",
 * "Łódź" = "lodz", "Йордан" = "йордан".
 *
 * Latin letters lose their diacritics (canonical and compatibility
 * decomposition, marks dropped; the letters with a stroke, which Unicode
 * does not decompose — ł, đ, ø, ħ, ŧ — and æ, œ, ı are mapped by hand);
 * every letter is case-folded; other scripts keep their letters (Cyrillic
 * stays Cyrillic: й is not и); runs of white space become one space, none
 * at either end; the result is in NFC. Uses: utf8proc.
 */
#ifndef SEGRT_NAME_FOLD_H
#define SEGRT_NAME_FOLD_H

#include "util/buf.h"

/*
 * The folded form of s[0..n) in out (not NUL-terminated). 0, -1 when out of
 * memory, -2 when s is not valid UTF-8.
 */
int name_fold(const char *s, size_t n, buf *out);

#endif
