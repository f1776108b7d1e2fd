/* nk http -Z: the run's shared state, between par.c (the scheduler and
 * the ordered output) and parmeter.c (its one-line meter). */
#ifndef NK_HTTP_PAR_H
#define NK_HTTP_PAR_H

#include <stdint.h>
#include <stdio.h>

#include "nk/time.h"
#include "http.h"
#include "cfg.h"

struct meter;

struct job {
	struct cfg *g;              /* its group */
	size_t i;                   /* its URL in the group */
	size_t gi;                  /* the group's index */
	char *host;                 /* "host:port" as the URL says, for
	                             * --parallel-max-host */
	struct capture cap;
	int started, done, status;
};

struct par {
	struct job *jobs;
	size_t n, next_start, next_out;
	size_t running;
	int stop;                   /* --fail-early: nothing more starts */
	int fail_status;            /* the failure that stopped it */
	int max_host;
	size_t ngroups, stride;     /* stride: sections + 1 per group */
	struct cfg **groups;
	FILE **dumps;               /* each group's -D stream, or NULL */
	int *body_busy;             /* a group's request body is read by
	                             * one transfer at a time */
	int *body_used;
	nk_fetch **homes;           /* [group * stride + section + 1]: the
	                             * fetchers whose connections the tasks'
	                             * share */
	struct meter *meter;
	/* the meter's: what the emitted transfers had */
	uint64_t done_down, done_up;
	nk_time start;
};

/* The meter: shown when stderr is a terminal and neither -s nor
 * --no-progress-meter is given; redrawn between the poll loop's turns. */
struct meter {
	int on, shown;
	nk_time last;
};
void meter_start(struct meter *m, const struct par *p);
void meter_draw(struct meter *m, const struct par *p, int force);
void meter_end(struct meter *m, const struct par *p);

#endif
