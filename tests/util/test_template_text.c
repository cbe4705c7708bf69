/*
 * test_template_text.c — the text of message templates (core/output/template_text.h):
 * literals with {{ }}, placeholders with formats and fallbacks, exact money
 * and fixed decimals (half away from zero), date patterns, joined sets,
 * HTML escaping of values only (never the template's own text), one-line
 * subjects, UTF-8 kept byte for byte, and every parse error with its line.
 *
 * Uses: cmocka, template_text.h, value.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/template_text.h"
#include "util/value.h"

#define M(x) ((int64_t)((x) * VALUE_NUMBER_SCALE)) /* exact for the literals used here */

static template_text parse_ok(const char *src)
{
    template_text t;
    char err[300];
    if (template_text_parse(src, &t, err, sizeof err) != 0)
        fail_msg("template_text_parse(\"%s\"): %s", src, err);
    return t;
}

/*
 * Render src with vals: placeholder i (in order of appearance) takes
 * vals[i]. The result goes to out (NUL-terminated).
 */
static const char *render(const char *src, const template_text_value *vals, template_text_escape esc, char *out,
                          size_t n)
{
    template_text t = parse_ok(src);
    size_t k = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.parts[i].name)
            t.parts[i].value = k++;
    }
    buf b = { 0 };
    assert_int_equal(template_text_render(&t, vals, esc, &b), 0);
    snprintf(out, n, "%.*s", (int)b.len, (const char *)b.p);
    buf_free(&b);
    template_text_free(&t);
    return out;
}

#define STR(x) ((template_text_value){ .kind = TPL_STRING, .s = (x), .len = strlen(x) })
#define NUM(x) ((template_text_value){ .kind = TPL_NUMBER, .v = (x) })
#define MISSING ((template_text_value){ .kind = TPL_MISSING })

static void assert_render(const char *src, const template_text_value *vals, template_text_escape esc,
                          const char *want)
{
    char got[1024];
    render(src, vals, esc, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\" rendered \"%s\", expected \"%s\"", src, got, want);
}

static void assert_parse_error(const char *src, const char *needle)
{
    template_text t;
    char err[300] = "";
    assert_int_equal(template_text_parse(src, &t, err, sizeof err), -1);
    assert_int_equal(t.n, 0);
    if (strstr(err, needle) == NULL)
        fail_msg("parsing \"%s\" says \"%s\", expected \"%s\" in it", src, err, needle);
}

static void test_template_text_literals_and_braces(void **state)
{
    (void)state;
    assert_render("plain text", NULL, TPL_ESC_NONE, "plain text");
    assert_render("css p {{ color: red }} and {{{x}}}", (template_text_value[]){ STR("v") }, TPL_ESC_HTML,
                  "css p { color: red } and {v}");
    assert_render("", NULL, TPL_ESC_NONE, "");
    template_text t = parse_ok("Dear {first_name|client}, {  rfm.R  :fixed(1) }!");
    assert_int_equal(t.n, 5);
    assert_string_equal(t.parts[1].name, "first_name");
    assert_string_equal(t.parts[1].fallback, "client");
    assert_string_equal(t.parts[3].name, "rfm.R");
    assert_int_equal(t.parts[3].format, TPL_FIXED);
    assert_int_equal(t.parts[3].digits, 1);
    assert_null(t.parts[3].fallback);
    template_text_free(&t);
}

static void test_template_text_fallback_for_missing_and_empty_values(void **state)
{
    (void)state;
    assert_render("Dragă {n|client},", (template_text_value[]){ MISSING }, TPL_ESC_NONE, "Dragă client,");
    assert_render("Dragă {n|client},", (template_text_value[]){ STR("") }, TPL_ESC_NONE, "Dragă client,");
    assert_render("Dragă {n|client},", (template_text_value[]){ STR("Ana") }, TPL_ESC_NONE, "Dragă Ana,");
    assert_render("[{n}]", (template_text_value[]){ MISSING }, TPL_ESC_NONE, "[]");
    assert_render("[{n|}]", (template_text_value[]){ MISSING }, TPL_ESC_NONE, "[]");
    assert_render("{n|a fallback, with spaces: and Ș}", (template_text_value[]){ MISSING }, TPL_ESC_NONE,
                  "a fallback, with spaces: and Ș");
    assert_render("{s:join|none}", (template_text_value[]){ { .kind = TPL_LIST, .nitems = 0 } },
                  TPL_ESC_NONE, "none");
}

