/*
 * fuzz_template.c — the message template parser (core/util/template_text.c)
 * over any text, and a render of what parses with every value missing, as
 * text and as HTML.
 */
#include "fuzz.h"

#include "util/buf.h"
#include "util/template_text.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = malloc(size + 1);
    if (src == NULL)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0'; /* a template is a C string: it ends at the first NUL */
    template_text t;
    char err[200];
    if (template_text_parse(src, &t, err, sizeof err) == 0) {
        template_text_value *vals = calloc(t.n + 1, sizeof *vals); /* all TPL_MISSING */
        for (size_t i = 0; vals && i < t.n; i++)
            t.parts[i].value = i;
        buf out = { 0 };
        if (vals) {
            template_text_render(&t, vals, TPL_ESC_NONE, &out);
            out.len = 0;
            template_text_render(&t, vals, TPL_ESC_HTML, &out);
        }
        buf_free(&out);
        free(vals);
        template_text_free(&t);
    }
    free(src);
    return 0;
}
