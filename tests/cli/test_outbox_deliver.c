/*
 * test_outbox_deliver.c — delivering the outbox's webhooks (cli/serve/deliver.h)
 * to a real receiver, tests/cli/webhook_receiver.py on 127.0.0.1: each entry
 * arrives with its JSON body and Idempotency-Key; failures (an HTTP 500, a
 * receiver that is down) back off and are retried with the same key; a
 * contact's changes arrive in order; the worker thread delivers as entries
 * are noted, across an outage, and stops without waiting for a receiver that
 * does not answer; nothing is sent before the durability hook succeeds; an
 * entry is given up after the last attempt. `segrt outbox` lists and
 * delivers the same store ($SEGRT).
 *
 * Uses: cmocka, segrt.h, deliver.h, jansson, test_util.h, python3.
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
#include "serve/deliver.h"
#include "test_util.h"

#include <time.h>

#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define WAIT_MS 15000          /* the longest a test waits for deliveries */

/* ------------------------------------------------------------ the receiver */

typedef struct receiver {
    pid_t pid;
    int port;
    char log[TU_PATH_MAX], control[TU_PATH_MAX], port_file[TU_PATH_MAX], url[64];
} receiver;

typedef struct world {
    tu_fixture f;
    receiver r;
    deliver_opts o;
    serve_lock lock;
} world;

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Start the receiver on port (0: any free one) and wait until it listens. */
static void receiver_start(receiver *r, int port)
{
    char portarg[16];
    snprintf(portarg, sizeof portarg, "%d", port);
    remove(r->port_file);
    pid_t pid = tu_fork();
    if (pid == 0) {
        execlp("python3", "python3", SEGRT_SOURCE_DIR "/tests/cli/webhook_receiver.py", "--log",
               r->log, "--port-file", r->port_file, "--control", r->control, "--port", portarg,
               (char *)NULL);
        _exit(127);
    }
    r->pid = pid;
    for (int i = 0; i < 1000; i++) {
        FILE *fp = fopen(r->port_file, "r");
        if (fp) {
            int ok = fscanf(fp, "%d", &r->port) == 1;
            fclose(fp);
            if (ok) {
                snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d/hook", r->port);
                return;
            }
        }
        sleep_ms(10);
    }
    fail_msg("the webhook receiver did not start");
}

static void receiver_stop(receiver *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
    }
    r->pid = 0;
}

/* How the receiver answers from now on: "200", "500", "hang". */
static void receiver_answer(world *w, const char *how)
{
    char path[TU_PATH_MAX];
    tu_write(path, w->f.dir, "control", how);
}

/* The requests the receiver logged, as a JSON array (a new reference). */
static json_t *requests(const receiver *r)
{
    json_t *all = json_array();
    FILE *fp = fopen(r->log, "r");
    char line[8192];
    while (fp && fgets(line, sizeof line, fp)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (o == NULL)
            fail_msg("receiver log line is not JSON: %s", line);
        json_array_append_new(all, o);
    }
    if (fp)
        fclose(fp);
    return all;
}

/* How many requests got a 2xx answer. */
static size_t delivered(const receiver *r)
{
    json_t *all = requests(r), *q;
    size_t i, n = 0;
    json_array_foreach(all, i, q) {
        json_int_t st = json_integer_value(json_object_get(q, "status"));
        n += st >= 200 && st < 300;
    }
    json_decref(all);
    return n;
}

static size_t logged(const receiver *r)
{
    json_t *all = requests(r);
    size_t n = json_array_size(all);
    json_decref(all);
    return n;
}

