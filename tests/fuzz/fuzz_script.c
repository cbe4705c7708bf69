/*
 * fuzz_script.c — any text as a segment script: loaded in the sandbox under
 * small limits (segrt_script_load_string, which also compiles every segment
 * and checks templates), then every segment it defines evaluated over a
 * store of a few contacts, events and consents.
 */
#include "fuzz.h"
#include "fuzz_store.h"

#include <stdlib.h>
#include <string.h>

static segrt_store *store(void)
{
    static segrt_store *s;
    if (s)
        return s;
    s = fuzz_store_sample();
    segrt_limits lim = { .memory_bytes = 64u << 20, .instructions = 2000000, .milliseconds = 2000 };
    segrt_store_set_limits(s, &lim);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *code = malloc(size + 1); /* NUL-terminated, for a loader that may want it */
    if (code == NULL)
        return 0;
    memcpy(code, data, size);
    code[size] = '\0';
    segrt_script *sc = NULL;
    if (segrt_script_load_string(store(), "fuzz.lua", code, size, &sc) == SEGRT_OK) {
        for (size_t i = 0; i < segrt_script_segment_count(sc); i++) {
            segrt_set *set = NULL;
            if (segrt_segment_eval(sc, segrt_script_segment_name(sc, i), &set) == SEGRT_OK)
                segrt_set_free(set);
        }
        segrt_script_free(sc);
    }
    free(code);
    return 0;
}
