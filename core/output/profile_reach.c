/*
 * profile_reach.c — profile_reach_build (profile.h): per channel, how many
 * of a segment's members pass its consent check at NOW
 * (script_consent_reach: the script's seg.consent, else the defaults).
 *
 * The channels are those segrt report shows (channels.h).
 *
 * Uses: script.h (consent checks), channels.h.
 */
#include "output/profile.h"

#include "lua/script.h"
#include "output/channels.h"

#include <stdlib.h>

int profile_reach_build(plan_ctx *cx, segrt_profile *p, const bitset *members)
{
    channel_list l = { 0 };
    int rc = channels_find(cx, &l);
    if (rc == SEGRT_OK && (p->reach = calloc(l.n ? l.n : 1, sizeof *p->reach)) == NULL)
        rc = store_fail(cx->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < l.n; i++) {
        p->reach[i].purpose = l.v[i];
        l.v[i] = NULL;
        p->nreach++;
        rc = script_consent_reach(cx, p->reach[i].purpose, members, &p->reach[i].reached);
    }
    channels_free(&l); /* the names taken are NULL there */
    return rc;
}