static void wait_delivered(const receiver *r, size_t n)
{
    double t0 = mono_ms();
    while (delivered(r) < n) {
        if (mono_ms() - t0 > WAIT_MS)
            fail_msg("%zu deliveries after %d ms, expected %zu", delivered(r), WAIT_MS, n);
        sleep_ms(20);
    }
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    tu_mkdtemp(w->f.dir);
    tu_path(w->f.store, w->f.dir, "db");
    tu_path(w->r.log, w->f.dir, "requests.jsonl");
    tu_path(w->r.control, w->f.dir, "control");
    tu_path(w->r.port_file, w->f.dir, "port");
    tu_open(&w->f, SEGRT_OPEN_CREATE);
    char err[256];
    assert_int_equal(deliver_opts_init(&w->o, err, sizeof err), 0);
    w->o.policy = (segrt_outbox_policy){ .base_ms = 50, .cap_ms = 400 };
    serve_lock_init(&w->lock);
    receiver_start(&w->r, 0);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    receiver_stop(&w->r);
    serve_lock_free(&w->lock);
    segrt_store_close(w->f.s);
    tu_rmtree(w->f.dir);
    free(w);
    return 0;
}

/* ------------------------------------------------------------ the outbox */

/* Note that contact entered (1) or left (0) segment, told to the receiver. */
static void note(world *w, const char *segment, const char *contact, int entered)
{
    const char *urls[] = { w->r.url };
    segrt_outbox_change c = { segment, contact, entered, T0, urls, 1 };
    serve_lock_take(&w->lock, 1);
    int rc = segrt_outbox_note(w->f.s, 1, &c, NULL);
    serve_lock_give(&w->lock);
    if (rc != SEGRT_OK)
        fail_msg("segrt_outbox_note: %s: %s", segrt_errname(rc), segrt_errmsg(w->f.s));
}

static int count_entry(void *ud, const segrt_outbox_entry *e)
{
    (void)e;
    ++*(size_t *)ud;
    return 0;
}

static size_t outbox_size(world *w)
{
    size_t n = 0;
    serve_lock_take(&w->lock, 1);
    assert_int_equal(segrt_outbox_foreach(w->f.s, count_entry, &n), SEGRT_OK);
    serve_lock_give(&w->lock);
    return n;
}

/* The first entry of the outbox (strings copied). */
typedef struct first {
    int found;
    uint32_t attempts;
    int state;
    char key[64], error[256];
} first;

static int take_first(void *ud, const segrt_outbox_entry *e)
{
    first *x = ud;
    *x = (first){ 1, e->attempts, e->state, "", "" };
    snprintf(x->key, sizeof x->key, "%s", e->key);
    snprintf(x->error, sizeof x->error, "%s", e->last_error);
    return 1;
}

static first outbox_first(world *w)
{
    first x = { 0 };
    serve_lock_take(&w->lock, 1);
    int rc = segrt_outbox_foreach(w->f.s, take_first, &x);
    serve_lock_give(&w->lock);
    assert_int_equal(rc, x.found ? 1 : SEGRT_OK);
    return x;
}

/*
 * The 2xx requests: each body names its key (id == Idempotency-Key), as
 * JSON, with every field; no key twice; per contact the keys' sequence
 * numbers increase (the outbox order). events receives "contact:event ..."
 * in arrival order of each contact's first.
 */
static void assert_delivered_once_in_order(const receiver *r, size_t want)
{
    json_t *all = requests(r), *q, *seen = json_object(), *last = json_object();
    size_t i, n = 0;
    json_array_foreach(all, i, q) {
        json_int_t st = json_integer_value(json_object_get(q, "status"));
        if (st < 200 || st >= 300)
            continue;
        n++;
        json_t *b = json_object_get(q, "body");
        const char *key = json_string_value(json_object_get(q, "key"));
        const char *id = json_string_value(json_object_get(b, "id"));
        const char *contact = json_string_value(json_object_get(b, "contact"));
        const char *event = json_string_value(json_object_get(b, "event"));
        assert_non_null(key);
        assert_non_null(id);
        assert_string_equal(key, id);
        assert_string_equal(json_string_value(json_object_get(q, "type")), "application/json");
        assert_non_null(contact);
        assert_true(strcmp(event, "entered") == 0 || strcmp(event, "left") == 0);
        assert_string_equal(json_string_value(json_object_get(b, "at")), "2026-01-01T00:00:00Z");
        assert_non_null(json_string_value(json_object_get(b, "segment")));
        assert_int_equal(json_object_size(b), 5);
        if (json_object_get(seen, key))
            fail_msg("key %s delivered twice", key);
        json_object_set_new(seen, key, json_true());
        const char *dash = strchr(key, '-');
        assert_non_null(dash);
        json_int_t seq = strtoll(dash + 1, NULL, 10);
        json_int_t prev = json_integer_value(json_object_get(last, contact));
        if (seq <= prev)
            fail_msg("contact %s: entry %lld arrived after entry %lld", contact, (long long)seq,
                     (long long)prev);
        json_object_set_new(last, contact, json_integer(seq));
    }
    json_decref(all);
    json_decref(seen);
    json_decref(last);
    if (n != want)
        fail_msg("%zu deliveries, expected %zu", n, want);
}

