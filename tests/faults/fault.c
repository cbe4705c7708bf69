/*
 * fault.c — counting the calls of one kind of injected fault and failing
 * the N-th (fault.h), for alloc_fail.c and mdb_fail.c.
 *
 * Uses: dladdr (the failed call's site as an offset in the executable).
 */
#include "fault.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

void fault_point_init(fault_point *p, const char *at_var, const char *report_var)
{
    const char *at = getenv(at_var);
    p->at = at ? strtoul(at, NULL, 10) : 0;
    p->count = 0;
    p->site = 0;
    p->report = getenv(report_var);
}

int fault_point_hit(fault_point *p, void *caller)
{
    if (__atomic_add_fetch(&p->count, 1, __ATOMIC_RELAXED) != p->at)
        return 0; /* the N-th call is one call: only its thread goes on, and sets site */
    Dl_info info;
    p->site = (uintptr_t)caller;
    if (dladdr(caller, &info) && info.dli_fbase)
        p->site -= (uintptr_t)info.dli_fbase;
    return 1;
}

void fault_point_report(const fault_point *p)
{
    FILE *f = p->report ? fopen(p->report, "w") : NULL;
    if (f) {
        fprintf(f, "%lu %lx\n", __atomic_load_n(&p->count, __ATOMIC_RELAXED),
                (unsigned long)p->site);
        fclose(f);
    }
}
