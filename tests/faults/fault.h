/*
 * fault.h — one kind of injected fault in segrt_faults (the segrt command
 * built with the fault injectors of tests/faults): the calls that could
 * fail so are counted over the process, the N-th one (N from an
 * environment variable) fails, and at exit a report file (named by another
 * one) says how many calls there were and where the failed one was called
 * from (the caller's offset in the executable: one site across runs).
 */
#ifndef SEGRT_TESTS_FAULT_H
#define SEGRT_TESTS_FAULT_H

#include <stdint.h>

typedef struct fault_point {
    unsigned long at;    /* the call to fail, from 1; 0: none */
    unsigned long count; /* calls so far (atomic: the import's parse thread allocates too) */
    uintptr_t site;      /* offset of the caller of the failed call, or 0 */
    const char *report;  /* the report file's path, or NULL */
} fault_point;

/* Read the call to fail from the variable at_var and the report's path from report_var. */
void fault_point_init(fault_point *p, const char *at_var, const char *report_var);

/* Count one call from caller: whether it is the one to fail. */
int fault_point_hit(fault_point *p, void *caller);

/* Write "COUNT SITE" (SITE in hex) to the report file, if one was named. */
void fault_point_report(const fault_point *p);

#endif
