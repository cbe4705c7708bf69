/*
 * hugepage.h — large scratch blocks backed by transparent huge pages.
 *
 * A cold process pays a page fault for every fresh 4 KiB page it writes
 * (~14 µs on the machines we measure), and an evaluation over a million
 * contacts writes vectors of several MiB. Asking the kernel for huge pages on
 * such a block (madvise MADV_HUGEPAGE: the "madvise" mode of transparent
 * huge pages, the Debian default) makes that one fault per 2 MiB. Blocks
 * come from malloc and go back with free(); only the 2 MiB-aligned interior
 * of a block is advised, and only before anything touched it. Best effort:
 * where the kernel says no, the block is an ordinary one.
 * Uses: libc (sys/mman.h).
 */
#ifndef SEGRT_HUGEPAGE_H
#define SEGRT_HUGEPAGE_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGEPAGE_SIZE ((size_t)2 << 20)
/* Below this a block may hold no whole aligned huge page: not worth a system call. */
#define HUGEPAGE_MIN_BLOCK (2 * HUGEPAGE_SIZE)

/* Advise huge pages for the aligned interior of the fresh block p of n bytes. */
static inline void hugepage_advise(void *p, size_t n)
{
    if (p == NULL || n < HUGEPAGE_MIN_BLOCK)
        return;
    uintptr_t start = ((uintptr_t)p + HUGEPAGE_SIZE - 1) & ~(uintptr_t)(HUGEPAGE_SIZE - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~(uintptr_t)(HUGEPAGE_SIZE - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* malloc(n), huge pages advised when n is large. */
static inline void *hugepage_malloc(size_t n)
{
    void *p = malloc(n);
    hugepage_advise(p, n);
    return p;
}

/* calloc(count, size), huge pages advised when the block is large. */
static inline void *hugepage_calloc(size_t count, size_t size)
{
    void *p = calloc(count, size);
    if (p)
        hugepage_advise(p, count * size);
    return p;
}

#endif
