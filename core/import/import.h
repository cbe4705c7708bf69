/*
 * import.h — shared state of an import: the input columns, the in-memory
 * indexes of the store, the rows of the batch in flight, rejects.
 *
 * import.c drives files and batches; import_contacts.c, import_events.c and
 * import_consents.c apply rows of one kind.
 */
#ifndef SEGRT_IMPORT_H
#define SEGRT_IMPORT_H

#include "import/import_memo.h"
#include "util/buf.h"
#include "util/email.h"
#include "store/column.h"
#include "store/consent.h"
#include "store/dict.h"
#include "store/event.h"
#include "store/row.h"
#include "store/schema.h"
#include "store/store.h"
#include "util/strmap.h"

#include <jansson.h>

#define IMPORT_CANON_BYTES 32  /* the longest canonical number, date or timestamp, and NUL */
#define IMPORT_MAX_ID_BYTES 511 /* LMDB's key limit: a longer id cannot be stored */

/* What an input column means. */
enum col_role {
    ROLE_FIELD,    /* a contact field (contacts) */
    ROLE_ID,       /* contacts: id; events/consents: contact_id */
    ROLE_EV_TS, ROLE_EV_TYPE, ROLE_EV_AMOUNT, ROLE_EV_CATEGORY, ROLE_EV_CHANNEL,
    ROLE_EV_EVENT_ID,
    ROLE_EV_EXTRA, /* any other event attribute, kept as JSON */
    ROLE_CS_PURPOSE, ROLE_CS_STATUS, ROLE_CS_BASIS, ROLE_CS_TS, ROLE_CS_EXPIRES,
    ROLE_CS_SOURCE,
    ROLE_ID_SOURCE /* events/consents: the e-mail --id-from makes contact_id from; not kept */
};

typedef struct import_col {
    char *name;
    enum col_role role;
    segrt_type type;   /* ROLE_FIELD; ROLE_EV_EXTRA: typed in the store or inferred, or 0 */
    uint16_t field;    /* ROLE_FIELD: field id, 0 until declared; ROLE_EV_EXTRA: 1 when the
                        * store has its type */
    dict_map *dict;    /* ROLE_FIELD of string/set type, loaded lazily */
    /* The column's checks (import_rules.c), as planned for the rules c->rules_of. */
    const struct field_rule *rule; /* declared for the field, or NULL */
    int has_builtin;   /* the field's name has a built-in rule (field_rule_has_builtin) */
    import_memo memo;  /* import_code_cell: the strings it interned last */
} import_col;

/*
 * A rectification (contact_set.c): every row must name a contact the store
 * has, and each applied row gets an audit entry in its own transaction.
 */
typedef struct import_audit {
    const char *actor, *action, *detail;
} import_audit;

/* One input value of the current row. */
/* CELL_OBJECT: a JSON object, only for an extra event attribute (import_extra.c). */
typedef enum { CELL_ABSENT, CELL_EMPTY, CELL_TEXT, CELL_ARRAY, CELL_OBJECT } cell_state;
typedef struct cell {
    cell_state state;
    const char *p; /* CELL_TEXT */
    size_t n;
    json_t *json;  /* JSONL: the value as read, borrowed (an array for CELL_ARRAY, null for
                    * CELL_EMPTY); NULL for a CSV cell */
    segrt_type vtype; /* the text was read as this type (import_local.c), or 0 */
    int64_t v;        /* ... its value: what field_rule_parse(vtype, p, n) gives */
    int hashed;       /* hash is strmap_hash(p, n) (import_prep.c) */
    uint64_t hash;
} cell;

/* strmap_hash(cl->p, cl->n), computed ahead when it was. */
static inline uint64_t import_cell_hash(const cell *cl)
{
    return cl->hashed ? cl->hash : strmap_hash(cl->p, cl->n);
}

/* The value of cell cl read as type t, when it was (import_local_row): 1 and *v, else 0. */
static inline int import_cell_read(const cell *cl, segrt_type t, int64_t *v)
{
    if (cl->vtype != t || t == 0)
        return 0;
    *v = cl->v;
    return 1;
}

typedef struct pend_rec {
    uint32_t ord;
    uint32_t at; /* index into the batch's event_list / consent_list */
} pend_rec;

/*
 * The live path's note of a contact a row changed (ev_type: the event's
 * type code, 0 for other kinds); import_stream_feed takes one.
 */
typedef void (*import_touched_fn)(void *ud, uint32_t ord, uint32_t ev_type);

