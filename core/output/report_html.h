/*
 * report_html.h — what the HTML page of a segment report (report_html.c)
 * and its inline SVG charts (report_svg.c) share: escaping and the colour
 * scale of the heatmaps.
 */
#ifndef SEGRT_REPORT_HTML_H
#define SEGRT_REPORT_HTML_H

#include "output/report.h"

#include <stdio.h>

/* Write text with & < > " ' escaped: safe in element content and quoted attributes. */
void report_html_text(FILE *f, const char *text);

/* The heatmap colour of t in [0, 1] as "#rrggbb", and whether text on it should be light. */
void report_svg_heat(double t, char out[8]);
int report_svg_heat_dark(double t);

/* Charts, each one <svg> element with a <title> per mark (the tooltip without script). */
void report_svg_sparkline(FILE *f, const report_segment *g);
void report_svg_history(FILE *f, const report_segment *g);
void report_svg_overlap(FILE *f, const segrt_report *r);
void report_svg_rfm(FILE *f, const segrt_report *r, const report_rfm *g);
/* An exclusive group as one bar of all the contacts: a part per segment, then those in none. */
void report_svg_partition(FILE *f, const segrt_report *r, const report_group *g);
/* The growth of the base: contacts joined by the end of each bucket, from zero. */
void report_svg_growth(FILE *f, const report_growth *g);
/* The colour of a partition bar's k-th part, for its legend. */
const char *report_svg_part_colour(size_t k);

#endif
