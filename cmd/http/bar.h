/* -#/--progress-bar of nk http: curl's bar of #s on stderr. */
#ifndef NK_HTTP_BAR_H
#define NK_HTTP_BAR_H

#include <stdint.h>

#include "nk/time.h"

struct bar {
	int on;
	int width;                  /* COLUMNS, the terminal's, or 79 */
	int calls;                  /* 0 until the request went */
	int64_t initial;            /* -C: the bytes already there */
	uint64_t down, up;          /* received, sent */
	int64_t down_total, up_total;   /* 0 when unknown */
	int64_t prev;               /* the point last shown */
	nk_time prevtime;
	int tick, pos, move;        /* the unknown size's animation */
};

void bar_start(struct bar *b, int on, int64_t initial);
/* The request went: the bar counts from now (as curl's first call). */
void bar_begin(struct bar *b);
/* New counts: the bar is redrawn, at most ten times a second but always
 * at 100%. */
void bar_update(struct bar *b);
/* The transfer ended: a newline after a bar that began. */
void bar_end(struct bar *b);

#endif
