/* micro_url: URLs per second through nk_url_parse_buf over corpus files.
 *
 *	micro_url [-q] LABEL=FILE...
 *
 * A corpus file holds one case per line: INPUT, or INPUT TAB BASE, with
 * the escapes \\ \t \n \r \xHH (inputs may hold any byte, and some of the
 * conformance inputs are tabs and newlines). A line starting with '#' is a
 * comment; every other line, an empty one too, is a case.
 *
 * Each case is parsed the way `new URL(input, base)` would be, the base
 * parsed once beforehand (a caller resolving many references against one
 * page does the same). The result is freed inside the timed loop: that is
 * part of what a caller pays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/url.h"
#include "micro.h"

struct ucase {
	char *in;
	size_t len;
	nk_url *base;
};

struct corpus {
	struct ucase *v;
	size_t n, cap;
	size_t bytes;     /* input bytes in all cases */
	size_t nbase;     /* cases with a base */
	size_t nfail;     /* cases that fail to parse */
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes s[0..n) into a new buffer; *outlen gets its length. The buffer
 * is NUL-terminated for the bases, which nk_url_parse reads as strings. */
static char *
unescape(const char *s, size_t n, size_t *outlen)
{
	char *o = malloc(n + 1), *q = o;
	if (!o) {
		perror("malloc");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			*q++ = s[i];
			continue;
		}
		char c = s[++i];
		if (c == 't') {
			*q++ = '\t';
		} else if (c == 'n') {
			*q++ = '\n';
		} else if (c == 'r') {
			*q++ = '\r';
		} else if (c == 'x' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		           hexval(s[i + 2]) >= 0) {
			*q++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*q++ = c;
		}
	}
	*q = '\0';
	*outlen = (size_t)(q - o);
	return o;
}

static void
load(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "micro_url: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	char *line = NULL;
	size_t lcap = 0;
	ssize_t ln;
	char errmsg[NK_ERR_MSG_LEN];
	while ((ln = getline(&line, &lcap, f)) >= 0) {
		size_t n = (size_t)ln;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if (n > 0 && line[0] == '#')
			continue;
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 256;
			c->v = realloc(c->v, c->cap * sizeof *c->v);
			if (!c->v) {
				perror("realloc");
				exit(1);
			}
		}
		struct ucase *uc = &c->v[c->n++];
		char *tab = memchr(line, '\t', n);
		size_t inlen = tab ? (size_t)(tab - line) : n;
		uc->in = unescape(line, inlen, &uc->len);
		uc->base = NULL;
		if (tab) {
			size_t blen;
			char *b = unescape(tab + 1, n - inlen - 1, &blen);
			if (nk_url_parse_buf(b, blen, NULL, &uc->base,
			                     errmsg) != NK_OK) {
				fprintf(stderr, "micro_url: %s: bad base \"%s\": "
				        "%s\n", path, b, errmsg);
				exit(1);
			}
			free(b);
			c->nbase++;
		}
		c->bytes += uc->len;
		nk_url *u;
		if (nk_url_parse_buf(uc->in, uc->len, uc->base, &u,
		                     errmsg) == NK_OK)
			nk_url_free(u);
		else
			c->nfail++;
	}
	free(line);
	fclose(f);
	if (c->n == 0) {
		fprintf(stderr, "micro_url: %s: no cases\n", path);
		exit(1);
	}
}

static double
parse_all(void *arg)
{
	const struct corpus *c = arg;
	char errmsg[NK_ERR_MSG_LEN];
	for (size_t i = 0; i < c->n; i++) {
		nk_url *u;
		if (nk_url_parse_buf(c->v[i].in, c->v[i].len, c->v[i].base,
		                     &u, errmsg) == NK_OK)
			nk_url_free(u);
	}
	return (double)c->n;
}

static void
unload(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].in);
		nk_url_free(c->v[i].base);
	}
	free(c->v);
}

int
main(int argc, char **argv)
{
	int quick;
	int i = micro_args(argc, argv, &quick);
	if (i == argc) {
		fprintf(stderr, "usage: micro_url [-q] LABEL=FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq) {
			fprintf(stderr, "micro_url: want LABEL=FILE, not %s\n",
			        argv[i]);
			return 2;
		}
		*eq = '\0';
		struct corpus c;
		memset(&c, 0, sizeof c);
		load(&c, eq + 1);
		char name[256], note[256];
		snprintf(name, sizeof name, "URL parse: %s", argv[i]);
		double med = micro_run(name, "URL/s", 1, "", parse_all, &c,
		                       quick);
		/* The note goes on a line of its own: the rate is known only
		 * now, and bench/run joins the two. */
		snprintf(note, sizeof note, "%zu inputs (%zu with a base, %zu "
		         "invalid), %.0f B average: %.1f MiB/s, %.0f ns/URL",
		         c.n, c.nbase, c.nfail, (double)c.bytes / (double)c.n,
		         med * (double)c.bytes / (double)c.n / 1048576.0,
		         1e9 / med);
		printf("note\t%s\t%s\n", name, note);
		unload(&c);
	}
	return 0;
}
