/*
 * error.c — error codes to names and messages, generated from SEGRT_ERRORS.
 */
#include "segrt.h"

#include <stdlib.h>

const char *segrt_strerror(int code)
{
    switch (code) {
#define SEGRT_MSG_(name, c, msg) case (c): return (msg);
        SEGRT_ERRORS(SEGRT_MSG_)
#undef SEGRT_MSG_
    }
    return "unknown error";
}

const char *segrt_errname(int code)
{
    switch (code) {
#define SEGRT_NAME_(name, c, msg) case (c): return "SEGRT_" #name;
        SEGRT_ERRORS(SEGRT_NAME_)
#undef SEGRT_NAME_
    }
    return "SEGRT_EUNKNOWN";
}

void segrt_free(void *p)
{
    free(p);
}