typedef struct import_ctx {
    segrt_store *s;
    segrt_kind kind;
    const char *file;  /* as given, for messages */
    const segrt_import_opts *opts;
    segrt_import_report *rep;
    const import_audit *audit; /* a rectification, or NULL */

    import_col *cols;
    size_t ncols, cols_cap;
    cell *cells;       /* one per column, for the current row */
    uint64_t line;     /* physical line of the current row */
    int sampling;      /* reading rows only to infer types: no side effects */

    size_t nsrc;       /* CSV: the header's columns (after them: the made id column) */
    uint64_t map_used; /* CSV: the --map pairs (the first 64) the header used */
    char id_text[EMAIL_ID_BYTES]; /* --id-from email: the current row's id */
    long id_col;       /* the id / contact_id column, or -1 */
    long email_col;    /* contacts: the email column; events/consents: --id-from's; or -1 */
    long role_col[ROLE_CS_SOURCE + 1]; /* events/consents: column of each role, or -1 */

    /* In-memory indexes, valid for the store state as of the last commit. */
    int loaded;
    uint64_t loaded_gen; /* write_gen they were loaded at */
    strmap *ids;       /* external id -> ordinal: those looked up so far, or all */
    int ids_all;       /* ids holds the whole id index */
    uint32_t ids_looked_up; /* ids read from the store one at a time */
    uint32_t ids_load_after; /* ... until this many: then the whole index is loaded */
    /* The id found last and its ordinal: the rows of a contact's events and
     * consents come together, and an id never changes ordinal while ids is loaded. */
    char last_id[IMPORT_MAX_ID_BYTES];
    size_t last_id_n; /* 0: none */
    uint32_t last_ord;
    uint64_t input_bytes;    /* the size of the input when known (a file, a buffer), else 0 */
    uint32_t next_ord;
    int ids_not_last;  /* a new id was not after every stored one: ids are put, not appended */
    strmap *emails;    /* normalised email -> ordinal of its first contact (contacts) */
    int email_hashed;  /* the row's normalised e-mail was hashed ahead: email_hash */
    uint64_t email_hash;
    uint64_t id_prefetched, id_key_prefetched; /* the id hashes prefetched last (import_prep.c) */
    size_t extra_ncols; /* import_extra.c: the columns has_extra was found for */
    int has_extra;      /* ... some are extra event attributes */
    dict_map *ev_dicts[3]; /* type, category, channel */
    dict_map *cs_dicts[2]; /* purpose, source */
    column_cache *colcache;

    /* The batch in flight. */
    MDB_txn *txn;      /* begun on cm's thread (import_txn); NULL until the batch needs it */
    struct committer *cm; /* a file's: the batch before commits beside this one, or NULL */
    struct source *src;   /* the input being fed (import.c) */
    uint64_t batch_read;  /* rows of the batch read so far */
    int restart;       /* another writer changed the store under rows already read: */
                       /* the batch is read again */
    pend_rec *pend;
    size_t npend, pend_cap;
    event_list evs;
    consent_list css;
    int64_t delta_contacts, delta_events, delta_consents;
    buf rejects;       /* u64 line, u32 length, reason: emitted after commit */
    buf notices;       /* the same for rows kept with a notice */
    uint64_t batch_rejected, batch_inserted, batch_noticed;
    int last_batch;    /* the batch in flight ends the input */

    /* The batch handed to cm, reported once its commit is known. */
    struct import_handed {
        int active;
        uint64_t rows, rejected, inserted, noticed;
        const char *start, *end; /* the input it read */
        uint64_t start_line;
        int last;                /* it ended the input */
        int failed;              /* its commit failed: it is read again after a map grown */
        buf rejects, notices;
    } handed;

    /* Events: identical events counted across an input's batches (import_occ.c). */
    uint64_t *occ_batch;   /* the batch's fingerprints */
    uint64_t *occ_seen;    /* those of the input's committed batches, [0, nsorted) sorted */
    uint32_t *occ_prior;   /* per event of the batch: its fingerprint's count in occ_seen */
    int occ_counted;       /* occ_prior is filled for the batch */
    size_t occ_batch_cap, occ_seen_cap, occ_prior_cap, occ_nbatch, occ_nseen, occ_nsorted;

    /* Contacts: values of the current row, parsed before anything is written. */
    int64_t *parsed;       /* per column */
    size_t parsed_cap;
    size_t *items_at, *items_n; /* per set column: range in items */
    struct { const char *p; size_t n; } *items;
    size_t nitems, items_cap;

    /* The live path (import_stream_feed): told of each contact a row changes
     * (and, for events, the event's type code). */
    import_touched_fn touched;
    void *touched_ud;

    /* import_rules.c's plan: for these rules and this many columns; the phone and
     * country columns (fields), or -1. */
    const segrt_rules *rules_of;
    size_t rules_ncols; /* 0: not planned */
    long phone_col, country_col;

    /* Cells rewritten into canonical text (import_local.c): IMPORT_CANON_BYTES a column. */
    char *canon;
    size_t canon_cols;

    /* Scratch. */
    buf tmp, tmp2, enc;
    row row;
} import_ctx;

