/**
 * @file segrt/import.h
 * @brief Importing contacts, events and consent records from CSV or JSON
 * lines, from a file or from memory.
 */
#ifndef SEGRT_PUBLIC_IMPORT_H
#define SEGRT_PUBLIC_IMPORT_H

#include "segrt/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a file holds. */
typedef enum segrt_kind {
    SEGRT_CONTACTS = 1,
    SEGRT_EVENTS,
    SEGRT_CONSENTS
} segrt_kind;

/**
 * Told about one rejected row (or one row kept with a notice).
 * @param ud the options' ud
 * @param file the input's name as given (borrowed for the call)
 * @param line the physical line of the row
 * @param reason why (borrowed for the call)
 */
typedef void (*segrt_reject_fn)(void *ud, const char *file, uint64_t line,
                                const char *reason);

/**
 * Told after each committed batch.
 * @param ud the options' ud
 * @param bytes_done bytes of the input read so far
 * @param bytes_total the size of the input
 * @param rows rows read so far
 */
typedef void (*segrt_progress_fn)(void *ud, uint64_t bytes_done, uint64_t bytes_total,
                                  uint64_t rows);

/** What a blank CSV cell does to a contact's stored value. */
typedef enum segrt_blank {
    SEGRT_BLANK_KEEP = 0, /**< the stored value stays (a partial export loses nothing) */
    SEGRT_BLANK_CLEAR     /**< the stored value is cleared */
} segrt_blank;

/**
 * Turns one data row of a CSV file into the row segrt reads
 * (segrt_import_opts.map_row; segrt_mapping_use() sets a Lua one).
 * @param ud the options' map_ud
 * @param n the number of columns
 * @param names the header's column names (after segrt_import_opts.map renames)
 * @param values each cell's text, not NUL-terminated; NULL for a blank cell
 * @param lens each cell's length in bytes
 * @param json receives the row as the text of a JSON object, read as a line
 *        of a JSON lines file is (malloc'd; the import frees it), or NULL to
 *        reject the row with err as its reason
 * @param err receives the reason for a rejected row or a failure
 * @param err_size the size of err
 * @return SEGRT_OK (a row, or a rejected one when *json is NULL), or an error
 *         code that stops the import (err says why)
 */
typedef int (*segrt_row_map_fn)(void *ud, size_t n, const char *const *names,
                                const char *const *values, const size_t *lens, char **json,
                                char *err, size_t err_size);

/** Declared checks of field values (segrt_rules_load()). */
typedef struct segrt_rules segrt_rules;

/** Options of segrt_import_file(); zero-initialise, then set what you need. */
typedef struct segrt_import_opts {
    int strict;                 /**< first bad row aborts; nothing of the file commits */
    uint32_t batch_rows;        /**< rows per committed batch (0 = default) */
    segrt_reject_fn on_reject;  /**< NULL: rejects are only counted */
    /** Called, like on_reject, for each row kept with a notice: a contact whose
     *  e-mail another contact already has (both are kept; segrt dedupe finds them). */
    segrt_reject_fn on_notice;
    segrt_progress_fn on_progress; /**< NULL: no progress reports */
    void *ud;                   /**< passed to the callbacks */
    /** CSV field delimiter: ',', ';', '\t' or '|'; 0 sniffs it from the header
     *  and the first records (the candidate that splits the header into the
     *  most fields, more than one, and every sniffed record into as many;
     *  ties and no winner give ','). */
    char delimiter;
    /** The input's character encoding, any name iconv knows ("cp1250",
     *  "ISO-8859-2"); NULL means UTF-8. A UTF-8 byte order mark is skipped. */
    const char *encoding;
    /** CSV columns renamed before they are read: "Source Name=field,Other=field2"
     *  (names are matched exactly; a name may not hold ',' or '='); NULL: none. */
    const char *map;
    /** "email": a file without an id column (contact_id for events and consents)
     *  gets one from the e-mail column: "e:" and the 16 lower-case hex digits of
     *  XXH64 (seed 0) of the normalised address, so re-imports upsert. NULL: none. */
    const char *id_from;
    /** strptime pattern of date values ("%d.%m.%Y"); NULL: YYYY-MM-DD only. */
    const char *date_format;
    /** strptime pattern of timestamp values ("%d.%m.%Y %H:%M"); NULL: ISO 8601
     *  (YYYY-MM-DD[T ]HH:MM[:SS[.f]] with Z, +HH:MM, +HHMM or no offset). */
    const char *timestamp_format;
    /** IANA zone of timestamps written without an offset ("Europe/Warsaw");
     *  NULL: UTC. */
    const char *tz;
    /** Decimal mark of numbers: '.' (0 means '.') or ','; with ',' the marks
     *  '.', ' ', U+00A0, U+202F and '\'' group thousands ("1.234,56"). */
    char decimal;
    /** Told once per new contact field of a CSV file (line 1) what type its
     *  values were inferred as; a string column whose values look like local
     *  dates or numbers is told with the flag that would read them. NULL: not told. */
    segrt_reject_fn on_column;
    /** Contacts: a blank CSV cell keeps the stored value (the default) or clears
     *  it. In JSON lines a key left out keeps the value and null clears it. */
    segrt_blank blank;
    /** CSV only: each data row goes through this function, and what it returns
     *  is read instead (its keys name the columns, as in a JSON lines file; no
     *  type inference from the CSV's text, no id_from). NULL: rows as read. */
    segrt_row_map_fn map_row;
    void *map_ud; /**< passed to map_row */
    /** Checks of field values a schema script declares (segrt_rules_load()); a
     *  declared rule replaces the built-in one of its field (birth_date from
     *  1900 to NOW, income and amount not negative). NULL: the built-in ones. */
    const segrt_rules *rules;
} segrt_import_opts;

