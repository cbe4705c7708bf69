/*
 * cmd_outbox.c — segrt outbox: the actions waiting in the store's outbox
 * (segrt_outbox_foreach), pending and given up, oldest first, as
 * tab-separated text or JSON lines; with --deliver, one pass sending what
 * is due now (serve/deliver.h).
 */
#include "cli.h"
#include "serve/deliver.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "segrt outbox [--db DIR] [--format text|jsonl]\n"
    "segrt outbox [--db DIR] --deliver\n"
    "  List the webhook deliveries the outbox holds, oldest first: those waiting\n"
    "  for an attempt (pending) and those given up (failed). Delivered ones are\n"
    "  deleted at once, so the list is the backlog. Columns: seq, key (the\n"
    "  Idempotency-Key, the same on every attempt), segment, contact, event\n"
    "  (entered or left), at, attempts, next attempt, state, webhook, last error.\n"
    "\n"
    "  --deliver sends what is due now, as segrt serve does, then exits: 0 when\n"
    "  every attempt was delivered, 1 when some failed (they wait for their next\n"
    "  attempt). Retries back off from 1 s, doubling, up to 10 min, +-20%;\n"
    "  SEGRT_OUTBOX_BACKOFF_MS=BASE[,CAP] changes the first and longest delay,\n"
    "  SEGRT_OUTBOX_MAX_ATTEMPTS=N gives an entry up after N failed attempts\n"
    "  (default 0: never). While segrt serve runs on the store it delivers by\n"
    "  itself; a --deliver meanwhile may send an entry twice (with its key).";

enum { O_FORMAT = OPT_FIRST_CMD, O_DELIVER };

typedef struct outbox_args {
    int jsonl;   /* the index of --format: text, jsonl */
    int format;  /* --format was given */
    int deliver; /* --deliver */
} outbox_args;

static int outbox_option(cli *c, int opt, const char *arg, void *ud)
{
    outbox_args *a = ud;
    if (opt == O_DELIVER) {
        a->deliver = 1;
        return EXIT_OK;
    }
    a->format = 1;
    return cli_choice(c, "--format", arg, (const char *const[]){ "text", "jsonl", NULL },
                      &a->jsonl);
}

static const char *state_name(int state)
{
    return state == SEGRT_OUTBOX_FAILED ? "failed" : "pending";
}

/* The next attempt as text: "now" when due at once (never tried). */
static const char *next_text(const segrt_outbox_entry *e, char out[21])
{
    if (e->next_ms == 0)
        return strcpy(out, "now");
    segrt_time_format(e->next_ms / 1000, out);
    return out;
}

static int print_text(void *ud, const segrt_outbox_entry *e)
{
    char at[21], next[21];
    (void)ud;
    segrt_time_format(e->at, at);
    next_text(e, next);
    int n = printf("%" PRIu64 "\t%s\t%s\t%s\t%s\t%s\t%" PRIu32 "\t%s\t%s\t%s\t%s\n", e->seq, e->key,
           e->segment, e->contact, e->entered ? "entered" : "left", at, e->attempts, next,
           state_name(e->state), e->url, e->last_error);
    return n < 0 ? SEGRT_EIO : SEGRT_OK;
}

static int print_jsonl(void *ud, const segrt_outbox_entry *e)
{
    char at[21], next[21];
    (void)ud;
    segrt_time_format(e->at, at);
    next_text(e, next);
    return cli_json_line(json_pack("{sI ss ss ss ss ss sI ss ss ss ss}", "seq", (json_int_t)e->seq,
                                   "key", e->key, "segment", e->segment, "contact", e->contact,
                                   "event", e->entered ? "entered" : "left", "at", at,
                                   "attempts", (json_int_t)e->attempts, "next_attempt", next,
                                   "state", state_name(e->state), "webhook", e->url,
                                   "last_error", e->last_error));
}

static int deliver_run(cli *c)
{
    deliver_opts o;
    deliver_counts n;
    char err[256];
    if (deliver_opts_init(&o, err, sizeof err) != 0) {
        cli_error(c, "%s", err);
        return EXIT_USAGE;
    }
    if ((c->s = cli_open(c, 0)) == NULL)
        return EXIT_FAIL;
    int rc = deliver_due(c->s, NULL, &o, &n);
    if (rc != SEGRT_OK)
        return rc;
    fprintf(stderr, "segrt: outbox: %" PRIu64 " delivered, %" PRIu64 " failed%s\n", n.delivered,
            n.failed, n.failed ? " (they wait for their next attempt)" : "");
    return n.failed ? EXIT_FAIL : EXIT_OK;
}

static int outbox_run(cli *c, void *ud)
{
    const outbox_args *a = ud;
    if (a->deliver && a->format)
        return cli_usage_error(c, "--format lists the outbox; --deliver sends it: give one");
    if (a->deliver)
        return deliver_run(c);
    if ((c->s = cli_open(c, SEGRT_OPEN_READONLY)) == NULL)
        return EXIT_FAIL;
    if (!a->jsonl)
        printf("seq\tkey\tsegment\tcontact\tevent\tat\tattempts\tnext_attempt\tstate\twebhook\t"
               "last_error\n");
    int rc = segrt_outbox_foreach(c->s, a->jsonl ? print_jsonl : print_text, NULL);
    return rc == SEGRT_OK && fflush(stdout) != 0 ? SEGRT_EIO : rc;
}

int cmd_outbox(int argc, char **argv)
{
    const cli_command cmd = {
        .name = "outbox", .usage = usage_text, .run = outbox_run, .option = outbox_option,
        .options = (const struct option[]){ CLI_OPTION("format", O_FORMAT),
                                            CLI_FLAG("deliver", O_DELIVER), { 0 } },
    };
    outbox_args a = { 0 };
    return cli_main(&cmd, argc, argv, &a);
}
