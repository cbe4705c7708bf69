/*
 * store_map.c — store_map_release (store_map.h).
 *
 * LMDB does not say where the map is (me_mapaddr is only set for
 * MDB_FIXEDMAP), and the map moves when it grows, so it is found each time
 * in /proc/self/maps by the data file's device and inode.
 */
#include "store/store_map.h"

#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

void store_map_release(segrt_store *s)
{
#ifdef __linux__
    unsigned flags = 0;
    mdb_filehandle_t fd;
    struct stat st;
    if (s->env == NULL || mdb_env_get_flags(s->env, &flags) != 0 || (flags & MDB_WRITEMAP) ||
        mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &st) != 0)
        return;
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        unsigned long long lo, hi, off, ino;
        unsigned maj, mnr;
        if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &lo, &hi, &off, &maj, &mnr, &ino) != 6)
            continue;
        if (ino == (unsigned long long)st.st_ino && maj == major(st.st_dev) &&
            mnr == minor(st.st_dev) && off == 0 && hi > lo) {
            madvise((void *)(uintptr_t)lo, (size_t)(hi - lo), MADV_DONTNEED);
            break;
        }
    }
    fclose(f);
#else
    (void)s;
#endif
}
