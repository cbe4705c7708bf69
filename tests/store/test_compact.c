/*
 * test_compact.c — segrt_store_compact through the public API: the erased
 * contact's bytes leave the data file and everything else stays, with an
 * audit entry; a read-only handle, another handle, another process and a
 * live session are refused without a change; a leftover copy is removed,
 * one that cannot be removed fails cleanly; a lock file left from before
 * the swap (a crash between the rename and the reopen) does no harm.
 *
 * Uses: cmocka, segrt.h, test_util.h (temporary stores, imports, exports).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "segrt.h"
#include "test_util.h"

#include <sys/wait.h>

#define NCONTACTS 400
#define ERASED_EMAIL "erase.me.please@example.org"

/* ------------------------------------------------------------ helpers */

/* NCONTACTS contacts with e-mails and two events each; c0000007 has ERASED_EMAIL. */
static void fill(tu_fixture *f)
{
    size_t cap = NCONTACTS * 96 + 64, len = 0;
    char *contacts = malloc(cap), *events = malloc(cap);
    assert_non_null(contacts);
    assert_non_null(events);
    len += (size_t)snprintf(contacts, cap, "id,email,first_name\n");
    size_t elen = (size_t)snprintf(events, cap, "contact_id,ts,type\n");
    for (int i = 1; i <= NCONTACTS; i++) {
        if (i == 7)
            len += (size_t)snprintf(contacts + len, cap - len, "c%07d,%s,Erin\n", i,
                                    ERASED_EMAIL);
        else
            len += (size_t)snprintf(contacts + len, cap - len, "c%07d,p%d@example.org,P%d\n", i,
                                    i, i);
        elen += (size_t)snprintf(events + elen, cap - elen,
                                 "c%07d,2025-0%d-01T00:00:00Z,purchase\n"
                                 "c%07d,2025-0%d-02T00:00:00Z,login\n", i, 1 + i % 9, i,
                                 1 + i % 9);
    }
    tu_import_text(f, SEGRT_CONTACTS, "contacts.csv", contacts, NULL);
    tu_import_text(f, SEGRT_EVENTS, "events.csv", events, NULL);
    free(contacts);
    free(events);
}

/* A fixture's store filled, with c0000007 erased: its bytes are in free pages. */
static int setup_erased(void **state)
{
    int rc = tu_setup_store(state);
    tu_fixture *f = *state;
    fill(f);
    assert_int_equal(segrt_contact_erase(f->s, "c0000007", "test"), SEGRT_OK);
    return rc;
}

#define ERASED_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_erased, tu_teardown_store)

/* How many times needle occurs in the store's data file. */
static size_t occurrences(const tu_fixture *f, const char *needle)
{
    char path[TU_PATH_MAX];
    FILE *in = fopen(tu_path(path, f->store, "data.mdb"), "rb");
    assert_non_null(in);
    assert_int_equal(fseek(in, 0, SEEK_END), 0);
    long size = ftell(in);
    assert_true(size > 0);
    char *p = malloc((size_t)size);
    assert_non_null(p);
    rewind(in);
    assert_int_equal(fread(p, 1, (size_t)size, in), (size_t)size);
    fclose(in);
    size_t n = 0, len = strlen(needle);
    for (const char *at = p; (at = memmem(at, (size_t)(p + size - at), needle, len)) != NULL;
         at += len)
        n++;
    free(p);
    return n;
}

static uint64_t file_bytes(const tu_fixture *f)
{
    char path[TU_PATH_MAX];
    struct stat st;
    assert_int_equal(stat(tu_path(path, f->store, "data.mdb"), &st), 0);
    return (uint64_t)st.st_size;
}

static int exists(const tu_fixture *f, const char *name)
{
    char path[TU_PATH_MAX];
    struct stat st;
    return stat(tu_path(path, f->store, name), &st) == 0;
}

/* segrt_store_compact(f->s) must fail with code, its message holding needle, changing nothing. */
static void assert_refused(tu_fixture *f, int code, const char *needle)
{
    uint64_t before = 7, after = 7, size = file_bytes(f);
    int rc = segrt_store_compact(f->s, "test", &before, &after);
    if (rc != code)
        fail_msg("compact: %s (%s), expected %s", segrt_errname(rc), segrt_errmsg(f->s),
                 segrt_errname(code));
    if (strstr(segrt_errmsg(f->s), needle) == NULL)
        fail_msg("compact says \"%s\", expected it to contain \"%s\"", segrt_errmsg(f->s),
                 needle);
    assert_int_equal(before, 0);
    assert_int_equal(after, 0);
    assert_int_equal(file_bytes(f), size);
    assert_false(exists(f, "compact.tmp"));
    tu_assert_counts(f->s, NCONTACTS - 1, 2 * (NCONTACTS - 1), 0);
}

static void assert_compacts(tu_fixture *f)
{
    int rc = segrt_store_compact(f->s, "test", NULL, NULL);
    if (rc != SEGRT_OK)
        fail_msg("compact: %s: %s", segrt_errname(rc), segrt_errmsg(f->s));
}

