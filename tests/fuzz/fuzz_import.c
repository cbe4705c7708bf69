/*
 * fuzz_import.c — one input through the importer into a store
 * (segrt_import_buffer): its first byte chooses contacts, events or consents
 * and CSV or JSON lines, the rest is the data. The store is kept across
 * inputs (so updates meet earlier rows) and remade every 512 inputs; every
 * 64th input, segrt_store_check must find it sound: no input may leave a
 * store inconsistent.
 */
#include "fuzz.h"
#include "fuzz_store.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned n;
    if (size == 0)
        return 0;
    segrt_store *s = fuzz_store(n % 512 == 0, NULL);
    static const segrt_kind kinds[] = { SEGRT_CONTACTS, SEGRT_EVENTS, SEGRT_CONSENTS };
    segrt_kind kind = kinds[data[0] % 3];
    int jsonl = data[0] >> 2 & 1;
    segrt_import_buffer(s, kind, "fuzz", (const char *)data + 1, size - 1, jsonl, NULL, NULL);
    if (++n % 64 == 0 && segrt_store_check(s) != SEGRT_OK) {
        fprintf(stderr, "fuzz_import: the store is inconsistent after an import: %s\n",
                segrt_errmsg(s));
        abort();
    }
    return 0;
}
