/*
 * cmd_score.c — segrt score: the summary of a model defined by a script.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char usage_text[] =
    "segrt score [--db DIR] [--now T] SCRIPT MODEL\n"
    "  Print what MODEL of SCRIPT computes at NOW: fitted parameters, its\n"
    "  scores (contacts with a value, min, mean, max) and its segments' sizes.";

static int score_run(cli *c, void *ud)
{
    (void)ud;
    char *text = NULL;
    int rc = segrt_model_summary(c->sc, c->args[1], &text);
    if (rc == SEGRT_OK)
        fputs(text, stdout);
    free(text);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "score", .usage = usage_text, .run = score_run, .flags = CLI_READ | CLI_SCRIPT,
        .arity = { 2, 2, "give a SCRIPT and a MODEL" },
    };
    return cli_main(&cmd, argc, argv, NULL);
}
