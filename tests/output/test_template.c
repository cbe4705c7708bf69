/*
 * test_template.c — message templates through the public API
 * (seg.template, segrt_template_render): fields, fallbacks, scores and
 * named values such as the last purchase's category, HTML versus text
 * escaping, UTF-8 names intact, only members who pass the template's
 * purpose (the same contacts segrt_set_keep_purpose keeps), and every
 * mistake refused when the script loads, naming the script line.
 *
 * Uses: cmocka, segrt.h, test_util.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

/* t5 has no e-mail and a name to escape; t6 no name; t3 withdrew; t4 never consented. */
static const char contacts_csv[] =
    "id,email,first_name,income,joined,interests,religion\n"
    "t1,stefan@example.ro,Ștefan,5000.5,2024-03-05,coffee;tea,a\n"
    "t2,lukasz@example.pl,Łukasz,,2025-01-31,,\n"
    "t3,maria@example.ro,Maria,100,2023-01-01,,\n"
    "t4,ivan@example.bg,Иван,7000,2022-12-31,books,\n"
    "t5,,<script>alert('x&y')</script>,1,,,\n"
    "t6,anon@example.com,,2,,,\n";

static const char events_csv[] =
    "contact_id,ts,type,amount,category\n"
    "t1,2025-06-01T10:00:00Z,purchase,10.10,grinder\n"
    "t1,2025-12-01T10:00:00Z,purchase,20.20,coffee_beans\n"
    "t4,2025-11-01T00:00:00Z,purchase,5,tea\n"
    "t5,2025-10-01T00:00:00Z,purchase,1,\n";

static const char consents_csv[] =
    "contact_id,purpose,status,legal_basis,ts,expires_at,source\n"
    "t1,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "t2,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "t3,email_marketing,withdrawn,consent,2025-01-01T00:00:00Z,,web\n"
    "t5,email_marketing,granted,consent,2025-01-01T00:00:00Z,,web\n"
    "t6,email_marketing,granted,legitimate_interest,2025-01-01T00:00:00Z,,web\n"
    "t1,faith_research,granted,consent,2025-01-01T00:00:00Z,,web\n";

static int setup(void **state)
{
    if (tu_setup_store(state) != 0)
        return -1;
    tu_fixture *f = *state;
    assert_int_equal(segrt_field_declare(f->s, "joined", SEGRT_T_DATE), SEGRT_OK);
    assert_int_equal(segrt_field_declare(f->s, "income", SEGRT_T_NUMBER), SEGRT_OK);
    tu_seg_data(f, contacts_csv, events_csv, consents_csv);
    return 0;
}

#define SCRIPT_HEAD                                                                           \
    TU_SEG_PRELUDE                                                                            \
    "seg.segment 'all' { }\n"                                                                 \
    "seg.segment 'buyers' { where = E.purchase:exists() }\n"

/* Every message rendered, one "id|email|subject|body" line each. */
typedef struct messages {
    char text[4096];
    size_t n;
} messages;

static int collect(void *ud, const segrt_message *m)
{
    messages *out = ud;
    size_t used = strlen(out->text);
    snprintf(out->text + used, sizeof out->text - used, "%s|%s|%s|%s\n", m->id,
             m->email ? m->email : "(null)", m->subject, m->body);
    out->n++;
    return 0;
}

/* Render template tpl of code over segment; fail with the store's message on an error. */
static messages render(segrt_store *s, const char *code, const char *segment, const char *tpl)
{
    messages out = { "", 0 };
    segrt_script *sc = tu_script(s, "tpl.lua", code);
    int rc = segrt_template_render(sc, segment, tpl, collect, &out);
    segrt_script_free(sc);
    if (rc != SEGRT_OK)
        fail_msg("render %s of %s: %s: %s", tpl, segment, segrt_errname(rc), segrt_errmsg(s));
    return out;
}

static void assert_rendered(segrt_store *s, const char *code, const char *segment,
                            const char *tpl, const char *want)
{
    messages got = render(s, code, segment, tpl);
    if (strcmp(got.text, want) != 0)
        fail_msg("template %s rendered:\n%s\nexpected:\n%s", tpl, got.text, want);
}

static void test_template_fields_fallbacks_and_utf8(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_rendered(s, SCRIPT_HEAD
                    "seg.template 'hi' { purpose = 'email_marketing',\n"
                    "  subject = 'Dragă {first_name|client}', body = '{id}: {income|?} {joined}' }\n",
                    "all", "hi",
                    "t1|stefan@example.ro|Dragă Ștefan|t1: 5000.5 2024-03-05\n"
                    "t2|lukasz@example.pl|Dragă Łukasz|t2: ? 2025-01-31\n"
                    "t5|(null)|Dragă <script>alert('x&y')</script>|t5: 1 \n"
                    "t6|anon@example.com|Dragă client|t6: 2 \n");
}