/* ------------------------------------------------------------ deliver_due */

static void test_deliver_due_posts_each_entry_once_with_its_key(void **state)
{
    world *w = *state;
    deliver_counts n;
    note(w, "vip", "c1", 1);
    note(w, "vip", "c2", 1);
    note(w, "vip", "c1", 0);
    note(w, "vip", "c2", 0);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.delivered, 4);
    assert_int_equal(n.failed, 0);
    assert_delivered_once_in_order(&w->r, 4);
    json_t *all = requests(&w->r);
    json_t *b = json_object_get(json_array_get(all, 0), "body");
    assert_string_equal(json_string_value(json_object_get(b, "segment")), "vip");
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "path")),
                        "/hook");
    json_decref(all);
    assert_int_equal(outbox_size(w), 0);
    /* nothing left: a second pass sends nothing */
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.delivered + n.failed, 0);
    assert_int_equal(logged(&w->r), 4);
    tu_assert_check_ok(w->f.s);
}

static void test_deliver_due_backs_off_after_a_500_and_keeps_the_key(void **state)
{
    world *w = *state;
    deliver_counts n;
    receiver_answer(w, "500");
    note(w, "vip", "c1", 1);
    note(w, "vip", "c1", 0);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed, 1); /* the left waits behind the entered */
    assert_int_equal(n.delivered, 0);
    first x = outbox_first(w);
    assert_int_equal(x.attempts, 1);
    assert_string_equal(x.error, "HTTP 500");
    /* due again only after the backoff */
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed + n.delivered, 0);
    receiver_answer(w, "200");
    sleep_ms(100);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.delivered, 2);
    assert_delivered_once_in_order(&w->r, 2);
    json_t *all = requests(&w->r);
    assert_int_equal(json_array_size(all), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "key")), x.key);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 1), "key")), x.key);
    json_decref(all);
}

static void test_deliver_due_retries_a_receiver_that_was_down(void **state)
{
    world *w = *state;
    deliver_counts n;
    note(w, "vip", "c1", 1);
    int port = w->r.port;
    receiver_stop(&w->r);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed, 1);
    first x = outbox_first(w);
    assert_non_null(strstr(x.error, "onnect")); /* "Couldn't connect to server" */
    receiver_start(&w->r, port);
    sleep_ms(100);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.delivered, 1);
    assert_delivered_once_in_order(&w->r, 1);
    json_t *all = requests(&w->r);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "key")), x.key);
    json_decref(all);
}

static void test_deliver_gives_up_after_the_last_attempt(void **state)
{
    world *w = *state;
    deliver_counts n;
    w->o.policy.max_attempts = 2;
    receiver_answer(w, "503");
    note(w, "vip", "c1", 1);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    sleep_ms(100);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    first x = outbox_first(w);
    assert_int_equal(x.state, SEGRT_OUTBOX_FAILED);
    assert_int_equal(x.attempts, 2);
    assert_string_equal(x.error, "HTTP 503");
    sleep_ms(1000);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed + n.delivered, 0);
    assert_int_equal(logged(&w->r), 2);
}

static int durable_calls;
static int durable_fails(void *ud)
{
    (void)ud;
    durable_calls++;
    return -1;
}

static int durable_ok(void *ud)
{
    (void)ud;
    durable_calls++;
    return 0;
}

