/*
 * alloc_fail.c — allocation-failure injection for segrt_faults, a build
 * of the segrt command whose own code (the library and the command, linked
 * with --wrap=malloc,calloc,realloc) calls these instead of the C library's:
 * with SEGRT_FAIL_ALLOC_AT=N in the environment, the N-th allocation fails
 * (returns NULL) and every other one succeeds. The libraries segrt uses
 * (LMDB, jansson, libc itself) allocate as usual; Lua allocates through
 * segrt's sandbox, so its allocations count.
 *
 * With SEGRT_ALLOC_REPORT=FILE, the process writes at exit the number of
 * allocations it made and, when one failed, where (fault.h).
 *
 * Uses: fault.h.
 */
#include "fault.h"

#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static fault_point allocs;

static void report(void)
{
    fault_point_report(&allocs);
}

__attribute__((constructor)) static void init(void)
{
    fault_point_init(&allocs, "SEGRT_FAIL_ALLOC_AT", "SEGRT_ALLOC_REPORT");
    atexit(report);
}

void *__wrap_malloc(size_t n)
{
    return fault_point_hit(&allocs, __builtin_return_address(0)) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fault_point_hit(&allocs, __builtin_return_address(0)) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fault_point_hit(&allocs, __builtin_return_address(0)) ? NULL : __real_realloc(p, n);
}