static void test_template_escapes_html_but_not_text(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    const char *code = SCRIPT_HEAD
        "seg.template 'h' { purpose = 'email_marketing', format = 'html',\n"
        "  subject = '{first_name}', body = '<p>{first_name|<i>friend</i>}</p>' }\n"
        "seg.template 't' { purpose = 'email_marketing',\n"
        "  subject = '{first_name}', body = '<p>{first_name|<i>friend</i>}</p>' }\n";
    messages html = render(s, code, "all", "h"), text = render(s, code, "all", "t");
    assert_non_null(strstr(html.text, "t5|(null)|<script>alert('x&y')</script>|"
                                      "<p>&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;</p>\n"));
    assert_non_null(strstr(html.text, "t6|anon@example.com||<p><i>friend</i></p>\n"));
    assert_null(strstr(html.text, "t4|"));
    assert_non_null(strstr(text.text, "t5|(null)|<script>alert('x&y')</script>|"
                                      "<p><script>alert('x&y')</script></p>\n"));
    assert_non_null(strstr(html.text, "|Ștefan|<p>Ștefan</p>"));
}

static void test_template_scores_values_and_formats(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_rendered(s, SCRIPT_HEAD
                    "seg.score 'big' { expr = F.income * 2 }\n"
                    "seg.template 'offer' { purpose = 'email_marketing',\n"
                    "  subject = 'For {first_name}: {last_cat|something}',\n"
                    "  body = '{spent:money(RON)} on {last_buy:date(%d.%m.%Y)}; {big:fixed(1)}; "
                    "{interests:join(+)|-}',\n"
                    "  values = { last_cat = E.purchase:last 'category', last_buy = E.purchase:last(),\n"
                    "             spent = E.purchase:sum 'amount', shop = 'Kawa.pl' } }\n",
                    "buyers", "offer",
                    "t1|stefan@example.ro|For Ștefan: coffee_beans|30.30 RON on 01.12.2025; "
                    "10001.0; coffee+tea\n"
                    "t5|(null)|For <script>alert('x&y')</script>: something|1.00 RON on "
                    "01.10.2025; 2.0; -\n");
    assert_rendered(s, SCRIPT_HEAD
                    "seg.template 'c' { purpose = 'email_marketing', subject = '{shop}',\n"
                    "  body = '{email} {joined|none}', values = { shop = 'Kawa.pl', email = 'x' } }\n",
                    "buyers", "c",
                    "t1|stefan@example.ro|Kawa.pl|x 2024-03-05\n"
                    "t5|(null)|Kawa.pl|x none\n");
}

static int add_message_id(void *ud, const segrt_message *m)
{
    return tu_add_id(ud, m->id);
}

/* The rendered ids are exactly the segment's members who pass the purpose. */
static void test_template_only_members_who_pass_the_purpose(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    segrt_script *sc = tu_script(s, "tpl.lua", SCRIPT_HEAD
                                 "seg.template 'm' { purpose = 'email_marketing',\n"
                                 "  subject = 's', body = 'b' }\n"
                                 "seg.template 'f' { purpose = 'faith_research',\n"
                                 "  subject = 's', body = 'b' }\n");
    const char *segments[] = { "all", "buyers" };
    const char *tpls[] = { "m", "f" }, *purposes[] = { "email_marketing", "faith_research" };
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < 2; j++) {
            tu_ids rendered = { "" }, kept = { "" };
            assert_int_equal(segrt_template_render(sc, segments[i], tpls[j], add_message_id,
                                                   &rendered), SEGRT_OK);
            segrt_set *m = NULL;
            assert_int_equal(segrt_segment_eval(sc, segments[i], &m), SEGRT_OK);
            assert_int_equal(segrt_set_keep_purpose(sc, m, purposes[j]), SEGRT_OK);
            assert_int_equal(segrt_set_ids_foreach(s, m, tu_add_id, &kept), SEGRT_OK);
            segrt_set_free(m);
            assert_string_equal(rendered.text, kept.text);
        }
    }
    tu_ids ids = { "" };
    assert_int_equal(segrt_template_render(sc, "all", "m", add_message_id, &ids), SEGRT_OK);
    assert_string_equal(ids.text, "t1 t2 t5 t6"); /* t3 withdrew, t4 never consented */
    segrt_script_free(sc);
}

static void test_template_unknown_template_or_segment(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    messages out = { "", 0 };
    segrt_script *sc = tu_script(s, "tpl.lua", SCRIPT_HEAD
                                 "seg.template 'welcome' { purpose = 'email_marketing',\n"
                                 "  subject = 's', body = 'b' }\n");
    assert_int_equal(segrt_template_render(sc, "all", "welcom", collect, &out), SEGRT_ENOTFOUND);
    tu_assert_errmsg(s, "unknown template 'welcom' (did you mean 'welcome'?)");
    assert_int_equal(segrt_template_render(sc, "al", "welcome", collect, &out), SEGRT_ENOTFOUND);
    tu_assert_errmsg(s, "unknown segment 'al'");
    assert_int_equal(out.n, 0);
    assert_int_equal(segrt_template_render(sc, "all", "welcome", NULL, NULL), SEGRT_EINVAL);
    segrt_script_free(sc);
}