static void test_deliver_sends_nothing_before_the_durability_hook_succeeds(void **state)
{
    world *w = *state;
    deliver_counts n;
    note(w, "vip", "c1", 1);
    durable_calls = 0;
    w->o.durable = durable_fails;
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_EIO);
    assert_int_equal(durable_calls, 1);
    assert_int_equal(logged(&w->r), 0);
    assert_int_equal(outbox_first(w).attempts, 0);
    w->o.durable = durable_ok;
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.delivered, 1);
    assert_int_equal(durable_calls, 2);
}

static void test_deliver_due_counts_a_bad_webhook_as_a_failed_attempt(void **state)
{
    world *w = *state;
    deliver_counts n;
    const char *urls[] = { "ftp://127.0.0.1/x", "http://127.0.0.1:1/closed" };
    segrt_outbox_change c = { "vip", "c1", 1, T0, urls, 2 };
    assert_int_equal(segrt_outbox_note(w->f.s, 1, &c, NULL), SEGRT_OK);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed, 2);
    first x = outbox_first(w);
    assert_true(x.error[0] != '\0');
}

static void test_deliver_due_fails_a_change_that_is_not_utf8_and_goes_on(void **state)
{
    world *w = *state;
    deliver_counts n;
    note(w, "vip", "bad\xff", 1);
    note(w, "vip", "c1", 1);
    assert_int_equal(deliver_due(w->f.s, NULL, &w->o, &n), SEGRT_OK);
    assert_int_equal(n.failed, 1);
    assert_int_equal(n.delivered, 1);
    first x = outbox_first(w);
    assert_string_equal(x.error, "the change is not valid UTF-8 text");
    assert_delivered_once_in_order(&w->r, 1);
}

/* ------------------------------------------------------------ the worker */

static void test_deliver_worker_delivers_across_an_outage_in_order(void **state)
{
    world *w = *state;
    deliver *d = NULL;
    char err[256], id[16];
    assert_int_equal(deliver_start(w->f.s, &w->lock, &w->o, &d, err, sizeof err), 0);
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "c%02d", i);
        note(w, "vip", id, 1);
    }
    deliver_wake(d);
    wait_delivered(&w->r, 40);
    /* the receiver has them; the worker counts each once it has read the answer */
    deliver_counts c;
    double t0 = mono_ms();
    for (deliver_counts_get(d, &c); c.delivered < 40 && mono_ms() - t0 < WAIT_MS;
         deliver_counts_get(d, &c))
        sleep_ms(10);
    /* the receiver goes down; changes go on */
    int port = w->r.port;
    receiver_stop(&w->r);
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "c%02d", i);
        note(w, "vip", id, i % 2 == 0 ? 0 : 1); /* odd ones: a replay, nothing new */
        note(w, "gold", id, 1);
        if (i % 2 == 0)
            note(w, "vip", id, 1);
    }
    deliver_wake(d);
    sleep_ms(600);
    deliver_counts_get(d, &c);
    assert_int_equal(c.delivered, 40);
    assert_true(c.failed > 0);
    receiver_start(&w->r, port);
    wait_delivered(&w->r, 40 + 20 + 40 + 20);
    /* the receiver answered; the worker records it next */
    for (t0 = mono_ms(); outbox_size(w) > 0 && mono_ms() - t0 < WAIT_MS;)
        sleep_ms(10);
    deliver_stop(d);
    assert_delivered_once_in_order(&w->r, 120);
    assert_int_equal(outbox_size(w), 0);
    tu_assert_check_ok(w->f.s);
}

static void test_deliver_worker_stops_without_waiting_for_a_silent_receiver(void **state)
{
    world *w = *state;
    deliver *d = NULL;
    char err[256];
    receiver_answer(w, "hang");
    w->o.timeout_ms = 30000;
    note(w, "vip", "c1", 1);
    assert_int_equal(deliver_start(w->f.s, &w->lock, &w->o, &d, err, sizeof err), 0);
    double t0 = mono_ms();
    while (logged(&w->r) < 1) {
        if (mono_ms() - t0 > WAIT_MS)
            fail_msg("the worker sent nothing");
        sleep_ms(10);
    }
    /* the request is under way: the store is free meanwhile */
    t0 = mono_ms();
    note(w, "vip", "c2", 1);
    if (mono_ms() - t0 > 1000)
        fail_msg("noting waited %.0f ms for the store lock", mono_ms() - t0);
    t0 = mono_ms();
    deliver_stop(d);
    double took = mono_ms() - t0;
    if (took > 2000)
        fail_msg("deliver_stop took %.0f ms", took);
    /* abandoned, not failed: still pending, never tried */
    first x = outbox_first(w);
    assert_int_equal(x.state, SEGRT_OUTBOX_PENDING);
    assert_int_equal(x.attempts, 0);
}

