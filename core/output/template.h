/*
 * template.h — message templates of a script (seg.template in
 * scripts/segrt.lua): checked when the script loads, rendered per member by
 * segrt_template_render() (segrt.h).
 */
#ifndef SEGRT_TEMPLATE_H
#define SEGRT_TEMPLATE_H

#include "segrt.h"

/*
 * Check every template the script defines against the store: the text
 * parses, each placeholder names a field, score or value whose type suits
 * its format, the purpose is known, and no Art. 9 field is read without an
 * explicit-consent purpose. SEGRT_ELUA naming the script line otherwise.
 */
int template_check_all(segrt_script *sc);

#endif
