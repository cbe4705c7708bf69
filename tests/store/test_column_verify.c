/*
 * test_column_verify.c — segrt check compares every scalar column with the
 * records (core/store/column_verify.c): a store as written passes, a value
 * changed in the column only fails naming the field and the contact, and
 * a chunk of a size no form has fails naming its bytes.
 *
 * Uses: cmocka, column.h, schema.h, store.h, segrt.h, test_util.h.
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
#include "store/schema.h"
#include "store/store.h"
#include "test_util.h"

static const char contacts_csv[] = "id,income,city\n"
                                   "c1,5000,Warszawa\n"
                                   "c2,6000,Gdańsk\n"
                                   "c3,,\n";

/* What to write behind the records' back: field's value of contact 0, or a raw chunk. */
typedef struct tamper {
    const char *field;
    int64_t value;
    size_t raw_size; /* non-zero: replace chunk 0 with this many zero bytes */
} tamper;

static int tamper_txn(segrt_store *s, MDB_txn *txn, void *ud)
{
    const tamper *t = ud;
    const field_def *f = schema_find(s->schema, t->field, strlen(t->field));
    assert_non_null(f);
    if (t->raw_size) {
        unsigned char k[10] = { (unsigned char)(f->id >> 8), (unsigned char)f->id };
        MDB_val key = { sizeof k, k }, v = { t->raw_size, NULL };
        assert_int_equal(mdb_put(txn, s->dbi[DB_COLUMNS], &key, &v, MDB_RESERVE), 0);
        memset(v.mv_data, 0, t->raw_size);
        return SEGRT_OK;
    }
    column_cache *cc = column_cache_new();
    assert_non_null(cc);
    int rc = column_set_i64(s, txn, cc, f->id, 0, t->value);
    if (rc == SEGRT_OK)
        rc = column_cache_flush(s, txn, cc);
    column_cache_free(cc);
    return rc;
}

static void check_fails_with(segrt_store *s, tamper t, const char *needle)
{
    assert_int_equal(segrt_store_check(s), SEGRT_OK);
    assert_int_equal(store_write(s, tamper_txn, &t), SEGRT_OK);
    assert_int_equal(segrt_store_check(s), SEGRT_ECORRUPT);
    if (strstr(segrt_errmsg(s), needle) == NULL)
        fail_msg("check said \"%s\", expected \"%s\"", segrt_errmsg(s), needle);
}

static void test_column_verify_finds_a_value_changed_in_the_column_only(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, contacts_csv, NULL, NULL);
    check_fails_with(f->s, (tamper){ "income", 5001, 0 },
                     "check: the column of field 'income' holds 5001 for contact 0, whose "
                     "record holds 5000");
}

static void test_column_verify_finds_a_value_the_record_does_not_have(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, "id,income\nc1,\n", NULL, NULL);
    check_fails_with(f->s, (tamper){ "income", 7, 0 }, "holds 7 for contact 0");
}

static void test_column_verify_finds_a_chunk_no_form_has(void **state)
{
    tu_fixture *f = *state;
    tu_seg_data(f, contacts_csv, NULL, NULL);
    check_fails_with(f->s, (tamper){ "income", 0, 100 },
                     "check: the column of field 'income' has a chunk 0 of 100 bytes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_column_verify_finds_a_value_changed_in_the_column_only),
        TU_STORE_TEST(test_column_verify_finds_a_value_the_record_does_not_have),
        TU_STORE_TEST(test_column_verify_finds_a_chunk_no_form_has),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
