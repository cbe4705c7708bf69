/*
 * serve_tokens.c — the token file of segrt serve (serve.h): who may call the
 * API, with which scopes, and the lookup of a presented bearer token.
 */
#include "serve.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The scopes of a comma-separated list into *out; 0, or -1 naming the bad one into bad. */
static int parse_scopes(char *list, unsigned *out, const char **bad)
{
    static const char *const names[] = { "read", "write", "gdpr" };
    *out = 0;
    for (char *save = NULL, *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < 3 && strcmp(w, names[i]) != 0)
            i++;
        if (i == 3) {
            *bad = w;
            return -1;
        }
        *out |= 1u << i;
    }
    *bad = "";
    return *out ? 0 : -1;
}

/* Add one line's token; 0, or -1 with a message. */
static int add_line(serve_tokens *t, char *line, const char *path, unsigned lineno, char *err,
                    size_t errlen)
{
    char *save = NULL;
    char *name = strtok_r(line, " \t", &save), *secret = strtok_r(NULL, " \t", &save);
    char *scopes = strtok_r(NULL, " \t", &save), *extra = strtok_r(NULL, " \t", &save);
    if (name == NULL || name[0] == '#')
        return 0;
    if (secret == NULL || scopes == NULL || extra != NULL)
        return fail(err, errlen, "%s:%u: expected NAME TOKEN SCOPE[,SCOPE...]", path, lineno);
    const char *bad;
    unsigned sc;
    if (parse_scopes(scopes, &sc, &bad) != 0)
        return fail(err, errlen, "%s:%u: unknown scope '%s' (scopes: read, write, gdpr)", path,
                    lineno, bad);
    if (strlen(secret) < 16)
        return fail(err, errlen, "%s:%u: the token of '%s' is shorter than 16 characters", path,
                    lineno, name);
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i].name, name) == 0)
            return fail(err, errlen, "%s:%u: token name '%s' given twice", path, lineno, name);
        if (strcmp(t->v[i].secret, secret) == 0)
            return fail(err, errlen, "%s:%u: the token of '%s' is also '%s''s", path, lineno,
                        name, t->v[i].name);
    }
    serve_token *v = realloc(t->v, (t->n + 1) * sizeof *v);
    if (v == NULL)
        return fail(err, errlen, "out of memory");
    t->v = v;
    serve_token *k = &v[t->n];
    *k = (serve_token){ strdup(name), strdup(secret), strlen(secret), sc };
    if (k->name == NULL || k->secret == NULL) {
        free(k->name);
        free(k->secret);
        return fail(err, errlen, "out of memory");
    }
    t->n++;
    return 0;
}

int serve_tokens_load(serve_tokens *t, const char *path, char *err, size_t errlen)
{
    *t = (serve_tokens){ 0 };
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || (st.st_mode & (S_IROTH | S_IWOTH))) {
        fclose(f);
        return fail(err, errlen, "%s: the token file is readable or writable by others; "
                    "chmod o-rw %s", path, path);
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        rc = add_line(t, line, path, lineno, err, errlen);
    }
    free(line);
    fclose(f);
    if (rc == 0 && t->n == 0)
        rc = fail(err, errlen, "%s: no token (lines: NAME TOKEN SCOPE[,SCOPE...])", path);
    if (rc != 0)
        serve_tokens_free(t);
    return rc;
}

/*
 * Every token is compared, each over the presented secret's whole length,
 * so the time taken does not tell which token, or how much of one, matched.
 */
const serve_token *serve_tokens_find(const serve_tokens *t, const char *secret, size_t n)
{
    const serve_token *found = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const serve_token *k = &t->v[i];
        unsigned char diff = (unsigned char)(k->secret_len != n);
        for (size_t j = 0; j < n; j++)
            diff |= (unsigned char)(secret[j] ^ k->secret[j < k->secret_len ? j : 0]);
        if (diff == 0)
            found = k;
    }
    return found;
}

void serve_tokens_free(serve_tokens *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].name);
        free(t->v[i].secret);
    }
    free(t->v);
    *t = (serve_tokens){ 0 };
}