static void test_template_text_numbers_are_exact(void **state)
{
    (void)state;
    assert_render("{x}", (template_text_value[]){ NUM(M(12.5)) }, TPL_ESC_NONE, "12.5");
    assert_render("{x}", (template_text_value[]){ NUM(M(3)) }, TPL_ESC_NONE, "3");
    assert_render("{x:money}", (template_text_value[]){ NUM(M(1234.5)) }, TPL_ESC_NONE, "1234.50");
    assert_render("{x:money(RON)}", (template_text_value[]){ NUM(M(10.10) + M(20.20)) }, TPL_ESC_NONE,
                  "30.30 RON");
    assert_render("{x:money(zł)}", (template_text_value[]){ NUM(5) }, TPL_ESC_NONE, "0.00 zł");
    assert_render("{x:money(EUR)}", (template_text_value[]){ NUM(5000) }, TPL_ESC_NONE, "0.01 EUR");
    assert_render("{x:money(EUR)}", (template_text_value[]){ NUM(4999) }, TPL_ESC_NONE, "0.00 EUR");
    assert_render("{x:money}", (template_text_value[]){ NUM(-5000) }, TPL_ESC_NONE, "-0.01");
    assert_render("{x:money}", (template_text_value[]){ NUM(-4999) }, TPL_ESC_NONE, "0.00");
    assert_render("{x:money}", (template_text_value[]){ NUM(-M(2.345)) }, TPL_ESC_NONE, "-2.35");
    assert_render("{x:fixed(0)}", (template_text_value[]){ NUM(M(2.5)) }, TPL_ESC_NONE, "3");
    assert_render("{x:fixed(3)}", (template_text_value[]){ NUM(M(1) / 3) }, TPL_ESC_NONE, "0.333");
    assert_render("{x:fixed(6)}", (template_text_value[]){ NUM(1) }, TPL_ESC_NONE, "0.000001");
    assert_render("{x:money|n/a}", (template_text_value[]){ MISSING }, TPL_ESC_NONE, "n/a");
    assert_render("{x:money}", (template_text_value[]){ NUM(INT64_MAX) }, TPL_ESC_NONE,
                  "9223372036854.78");
}

static void test_template_text_dates_times_booleans_and_sets(void **state)
{
    (void)state;
    int64_t t = INT64_C(1767312000) + 3 * 3600 + 4 * 60 + 5; /* 2026-01-02T03:04:05Z */
    template_text_value time = { .kind = TPL_TIME, .v = t }, day = { .kind = TPL_DAY, .v = 1767312000 };
    assert_render("{t}", &time, TPL_ESC_NONE, "2026-01-02T03:04:05Z");
    assert_render("{t:date}", &time, TPL_ESC_NONE, "2026-01-02");
    assert_render("{t:date(%d.%m.%Y %H:%M:%S, 100%%)}", &time, TPL_ESC_NONE,
                  "02.01.2026 03:04:05, 100%");
    assert_render("{d}", &day, TPL_ESC_NONE, "2026-01-02");
    assert_render("{d:date(%d/%m)}", &day, TPL_ESC_NONE, "02/01");
    template_text_value before = { .kind = TPL_TIME, .v = -1 }; /* 1969-12-31T23:59:59Z */
    assert_render("{t:date(%Y-%m-%d %H:%M:%S)}", &before, TPL_ESC_NONE, "1969-12-31 23:59:59");
    assert_render("{b} {c}",
                  (template_text_value[]){ { .kind = TPL_BOOL, .v = 1 }, { .kind = TPL_BOOL, .v = 0 } },
                  TPL_ESC_NONE, "true false");
    const char *items[] = { "kawa", "<tea>", "Чай" };
    template_text_value set = { .kind = TPL_LIST, .items = items, .nitems = 3 };
    assert_render("{s}", &set, TPL_ESC_NONE, "kawa, <tea>, Чай");
    assert_render("{s:join( <b>|</b> )}", &set, TPL_ESC_HTML,
                  "kawa <b>|</b> &lt;tea&gt; <b>|</b> Чай");
}

