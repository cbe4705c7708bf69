/*
 * fuzz_csv.c — the CSV reader (core/util/csv.c) over any bytes: the
 * delimiter sniffed as the import sniffs it, then every record read to the
 * end, each field's bytes touched (ASan checks they lie in the input or the
 * reader's scratch).
 */
#include "fuzz.h"

#include "util/csv.h"

/* The fields' bytes summed here, so that no read of them is optimised away. */
extern volatile unsigned fuzz_csv_sink;
volatile unsigned fuzz_csv_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    csv_reader r;
    csv_reader_init(&r, text, size, 1, 1 << 16);
    csv_set_delimiter(&r, csv_sniff_delimiter(text, size, 20));
    uint64_t line;
    unsigned sum = 0;
    for (;;) {
        csv_status st = csv_next(&r, &line);
        if (st == CSV_END || st == CSV_NOMEM)
            break;
        for (size_t i = 0; i < r.nfields; i++) {
            for (size_t k = 0; k < r.fields[i].len; k++)
                sum += (unsigned char)r.fields[i].ptr[k];
        }
    }
    csv_reader_free(&r);
    fuzz_csv_sink = sum;
    return 0;
}
