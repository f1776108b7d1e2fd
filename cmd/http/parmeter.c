/* The -Z meter: curl's one line for many transfers (DL% UL% Dled Uled
 * Xfers Live Total Current Left Speed), redrawn in place on stderr at
 * most every half second. The counters are the workers' (capture.c),
 * read without their lock: a figure a moment old is fine here. */
#include <stdio.h>
#include <string.h>

#include "par.h"

static uint64_t
ld(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static int64_t
lds(const int64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* A size in at most 5 characters, as curl's meter writes it. */
static void
size5(char out[8], uint64_t v)
{
	static const char units[] = "kMGTP";
	if (v < 100000) {
		snprintf(out, 8, "%5llu", (unsigned long long)v);
		return;
	}
	double d = (double)v / 1024;
	int u = 0;
	while (d >= 1000 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(out, 8, d < 100 ? "%4.1f%c" : "%4.0f%c", d, units[u]);
}

static void
hms(char out[12], int64_t secs)
{
	if (secs < 0 || secs > 99 * 3600)
		snprintf(out, 12, "--:--:--");
	else
		snprintf(out, 12, "%02d:%02d:%02d", (int)(secs / 3600),
		         (int)(secs / 60 % 60), (int)(secs % 60));
}

static void
percent(char out[4], uint64_t got, uint64_t total, int known)
{
	if (!known || !total)
		snprintf(out, 4, "--");
	else
		snprintf(out, 4, "%d", (int)(got * 100 / total > 100 ? 100
		                                 : got * 100 / total));
}

void
meter_start(struct meter *m, const struct par *p)
{
	memset(m, 0, sizeof *m);
	const struct cfg *c = p->groups[0];
	m->on = !c->silent && !c->no_progress && show_isatty(2);
}

void
meter_draw(struct meter *m, const struct par *p, int force)
{
	if (!m->on)
		return;
	nk_time now = nk_now();
	if (!force && m->shown && now - m->last < 500000)
		return;
	m->last = now;
	uint64_t down = p->done_down, up = p->done_up, dt = 0, ut = 0;
	int dknown = 1, uknown = 1;
	for (size_t k = p->next_out; k < p->next_start; k++) {
		const struct capture *cap = &p->jobs[k].cap;
		down += ld(&cap->down);
		up += ld(&cap->up);
		int64_t t = lds(&cap->down_total), u = lds(&cap->up_total);
		dknown &= t > 0;
		uknown &= u > 0;
		dt += t > 0 ? (uint64_t)t : 0;
		ut += u > 0 ? (uint64_t)u : 0;
	}
	int64_t secs = (now - p->start) / 1000000;
	uint64_t speed = now > p->start ? (down + up) * 1000000 /
	                 (uint64_t)(now - p->start) : 0;
	char dp[4], upc[4], dl[8], ul[8], sp[8], cur[12], dash[12];
	percent(dp, down - p->done_down, dt, dknown);
	percent(upc, up - p->done_up, ut, uknown);
	size5(dl, down);
	size5(ul, up);
	size5(sp, speed);
	hms(cur, secs);
	hms(dash, -1);
	flockfile(stderr);
	if (!m->shown)
		fputs("DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left"
		      "     Speed\n", stderr);
	fprintf(stderr, "\r%3s %3s %s %s %6zu %5zu %s %s %s %s", dp, upc, dl,
	        ul, p->next_start, p->running, dash, cur, dash, sp);
	fflush(stderr);
	funlockfile(stderr);
	m->shown = 1;
}

void
meter_end(struct meter *m, const struct par *p)
{
	if (!m->on || !m->shown)
		return;
	meter_draw(m, p, 1);
	fputc('\n', stderr);
	m->shown = 0;
}
