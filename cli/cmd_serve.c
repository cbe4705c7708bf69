/*
 * cmd_serve.c — segrt serve: the resident runtime. Opens the store for
 * writing, loads the scripts and packs into one script, keeps its segments
 * live (a live session) and answers the HTTP API (serve/serve_http.c) until
 * SIGTERM or SIGINT; then stops accepting, lets the requests under way
 * finish, flushes and closes. Every few seconds it flushes the session, so
 * the derived data other readers of the store use stays current.
 */
#include "serve/serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char serve_usage[] =
    "segrt serve [--db DIR] [--listen HOST:PORT] --token-file FILE [--tick SECONDS]\n"
    "            [--tls-cert PEM --tls-key PEM] [--max-body BYTES] SCRIPT|PACK...\n"
    "  Keep the segments of the scripts and packs live and answer the HTTP API:\n"
    "    GET /v1/health, POST /v1/events /v1/contacts /v1/consents (write),\n"
    "    GET /v1/segments[/NAME[/members?limit=N&after=ID&purpose=P]] (read),\n"
    "    GET /v1/contacts/ID (read), GET /v1/contacts/ID/export and\n"
    "    DELETE /v1/contacts/ID (gdpr), GET /metrics (read).\n"
    "  --listen: default 127.0.0.1:8750 (port 0: any free port, printed); an\n"
    "  address other than loopback needs --tls-cert and --tls-key.\n"
    "  --token-file: lines NAME TOKEN SCOPE[,SCOPE...] (read, write, gdpr); it must\n"
    "  not be readable by others. Requests carry Authorization: Bearer TOKEN.\n"
    "  --tick: every SECONDS, evaluate every segment again at the new NOW.\n"
    "  --max-body: the largest request body (default 16777216).\n"
    "  SIGTERM or SIGINT: finish the requests under way, flush, stop.";

enum { O_LISTEN = OPT_FIRST_CMD, O_TOKENS, O_TICK, O_CERT, O_KEY, O_MAX_BODY };

#define FLUSH_EVERY_S 15

typedef struct serve_args {
    char host[64];
    unsigned port;
    const char *tokens, *cert, *key;
    unsigned tick;
    size_t max_body;
} serve_args;

/* A whole number from lo to hi, else a usage error naming the option. */
static int number(cli *c, const char *opt, const char *arg, unsigned long long lo,
                  unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < lo || v > hi)
        return cli_usage_error(c, "%s '%s' is not a whole number from %llu to %llu", opt, arg,
                               lo, hi);
    *out = v;
    return EXIT_OK;
}

static int serve_option(cli *c, int opt, const char *arg, void *ud)
{
    serve_args *a = ud;
    unsigned long long v = 0;
    int rc = EXIT_OK;
    switch (opt) {
    case O_LISTEN: {
        const char *colon = strrchr(arg, ':');
        size_t n = colon ? (size_t)(colon - arg) : 0;
        if (colon == NULL || n == 0 || n >= sizeof a->host)
            return cli_usage_error(c, "--listen '%s' is not HOST:PORT", arg);
        memcpy(a->host, arg, n);
        a->host[n] = '\0';
        if (strcmp(a->host, "localhost") == 0)
            strcpy(a->host, "127.0.0.1");
        if ((rc = number(c, "--listen's port", colon + 1, 0, 65535, &v)) == EXIT_OK)
            a->port = (unsigned)v;
        break;
    }
    case O_TOKENS: a->tokens = arg; break;
    case O_CERT: a->cert = arg; break;
    case O_KEY: a->key = arg; break;
    case O_TICK:
        if ((rc = number(c, "--tick", arg, 1, 31 * 86400, &v)) == EXIT_OK)
            a->tick = (unsigned)v;
        break;
    default:
        if ((rc = number(c, "--max-body", arg, 1024, (unsigned long long)1 << 30, &v)) == EXIT_OK)
            a->max_body = (size_t)v;
        break;
    }
    return rc;
}

/* Whether host is an IPv4 loopback address. */
static int loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0;
}

/*
 * Wait for SIGTERM or SIGINT; meanwhile every tick seconds (0: never) move
 * NOW on by the time passed since the start (from --now when given, so a
 * test's clock runs from there), and every FLUSH_EVERY_S seconds flush when
 * rows arrived.
 */
static int wait_for_stop(serve *sv, const sigset_t *stop, unsigned tick)
{
    uint64_t flushed = 0;
    double last = cli_now_ms() / 1e3, ticked = last;
    for (;;) {
        struct timespec one = { 1, 0 };
        int sig = sigtimedwait(stop, NULL, &one);
        if (sig == SIGTERM || sig == SIGINT)
            return sig;
        if (tick && cli_now_ms() / 1e3 - ticked >= tick) {
            ticked = cli_now_ms() / 1e3;
            serve_tick(sv, serve_now(sv));
        }
        uint64_t committed = atomic_load(&sv->committed);
        if (committed == flushed || cli_now_ms() / 1e3 - last < FLUSH_EVERY_S)
            continue;
        serve_lock_take(&sv->lock, 0);
        int rc = segrt_live_flush(sv->lv);
        if (rc != SEGRT_OK)
            fprintf(stderr, "segrt: serve: flush: %s\n", segrt_errmsg(sv->s));
        serve_lock_give(&sv->lock);
        flushed = committed;
        last = cli_now_ms() / 1e3;
    }
}