/** What an import did. */
typedef struct segrt_import_report {
    uint64_t rows;      /**< data rows read */
    uint64_t accepted;  /**< rows kept (inserted, updated or already present) */
    uint64_t rejected;  /**< rows rejected */
    uint64_t inserted;  /**< new contacts / events / consent records */
    uint64_t noticed;   /**< rows kept with a notice (see on_notice) */
    uint64_t batches;   /**< committed batches */
} segrt_import_report;

/**
 * Check the dialect options of o (encoding, map, id_from, tz, decimal) without
 * importing anything; segrt_import_file() checks them too.
 * @param o the options
 * @param msg receives why they are wrong, naming the option (may be NULL)
 * @param msg_size the size of msg
 * @return SEGRT_OK, or SEGRT_EINVAL when an option is wrong
 */
SEGRT_API int segrt_import_check_opts(const segrt_import_opts *o, char *msg, size_t msg_size);

/**
 * Import a CSV file (with a header row), or a JSONL file when its name ends
 * in .jsonl. Contacts are upserted by id; a consent record already held is
 * not added again. An event with an event_id replaces the one held with that
 * id; events without one count by multiplicity: identical rows (same
 * contact, ts, type, amount, category, channel and extra attributes) of one
 * input are distinct events, and the n-th of them is added only while fewer
 * than n such events are held, so a contact holding k copies ends with
 * max(k, m) after an input holding m, and importing an input again adds
 * nothing.
 * @param s the store
 * @param kind what the file holds
 * @param path the file
 * @param opts the options, or NULL for the defaults
 * @param out receives what the import did (may be NULL)
 * @return SEGRT_OK when the import ran, even with rejected rows;
 *         SEGRT_EBADROW when strict mode stopped at a bad row; another error code
 */
SEGRT_API int segrt_import_file(segrt_store *s, segrt_kind kind, const char *path,
                                const segrt_import_opts *opts, segrt_import_report *out);

/**
 * Import rows held in memory, as segrt_import_file() does: one JSONL line
 * upserts one contact or adds one event.
 * @param s the store
 * @param kind what the rows are
 * @param name names the input in rejects and messages (NULL: "buffer")
 * @param data the rows: CSV with a header row, or JSON lines
 * @param len the length of data in bytes
 * @param jsonl non-zero when data is JSON lines
 * @param opts the options, or NULL for the defaults
 * @param out receives what the import did (may be NULL)
 * @return as segrt_import_file()
 */
SEGRT_API int segrt_import_buffer(segrt_store *s, segrt_kind kind, const char *name,
                                  const char *data, size_t len, int jsonl,
                                  const segrt_import_opts *opts, segrt_import_report *out);

/**
 * Load the field checks a schema script declares, e.g.
 * seg.field "nps" { type = "integer", min = 0, max = 10 },
 * seg.field "plan" { one_of = { "free", "pro" } },
 * seg.field "zip" { pattern = "[0-9]{6}" } (a POSIX extended regular
 * expression the whole value must match), seg.field "income" { min = -1e6 }
 * (allowing what the built-in rule refuses). type declares a new field's
 * type. A pack can declare them too.
 * @param s the store (errors are recorded on it)
 * @param script a schema script's path or a pack's name
 * @param out receives the rules (free with segrt_rules_free())
 * @return SEGRT_OK, or SEGRT_ELUA naming file:line for a script that does not
 *         load, a bad type, bound, list or pattern, or another code
 */
SEGRT_API int segrt_rules_load(segrt_store *s, const char *script, segrt_rules **out);

/**
 * Free rules.
 * @param rules the rules (NULL is fine)
 */
SEGRT_API void segrt_rules_free(segrt_rules *rules);

/** A loaded import mapping (segrt_mapping_load()). */
typedef struct segrt_mapping segrt_mapping;

/**
 * Load an import mapping: a Lua file that returns function(row), given one
 * CSV row as a table of column name to text (blank cells absent), returning
 * the row to import as a table of field to value (strings, numbers,
 * booleans; a list for a set field; a table for a nested event attribute),
 * or nil to skip the row. It runs sandboxed like segment scripts, under the
 * store's limits per row, with a helper id_from_email(address) that gives
 * the id segrt_import_opts.id_from would. A Lua error in a row rejects that
 * row with the error's file:line.
 * @param s the store (errors are recorded on it; its limits apply)
 * @param path the Lua file
 * @param out receives the mapping (free with segrt_mapping_free())
 * @return SEGRT_OK, or SEGRT_ELUA for a file that does not load or does not
 *         return a function (the message names file:line), or another code
 */
SEGRT_API int segrt_mapping_load(segrt_store *s, const char *path, segrt_mapping **out);

/**
 * Make imports with @p o read their CSV rows through @p m (sets o->map_row
 * and o->map_ud; m NULL clears them). m must outlive those imports, and is
 * used by one import at a time.
 * @param m the mapping, or NULL
 * @param o the options to set
 */
SEGRT_API void segrt_mapping_use(segrt_mapping *m, segrt_import_opts *o);

/**
 * Free a mapping.
 * @param m the mapping (NULL is fine)
 */
SEGRT_API void segrt_mapping_free(segrt_mapping *m);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_IMPORT_H */
