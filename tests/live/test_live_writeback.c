/*
 * test_live_writeback.c — unit tests of a live session's pages written out
 * beside it (core/live/live_writeback.c): a kick sends the file's dirty pages
 * to the device, no kick leaves them dirty, and starting, stopping, many
 * kicks and NULL are clean.
 *
 * Whether a page was written out is read from the kernel's accounting: a
 * process is charged (write_bytes in /proc/self/io) when one of its writes
 * turns a clean page dirty, not when it dirties a dirty page again. So a
 * rewrite costs the whole file only if the pages were written out between.
 * The file lives in the test's working directory (a disk, not a tmpfs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "live/live_writeback.h"

#define FILE_BYTES (2u << 20)

static char block[FILE_BYTES];

/* The bytes this process has been charged for dirtying, or -1 if the kernel does not say. */
static long long write_bytes(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (f == NULL)
        return -1;
    char line[128];
    long long n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "write_bytes: %lld", &n) == 1)
            break;
    fclose(f);
    return n;
}

static int open_file(void)
{
    char path[] = "live_writeback.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

static void fill(int fd, char byte)
{
    memset(block, byte, sizeof block);
    assert_int_equal(pwrite(fd, block, sizeof block, 0), (ssize_t)sizeof block);
}

/* The bytes charged for rewriting the whole file once more. */
static long long rewrite_cost(int fd)
{
    long long before = write_bytes();
    fill(fd, 'c');
    return write_bytes() - before;
}

/* Skip unless the kernel charges this file's writes (no /proc/self/io, or a tmpfs: it does not). */
static void need_accounting(void)
{
    int fd = open_file();
    long long cost = write_bytes() < 0 ? -1 : rewrite_cost(fd); /* a new file: every page */
    close(fd);
    if (cost < (long long)FILE_BYTES)
        skip();
}

/* What rewriting a freshly written file costs after a writeback thread came and went. */
static long long rewrite_cost_after(int kick)
{
    need_accounting();
    int fd = open_file();
    fill(fd, 'a');
    live_writeback *wb;
    assert_int_equal(live_writeback_start(fd, &wb), 0);
    assert_non_null(wb);
    if (kick)
        live_writeback_kick(wb);
    live_writeback_stop(wb); /* carries out a kick first */
    long long cost = rewrite_cost(fd);
    close(fd);
    return cost;
}

static void test_a_kick_writes_the_dirty_pages_out(void **state)
{
    (void)state;
    assert_true(rewrite_cost_after(1) >= (long long)FILE_BYTES);
}

static void test_without_a_kick_the_pages_stay_dirty(void **state)
{
    (void)state;
    assert_true(rewrite_cost_after(0) < (long long)FILE_BYTES / 2);
}

static void test_many_kicks_and_writes_then_the_last_is_written_out(void **state)
{
    (void)state;
    need_accounting();
    int fd = open_file();
    live_writeback *wb;
    assert_int_equal(live_writeback_start(fd, &wb), 0);
    for (int i = 0; i < 200; i++) {
        fill(fd, (char)('a' + i % 26));
        live_writeback_kick(wb);
    }
    live_writeback_stop(wb); /* the last kick came after the last write */
    assert_true(rewrite_cost(fd) >= (long long)FILE_BYTES);
    char back[64];
    assert_int_equal(pread(fd, back, sizeof back, FILE_BYTES - sizeof back), (ssize_t)sizeof back);
    assert_int_equal(back[0], 'c'); /* rewrite_cost's */
    close(fd);
}

static void test_null_and_an_idle_thread_are_fine(void **state)
{
    (void)state;
    live_writeback_kick(NULL);
    live_writeback_stop(NULL);
    live_writeback *wb;
    assert_int_equal(live_writeback_start(-1, &wb), 0); /* a bad file: the write-out fails quietly */
    live_writeback_kick(wb);
    live_writeback_stop(wb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_kick_writes_the_dirty_pages_out),
        cmocka_unit_test(test_without_a_kick_the_pages_stay_dirty),
        cmocka_unit_test(test_many_kicks_and_writes_then_the_last_is_written_out),
        cmocka_unit_test(test_null_and_an_idle_thread_are_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