static void test_template_text_escapes_values_only(void **state)
{
    (void)state;
    const char *name = "<script>alert('x&y\")</script>";
    template_text_value v[] = { STR(name) };
    assert_render("<p>Hi {n|<i>you</i>}</p>", v, TPL_ESC_HTML,
                  "<p>Hi &lt;script&gt;alert(&#39;x&amp;y&quot;)&lt;/script&gt;</p>");
    assert_render("<p>Hi {n|<i>you</i>}</p>", v, TPL_ESC_NONE,
                  "<p>Hi <script>alert('x&y\")</script></p>");
    assert_render("<p>Hi {n|<i>you</i>}</p>", (template_text_value[]){ MISSING }, TPL_ESC_HTML,
                  "<p>Hi <i>you</i></p>");
    assert_render("Re: {n}", (template_text_value[]){ STR("a\r\nBcc: x@y\tz") }, TPL_ESC_LINE,
                  "Re: a  Bcc: x@y z");
    assert_render("{n}", (template_text_value[]){ STR("Ștefan Łukasz Иван") }, TPL_ESC_HTML,
                  "Ștefan Łukasz Иван");
}

static void test_template_text_format_must_suit_the_value(void **state)
{
    (void)state;
    template_text t = parse_ok("{a:date}{b:money}{c:fixed(2)}{d:join}{e}");
    assert_null(template_text_format_mismatch(&t.parts[0], TPL_TIME));
    assert_null(template_text_format_mismatch(&t.parts[0], TPL_DAY));
    assert_non_null(template_text_format_mismatch(&t.parts[0], TPL_STRING));
    assert_null(template_text_format_mismatch(&t.parts[1], TPL_NUMBER));
    assert_non_null(template_text_format_mismatch(&t.parts[1], TPL_TIME));
    assert_non_null(template_text_format_mismatch(&t.parts[2], TPL_BOOL));
    assert_null(template_text_format_mismatch(&t.parts[3], TPL_LIST));
    assert_non_null(template_text_format_mismatch(&t.parts[3], TPL_STRING));
    assert_null(template_text_format_mismatch(&t.parts[4], TPL_LIST));
    template_text_free(&t);
}

static void test_template_text_parse_errors_name_the_line(void **state)
{
    (void)state;
    assert_parse_error("Hi {first_name", "line 1: {first_name: the placeholder is not closed");
    assert_parse_error("a\nb\nHi {first_name\n}", "line 3: {first_name: the placeholder is not");
    assert_parse_error("a } b", "line 1: a lone '}' (write }} for a literal })");
    assert_parse_error("x\n{}", "line 2: {}: a placeholder starts with a name");
    assert_parse_error("{ }", "a placeholder starts with a name");
    assert_parse_error("{first name}", "{first name}: expected :format, |fallback or }");
    assert_parse_error("{a.b.c}", "{a.b.c}: expected :format");
    assert_parse_error("{x:dat}", "{x:dat}: unknown format 'dat' (did you mean 'date'?)");
    assert_parse_error("{x:upper}", "unknown format 'upper' (date, money, fixed or join)");
    assert_parse_error("{x:fixed}", "fixed takes a number of decimals from 0 to 6");
    assert_parse_error("{x:fixed(7)}", "fixed takes a number of decimals from 0 to 6");
    assert_parse_error("{x:date(%d.%Q)}", "a date pattern takes %Y %m %d %H %M %S and %% only");
    assert_parse_error("{x:date(%d}", "the '(' of :date is not closed");
    assert_parse_error("{x|a {b} c}", "a fallback holds no {");
    assert_parse_error("{x|unclosed", "the placeholder is not closed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_text_literals_and_braces),
        cmocka_unit_test(test_template_text_fallback_for_missing_and_empty_values),
        cmocka_unit_test(test_template_text_numbers_are_exact),
        cmocka_unit_test(test_template_text_dates_times_booleans_and_sets),
        cmocka_unit_test(test_template_text_escapes_values_only),
        cmocka_unit_test(test_template_text_format_must_suit_the_value),
        cmocka_unit_test(test_template_text_parse_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
