/*
 * channels.h — the channels a script's contacts are reached through, as
 * segrt report and segrt profile both show them (channels.c).
 */
#ifndef SEGRT_CHANNELS_H
#define SEGRT_CHANNELS_H

#include "plan/plan.h"

#include <stddef.h>

typedef struct channel_list {
    char **v;   /* purpose names, by name */
    size_t n, cap;
} channel_list;

/*
 * The channels of cx's script and store into out (empty): the purposes the
 * store has records of, the script's seg.consent definitions and the
 * purposes its segments name, by name, less those that grant no channel.
 */
int channels_find(plan_ctx *cx, channel_list *out);
/* The index of purpose in l, or -1 (NULL: -1). */
long channels_index(const channel_list *l, const char *purpose);
void channels_free(channel_list *l);

#endif
