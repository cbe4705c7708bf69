/*
 * alloc_fail.c — allocation-failure injection for segrt_allocfail, a build
 * of the segrt command whose own code (the library and the command, linked
 * with --wrap=malloc,calloc,realloc) calls these instead of the C library's:
 * with SEGRT_FAIL_ALLOC_AT=N in the environment, the N-th allocation fails
 * (returns NULL) and every other one succeeds. The libraries segrt uses
 * (LMDB, jansson, libc itself) allocate as usual; Lua allocates through
 * segrt's sandbox, so its allocations count.
 *
 * With SEGRT_ALLOC_REPORT=FILE, the process writes at exit the number of
 * allocations it made and, when one failed, where: the caller's offset in
 * the executable, which names one allocation site across runs.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static unsigned long fail_at, count;
static uintptr_t failed_site; /* offset of the caller of the failed allocation, or 0 */

static void report(void)
{
    const char *path = getenv("SEGRT_ALLOC_REPORT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%lu %lx\n", count, (unsigned long)failed_site);
        fclose(f);
    }
}

__attribute__((constructor)) static void init(void)
{
    const char *at = getenv("SEGRT_FAIL_ALLOC_AT");
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    atexit(report);
}

/* Whether this allocation, from caller, is the one to fail. */
static int fail_now(void *caller)
{
    if (++count != fail_at)
        return 0;
    Dl_info info;
    failed_site = (uintptr_t)caller;
    if (dladdr(caller, &info) && info.dli_fbase)
        failed_site -= (uintptr_t)info.dli_fbase;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now(__builtin_return_address(0)) ? NULL : __real_realloc(p, n);
}
