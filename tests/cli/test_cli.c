/*
 * test_cli.c — unit tests of cli_main and cli_choice (cli.c), the plumbing
 * every subcommand runs through: options reach the command's callback, the
 * positional arguments are counted (too many names the first extra one, too
 * few says what to give), --help prints the usage without running, an
 * unknown option is a usage error, a help-only command refuses --db, and
 * run's result becomes the exit code (a library code reported, an exit code
 * passed on). Messages are read back from stderr.
 *
 * Uses: cmocka, cli.c (no store: the commands here open none).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"

/* argv holds char *; getopt reorders the pointers, never the strings. */
#define A(text) ((char *)(text))

/* ------------------------------------------------------------ stderr capture */

static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
    fflush(stderr);
    capture = tmpfile();
    assert_non_null(capture);
    saved_stderr = dup(STDERR_FILENO);
    assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
}

/* What the command wrote to stderr (static buffer). */
static const char *capture_end(void)
{
    static char text[4096];
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    rewind(capture);
    size_t n = fread(text, 1, sizeof text - 1, capture);
    text[n] = '\0';
    fclose(capture);
    return text;
}

/* ------------------------------------------------------------ a command to run */

enum { O_LEVEL = OPT_FIRST_CMD, O_LOUD };

typedef struct values {
    int level, loud, ran, result;
    int nargs;
} values;

static int test_option(cli *c, int opt, const char *arg, void *ud)
{
    values *v = ud;
    if (opt == O_LOUD) {
        v->loud = 1;
        return EXIT_OK;
    }
    return cli_choice(c, "--level", arg, (const char *const[]){ "low", "mid", "high", NULL },
                      &v->level);
}

static int test_run(cli *c, void *ud)
{
    values *v = ud;
    v->ran = 1;
    v->nargs = c->nargs;
    return v->result;
}

static const cli_command test_command = {
    .name = "probe",
    .usage = "segrt probe [--level low|mid|high] [--loud] A [B]\n  A command for tests.",
    .options = (const struct option[]){ CLI_OPTION("level", O_LEVEL), CLI_FLAG("loud", O_LOUD),
                                        { 0 } },
    .option = test_option,
    .arity = { 1, 2, "give A" },
    .run = test_run,
};

/* Run cmd on argv (NULL-terminated) with the values v; *err: what it wrote to stderr. */
static int probe(const cli_command *cmd, values *v, char **argv, const char **err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    capture_start();
    int code = cli_main(cmd, argc, argv, v);
    *err = capture_end();
    return code;
}

/* ------------------------------------------------------------ tests */

static void test_cli_main_passes_options_and_arguments_to_the_command(void **state)
{
    (void)state;
    values v = { 0 };
    char *argv[] = { A("probe"), A("--level"), A("high"), A("x"), A("--loud"), A("y"), NULL };
    const char *err;
    assert_int_equal(probe(&test_command, &v, argv, &err), EXIT_OK);
    assert_int_equal(v.level, 2);
    assert_int_equal(v.loud, 1);
    assert_int_equal(v.ran, 1);
    assert_int_equal(v.nargs, 2);
}

/* cmd on argv is a usage error (exit 2, nothing run) whose message holds message. */
static void expect_usage_error(const cli_command *cmd, char **argv, const char *message)
{
    values v = { 0 };
    const char *err;
    assert_int_equal(probe(cmd, &v, argv, &err), EXIT_USAGE);
    assert_false(v.ran);
    assert_non_null(strstr(err, message));
    assert_non_null(strstr(err, "\n(segrt probe --help for details)\n"));
}

static void test_cli_choice_names_the_choices_when_none_fits(void **state)
{
    (void)state;
    char *argv[] = { A("probe"), A("--level"), A("max"), A("x"), NULL };
    expect_usage_error(&test_command, argv, "segrt: probe: --level 'max' is not low, mid or high\n"
                                            "usage: segrt probe [--level low|mid|high] [--loud] "
                                            "A [B]\n");
}

static void test_cli_main_names_the_first_extra_argument(void **state)
{
    (void)state;
    char *argv[] = { A("probe"), A("a"), A("b"), A("c"), NULL };
    expect_usage_error(&test_command, argv, "segrt: probe: unexpected argument 'c'\n");
}

static void test_cli_main_says_what_to_give_when_an_argument_is_missing(void **state)
{
    (void)state;
    char *argv[] = { A("probe"), A("--loud"), NULL };
    expect_usage_error(&test_command, argv, "segrt: probe: give A\n");
}

static void test_cli_main_help_prints_the_usage_and_runs_nothing(void **state)
{
    (void)state;
    values v = { 0 };
    char *argv[] = { A("probe"), A("--help"), NULL };
    const char *err;
    assert_int_equal(probe(&test_command, &v, argv, &err), EXIT_OK);
    assert_false(v.ran);
}

static void test_cli_main_refuses_an_unknown_option(void **state)
{
    (void)state;
    char *argv[] = { A("probe"), A("--frob"), A("x"), NULL };
    expect_usage_error(&test_command, argv, "segrt: probe: unknown option '--frob'\n");
}

static void test_cli_main_help_only_command_refuses_db(void **state)
{
    (void)state;
    cli_command bare = test_command;
    bare.flags = CLI_HELP_ONLY;
    char *argv[] = { A("probe"), A("--db"), A("d"), A("x"), NULL };
    expect_usage_error(&bare, argv, "segrt: probe: unknown option '--db'\n");
    values v = { 0 };
    const char *err;
    char *ok_argv[] = { A("probe"), A("--loud"), A("x"), NULL };
    assert_int_equal(probe(&bare, &v, ok_argv, &err), EXIT_OK); /* its own options stay */
    assert_true(v.loud);
}

static void test_cli_main_reports_a_library_code_and_passes_an_exit_code_on(void **state)
{
    (void)state;
    values v = { .result = SEGRT_ENOMEM };
    char *argv[] = { A("probe"), A("x"), NULL };
    const char *err;
    int code = probe(&test_command, &v, argv, &err);
    assert_int_equal(code, EXIT_FAIL);
    assert_string_equal(err, "segrt: probe: out of memory\n");

    v = (values){ .result = EXIT_USAGE };
    code = probe(&test_command, &v, argv, &err);
    assert_int_equal(code, EXIT_USAGE);
    assert_string_equal(err, ""); /* the command said why itself */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_main_passes_options_and_arguments_to_the_command),
        cmocka_unit_test(test_cli_choice_names_the_choices_when_none_fits),
        cmocka_unit_test(test_cli_main_names_the_first_extra_argument),
        cmocka_unit_test(test_cli_main_says_what_to_give_when_an_argument_is_missing),
        cmocka_unit_test(test_cli_main_help_prints_the_usage_and_runs_nothing),
        cmocka_unit_test(test_cli_main_refuses_an_unknown_option),
        cmocka_unit_test(test_cli_main_help_only_command_refuses_db),
        cmocka_unit_test(test_cli_main_reports_a_library_code_and_passes_an_exit_code_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
