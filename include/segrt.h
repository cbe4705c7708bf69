/**
 * @file segrt.h
 * @brief The public API of libsegrt, the Lua-scriptable customer-segmentation
 * runtime: this header includes every part of it.
 *
 * A host includes this header (or only the parts it uses, segrt/store.h and
 * so on) and links -lsegrt. The conventions every part follows are in
 * segrt/common.h. segrt/lua.h, for hosts that work in a script's Lua state,
 * is not included here: it needs <lua.h>.
 */
#ifndef SEGRT_H
#define SEGRT_H

#include "segrt/common.h"   /* error codes, segrt_free, times */
#include "segrt/version.h"  /* SEGRT_VERSION, segrt_version() */
#include "segrt/store.h"    /* the store: open, NOW, stats, check, audit log */
#include "segrt/schema.h"   /* contact fields and their types */
#include "segrt/import.h"   /* importing contacts, events, consent records */
#include "segrt/contact.h"  /* one contact: export, card, erase; retention */
#include "segrt/consent.h"  /* consent records, history, per-purpose counts */
#include "segrt/dedupe.h"   /* duplicate contacts: find, merge, undo */
#include "segrt/script.h"   /* segment scripts, their limits and models */
#include "segrt/pack.h"     /* bundled and installed packs */
#include "segrt/segment.h"  /* evaluating segments into sets of contacts */
#include "segrt/run.h"      /* stored runs of segments and their changes */
#include "segrt/live.h"     /* segments kept up to date as rows arrive */
#include "segrt/outbox.h"   /* actions on entering and leaving, delivered durably */
#include "segrt/report.h"   /* the segment report, text or HTML */
#include "segrt/profile.h"  /* one segment's members next to the whole base */
#include "segrt/template.h" /* message templates rendered per member */
#include "segrt/demo.h"     /* a synthetic demo data set */
#include "segrt/sql.h"      /* the store dumped as tables, segments as SQL */

#endif /* SEGRT_H */