static int last_audit(void *ud, const segrt_audit_entry *e)
{
    segrt_audit_entry *last = ud;
    free((char *)last->action);
    free((char *)last->detail);
    *last = *e;
    last->action = strdup(e->action);
    last->detail = strdup(e->detail);
    last->actor = NULL;
    return 0;
}

/* ------------------------------------------------------------ compacting */

static void test_compact_drops_the_erased_bytes_and_keeps_everything_else(void **state)
{
    tu_fixture *f = *state;
    segrt_stats st = tu_stats(f->s);
    assert_true(st.free_bytes > 0);
    assert_true(st.used_bytes + st.free_bytes <= st.store_bytes);
    assert_true(occurrences(f, ERASED_EMAIL) > 0); /* erased, but in free pages */
    char *card = NULL;
    assert_int_equal(segrt_contact_card(f->s, "c0000042", &card), SEGRT_OK);

    uint64_t before = 0, after = 0;
    int rc = segrt_store_compact(f->s, "dpo", &before, &after);
    if (rc != SEGRT_OK)
        fail_msg("compact: %s: %s", segrt_errname(rc), segrt_errmsg(f->s));
    assert_int_equal(before, st.store_bytes);
    assert_int_equal(after, file_bytes(f));
    assert_true(after < before);
    assert_int_equal(occurrences(f, ERASED_EMAIL), 0);
    assert_false(exists(f, "compact.tmp"));

    /* The same store, with only the audit entry's few pages beyond what was used. */
    segrt_stats now = tu_stats(f->s);
    assert_true(now.used_bytes <= now.store_bytes);
    assert_true(now.store_bytes - now.used_bytes <= 64 * 1024);
    assert_true(now.store_bytes <= st.used_bytes + 64 * 1024);
    tu_assert_counts(f->s, NCONTACTS - 1, 2 * (NCONTACTS - 1), 0);
    assert_int_equal(now.audit, st.audit + 1);
    tu_assert_check_ok(f->s);
    char *again = NULL;
    assert_int_equal(segrt_contact_card(f->s, "c0000042", &again), SEGRT_OK);
    assert_string_equal(again, card);
    segrt_free(card);
    segrt_free(again);

    segrt_audit_entry e = { 0 };
    assert_int_equal(segrt_audit_foreach(f->s, 0, last_audit, &e), SEGRT_OK);
    assert_string_equal(e.action, "compact");
    assert_int_equal(e.ordinal, SEGRT_AUDIT_STORE);
    char want[96];
    snprintf(want, sizeof want, "data file %llu bytes", (unsigned long long)before);
    assert_non_null(strstr(e.detail, want));
    free((char *)e.action);
    free((char *)e.detail);

    /* The handle goes on, on the compacted file. */
    tu_import_text(f, SEGRT_CONTACTS, "more.csv", "id,email\nc9999999,new@example.org\n", NULL);
    tu_assert_counts(f->s, NCONTACTS, 2 * (NCONTACTS - 1), 0);
    assert_int_equal(segrt_contact_erase(f->s, "c0000042", "test"), SEGRT_OK);
    tu_assert_check_ok(f->s);
}

static void test_compact_twice_keeps_the_size(void **state)
{
    tu_fixture *f = *state;
    uint64_t b1, a1, b2, a2;
    assert_int_equal(segrt_store_compact(f->s, NULL, &b1, &a1), SEGRT_OK);
    assert_int_equal(segrt_store_compact(f->s, NULL, &b2, &a2), SEGRT_OK);
    assert_int_equal(b2, a1);
    assert_true(a2 <= a1 + 64 * 1024);
    tu_assert_counts(f->s, NCONTACTS - 1, 2 * (NCONTACTS - 1), 0);
}

/*
 * A crash after the rename leaves lock.mdb as the old file had it (its last
 * transaction id); the next open is LMDB's only user and rebuilds it.
 */
