/*
 * cmd_score.c — segrt score: the summary of a model defined by a script.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_score(int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_OPTIONS, { 0 } };
    cli c;
    cli_init(&c, "score", "segrt score [--db DIR] [--now T] SCRIPT MODEL\n"
                          "  Print what MODEL of SCRIPT computes at NOW: fitted parameters, its\n"
                          "  scores (contacts with a value, min, mean, max) and its segments' sizes.",
             argv);
    int code;
    segrt_store *s = cli_begin(&c, argc, argv, opts, NULL, NULL, 2, "give a SCRIPT and a MODEL",
                               SEGRT_OPEN_READONLY, &code);
    if (s == NULL)
        return code;
    segrt_script *sc = NULL;
    char *text = NULL;
    int rc = segrt_script_load(s, argv[optind], &sc);
    if (rc == SEGRT_OK)
        rc = segrt_model_summary(sc, argv[optind + 1], &text);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    free(text);
    segrt_script_free(sc);
    return cli_end(&c, s, rc);
}
