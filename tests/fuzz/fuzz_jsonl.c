/*
 * fuzz_jsonl.c — the JSON Lines reader (core/util/jsonl.c) over any bytes:
 * every line read to the end, and each member of each object given to
 * jsonl_scalar_text as the import does.
 */
#include "fuzz.h"

#include "util/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    jsonl_reader r;
    jsonl_reader_init(&r, (const char *)data, size, 1);
    uint64_t line;
    while (jsonl_next(&r, &line) != JSONL_END) {
        const char *key;
        json_t *v;
        json_object_foreach(r.obj, key, v) {
            size_t len;
            int composite = 0;
            (void)jsonl_scalar_text(&r, v, &len, &composite);
        }
    }
    jsonl_reader_free(&r);
    return 0;
}
