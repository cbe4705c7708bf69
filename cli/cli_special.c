/*
 * cli_special.c — special categories of personal data (GDPR Art. 9) in what
 * the commands print: a card shows a special-category field's category, not
 * its value, unless a purpose resting on explicit consent was given and the
 * contact granted it (segrt show --purpose, the REPL's :purpose).
 */
#include "cli.h"

#include <stdint.h>
#include <string.h>

typedef struct granted {
    const char *purpose;
    int64_t now;
    int yes;
} granted;

/* The record in force for the purpose grants it on explicit consent, unexpired. */
static int note_grant(void *ud, const segrt_consent_record *r)
{
    granted *g = ud;
    if (r->in_force && strcmp(r->purpose, g->purpose) == 0)
        g->yes = strcmp(r->status, "granted") == 0 && r->basis &&
                 strcmp(r->basis, "consent") == 0 &&
                 (r->expires == INT64_MIN || r->expires > g->now);
    return 0;
}

static const char *hide_special(void *ud, const char *field)
{
    return segrt_script_sensitive(ud, field);
}

int cli_special_card(segrt_store *s, segrt_script *sc, const char *id, const char *purpose,
                     char **text, int *shown)
{
    granted g = { purpose, segrt_store_now(s), 0 };
    int rc = purpose ? segrt_consent_history_foreach(s, id, note_grant, &g) : SEGRT_OK;
    if (rc == SEGRT_OK)
        rc = segrt_contact_card_hiding(s, id, g.yes ? NULL : hide_special, sc, text);
    if (shown)
        *shown = g.yes;
    return rc;
}
