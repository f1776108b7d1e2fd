/* URL globbing (glob.h). A URL is cut into parts: literal text, and
 * patterns that each take one of n values. URL k is a number written in
 * mixed radix, one digit a pattern, the rightmost the least significant:
 * curl's order, so nothing is kept per URL. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/buf.h"
#include "nk/err.h"
#include "glob.h"

enum kind { P_TEXT, P_SET, P_NUM, P_ALPHA };

struct part {
	enum kind kind;
	char *text;                 /* P_TEXT */
	char **set;                 /* P_SET: n strings */
	size_t n;                   /* the number of values (1 for P_TEXT) */
	size_t stride;              /* URLs one step of this part spans */
	unsigned long long min, step;
	int width;                  /* P_NUM: zero-padded to this many digits */
};

struct glob {
	struct part *p;
	size_t np, count;
};

struct parser {
	const char *url;
	struct glob *g;
	char *errmsg;
	size_t errlen;
};

static int
fail(struct parser *ps, const char *what, const char *at)
{
	snprintf(ps->errmsg, ps->errlen, "%s in URL position %zu: %s", what,
	         (size_t)(at - ps->url) + 1, ps->url);
	return NK_ERR_URL_MALFORMAT;
}

static struct part *
add_part(struct parser *ps, enum kind kind)
{
	struct glob *g = ps->g;
	struct part *np = realloc(g->p, (g->np + 1) * sizeof *np);
	if (!np)
		return NULL;
	g->p = np;
	memset(&np[g->np], 0, sizeof *np);
	np[g->np].kind = kind;
	np[g->np].n = 1;
	return &np[g->np++];
}

static int
flush_text(struct parser *ps, nk_buf *text)
{
	if (!text->len && !text->err)
		return 0;
	char *s = nk_buf_take(text);
	struct part *p = s ? add_part(ps, P_TEXT) : NULL;
	if (!p) {
		free(s);
		return NK_ERR_OUT_OF_MEMORY;
	}
	p->text = s;
	return 0;
}

/* {a,b,c} at *pp (the brace); *pp moves past the closing brace. */
static int
parse_set(struct parser *ps, const char **pp)
{
	const char *open = *pp, *s = open + 1;
	struct part *p = add_part(ps, P_SET);
	if (!p)
		return NK_ERR_OUT_OF_MEMORY;
	p->n = 0;
	nk_buf el = NK_BUF_INIT(0);
	for (;; s++) {
		if (*s == '\0') {
			nk_buf_free(&el);
			return fail(ps, "unmatched brace", open);
		}
		if (*s == '{' || *s == '[') {
			nk_buf_free(&el);
			return fail(ps, "nested brace", s);
		}
		if (*s == ']') {
			nk_buf_free(&el);
			return fail(ps, "unexpected close bracket", s);
		}
		if (*s == ',' || *s == '}') {
			if (*s == '}' && p->n == 0 && el.len == 0) {
				nk_buf_free(&el);
				return fail(ps, "empty string within braces", s);
			}
			char **ns = realloc(p->set, (p->n + 1) * sizeof *ns);
			char *e = nk_buf_take(&el);
			if (ns)
				p->set = ns;
			if (!ns || !e) {
				free(e);
				return NK_ERR_OUT_OF_MEMORY;
			}
			p->set[p->n++] = e;
			if (*s == '}')
				break;
			continue;
		}
		if (*s == '\\' && s[1])
			s++;
		nk_buf_addc(&el, *s);
	}
	*pp = s + 1;
	return 0;
}

/* [::1] or [fe80::1%25eth0] is an IPv6 address, not a range: its length
 * up to and with the ], or 0. */
static size_t
ipv6_len(const char *s)
{
	const char *q = s + 1;
	int colon = 0;
	while (isxdigit((unsigned char)*q) || *q == ':' || *q == '.')
		colon |= *q++ == ':';
	if (*q == '%')
		while (isalnum((unsigned char)*q) || (*q && strchr("%-._~", *q)))
			q++;
	return colon && *q == ']' ? (size_t)(q - s) + 1 : 0;
}

/* Decimal digits at *pp (at least one, no sign or space), which move on. */
static int
number(const char **pp, unsigned long long *v)
{
	if (!isdigit((unsigned char)**pp))
		return -1;
	char *end;
	errno = 0;
	*v = strtoull(*pp, &end, 10);
	*pp = end;
	return errno ? -1 : 0;
}

