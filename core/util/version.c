/*
 * version.c — segrt_version(): the version of the library, from the
 * project's VERSION through the generated segrt/version.h.
 */
#include "segrt/version.h"

const char *segrt_version(void)
{
    return SEGRT_VERSION;
}
