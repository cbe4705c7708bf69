/*
 * test_contact_remove.c — contact_remove and contact_remove_sweep
 * (core/store/contact_remove.h): contacts removed in one transaction take
 * with them the dictionary strings nobody else uses — string and set
 * fields, a string two removed contacts shared — and leave those another
 * contact still has, or gets in the same transaction.
 *
 * Uses: cmocka, contact_remove.h, dict.h, column.h, schema.h, segrt.h,
 * test_util.h.
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
#include "store/column.h"
#include "store/contact_remove.h"
#include "store/dict.h"
#include "store/row.h"
#include "store/schema.h"
#include "test_util.h"

static const char contacts_csv[] = "id,email,city,tags\n"
                                   "a,a@example.com,Cluj,vip\n"
                                   "b,b@example.com,Cluj,vip;gold\n"
                                   "c,c@example.com,Iasi,sport\n"
                                   "d,d@example.com,Iasi,gold\n";

/* Which contacts go, and a value one of the survivors gets in the same transaction. */
typedef struct removal {
    const char *const *ids;
    size_t n;
    const char *give_city; /* to contact d, before the sweep; NULL: nothing */
} removal;

static int remove_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const removal *rm = ud;
    column_cache *cc = column_cache_new();
    contact_remove_strings strings = { 0 };
    int rc = cc ? SEGRT_OK : SEGRT_ENOMEM;
    for (size_t i = 0; i < rm->n && rc == SEGRT_OK; i++) {
        uint32_t ord;
        row r = { 0 };
        contact_remove_counts n;
        rc = store_ord_of(s, txn, rm->ids[i], &ord);
        if (rc == SEGRT_OK)
            rc = store_row_get(s, txn, ord, &r);
        if (rc == SEGRT_OK)
            rc = contact_remove(s, txn, cc, ord, rm->ids[i], strlen(rm->ids[i]), &r, &strings, &n);
        row_free(&r);
    }
    if (rc == SEGRT_OK && rm->give_city) {
        const field_def *f = schema_find(s->schema, "city", 4);
        uint32_t d, code = 0;
        rc = store_ord_of(s, txn, "d", &d);
        if (rc == SEGRT_OK)
            rc = dict_find(s, txn, f->id, rm->give_city, strlen(rm->give_city), &code);
        if (rc == SEGRT_OK)
            rc = column_set_code(s, txn, cc, f->id, d, code);
    }
    if (rc == SEGRT_OK)
        rc = contact_remove_sweep(s, txn, cc, &strings);
    if (rc == SEGRT_OK)
        assert_int_equal(strings.n, 0);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    contact_remove_strings_free(&strings);
    column_cache_free(cc);
    return rc;
}

/* Whether a field's dictionary still holds str. */
typedef struct lookup {
    const char *field, *str;
    uint32_t code;
} lookup;

static int find_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    lookup *l = ud;
    const field_def *f = schema_find(s->schema, l->field, strlen(l->field));
    assert_non_null(f);
    return dict_find(s, txn, f->id, l->str, strlen(l->str), &l->code);
}

static int has_string(segrt_store *s, const char *field, const char *str)
{
    lookup l = { field, str, 0 };
    assert_int_equal(store_read(s, find_txn, &l), SEGRT_OK);
    return l.code != 0;
}

static void remove_contacts(tu_fixture *f, const removal *rm)
{
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts_csv, NULL);
    int rc = store_write(f->s, remove_txn, (void *)rm);
    if (rc != SEGRT_OK)
        fail_msg("removing contacts: %s: %s", segrt_errname(rc), segrt_errmsg(f->s));
}

static void test_contact_remove_sweep_drops_strings_no_contact_has_left(void **state)
{
    tu_fixture *f = *state;
    static const char *const ids[] = { "a", "b", "c" };
    remove_contacts(f, &(removal){ ids, 3, NULL });
    tu_assert_counts(f->s, 1, 0, 0);
    assert_false(has_string(f->s, "email", "a@example.com"));
    assert_false(has_string(f->s, "email", "c@example.com"));
    assert_false(has_string(f->s, "city", "Cluj")); /* both its users went */
    assert_true(has_string(f->s, "city", "Iasi"));  /* d keeps it */
    assert_false(has_string(f->s, "tags", "vip"));
    assert_false(has_string(f->s, "tags", "sport"));
    assert_true(has_string(f->s, "tags", "gold")); /* d keeps it */
    assert_true(has_string(f->s, "email", "d@example.com"));
    tu_assert_check_ok(f->s);
}

static void test_contact_remove_sweep_keeps_a_string_given_in_the_same_transaction(void **state)
{
    tu_fixture *f = *state;
    static const char *const ids[] = { "a", "b" };
    /* Only d's column value changes (not its row record, as a merge would
     * write it): what the sweep reads is the columns as the cache leaves them. */
    remove_contacts(f, &(removal){ ids, 2, "Cluj" });
    assert_true(has_string(f->s, "city", "Cluj"));
    assert_false(has_string(f->s, "tags", "vip"));
}

static void test_contact_remove_sweep_of_nothing_is_a_no_op(void **state)
{
    tu_fixture *f = *state;
    remove_contacts(f, &(removal){ NULL, 0, NULL });
    tu_assert_counts(f->s, 4, 0, 0);
    assert_true(has_string(f->s, "city", "Cluj"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_contact_remove_sweep_drops_strings_no_contact_has_left),
        TU_STORE_TEST(test_contact_remove_sweep_keeps_a_string_given_in_the_same_transaction),
        TU_STORE_TEST(test_contact_remove_sweep_of_nothing_is_a_no_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