static void test_deliver_stop_accepts_null(void **state)
{
    (void)state;
    deliver_stop(NULL);
}

/* ------------------------------------------------------------ segrt outbox */

/* Run the segrt binary with args (a shell string); its output into out, its exit code back. */
static int segrt_cli(world *w, const char *args, char *out, size_t size)
{
    const char *bin = getenv("SEGRT");
    char cmd[2048];
    if (bin == NULL)
        skip();
    snprintf(cmd, sizeof cmd, "SEGRT_OUTBOX_BACKOFF_MS=50 '%s' outbox --db '%s' %s 2>&1", bin,
             w->f.store, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_segrt_outbox_lists_and_delivers(void **state)
{
    world *w = *state;
    char out[8192], line[512];
    note(w, "vip", "c1", 1);
    note(w, "vip", "c1", 0);
    first x = outbox_first(w);
    assert_int_equal(segrt_cli(w, "", out, sizeof out), 0);
    snprintf(line, sizeof line, "1\t%s\tvip\tc1\tentered\t2026-01-01T00:00:00Z\t0\tnow\tpending\t%s\t\n",
             x.key, w->r.url);
    if (strstr(out, line) == NULL)
        fail_msg("segrt outbox printed:\n%s\nexpected the line:\n%s", out, line);
    assert_non_null(strstr(out, "\tleft\t"));
    assert_int_equal(segrt_cli(w, "--format jsonl", out, sizeof out), 0);
    json_error_t err;
    json_t *o = json_loads(out, JSON_DISABLE_EOF_CHECK, &err);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "key")), x.key);
    assert_string_equal(json_string_value(json_object_get(o, "event")), "entered");
    assert_string_equal(json_string_value(json_object_get(o, "state")), "pending");
    assert_string_equal(json_string_value(json_object_get(o, "webhook")), w->r.url);
    json_decref(o);
    /* a failed pass exits 1 and says so; the listing shows the error */
    receiver_answer(w, "500");
    assert_int_equal(segrt_cli(w, "--deliver", out, sizeof out), 1);
    assert_non_null(strstr(out, "0 delivered, 1 failed"));
    assert_int_equal(segrt_cli(w, "", out, sizeof out), 0);
    assert_non_null(strstr(out, "\t1\t2026-")); /* one attempt, a next one at a time */
    assert_non_null(strstr(out, "HTTP 500"));
    receiver_answer(w, "200");
    sleep_ms(100);
    assert_int_equal(segrt_cli(w, "--deliver", out, sizeof out), 0);
    assert_non_null(strstr(out, "2 delivered, 0 failed"));
    assert_delivered_once_in_order(&w->r, 2);
    assert_int_equal(outbox_size(w), 0);
}

int main(void)
{
#define W(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        W(test_deliver_due_posts_each_entry_once_with_its_key),
        W(test_deliver_due_backs_off_after_a_500_and_keeps_the_key),
        W(test_deliver_due_retries_a_receiver_that_was_down),
        W(test_deliver_gives_up_after_the_last_attempt),
        W(test_deliver_sends_nothing_before_the_durability_hook_succeeds),
        W(test_deliver_due_counts_a_bad_webhook_as_a_failed_attempt),
        W(test_deliver_due_fails_a_change_that_is_not_utf8_and_goes_on),
        W(test_deliver_worker_delivers_across_an_outage_in_order),
        W(test_deliver_worker_stops_without_waiting_for_a_silent_receiver),
        cmocka_unit_test(test_deliver_stop_accepts_null),
        W(test_segrt_outbox_lists_and_delivers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