/* [1-10], [01-10:3], [a-z:2] at *pp (the bracket). */
static int
parse_range(struct parser *ps, const char **pp)
{
	const char *open = *pp, *s = open + 1;
	unsigned long long min, max, step = 1;
	int width = 0;
	enum kind kind;
	if (isalpha((unsigned char)s[0]) && s[1] == '-' &&
	    isalpha((unsigned char)s[2])) {
		kind = P_ALPHA;
		min = (unsigned char)s[0];
		max = (unsigned char)s[2];
		if (!!islower((int)min) != !!islower((int)max))
			return fail(ps, "bad range", open);
		s += 3;
	} else {
		kind = P_NUM;
		if (s[0] == '0')
			width = (int)strspn(s, "0123456789");
		if (number(&s, &min) || *s++ != '-' || number(&s, &max))
			return fail(ps, "bad range", open);
	}
	if (*s == ':') {
		s++;
		if (number(&s, &step))
			return fail(ps, "bad range", open);
	}
	/* curl refuses a step beyond the range, but for the default one. */
	if (*s != ']' || min > max || step == 0 ||
	    (step > 1 && step > max - min))
		return fail(ps, "bad range", open);
	unsigned long long n = (max - min) / step;
	if (n >= GLOB_MAX_URLS)
		return fail(ps, "range overflow (more than 100000 URLs)", open);
	struct part *p = add_part(ps, kind);
	if (!p)
		return NK_ERR_OUT_OF_MEMORY;
	p->n = (size_t)n + 1;
	p->min = min;
	p->step = step;
	p->width = width;
	*pp = s + 1;
	return 0;
}

/* The strides, and the count checked against the limit. */
static int
count_urls(struct parser *ps)
{
	struct glob *g = ps->g;
	size_t total = 1;
	for (size_t i = g->np; i-- > 0;) {
		g->p[i].stride = total;
		if (g->p[i].n > GLOB_MAX_URLS / total)
			return fail(ps, "range overflow (more than 100000 URLs)",
			            ps->url + strlen(ps->url));
		total *= g->p[i].n;
	}
	g->count = total;
	return 0;
}

static int
parse(struct parser *ps)
{
	nk_buf text = NK_BUF_INIT(0);
	const char *s = ps->url;
	int e = 0;
	while (*s && !e) {
		size_t v6;
		if (*s == '\\' && s[1] && strchr("[]{}", s[1])) {
			nk_buf_addc(&text, s[1]);
			s += 2;
		} else if (*s == '[' && (v6 = ipv6_len(s)) != 0) {
			nk_buf_add(&text, s, v6);
			s += v6;
		} else if (*s == '{' || *s == '[') {
			e = flush_text(ps, &text);
			if (!e)
				e = *s == '{' ? parse_set(ps, &s) : parse_range(ps, &s);
		} else if (*s == '}' || *s == ']') {
			e = fail(ps, "unmatched close brace/bracket", s);
		} else {
			nk_buf_addc(&text, *s++);
		}
	}
	if (!e)
		e = flush_text(ps, &text);
	nk_buf_free(&text);
	return e ? e : count_urls(ps);
}

int
glob_parse(const char *url, struct glob **out, char *errmsg, size_t errlen)
{
	struct glob *g = calloc(1, sizeof *g);
	if (!g)
		return NK_ERR_OUT_OF_MEMORY;
	struct parser ps = { url, g, errmsg, errlen };
	int e = parse(&ps);
	if (e == NK_ERR_OUT_OF_MEMORY)
		snprintf(errmsg, errlen, "out of memory");
	if (e) {
		glob_free(g);
		return e;
	}
	*out = g;
	return 0;
}

size_t
glob_count(const struct glob *g)
{
	return g->count;
}

/* Part p's value in URL k. */
static void
add_value(nk_buf *b, const struct part *p, size_t k)
{
	size_t d = (k / p->stride) % p->n;
	switch (p->kind) {
	case P_TEXT:
		nk_buf_adds(b, p->text);
		break;
	case P_SET:
		nk_buf_adds(b, p->set[d]);
		break;
	case P_NUM:
		nk_buf_printf(b, "%0*llu", p->width, p->min + d * p->step);
		break;
	case P_ALPHA:
		nk_buf_addc(b, (char)(p->min + d * p->step));
		break;
	}
}

char *
glob_url(const struct glob *g, size_t k)
{
	nk_buf b = NK_BUF_INIT(0);
	for (size_t i = 0; i < g->np; i++)
		add_value(&b, &g->p[i], k);
	return nk_buf_take(&b);
}

/* The Nth pattern (1-based, literal text not counted), or NULL. */
static const struct part *
pattern(const struct glob *g, unsigned long nth)
{
	for (size_t i = 0; i < g->np; i++)
		if (g->p[i].kind != P_TEXT && --nth == 0)
			return &g->p[i];
	return NULL;
}

char *
glob_name(const struct glob *g, size_t k, const char *name)
{
	nk_buf b = NK_BUF_INIT(0);
	const char *s = name;
	while (*s) {
		const struct part *p = NULL;
		char *end = NULL;
		if (s[0] == '#' && isdigit((unsigned char)s[1])) {
			errno = 0;
			unsigned long nth = strtoul(s + 1, &end, 10);
			if (!errno && nth)
				p = pattern(g, nth);
		}
		if (p) {
			add_value(&b, p, k);
			s = end;
		} else {
			nk_buf_addc(&b, *s++);
		}
	}
	return nk_buf_take(&b);
}

void
glob_free(struct glob *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->np; i++) {
		free(g->p[i].text);
		for (size_t j = 0; g->p[i].kind == P_SET && j < g->p[i].n; j++)
			free(g->p[i].set[j]);
		free(g->p[i].set);
	}
	free(g->p);
	free(g);
}
