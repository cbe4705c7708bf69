/*
 * test_erase_outbox.c — erasure + compaction through the public API for a
 * contact with webhook actions in the outbox (pending, failed) and
 * notified state: afterwards no file of the store directory holds its id or
 * e-mail, while those of a contact with outbox entries that was kept are
 * still there; the kept entries are due as before.
 *
 * Uses: cmocka, segrt.h, test_util.h (temporary stores, imports).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#include <dirent.h>

#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define GONE "outbox-probe-gone-7q"
#define KEPT "outbox-probe-kept-7q"

static const char *const urls[] = { "http://127.0.0.1:9/a", "http://127.0.0.1:9/b" };

/* How many files of dir hold needle. */
static size_t files_holding(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[TU_PATH_MAX];
        FILE *in = fopen(tu_path(path, dir, e->d_name), "rb");
        if (in == NULL || e->d_name[0] == '.') {
            if (in)
                fclose(in);
            continue;
        }
        assert_int_equal(fseek(in, 0, SEEK_END), 0);
        long size = ftell(in);
        char *p = malloc((size_t)size + 1);
        assert_non_null(p);
        rewind(in);
        assert_int_equal(fread(p, 1, (size_t)size, in), (size_t)size);
        fclose(in);
        n += memmem(p, (size_t)size, needle, strlen(needle)) != NULL;
        free(p);
    }
    closedir(d);
    return n;
}

static int count_entry(void *ud, const segrt_outbox_entry *e)
{
    size_t *n = ud;
    (void)e;
    (*n)++;
    return 0;
}

static void test_outbox_leaves_no_bytes(void **state)
{
    tu_fixture *f = *state;
    tu_seg_import(f, SEGRT_CONTACTS,
                  "id,email\n" GONE "," GONE "@mail.example\n" KEPT "," KEPT "@mail.example\n");
    segrt_outbox_change cs[] = {
        { "winback-zz", GONE, 1, T0, urls, 2 },
        { "winback-zz", KEPT, 1, T0, urls, 1 },
        { "lapsed-zz", GONE, 1, T0, NULL, 0 }, /* notified state only */
    };
    size_t queued = 0;
    assert_int_equal(segrt_outbox_note(f->s, 3, cs, &queued), SEGRT_OK);
    assert_int_equal(queued, 3);
    assert_true(files_holding(f->store, GONE) > 0);

    assert_int_equal(segrt_contact_erase(f->s, GONE, "dpo"), SEGRT_OK);
    assert_int_equal(segrt_store_compact(f->s, "dpo", NULL, NULL), SEGRT_OK);
    assert_int_equal(files_holding(f->store, GONE), 0);
    assert_int_equal(files_holding(f->store, KEPT "@mail.example"), 1);
    assert_int_equal(files_holding(f->store, KEPT), 1);
    size_t n = 0;
    assert_int_equal(segrt_outbox_foreach(f->s, count_entry, &n), SEGRT_OK);
    assert_int_equal(n, 1);
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_STORE_TEST(test_outbox_leaves_no_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