/* The script fails to load with a message holding every needle. */
static void assert_load_error(segrt_store *s, const char *code, ...)
{
    segrt_script *sc = NULL;
    int rc = segrt_script_load_string(s, "tpl.lua", code, strlen(code), &sc);
    segrt_script_free(sc);
    if (rc != SEGRT_ELUA)
        fail_msg("script loaded (%s), expected SEGRT_ELUA for:\n%s", segrt_errname(rc), code);
    va_list ap;
    va_start(ap, code);
    for (const char *needle = va_arg(ap, const char *); needle; needle = va_arg(ap, const char *))
        tu_assert_errmsg(s, needle);
    va_end(ap);
}

#define TEMPLATE(rest) SCRIPT_HEAD "seg.template 'w' { purpose = 'email_marketing', " rest " }\n"

static void test_template_mistakes_fail_the_load(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_load_error(s, TEMPLATE("subject = 's',\n body = 'x\\nDear {firs_name|you}'"),
                      "tpl.lua:5: template 'w': body line 2: {firs_name|you} names no field, "
                      "score or value of the template (did you mean 'first_name'?)", NULL);
    assert_load_error(s, TEMPLATE("subject = '{spnt}', body = 'b', values = { spent = 1 }"),
                      "tpl.lua:5: template 'w': subject line 1: {spnt}", "did you mean 'spent'?",
                      NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{rfm.R}'"), "{rfm.R} names no field",
                      NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{joined:money}'"),
                      "{joined:money} cannot be shown: money and fixed need a number", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{first_name:join}'"),
                      "join needs a string set", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{d}', values = { d = days(3) }"),
                      "{d} is a duration: divide it by seg.days(1)", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{x}', values = { x = E.purchse:count() }"),
                      "tpl.lua:5:", "unknown event type 'purchse' (did you mean 'purchase'?)", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = 'a } b'"),
                      "template 'w': body line 1: a lone '}'", NULL);
    assert_load_error(s, TEMPLATE("subject = 'a\\nb', body = 'b'"),
                      "tpl.lua:5: template 'w': the subject must be one line", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = 'b', format = 'markdown'"),
                      "format is \"text\" or \"html\", not \"markdown\"", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = 'b', lang = 'ro'"),
                      "template 'w': unknown key 'lang'", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{x}', values = { x = F.income:gt(1) }"),
                      "template 'w' value 'x': expected a value or a constant, got predicate",
                      NULL);
    assert_load_error(s, SCRIPT_HEAD "seg.template 'w' { subject = 's', body = 'b' }\n",
                      "tpl.lua:5: template 'w' needs a purpose", NULL);
    assert_load_error(s, SCRIPT_HEAD "seg.template 'w' { purpose = 'email_marketing', body = 'b' }\n",
                      "template 'w' needs a subject", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = 'b'")
                      "seg.template 'w' { purpose = 'email_marketing', subject = 's', body = 'c' }\n",
                      "tpl.lua:6: template 'w' is defined twice (first at tpl.lua:5)", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{age}'"),
                      "age is derived from birth_date", NULL);
    assert_load_error(s, SCRIPT_HEAD "seg.template 'w' { purpose = 'emial_marketing', "
                                     "subject = 's', body = 'b' }\n",
                      "tpl.lua:5: template 'w': purpose 'emial_marketing' has no consent check",
                      "did you mean 'email_marketing'?", NULL);
}

/* Art. 9: a message that prints a special category needs an explicit-consent purpose. */
static void test_template_sensitive_fields_need_explicit_consent(void **state)
{
    segrt_store *s = ((tu_fixture *)*state)->s;
    assert_load_error(s, TEMPLATE("subject = 's', body = '{religion}'"),
                      "tpl.lua:5: template 'w' reads 'religion'", "Art. 9", NULL);
    assert_load_error(s, TEMPLATE("subject = 's', body = '{r}', values = { r = F.religion }"),
                      "template 'w' reads 'religion'", NULL);
    assert_rendered(s, SCRIPT_HEAD
                    "seg.consent 'faith_research' { bases = { 'consent' } }\n"
                    "seg.template 'f' { purpose = 'faith_research', subject = 's',\n"
                    "  body = '{religion}' }\n",
                    "all", "f", "t1|stefan@example.ro|s|a\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_fields_fallbacks_and_utf8),
        cmocka_unit_test(test_template_escapes_html_but_not_text),
        cmocka_unit_test(test_template_scores_values_and_formats),
        cmocka_unit_test(test_template_only_members_who_pass_the_purpose),
        cmocka_unit_test(test_template_unknown_template_or_segment),
        cmocka_unit_test(test_template_mistakes_fail_the_load),
        cmocka_unit_test(test_template_sensitive_fields_need_explicit_consent),
    };
    return cmocka_run_group_tests(tests, setup, tu_teardown_store);
}
