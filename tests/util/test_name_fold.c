/*
 * test_name_fold.c — unit tests of name_fold.c: Romanian letters with comma
 * below and with cedilla (Ș ș Ş ş Ț ț Ţ ţ), Polish ł and Ł (no Unicode
 * decomposition), precomposed and decomposed input, case folding, white
 * space, Cyrillic kept as it is (й stays й), and bytes that are not UTF-8.
 *
 * Uses: cmocka, name_fold.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/name_fold.h"

/* Fold in; fail unless the result is exactly want. */
static void assert_folds(const char *in, const char *want)
{
    buf out = { 0 };
    int rc = name_fold(in, strlen(in), &out);
    if (rc != 0)
        fail_msg("\"%s\" not folded: %d", in, rc);
    if (out.len != strlen(want) || (out.len && memcmp(out.p, want, out.len) != 0))
        fail_msg("\"%s\" folded to \"%.*s\", expected \"%s\"", in, (int)out.len,
                 out.p ? (const char *)out.p : "", want);
    buf_free(&out);
}

static void test_name_fold_romanian_comma_and_cedilla_letters(void **state)
{
    (void)state;
    static const char *const stefan[] = {
        "Ștefan",         /* U+0218 S with comma below */
        "Ştefan",         /* U+015E S with cedilla, the old encoding */
        "ștefan", "ştefan", "STEFAN", "Stefan", "ȘTEFAN", "ŞTEFAN",
        "S\xcc\xa6tefan", /* S + U+0326 combining comma below */
        "S\xcc\xa7tefan", /* S + U+0327 combining cedilla */
    };
    for (size_t i = 0; i < sizeof stefan / sizeof stefan[0]; i++)
        assert_folds(stefan[i], "stefan");
    assert_folds("Țăndărei", "tandarei");
    assert_folds("Ţăndărei", "tandarei");
    assert_folds("ţară", "tara");
    assert_folds("Iași", "iasi");
    assert_folds("Brașov", "brasov");
}

static void test_name_fold_polish_l_with_stroke(void **state)
{
    (void)state;
    assert_folds("Łódź", "lodz");
    assert_folds("łódź", "lodz");
    assert_folds("ŁÓDŹ", "lodz");
    assert_folds("Białystok", "bialystok");
    assert_folds("Wrocław", "wroclaw");
    assert_folds("Bielsko-Biała", "bielsko-biala");
    assert_folds("Gdańsk", "gdansk");
    assert_folds("Ærø Đorđe Øre", "aero dorde ore");
}

static void test_name_fold_keeps_cyrillic(void **state)
{
    (void)state;
    assert_folds("Йордан", "йордан");
    assert_folds("ЙОРДАН", "йордан");
    assert_folds("И\xcc\x86ордан", "йордан"); /* и + U+0306 breve: composed again */
    assert_folds("Пловдив", "пловдив");
    assert_folds("София", "софия");
    assert_folds("Стефан", "стефан"); /* not transliterated: not "stefan" */
    assert_folds("Ёлка", "ёлка");
}

static void test_name_fold_collapses_white_space(void **state)
{
    (void)state;
    assert_folds("  Maria\t  Ana  ", "maria ana");
    assert_folds("Maria\xc2\xa0" "Ana", "maria ana"); /* no-break space */
    assert_folds("Cluj\n-Napoca", "cluj -napoca");
    assert_folds("", "");
    assert_folds(" \t ", "");
}

static void test_name_fold_case_folds_beyond_ascii(void **state)
{
    (void)state;
    assert_folds("STRAßE", "strasse");
    assert_folds("Ａｎａ", "ana"); /* full-width letters (compatibility) */
    assert_folds("ÉLODIE", "elodie");
}

static void test_name_fold_refuses_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    buf out = { 0 };
    assert_int_equal(name_fold("Ana\xff", 4, &out), -2);
    assert_int_equal(name_fold("\xc3(", 2, &out), -2);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_fold_romanian_comma_and_cedilla_letters),
        cmocka_unit_test(test_name_fold_polish_l_with_stroke),
        cmocka_unit_test(test_name_fold_keeps_cyrillic),
        cmocka_unit_test(test_name_fold_collapses_white_space),
        cmocka_unit_test(test_name_fold_case_folds_beyond_ascii),
        cmocka_unit_test(test_name_fold_refuses_bytes_that_are_not_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
