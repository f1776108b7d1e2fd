/* show: heads and progress for people. Whatever a server sends, nothing
 * from it reaches a terminal as a control character or escape sequence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "text.h"

int
show_isatty(int fd)
{
	/* The standard streams stay what they are for the whole run: asked
	 * once, not once per URL. */
	static int known[3] = { -1, -1, -1 };
	if (fd < 0 || fd > 2)
		return isatty(fd);
	if (known[fd] < 0)
		known[fd] = isatty(fd);
	return known[fd];
}

int
show_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	return show_isatty(fileno(f)) && !(nc && *nc);
}

/* Colour of a status line by class. */
static const char *
status_colour(const char *line, size_t len)
{
	if (len < 12 || memcmp(line, "HTTP/", 5) != 0)
		return "\033[1m";
	const char *sp = memchr(line, ' ', len);
	if (!sp || sp + 1 >= line + len)
		return "\033[1m";
	switch (sp[1]) {
	case '2': return "\033[1;32m";
	case '3': return "\033[1;33m";
	case '4':
	case '5': return "\033[1;31m";
	default: return "\033[1m";
	}
}

void
show_head(FILE *f, const char *prefix, const char *head, size_t len,
          int tty, int colour)
{
	if (!prefix && !tty) {
		fwrite(head, 1, len, f);
		return;
	}
	const char *p = head, *end = head + len;
	int first = 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		if (lend > p && lend[-1] == '\r')
			lend--;
		size_t l = (size_t)(lend - p);
		if (prefix)
			fputs(prefix, f);
		const char *colon = memchr(p, ':', l);
		if (colour && first && l) {
			fputs(status_colour(p, l), f);
			text_term(f, p, l);
			fputs("\033[0m", f);
		} else if (colour && colon && *p != ' ' && *p != '\t') {
			fputs("\033[1;36m", f);
			text_term(f, p, (size_t)(colon - p));
			fputs("\033[0m", f);
			text_term(f, colon, (size_t)(lend - colon));
		} else {
			text_term(f, p, l);
		}
		/* Heads written as received keep their CRLF (-i, -D); a
		 * prefixed trace is text for reading. */
		fputs(prefix ? "\n" : "\r\n", f);
		first = 0;
		p = next;
	}
}

/* ---- progress meter ------------------------------------------------ */

static void
human(char *buf, size_t len, double v)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

void
progress_start(struct progress *p, int enabled)
{
	memset(p, 0, sizeof *p);
	p->enabled = enabled;
	p->start = p->last = nk_now();
	p->total = -1;
}

static void
draw(struct progress *p, nk_time now)
{
	char got[32], total[32], rate[32], line[160];
	double secs = (double)(now - p->start) / 1e6;
	double bps = secs > 0 ? (double)p->got / secs : 0;
	human(got, sizeof got, (double)p->got);
	human(rate, sizeof rate, bps);
	if (p->total > 0) {
		human(total, sizeof total, (double)p->total);
		double left = bps > 0 ? ((double)p->total - (double)p->got) / bps : 0;
		if (left < 0)
			left = 0;
		long l = (long)left;
		snprintf(line, sizeof line, "%s%s / %s  %3d%%  %s/s  ETA "
		         "%ld:%02ld:%02ld", p->up ? "sent " : "", got, total, (int)((double)p->got * 100 / (double)p->total),
		         rate, l / 3600, l / 60 % 60, l % 60);
	} else {
		snprintf(line, sizeof line, "%s%s  %s/s", p->up ? "sent " : "",
		         got, rate);
	}
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->shown = 1;
}

static void
update(struct progress *p, uint64_t got, int64_t total, int up)
{
	if (!p->enabled)
		return;
	p->up = up;
	p->got = got;
	p->total = total;
	nk_time now = nk_now();
	/* Only a transfer that lasts over a second, four times a second. */
	if (now - p->start < 1000000 || now - p->last < 250000)
		return;
	p->last = now;
	draw(p, now);
}

void
progress_update(struct progress *p, uint64_t got, int64_t total)
{
	update(p, got, total, 0);
}

void
progress_upload(struct progress *p, uint64_t sent, int64_t total)
{
	update(p, sent, total, 1);
}

void
progress_end(struct progress *p)
{
	if (!p->enabled || !p->shown)
		return;
	draw(p, nk_now());
	fputc('\n', stderr);
	p->shown = 0;
}