/* What a text value parses as (KIND_* bits), and the type to infer from them. */
enum { KIND_INT = 1, KIND_NUM = 2, KIND_BOOL = 4, KIND_DATE = 8, KIND_TS = 16 };
unsigned import_value_kinds(const char *p, size_t n);
segrt_type import_type_of_kinds(unsigned kinds, int has_semicolon);

/* Reject the current row with a reason (printf-style); returns SEGRT_EBADROW. */
int import_reject(import_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Note something about the current row, which is kept (printf-style); SEGRT_OK or ENOMEM. */
int import_notice(import_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A value quoted for a reason: at most 40 characters, then "...". */
const char *import_quote(import_ctx *c, const char *p, size_t n);
/*
 * The ordinal of an external id: 1 when found, 0 when unknown, or a negative
 * SEGRT_E... code (reading the id index failed).
 */
int import_find_contact(import_ctx *c, const cell *id, uint32_t *ord);
/*
 * Give the batch its transaction (c->txn) if it has none yet: after the
 * batch before is committed and reported, with the in-memory indexes checked
 * against the store. Rows of events and consents are read before it (and
 * call this when a row needs the store); when another writer changed the
 * store under rows already read, c->restart is set and the batch is read
 * again.
 */
int import_txn(import_ctx *c);
/* Add a pending record of the batch (events / consents). */
int import_pend(import_ctx *c, uint32_t ord, uint32_t at);
/* What import_merge_pending calls for one contact: pend[from, to) are its records. */
typedef int (*import_merge_fn)(import_ctx *c, size_t from, size_t to, void *ud);
/*
 * Sort the batch's pending records by contact, keeping input order within
 * one, and call fn(c, from, to, ud) for each contact in ordinal order; stops
 * at, and returns, the first code other than SEGRT_OK.
 */
int import_merge_pending(import_ctx *c, import_merge_fn fn, void *ud);
/* The contact named by the row's contact_id; rejects the row when unknown. */
int import_contact_of_row(import_ctx *c, uint32_t *ord);
/* A timestamp cell (column i, -1 when the file has none); VALUE_MISSING when empty. */
int import_time_cell(import_ctx *c, long i, int required, int64_t *v);
/* The dictionary code of a string cell, loading the dictionary d on first use. */
int import_code_cell(import_ctx *c, long i, dict_map **d, uint16_t field, int required,
                     uint32_t *code);
/* A name cell (an event type, a purpose: letters, digits and _); rejects the row when the
 * cell is missing or not a name ("<name> is missing", "... is not a valid <what>"). */
int import_name_cell(import_ctx *c, long i, const char *name, const char *what);

/* Per kind: the role of a column import.c does not know by name (contacts: a field). */
int import_contacts_column(import_ctx *c, import_col *col);
int import_events_column(import_ctx *c, import_col *col);
int import_consents_column(import_ctx *c, import_col *col);
/* Load what the kind needs in memory (after a commit by someone else or an abort). */
int import_contacts_load(import_ctx *c);
/*
 * Apply the current row (cells); SEGRT_EBADROW when rejected. Contacts have
 * c->txn; events and consents call import_txn before they use it.
 */
int import_contacts_row(import_ctx *c);
int import_events_row(import_ctx *c);
int import_consents_row(import_ctx *c);
/*
 * Events: the current row's extra attributes as canonical JSON (malloc'd;
 * NULL when it has none), typing new ones in c->txn (import_extra.c);
 * SEGRT_EBADROW when a value does not read as its attribute's type.
 */
int import_extra_json(import_ctx *c, char **out);
/* Events: the extra columns' types as of c->txn (after a rollback or another's commit). */
int import_extra_resolve(import_ctx *c);
/*
 * Plausible values (import_rules.c): the current contact row's parsed values
 * against the declared rules (opts->rules) and the built-in ones; an event's
 * amount cell (parsed: amount) against its rule. SEGRT_EBADROW naming the rule.
 */
int import_rules_contact(import_ctx *c);
int import_rules_amount(import_ctx *c, const cell *cl, int64_t amount);
/*
 * Contacts: about this many more new contacts are coming (a big file's
 * first batch tells): the indexes each adds to (ids, e-mails, the e-mail
 * dictionary) are sized for them now. Growing a 10M-key table as it fills
 * places every key again at each doubling and holds the old and the new
 * table at once.
 */
void import_contacts_expect(import_ctx *c, uint64_t more);
/* Write what the batch buffered (columns, timelines, histories). */
int import_contacts_finish(import_ctx *c);
int import_events_finish(import_ctx *c);
int import_consents_finish(import_ctx *c);
/* Before an events batch is merged (a first batch starts a new input). */
void import_occ_begin(import_ctx *c);
/*
 * For the new events w[nold, n) of a contact (its timeline w[0, nold)), the
 * batch's pending records pend[from, from + n - nold):
 * into prior, one uint32 each, how many identical events the input's
 * committed batches held (event_list_merge_prior); *any is 0 when all are 0.
 * Notes their fingerprints for the input's next batch.
 */
int import_occ_prior(import_ctx *c, const event_list *w, size_t nold, size_t from, buf *prior,
                     int *any);
/*
 * After an events batch committed (last: it ended the input): its events are
 * counted for the input's next batch.
 */
int import_occ_committed(import_ctx *c, int last);

/*
 * An import kept open across calls (the live path, live.c): its in-memory
 * indexes stay loaded between calls while nobody else writes. A feed imports
 * JSON lines in committed batches, calls touched(ud, ord, ev_type) for each
 * contact a row changes (ev_type: the event's type code, 0 for other kinds), and leaves the derived data (import_update_derived) and the
 * sync to the caller.
 */
int import_stream_open(segrt_store *s, segrt_kind kind, const char *name, import_ctx **out);
int import_stream_feed(import_ctx *c, const char *data, size_t len,
                       const segrt_import_opts *opts, segrt_import_report *out,
                       import_touched_fn touched, void *ud);
void import_stream_close(import_ctx *c);
/* encoding is UTF-8 (NULL counts as UTF-8): no conversion is needed. */
int import_encoding_is_utf8(const char *encoding);
/* One SOURCE=field pair of a --map string, not NUL-terminated. */
typedef struct import_map_pair {
    const char *from, *to;
    size_t from_len, to_len;
    int has_eq;      /* the pair has its '=' */
    int well_formed; /* a non-empty source name, '=' and a valid field name */
} import_map_pair;
/* The next pair of *map (advanced past it); 0 when there is none. */
int import_map_next(const char **map, import_map_pair *pair);
/*
 * in[0..len) in encoding converted to UTF-8 in *out (malloc'd, *out_len bytes);
 * a byte that is not valid in the encoding fails naming file:line.
 */
int import_decode(segrt_store *s, const char *file, const char *encoding, const char *in,
                  size_t len, char **out, size_t *out_len);

/* The name of a header column after --map: 1 renamed, 0 unmapped (name itself). */
int import_map_rename(import_ctx *c, const char *name, size_t n, const char **out,
                      size_t *out_n);
/*
 * The name of a header column after --map (name itself when unmapped); a name
 * that is not a valid field name fails suggesting --map.
 */
int import_map_column(import_ctx *c, const char *name, size_t n, const char **out,
                      size_t *out_n);
/* After the header: every --map source was in it; --id-from email can work. */
int import_map_finish_header(import_ctx *c);
/* --id-from email: the id cell of the current row, from its e-mail; rejects a row without. */
int import_map_id_cell(import_ctx *c, cell *id);

/*
 * Rewrite the current row's timestamp, date and number cells written in a
 * local form (--date-format, --timestamp-format, --tz, --decimal, ISO 8601 with
 * an offset) into canonical text; SEGRT_EBADROW (rejected) when one cannot be read.
 */
int import_local_row(import_ctx *c);
/*
 * The type import_local_row reads column i's canonical text as and keeps
 * unchanged (a timestamp without --tz, a date without --date-format, a
 * number without --decimal), or 0: what may be read ahead of the row
 * (import_prep.c). A cell read so already (vtype) is not read again.
 */
segrt_type import_local_plain_type(const import_ctx *c, size_t i);
/* What a value reads as (KIND_* bits) with the import's local formats. */
unsigned import_local_kinds(const import_ctx *c, const char *p, size_t n);
/* The flag a value written in a local form needs ("--decimal ,"), or NULL. */
const char *import_local_hint(const char *p, size_t n);
/* "an integer", "a date (YYYY-MM-DD)", ...: what a value of type t must be, for messages. */
const char *import_type_phrase(segrt_type t);
/*
 * Text p[0..n) read as type t (not string or set) with the import's options
 * (--date-format, --timestamp-format, --tz, --decimal): *v in the store's
 * domain (micro-units, days, seconds, 0/1). A value that does not read
 * rejects the row, naming the column name and the flag a local form needs.
 */
int import_local_value(import_ctx *c, const char *name, const char *p, size_t n, segrt_type t,
                       int64_t *v);

/*
 * Import the JSON lines data[0..len) of contacts as a rectification: rows
 * only for contacts the store has, each audited (audit), in one transaction
 * (opts strict). As segrt_import_buffer otherwise.
 */
int import_buffer_audited(segrt_store *s, const char *name, const char *data, size_t len,
                          const segrt_import_opts *opts, const import_audit *audit,
                          segrt_import_report *out);
/* Rebuild what an import of kind leaves stale: event projections, the id order. */
int import_update_derived(segrt_store *s, segrt_kind kind);

#endif
