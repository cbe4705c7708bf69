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

static const char contacts[] =
    "id,email,city,income,birth_date,tags\n"
    "c1,a@example.com,Kraków,1200,1980-02-03,vip;new\n"
    "c2,b@example.com,Cluj,,1999-12-31,\n"
    "c3,,Sofia,300,,new\n";
static const char events[] =
    "contact_id,ts,type,amount,category\n"
    "c1,2025-01-02T03:04:05Z,purchase,10.5,beans\n"
    "c2,2025-06-01T00:00:00Z,purchase,3,tea\n"
    "c1,2025-07-01T00:00:00Z,email_open,,\n";
static const char consents[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "c1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n";

static segrt_store *store(void)
{
    static segrt_store *s;
    if (s)
        return s;
    s = fuzz_store(1, contacts);
    if (segrt_import_buffer(s, SEGRT_EVENTS, "events", events, strlen(events), 0, NULL, NULL) ||
        segrt_import_buffer(s, SEGRT_CONSENTS, "consents", consents, strlen(consents), 0, NULL,
                            NULL))
        abort();
    segrt_limits lim = { .memory_bytes = 64u << 20, .instructions = 2000000, .milliseconds = 2000 };
    segrt_store_set_limits(s, &lim);
    segrt_store_set_now(s, 1767225600); /* 2026-01-01 */
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
