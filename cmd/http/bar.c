/* bar.c: -#, curl's progress bar: "\r#####...  43.2%" on stderr for a
 * known size (the bar 7 columns short of the width), and for an unknown
 * one a "-=O=-" that moves while bytes come, with four #s on a sine
 * wave; redrawn at most every 100 ms (but always at 100%), and a
 * newline at the end of a transfer whose request went. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bar.h"

#define BAR_MAX 256
#define WAVE 200

static int
bar_width(void)
{
	const char *col = getenv("COLUMNS");
	if (col && *col) {
		char *end;
		long n = strtol(col, &end, 10);
		if (*end == '\0' && n > 20 && n < 10000)
			return n > BAR_MAX ? BAR_MAX : (int)n;
	}
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col > BAR_MAX ? BAR_MAX : ws.ws_col;
	return 79;
}

void
bar_start(struct bar *b, int on, int64_t initial)
{
	memset(b, 0, sizeof *b);
	b->on = on;
	if (!on)
		return;
	b->width = bar_width();
	b->initial = initial > 0 ? initial : 0;
	b->prev = b->initial;
	b->tick = 150;
	b->move = 1;
}

void
bar_begin(struct bar *b)
{
	if (!b->on || b->calls)
		return;
	b->calls = 1;
	b->prevtime = nk_now();
}

/* Where wave point i (0 to 199) falls on a line of `span` columns: the
 * values of sin(k/200 * 2 * 3.1415) * 5000 + 5000, k = i + 1, cut to
 * integers, as curl's table has them. */
static int
wave_at(int i, int span)
{
	int v = (int)(sin((double)(i + 1) / WAVE * 2 * 3.1415) * 5000 + 5000);
	return v / (10000 / span);
}

/* The unknown size's frame. */
static void
fly(struct bar *b, int moved)
{
	char buf[BAR_MAX + 2];
	int span = b->width - 2;
	memset(buf, ' ', (size_t)b->width - 1);
	buf[b->width - 1] = '\r';
	buf[b->width] = '\0';
	memcpy(buf + b->pos, "-=O=-", 5);
	for (int k = 0; k < 20; k += 5)
		buf[wave_at((b->tick + k) % WAVE, span)] = '#';
	fputs(buf, stderr);
	b->tick = (b->tick + 2) % WAVE;
	b->pos += moved ? b->move : 0;
	if (b->pos >= b->width - 6) {
		b->move = -1;
		b->pos = b->width - 6;
	} else if (b->pos < 0) {
		b->move = 1;
		b->pos = 0;
	}
}

void
bar_update(struct bar *b)
{
	if (!b->on)
		return;
	int64_t total = (b->down_total > 0 ? b->down_total : 0) +
	                (b->up_total > 0 ? b->up_total : 0) + b->initial;
	int64_t point = (int64_t)(b->down + b->up) + b->initial;
	nk_time now = nk_now();
	if (b->calls) {
		if (total) {
			if (point == b->prev || (now - b->prevtime < 100000 &&
			                         point < total))
				return;
		} else {
			if (now - b->prevtime < 100000)
				return;
			fly(b, point != b->prev);
		}
	}
	b->calls++;
	if (total > 0 && point != b->prev) {
		if (point > total)
			total = point;
		double frac = (double)point / (double)total;
		int barwidth = b->width - 7;
		int num = (int)(barwidth * frac);
		char line[BAR_MAX + 1];
		if (num > BAR_MAX)
			num = BAR_MAX;
		memset(line, '#', (size_t)num);
		line[num] = '\0';
		fprintf(stderr, "\r%-*s %5.1f%%", barwidth, line, frac * 100.0);
	}
	fflush(stderr);
	b->prev = point;
	b->prevtime = now;
}

void
bar_end(struct bar *b)
{
	if (b->on && b->calls) {
		fputc('\n', stderr);
		fflush(stderr);
	}
	b->calls = 0;
}