/* The deliverer's: what it is about to send is on disk first. */
static int durable(void *ud)
{
    serve *sv = ud;
    return serve_sync_upto(sv, atomic_load(&sv->committed));
}

/* Note what changed while the server was down, then start delivering. */
static int start_actions(serve *sv, cli *c)
{
    char err[512];
    uint64_t noted = 0;
    int rc = serve_actions_init(sv);
    if (rc == SEGRT_ENOMEM)
        return cli_oom(c);
    if (rc == SEGRT_OK)
        rc = serve_reconcile(sv, &noted);
    if (rc == SEGRT_OK && noted)
        fprintf(stderr, "segrt: serve: %llu entries and exits of segments with actions noted "
                        "since the outbox was last noted\n", (unsigned long long)noted);
    deliver_opts o;
    if (rc == SEGRT_OK && deliver_opts_init(&o, err, sizeof err) != 0) {
        cli_error(c, "%s", err);
        return EXIT_FAIL;
    }
    o.durable = durable;
    o.durable_ud = sv;
    if (rc == SEGRT_OK && deliver_start(sv->s, &sv->lock, &o, &sv->dl, err, sizeof err) != 0) {
        cli_error(c, "%s", err);
        return EXIT_FAIL;
    }
    return rc;
}

static int serve_init(serve *sv, cli *c, const serve_args *a)
{
    char err[512];
    *sv = (serve){ .s = c->s, .sc = c->sc, .max_body = a->max_body,
                   .now0 = segrt_store_now(c->s), .started = cli_now_ms() / 1e3 };
    serve_lock_init(&sv->lock);
    pthread_mutex_init(&sv->sizes_lock, NULL);
    pthread_mutex_init(&sv->sync_lock, NULL);
    serve_metrics_init(&sv->metrics);
    if (serve_tokens_load(&sv->tokens, a->tokens, err, sizeof err) != 0) {
        cli_error(c, "--token-file %s", err);
        return EXIT_FAIL;
    }
    size_t n = segrt_script_segment_count(sv->sc);
    if ((sv->sizes = calloc(n ? n : 1, sizeof *sv->sizes)) == NULL)
        return cli_oom(c);
    int rc = segrt_live_open(sv->sc, &sv->lv);
    if (rc == SEGRT_OK)
        serve_sizes_refresh(sv);
    return rc == SEGRT_OK ? start_actions(sv, c) : rc;
}

static void serve_free(serve *sv)
{
    serve_actions_free(sv);
    serve_tokens_free(&sv->tokens);
    free(sv->sizes);
    serve_metrics_free(&sv->metrics);
    serve_lock_free(&sv->lock);
    pthread_mutex_destroy(&sv->sizes_lock);
    pthread_mutex_destroy(&sv->sync_lock);
}

static int serve_run(cli *c, void *ud)
{
    serve_args *a = ud;
    if (a->tokens == NULL)
        return cli_usage_error(c, "--token-file is required: lines NAME TOKEN SCOPE[,SCOPE...]");
    if ((a->cert == NULL) != (a->key == NULL))
        return cli_usage_error(c, "--tls-cert and --tls-key go together");
    if (!loopback(a->host) && a->cert == NULL)
        return cli_usage_error(c, "--listen %s is not a loopback address: give --tls-cert and "
                               "--tls-key, or listen on 127.0.0.1", a->host);
    int rc = segrt_script_load_many(c->s, (size_t)c->nargs, (const char *const *)c->args, &c->sc);
    if (rc != SEGRT_OK)
        return rc;
    /* the signals are waited for here, never delivered to the server's threads */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    serve sv;
    rc = serve_init(&sv, c, a);
    serve_http *h = NULL;
    char err[512];
    if (rc == SEGRT_OK &&
        serve_http_start(&sv, a->host, a->port, a->cert, a->key, &h, err, sizeof err) != 0) {
        cli_error(c, "%s", err);
        rc = EXIT_FAIL;
    }
    if (rc == SEGRT_OK) {
        fprintf(stderr, "segrt: serve: listening on %s://%s:%u (%zu segments)\n",
                a->cert ? "https" : "http", a->host, serve_http_port(h),
                segrt_script_segment_count(sv.sc));
        int sig = wait_for_stop(&sv, &stop, a->tick);
        fprintf(stderr, "segrt: serve: %s: finishing the requests under way\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT");
        serve_http_stop(h, 10000);
    }
    deliver_stop(sv.dl); /* what it was sending stays pending in the outbox */
    int crc = segrt_live_close(sv.lv);
    if (rc == SEGRT_OK && crc != SEGRT_OK)
        rc = crc;
    if (rc == SEGRT_OK)
        fprintf(stderr, "segrt: serve: stopped; everything acknowledged is in the store\n");
    serve_free(&sv);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "serve", .usage = serve_usage, .run = serve_run, .option = serve_option,
        .flags = CLI_WRITE,
        .arity = { 1, CLI_ANY_ARGS, "which segments? give a SCRIPT or PACK" },
        .options = (const struct option[]){
            CLI_OPTION("listen", O_LISTEN), CLI_OPTION("token-file", O_TOKENS),
            CLI_OPTION("tick", O_TICK), CLI_OPTION("tls-cert", O_CERT),
            CLI_OPTION("tls-key", O_KEY), CLI_OPTION("max-body", O_MAX_BODY), { 0 } },
    };
    serve_args a = { .host = "127.0.0.1", .port = 8750, .max_body = 16u << 20 };
    return cli_main(&cmd, argc, argv, &a);
}
