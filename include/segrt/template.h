/**
 * @file segrt/template.h
 * @brief Message templates of a script (seg.template): rendering one
 * message per member of a segment who may be contacted for the template's
 * purpose.
 */
#ifndef SEGRT_PUBLIC_TEMPLATE_H
#define SEGRT_PUBLIC_TEMPLATE_H

#include "segrt/script.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One rendered message. Strings are borrowed for the callback. */
typedef struct segrt_message {
    const char *id;      /**< the contact's external id */
    const char *email;   /**< its email field, or NULL when it has none */
    const char *subject; /**< one line: control characters in values become spaces */
    const char *body;    /**< values HTML-escaped when the template's format is "html" */
} segrt_message;

/**
 * Told about one rendered message.
 * @param ud the ud given with the callback
 * @param m the message (borrowed for the call)
 * @return 0 to go on; non-zero stops the rendering, which returns it
 */
typedef int (*segrt_message_fn)(void *ud, const segrt_message *m);

/**
 * Render a message template of the script for every member of a segment who
 * passes the consent check of the template's purpose at NOW, in byte order
 * of the ids. The placeholders were checked when the script loaded (a name
 * that is no field, score or value of the template fails the load); here a
 * missing or empty value gives the placeholder's fallback, else nothing.
 * @param sc the script
 * @param segment the segment's name
 * @param template_name the template's name
 * @param fn called for each message
 * @param ud passed to fn
 * @return SEGRT_OK; fn's non-zero return; SEGRT_ENOTFOUND (with a "did you
 *         mean" hint in segrt_errmsg()) for an unknown segment or template;
 *         or another error code
 */
SEGRT_API int segrt_template_render(segrt_script *sc, const char *segment,
                                    const char *template_name, segrt_message_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* SEGRT_PUBLIC_TEMPLATE_H */
