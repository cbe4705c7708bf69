/*
 * cmd_exec_serve.c — segrt serve and segrt outbox run in segrt-serve, the
 * program installed beside segrt (serve_main.c says why): exec it with the
 * same arguments.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_exec_serve(int argc, char **argv)
{
    (void)argc;
    char self[PATH_MAX], path[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "segrt: %s: cannot find this program's folder: %s\n", argv[0],
                strerror(errno));
        return EXIT_FAIL;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    snprintf(path, sizeof path, "%s/segrt-serve", self);
    argv[-1] = path; /* segrt-serve COMMAND ARGS... */
    execv(path, argv - 1);
    fprintf(stderr, "segrt: %s: cannot run %s: %s (it is built and installed beside segrt)\n",
            argv[0], path, strerror(errno));
    return EXIT_FAIL;
}
