/*
 * repl_input.c — reading the REPL's lines (repl.h). On a terminal: libedit
 * (emacs keys, ~/.editrc), a prompt that shows when a statement continues,
 * history kept in ~/.segrt_history between sessions, and Ctrl-C cancelling
 * the line. For that, SIGINT stays blocked while libedit works and is let in
 * only while our character source waits in ppoll(): a Ctrl-C can then never
 * fall between a check of the flag and a read that would not return.
 * Piped: plain lines, no prompt.
 */
#include "repl.h"

#include <errno.h>
#include <histedit.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static sigset_t waiting_mask; /* the signal mask while waiting for a key: SIGINT let in */

enum { HISTORY_SIZE = 1000 };

static char *prompt(EditLine *el)
{
    static char first[] = "seg> ", more[] = "...> ";
    repl *r = NULL;
    el_get(el, EL_CLIENTDATA, &r);
    return r && r->continued ? more : first;
}

/*
 * libedit's character source: one character (UTF-8 decoded) from stdin, or
 * -1 when Ctrl-C was pressed, 0 at end of input.
 */
static int read_char(EditLine *el, wchar_t *wc)
{
    (void)el;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (;;) {
        if (repl_interrupted()) {
            errno = EINTR;
            return -1;
        }
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
        if (ppoll(&p, 1, NULL, &waiting_mask) < 0) {
            if (errno == EINTR)
                continue; /* Ctrl-C (the flag), or a resize */
            return -1;
        }
        char c;
        ssize_t n = read(STDIN_FILENO, &c, 1);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        size_t k = mbrtowc(wc, &c, 1, &st);
        if (k == (size_t)-2)
            continue; /* more bytes of this character */
        if (k == (size_t)-1)
            *wc = (unsigned char)c; /* not in the locale's encoding: the byte as is */
        return 1;
    }
}

int repl_input_open(repl *r)
{
    if (!r->tty)
        return SEGRT_OK;
    r->hist = history_init();
    r->el = r->hist ? el_init("segrt", stdin, stdout, stderr) : NULL;
    if (r->el == NULL) {
        history_end(r->hist);
        r->hist = NULL;
        return SEGRT_ENOMEM;
    }
    HistEvent ev;
    history(r->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(r->hist, &ev, H_SETUNIQUE, 1);
    const char *home = getenv("HOME");
    if (home && *home) {
        snprintf(r->hist_path, sizeof r->hist_path, "%s/.segrt_history", home);
        history(r->hist, &ev, H_LOAD, r->hist_path); /* a first session has none */
    }
    el_set(r->el, EL_CLIENTDATA, r);
    el_set(r->el, EL_EDITOR, "emacs");
    el_set(r->el, EL_PROMPT, prompt);
    el_set(r->el, EL_HIST, history, r->hist);
    el_set(r->el, EL_GETCFN, read_char);
    el_source(r->el, NULL); /* ~/.editrc, when there is one */
    return repl_complete_install(r);
}

/* A line from libedit: NULL at EOF or when Ctrl-C interrupted the read. */
static char *edit_line(repl *r, int *interrupted)
{
    int count = 0;
    sigset_t block, saved;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &saved);
    repl_interrupt_clear(); /* a Ctrl-C from before the prompt is spent */
    waiting_mask = saved;
    sigdelset(&waiting_mask, SIGINT);
    const char *line = el_gets(r->el, &count);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (line == NULL || count <= 0) {
        if (count < 0 && repl_interrupted()) {
            repl_interrupt_clear();
            *interrupted = 1;
            fputs("^C\n", stdout);
            el_reset(r->el);
        } else {
            fputc('\n', stdout); /* Ctrl-D: leave the shell's prompt on a line of its own */
        }
        return NULL;
    }
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    char *copy = strndup(line, n);
    if (copy == NULL)
        *interrupted = 1; /* out of memory: drop the line, keep the session */
    return copy;
}

static char *plain_line(int *interrupted)
{
    char *line = NULL;
    size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
        free(line);
        if (errno == EINTR) { /* Ctrl-C while waiting for piped input */
            clearerr(stdin);
            repl_interrupt_clear();
            *interrupted = 1;
        }
        return NULL;
    }
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    return line;
}

char *repl_input_read(repl *r, int *interrupted)
{
    *interrupted = 0;
    fflush(stdout);
    return r->el ? edit_line(r, interrupted) : plain_line(interrupted);
}

void repl_input_remember(repl *r, const char *text)
{
    HistEvent ev;
    if (r->hist)
        history(r->hist, &ev, H_ENTER, text);
}

void repl_input_close(repl *r)
{
    HistEvent ev;
    if (r->hist && r->hist_path[0] && history(r->hist, &ev, H_SAVE, r->hist_path) < 0)
        fprintf(stderr, "segrt: repl: cannot save the history in %s\n", r->hist_path);
    if (r->el)
        el_end(r->el);
    if (r->hist)
        history_end(r->hist);
    r->el = NULL;
    r->hist = NULL;
}
