/*
 * test_util.h — helpers shared by the unit tests that drive a real store
 * through the public API (test_store.c, test_import.c, test_contact.c):
 * a temporary directory removed afterwards, input files written into it,
 * a fixture holding a freshly created store, a reject collector, and a
 * contact's export parsed with jansson.
 *
 * Header-only: tests/CMakeLists.txt builds every test_*.c as a program, so
 * shared code lives here as static inline functions (no unused warnings).
 * Include after <cmocka.h> (and its prerequisites) and "segrt.h".
 */
#ifndef SEGRT_TEST_UTIL_H
#define SEGRT_TEST_UTIL_H

#include "segrt.h"

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TU_PATH_MAX 512

/* ------------------------------------------------------------ files */

/* Make a fresh directory under $TMPDIR (or /tmp) into dir. */
static inline void tu_mkdtemp(char dir[TU_PATH_MAX])
{
    const char *base = getenv("TMPDIR");
    snprintf(dir, TU_PATH_MAX, "%s/segrt_test_XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(dir));
}

static inline int tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove a directory tree; accepts an empty name (nothing made). */
static inline void tu_rmtree(const char *dir)
{
    if (dir[0] != '\0')
        nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir/name into path. */
static inline const char *tu_path(char path[TU_PATH_MAX], const char *dir, const char *name)
{
    int n = snprintf(path, TU_PATH_MAX, "%s/%s", dir, name);
    assert_true(n > 0 && n < TU_PATH_MAX);
    return path;
}

/* Write text to dir/name (replacing it); the full path goes to path. */
static inline const char *tu_write(char path[TU_PATH_MAX], const char *dir, const char *name,
                                   const char *text)
{
    FILE *f = fopen(tu_path(path, dir, name), "wb");
    assert_non_null(f);
    size_t n = strlen(text);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* ------------------------------------------------------------ a store fixture */

typedef struct tu_fixture {
    char dir[TU_PATH_MAX];   /* temporary directory: input files and the store */
    char store[TU_PATH_MAX]; /* dir/db */
    segrt_store *s;
} tu_fixture;

/* Open (creating) the fixture's store; a message in the failure if it fails. */
static inline segrt_store *tu_open(tu_fixture *f, unsigned flags)
{
    char err[512] = "";
    int rc = segrt_store_open(f->store, flags, &f->s, err, sizeof err);
    if (rc != SEGRT_OK)
        fail_msg("segrt_store_open(%s): %s: %s", f->store, segrt_errname(rc), err);
    return f->s;
}

/* cmocka setup: a temporary directory and an empty store in dir/db. */
static inline int tu_setup_store(void **state)
{
    tu_fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    tu_mkdtemp(f->dir);
    tu_path(f->store, f->dir, "db");
    tu_open(f, SEGRT_OPEN_CREATE);
    *state = f;
    return 0;
}

/* cmocka teardown: close the store and remove the directory. */
static inline int tu_teardown_store(void **state)
{
    tu_fixture *f = *state;
    if (f == NULL)
        return 0;
    segrt_store_close(f->s);
    tu_rmtree(f->dir);
    free(f);
    return 0;
}

/* A test run with a fresh store fixture in *state. */
#define TU_STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, tu_setup_store, tu_teardown_store)

static inline segrt_stats tu_stats(segrt_store *s)
{
    segrt_stats st;
    assert_int_equal(segrt_store_stats(s, &st), SEGRT_OK);
    return st;
}

static inline void tu_assert_counts(segrt_store *s, uint64_t contacts, uint64_t events,
                                    uint64_t consents)
{
    segrt_stats st = tu_stats(s);
    if (st.contacts != contacts || st.events != events || st.consents != consents)
        fail_msg("store holds %llu contacts, %llu events, %llu consents; expected %llu %llu "
                 "%llu", (unsigned long long)st.contacts, (unsigned long long)st.events,
                 (unsigned long long)st.consents, (unsigned long long)contacts,
                 (unsigned long long)events, (unsigned long long)consents);
}

/* Name/count pairs (segrt_event_types_foreach, segrt_field_values_foreach) as "a=1 b=2 ". */
typedef struct tu_counts {
    char text[256];
} tu_counts;

static inline int tu_append_count(void *ud, const char *name, uint64_t n)
{
    tu_counts *t = ud;
    size_t used = strlen(t->text);
    snprintf(t->text + used, sizeof t->text - used, "%s=%llu ", name, (unsigned long long)n);
    return 0;
}

/* Fail with the store's message unless segrt_store_check() finds it sound. */
static inline void tu_assert_check_ok(segrt_store *s)
{
    int rc = segrt_store_check(s);
    if (rc != SEGRT_OK)
        fail_msg("segrt_store_check: %s: %s", segrt_errname(rc), segrt_errmsg(s));
}

/* ------------------------------------------------------------ imports */

#define TU_MAX_REJECTS 64

/* What the reject callback saw. */
typedef struct tu_rejects {
    size_t n;                                  /* every call, even beyond the array */
    uint64_t line[TU_MAX_REJECTS];
    char reason[TU_MAX_REJECTS][256];
    char file[TU_MAX_REJECTS][TU_PATH_MAX];
} tu_rejects;

static inline void tu_on_reject(void *ud, const char *file, uint64_t line, const char *reason)
{
    tu_rejects *r = ud;
    if (r->n < TU_MAX_REJECTS) {
        r->line[r->n] = line;
        snprintf(r->reason[r->n], sizeof r->reason[r->n], "%s", reason);
        snprintf(r->file[r->n], sizeof r->file[r->n], "%s", file);
    }
    r->n++;
}

/* What the reject and notice callbacks saw. */
typedef struct tu_messages {
    tu_rejects rejects, notices;
} tu_messages;

static inline void tu_on_message_reject(void *ud, const char *file, uint64_t line,
                                        const char *reason)
{
    tu_on_reject(&((tu_messages *)ud)->rejects, file, line, reason);
}

static inline void tu_on_message_notice(void *ud, const char *file, uint64_t line,
                                        const char *notice)
{
    tu_on_reject(&((tu_messages *)ud)->notices, file, line, notice);
}

/* Write text to dir/name, import it as kind (SEGRT_OK required) and collect its messages in m. */
static inline segrt_import_report tu_import_text_noting(tu_fixture *f, segrt_kind kind,
                                                        const char *name, const char *text,
                                                        tu_messages *m)
{
    char path[TU_PATH_MAX];
    segrt_import_opts o = { .on_reject = tu_on_message_reject,
                            .on_notice = tu_on_message_notice, .ud = m };
    segrt_import_report rep;
    *m = (tu_messages){ 0 };
    int rc = segrt_import_file(f->s, kind, tu_write(path, f->dir, name, text), &o, &rep);
    if (rc != SEGRT_OK)
        fail_msg("import %s: %s: %s", path, segrt_errname(rc), segrt_errmsg(f->s));
    return rep;
}

/* Import a file and require SEGRT_OK; rejects (if non-NULL) collects them. */
static inline segrt_import_report tu_import(segrt_store *s, segrt_kind kind, const char *path,
                                            tu_rejects *rejects)
{
    segrt_import_opts o = { 0 };
    segrt_import_report rep;
    if (rejects) {
        o.on_reject = tu_on_reject;
        o.ud = rejects;
    }
    int rc = segrt_import_file(s, kind, path, &o, &rep);
    if (rc != SEGRT_OK)
        fail_msg("import %s: %s: %s", path, segrt_errname(rc), segrt_errmsg(s));
    return rep;
}

/* Write text to dir/name and import it as kind; SEGRT_OK required. */
static inline segrt_import_report tu_import_text(tu_fixture *f, segrt_kind kind,
                                                 const char *name, const char *text,
                                                 tu_rejects *rejects)
{
    char path[TU_PATH_MAX];
    return tu_import(f->s, kind, tu_write(path, f->dir, name, text), rejects);
}

/* The reason of reject i, failing unless it contains needle. */
static inline void tu_assert_reason(const tu_rejects *r, size_t i, const char *needle)
{
    assert_true(i < r->n && i < TU_MAX_REJECTS);
    if (strstr(r->reason[i], needle) == NULL)
        fail_msg("reject %zu (line %llu) says \"%s\", expected it to contain \"%s\"", i,
                 (unsigned long long)r->line[i], r->reason[i], needle);
}

/* ------------------------------------------------------------ contacts */

/* segrt_contact_export() of id parsed with jansson; the "contact" etc. keys are there. */
static inline json_t *tu_export(segrt_store *s, const char *id)
{
    char *text = NULL;
    int rc = segrt_contact_export(s, id, "test", &text);
    if (rc != SEGRT_OK)
        fail_msg("export %s: %s: %s", id, segrt_errname(rc), segrt_errmsg(s));
    json_error_t err;
    json_t *obj = json_loads(text, 0, &err);
    segrt_free(text);
    if (obj == NULL)
        fail_msg("export %s is not JSON: %s", id, err.text);
    return obj;
}

/* The "contact" object's field name of id (a new reference; NULL when absent). */
static inline json_t *tu_contact_field(segrt_store *s, const char *id, const char *name)
{
    json_t *obj = tu_export(s, id);
    json_t *v = json_object_get(json_object_get(obj, "contact"), name);
    json_incref(v);
    json_decref(obj);
    return v;
}

/* A string field of a contact, copied into out ("" when absent, "<non-string>" otherwise). */
static inline const char *tu_contact_str(segrt_store *s, const char *id, const char *name,
                                         char *out, size_t n)
{
    json_t *v = tu_contact_field(s, id, name);
    snprintf(out, n, "%s", v == NULL ? "" : json_is_string(v) ? json_string_value(v)
                                                                : "<non-string>");
    json_decref(v);
    return out;
}

/* ------------------------------------------------------------ seg scripts */

/* NOW of the bench conventions (queries.md): 2026-01-01T00:00:00Z. */
#define TU_NOW INT64_C(1767225600)

/* The names every tu_assert_where() expression can use: seg, F, E, S, days, hours. */
#define TU_SEG_PRELUDE                                                                        \
    "local seg = require 'segrt'\n"                                                          \
    "local F, E, S, days, hours = seg.F, seg.E, seg.S, seg.days, seg.hours\n"

typedef struct tu_ids {
    char text[2048]; /* "id id id" in byte order */
} tu_ids;

static inline int tu_add_id(void *ud, const char *id)
{
    tu_ids *t = ud;
    size_t used = strlen(t->text);
    snprintf(t->text + used, sizeof t->text - used, "%s%s", used ? " " : "", id);
    return 0;
}

/* Load code as script `chunk`; fail with the store's message unless it loads. */
static inline segrt_script *tu_script(segrt_store *s, const char *chunk, const char *code)
{
    segrt_script *sc = NULL;
    int rc = segrt_script_load_string(s, chunk, code, strlen(code), &sc);
    if (rc != SEGRT_OK)
        fail_msg("loading script %s: %s: %s", chunk, segrt_errname(rc), segrt_errmsg(s));
    return sc;
}

/* Evaluate segment name into out ("id id id"); the segrt_segment_eval() code. */
static inline int tu_eval_ids(segrt_store *s, segrt_script *sc, const char *name, tu_ids *out)
{
    segrt_set *m = NULL;
    out->text[0] = '\0';
    int rc = segrt_segment_eval(sc, name, &m);
    if (rc == SEGRT_OK)
        rc = segrt_set_ids_foreach(s, m, tu_add_id, out);
    segrt_set_free(m);
    return rc;
}

/* The members of segment name as "id id id"; fail with the store's message on an error. */
static inline const char *tu_members(segrt_store *s, segrt_script *sc, const char *name,
                                     tu_ids *out)
{
    int rc = tu_eval_ids(s, sc, name, out);
    if (rc != SEGRT_OK)
        fail_msg("segment %s: %s: %s", name, segrt_errname(rc), segrt_errmsg(s));
    return out->text;
}

/* Segment name of sc has exactly the members want ("id id", byte order). */
static inline void tu_assert_members(segrt_store *s, segrt_script *sc, const char *name,
                                     const char *want)
{
    tu_ids got;
    if (strcmp(tu_members(s, sc, name, &got), want) != 0)
        fail_msg("segment %s has members \"%s\", expected \"%s\"", name, got.text, want);
}

/* `seg.segment "t" { where = <where> }` after TU_SEG_PRELUDE has exactly the members want. */
static inline void tu_assert_where(segrt_store *s, const char *where, const char *want)
{
    char code[4096];
    snprintf(code, sizeof code, TU_SEG_PRELUDE "seg.segment 't' { where = %s }\n", where);
    segrt_script *sc = tu_script(s, "where", code);
    tu_ids got;
    int rc = tu_eval_ids(s, sc, "t", &got);
    segrt_script_free(sc); /* before any failure, so a failing check leaks nothing */
    if (rc != SEGRT_OK)
        fail_msg("where %s: %s: %s", where, segrt_errname(rc), segrt_errmsg(s));
    if (strcmp(got.text, want) != 0)
        fail_msg("where %s: members \"%s\", expected \"%s\"", where, got.text, want);
}

/* The store's message contains needle (NULL: anything). */
static inline void tu_assert_errmsg(segrt_store *s, const char *needle)
{
    if (needle && strstr(segrt_errmsg(s), needle) == NULL)
        fail_msg("error message \"%s\" does not contain \"%s\"", segrt_errmsg(s), needle);
}

/* Evaluating segment name fails with want_rc and a message containing needle. */
static inline void tu_assert_eval_fails(segrt_store *s, segrt_script *sc, const char *name,
                                        int want_rc, const char *needle)
{
    segrt_set *m = NULL;
    int rc = segrt_segment_eval(sc, name, &m);
    if (rc != want_rc)
        fail_msg("segment %s: %s (%s), expected %s", name, segrt_errname(rc),
                 rc ? segrt_errmsg(s) : "no error", segrt_errname(want_rc));
    assert_null(m);
    tu_assert_errmsg(s, needle);
}

/*
 * Script code is wrong: either loading it fails with SEGRT_ELUA, or (for
 * mistakes found when plans are compiled) evaluating segment name does; the
 * message contains each of the needles (NULL-terminated).
 */
static inline void tu_assert_script_error(segrt_store *s, const char *chunk, const char *code,
                                          const char *name, ...)
{
    segrt_script *sc = NULL;
    int rc = segrt_script_load_string(s, chunk, code, strlen(code), &sc);
    if (rc == SEGRT_OK) {
        segrt_set *m = NULL;
        rc = segrt_segment_eval(sc, name, &m);
        segrt_set_free(m);
        segrt_script_free(sc);
    } else {
        assert_null(sc);
    }
    if (rc != SEGRT_ELUA)
        fail_msg("script %s: %s (%s), expected SEGRT_ELUA", chunk, segrt_errname(rc),
                 rc ? segrt_errmsg(s) : "no error");
    va_list ap;
    va_start(ap, name);
    for (const char *needle = va_arg(ap, const char *); needle; needle = va_arg(ap, const char *))
        tu_assert_errmsg(s, needle);
    va_end(ap);
}

/* Import CSV text as kind into the fixture's store; every row must be accepted. */
static inline void tu_seg_import(tu_fixture *f, segrt_kind kind, const char *text)
{
    static const char *const names[] = { "", "contacts.csv", "events.csv", "consents.csv" };
    tu_rejects r = { 0 };
    tu_import_text(f, kind, names[kind], text, &r);
    if (r.n)
        fail_msg("%s: %zu rows rejected; line %llu: %s", names[kind], r.n,
                 (unsigned long long)r.line[0], r.reason[0]);
}

/* Import CSV texts (NULL: none) into the fixture's store and set NOW to TU_NOW. */
static inline void tu_seg_data(tu_fixture *f, const char *contacts, const char *events,
                               const char *consents)
{
    if (contacts)
        tu_seg_import(f, SEGRT_CONTACTS, contacts);
    if (events)
        tu_seg_import(f, SEGRT_EVENTS, events);
    if (consents)
        tu_seg_import(f, SEGRT_CONSENTS, consents);
    segrt_store_set_now(f->s, TU_NOW);
}

/* ------------------------------------------------------------ child processes */

#include <signal.h>
#include <sys/wait.h>

/*
 * fork() for a check that might crash: the child gets the default signal
 * actions back (cmocka's handlers would resume the test run inside the
 * child). The child must open its own store handle (LMDB handles do not
 * survive fork) and end with _exit().
 */
static inline pid_t tu_fork(void)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
    }
    return pid;
}

/* The exit status of child pid; fails the test when a signal killed it. */
static inline int tu_wait(pid_t pid, const char *what)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("%s: the process was killed by signal %d", what, WTERMSIG(status));
    return WEXITSTATUS(status);
}

/*
 * The path of shared/data/cdnow/name into path: under $SEGRT_SHARED, else
 * the shared directory next to the repository (as in CI).
 */
static inline const char *tu_cdnow_path(char *path, size_t size, const char *name)
{
    const char *shared = getenv("SEGRT_SHARED");
    int n;
    if (shared && *shared) {
        n = snprintf(path, size, "%s/data/cdnow/%s", shared, name);
    } else {
        n = snprintf(path, size, "%s/../shared/data/cdnow/%s", SEGRT_SOURCE_DIR, name);
    }
    assert_true(n > 0 && (size_t)n < size);
    return path;
}

#endif