static void test_compact_survives_the_lock_file_of_before_the_swap(void **state)
{
    tu_fixture *f = *state;
    char lock[TU_PATH_MAX], saved[TU_PATH_MAX];
    tu_path(lock, f->store, "lock.mdb");
    tu_path(saved, f->dir, "lock.saved");
    segrt_store_close(f->s); /* closing a descriptor of lock.mdb drops the store's locks */
    FILE *in = fopen(lock, "rb"), *out = fopen(saved, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
    tu_open(f, 0);
    assert_compacts(f);
    segrt_store_close(f->s);
    f->s = NULL;
    assert_int_equal(rename(saved, lock), 0);
    tu_open(f, 0);
    tu_assert_counts(f->s, NCONTACTS - 1, 2 * (NCONTACTS - 1), 0);
    tu_assert_check_ok(f->s);
}

/* ------------------------------------------------------------ refused */

static void test_compact_of_a_read_only_handle_is_refused(void **state)
{
    tu_fixture *f = *state;
    segrt_store_close(f->s);
    tu_open(f, SEGRT_OPEN_READONLY);
    assert_refused(f, SEGRT_EINVAL, "open for writing");
}

static void test_compact_while_another_handle_has_the_store_is_refused(void **state)
{
    tu_fixture *f = *state;
    segrt_store *other = NULL;
    char err[256];
    assert_int_equal(segrt_store_open(f->store, SEGRT_OPEN_READONLY, &other, err, sizeof err),
                     SEGRT_OK);
    assert_refused(f, SEGRT_EBUSY, "open elsewhere");
    segrt_store_close(other);
    assert_compacts(f);
}

/* A child process opens the store, says so on ready and keeps it until go closes. */
static pid_t hold_in_child(const char *store, int *go)
{
    int ready[2], wait_go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(wait_go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        segrt_store *s = NULL;
        char c = segrt_store_open(store, SEGRT_OPEN_READONLY, &s, NULL, 0) == SEGRT_OK ? 'y' : 'n';
        close(wait_go[1]);
        if (write(ready[1], &c, 1) == 1)
            while (read(wait_go[0], &c, 1) > 0)
                ;
        segrt_store_close(s);
        _exit(0);
    }
    close(ready[1]);
    close(wait_go[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_int_equal(c, 'y');
    *go = wait_go[1];
    return pid;
}

static void test_compact_while_another_process_has_the_store_names_it(void **state)
{
    tu_fixture *f = *state;
    int go;
    pid_t pid = hold_in_child(f->store, &go);
    char want[64];
    snprintf(want, sizeof want, "open in another process (pid %ld)", (long)pid);
    assert_refused(f, SEGRT_EBUSY, want);
    close(go);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_compacts(f);
}

static void test_compact_during_a_live_session_is_refused(void **state)
{
    tu_fixture *f = *state;
    segrt_script *sc = tu_script(f->s, "live.lua", TU_SEG_PRELUDE
                                 "seg.segment 'buyers' { where = E.purchase:count():ge(1) }\n");
    segrt_live *lv = NULL;
    assert_int_equal(segrt_live_open(sc, &lv), SEGRT_OK);
    assert_refused(f, SEGRT_EBUSY, "live session");
    assert_int_equal(segrt_live_close(lv), SEGRT_OK);
    segrt_script_free(sc);
    assert_compacts(f);
}

/* ------------------------------------------------------------ leftovers */

static void test_compact_removes_what_an_interrupted_compact_left(void **state)
{
    tu_fixture *f = *state;
    char dir[TU_PATH_MAX], path[TU_PATH_MAX];
    assert_int_equal(mkdir(tu_path(dir, f->store, "compact.tmp"), 0777), 0);
    tu_write(path, dir, "data.mdb", "half a copy");
    tu_write(path, dir, "lock.mdb", "");
    assert_compacts(f);
    assert_false(exists(f, "compact.tmp"));
    assert_int_equal(occurrences(f, ERASED_EMAIL), 0);
    tu_assert_check_ok(f->s);
}

static void test_compact_that_cannot_clear_its_place_fails_cleanly(void **state)
{
    tu_fixture *f = *state;
    char dir[TU_PATH_MAX], path[TU_PATH_MAX];
    /* Not a compact's leftover: compact.tmp holding something else is kept. */
    assert_int_equal(mkdir(tu_path(dir, f->store, "compact.tmp"), 0777), 0);
    tu_write(path, dir, "notes.txt", "mine");
    uint64_t size = file_bytes(f);
    assert_int_equal(segrt_store_compact(f->s, "test", NULL, NULL), SEGRT_EIO);
    assert_non_null(strstr(segrt_errmsg(f->s), "compact.tmp"));
    assert_int_equal(file_bytes(f), size);
    tu_assert_counts(f->s, NCONTACTS - 1, 2 * (NCONTACTS - 1), 0);
    assert_int_equal(remove(path), 0);

    /* A file in its place. */
    assert_int_equal(rmdir(dir), 0);
    tu_write(path, f->store, "compact.tmp", "a file");
    assert_int_equal(segrt_store_compact(f->s, "test", NULL, NULL), SEGRT_EIO);
    assert_non_null(strstr(segrt_errmsg(f->s), "compact.tmp"));
    assert_int_equal(file_bytes(f), size);
    assert_int_equal(remove(path), 0);

    /* The handle was not disturbed: it writes, and compacts once the place is free. */
    tu_import_text(f, SEGRT_CONTACTS, "more.csv", "id\nc9999999\n", NULL);
    assert_compacts(f);
    tu_assert_counts(f->s, NCONTACTS, 2 * (NCONTACTS - 1), 0);
    tu_assert_check_ok(f->s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        ERASED_TEST(test_compact_drops_the_erased_bytes_and_keeps_everything_else),
        ERASED_TEST(test_compact_twice_keeps_the_size),
        ERASED_TEST(test_compact_survives_the_lock_file_of_before_the_swap),
        ERASED_TEST(test_compact_of_a_read_only_handle_is_refused),
        ERASED_TEST(test_compact_while_another_handle_has_the_store_is_refused),
        ERASED_TEST(test_compact_while_another_process_has_the_store_names_it),
        ERASED_TEST(test_compact_during_a_live_session_is_refused),
        ERASED_TEST(test_compact_removes_what_an_interrupted_compact_left),
        ERASED_TEST(test_compact_that_cannot_clear_its_place_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
