/*
 * script_tags.c — segrt_script_tags_write(): the tags a script keeps
 * (seg.tag, the segments whose definition names a tag) written into the
 * contacts, for the sets a run evaluated. Every tag in one transaction, so
 * a crash leaves all of them as they were or all of them written; the next
 * run writes them again in any case (a tag is a function of the rule).
 *
 * Uses: script_lua.h, catalog.h, segset.h, tag.h, column.h.
 */
#include "lua/script_lua.h"

#include "plan/catalog.h"
#include "plan/segset.h"
#include "store/tag.h"

#include <stdlib.h>

typedef struct tag_job {
    size_t n;
    const char **tags;
    const bitset **want;
    uint64_t changed;
} tag_job;

static int write_tags(segrt_store *s, MDB_txn *txn, void *ud)
{
    tag_job *job = ud;
    column_cache *cc = column_cache_new();
    int rc = cc ? SEGRT_OK : store_fail(s, SEGRT_ENOMEM, "out of memory");
    job->changed = 0; /* run again from the start after the map grew */
    for (size_t i = 0; i < job->n && rc == SEGRT_OK; i++) {
        tag_ref t;
        uint64_t changed = 0;
        rc = tag_ref_get(s, txn, job->tags[i], &t);
        if (rc == SEGRT_OK)
            rc = tag_sync(s, txn, cc, &t, job->want[i], &changed);
        job->changed += changed;
    }
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    return rc;
}

int segrt_script_tags_write(segrt_script *sc, size_t n, const char *const names[],
                            const segrt_set *const sets[], uint64_t *changed)
{
    if (changed)
        *changed = 0;
    if (sc == NULL || (n > 0 && (names == NULL || sets == NULL)))
        return SEGRT_EINVAL;
    const catalog *cat;
    int rc = script_catalog(sc, &cat);
    if (rc != SEGRT_OK)
        return rc;
    tag_job job = { .tags = calloc(n ? n : 1, sizeof *job.tags),
                    .want = calloc(n ? n : 1, sizeof *job.want) };
    if (job.tags == NULL || job.want == NULL)
        rc = store_fail(sc->s, SEGRT_ENOMEM, "out of memory");
    for (size_t i = 0; rc == SEGRT_OK && i < n; i++) {
        const char *tag = names[i] ? tree_get_string(catalog_segment(cat, names[i]), "tag") : NULL;
        if (tag && sets[i] == NULL)
            rc = store_fail(sc->s, SEGRT_EINVAL, "no set given for tag '%s'", tag);
        else if (tag) {
            job.tags[job.n] = tag;
            job.want[job.n++] = &sets[i]->bits;
        }
    }
    if (rc == SEGRT_OK && job.n)
        rc = store_write(sc->s, write_tags, &job);
    if (rc == SEGRT_OK && changed)
        *changed = job.changed;
    free(job.tags);
    free(job.want);
    return rc;
}
