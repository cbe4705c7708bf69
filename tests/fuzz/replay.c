/*
 * replay.c — runs a fuzz harness over files: each argument is a file, or a
 * directory whose files are read in name order. Built with every harness in
 * every build (tests/CMakeLists.txt), so that the seed corpus and each input
 * that once crashed a harness are run by ctest, under the sanitizers too.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *more = realloc(data, cap *= 2);
            if (more == NULL) {
                free(data);
                data = NULL;
            }
            data = more;
        }
    }
    fclose(f);
    if (data == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
    int failed = 0, files = 0;
    for (int i = 1; i < argc; i++) {
        struct dirent **list;
        int n = scandir(argv[i], &list, NULL, by_name);
        if (n < 0) { /* a file */
            failed |= run_file(argv[i]);
            files++;
            continue;
        }
        for (int k = 0; k < n; k++) {
            if (list[k]->d_name[0] != '.') {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
                failed |= run_file(path);
                files++;
            }
            free(list[k]);
        }
        free(list);
    }
    printf("%d inputs replayed\n", files);
    return failed || files == 0;
}
