/* The URL parser against the WHATWG URL Standard's conformance data: every
 * case of the web-platform-tests file tests/data/urltestdata.json, read
 * with the small JSON reader below (test_url.c has nk's own tables). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "nk/url.h"

#define NK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a minimal JSON reader (enough for urltestdata.json) ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	int b;
	char *s;            /* J_STR: UTF-8, may hold NUL bytes */
	size_t n;           /* J_STR: length */
	struct jv *items;   /* J_ARR: elements; J_OBJ: key, value, key, ... */
	size_t count;
};

struct jp {
	const char *p, *end;
	const char *err;
};

static void
jws(struct jp *j)
{
	while (j->p < j->end &&
	       (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static void
put_utf8(char **out, size_t *n, size_t *cap, uint32_t c)
{
	if (*n + 4 >= *cap) {
		*cap = *cap * 2 + 16;
		*out = realloc(*out, *cap);
		assert_non_null(*out);
	}
	char *o = *out + *n;
	if (c < 0x80) {
		o[0] = (char)c;
		*n += 1;
	} else if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		*n += 2;
	} else if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		*n += 3;
	} else {
		o[0] = (char)(0xF0 | (c >> 18));
		o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[3] = (char)(0x80 | (c & 0x3F));
		*n += 4;
	}
}

static int
hex4(struct jp *j, uint32_t *v)
{
	*v = 0;
	if (j->end - j->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* A string, after its opening quote. Lone surrogates become U+FFFD, as a
 * JavaScript string does when it becomes a URL's USVString. */
static int
jstring(struct jp *j, struct jv *v)
{
	char *out = NULL;
	size_t n = 0, cap = 0;

	put_utf8(&out, &n, &cap, 0);
	n = 0;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		if (c != '\\') {
			if (n + 1 >= cap) {
				cap = cap * 2 + 16;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			out[n++] = (char)c;
			continue;
		}
		if (j->p >= j->end)
			break;
		c = (unsigned char)*j->p++;
		uint32_t u, lo;
		switch (c) {
		case '"': case '\\': case '/':
			put_utf8(&out, &n, &cap, c);
			break;
		case 'b': put_utf8(&out, &n, &cap, '\b'); break;
		case 'f': put_utf8(&out, &n, &cap, '\f'); break;
		case 'n': put_utf8(&out, &n, &cap, '\n'); break;
		case 'r': put_utf8(&out, &n, &cap, '\r'); break;
		case 't': put_utf8(&out, &n, &cap, '\t'); break;
		case 'u':
			if (hex4(j, &u)) {
				j->err = "bad \\u escape";
				free(out);
				return -1;
			}
			if (u >= 0xD800 && u <= 0xDBFF && j->end - j->p >= 6 &&
			    j->p[0] == '\\' && j->p[1] == 'u') {
				const char *save = j->p;
				j->p += 2;
				if (hex4(j, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF)
					u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				else
					j->p = save;
			}
			if (u >= 0xD800 && u <= 0xDFFF)
				u = 0xFFFD;
			put_utf8(&out, &n, &cap, u);
			break;
		default:
			j->err = "bad escape";
			free(out);
			return -1;
		}
	}
	if (j->p >= j->end) {
		j->err = "unterminated string";
		free(out);
		return -1;
	}
	j->p++;
	out[n] = '\0';
	v->t = J_STR;
	v->s = out;
	v->n = n;
	return 0;
}

static int jvalue(struct jp *j, struct jv *v);

static int
jappend(struct jv *v, struct jv *item, size_t *cap)
{
	if (v->count == *cap) {
		*cap = *cap * 2 + 8;
		v->items = realloc(v->items, *cap * sizeof *v->items);
		assert_non_null(v->items);
	}
	v->items[v->count++] = *item;
	return 0;
}

static int
jvalue(struct jp *j, struct jv *v)
{
	memset(v, 0, sizeof *v);
	jws(j);
	if (j->p >= j->end) {
		j->err = "unexpected end";
		return -1;
	}
	char c = *j->p;
	if (c == '"') {
		j->p++;
		return jstring(j, v);
	}
	if (c == '[' || c == '{') {
		char close = c == '[' ? ']' : '}';
		size_t cap = 0;
		v->t = c == '[' ? J_ARR : J_OBJ;
		j->p++;
		jws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			struct jv item;
			if (v->t == J_OBJ) {
				jws(j);
				if (j->p >= j->end || *j->p != '"') {
					j->err = "object key expected";
					return -1;
				}
				j->p++;
				memset(&item, 0, sizeof item);
				if (jstring(j, &item))
					return -1;
				jappend(v, &item, &cap);
				jws(j);
				if (j->p >= j->end || *j->p++ != ':') {
					j->err = "':' expected";
					return -1;
				}
			}
			if (jvalue(j, &item))
				return -1;
			jappend(v, &item, &cap);
			jws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == close) {
				j->p++;
				return 0;
			}
			j->err = "',' or close expected";
			return -1;
		}
	}
	if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
		j->p += 4;
		v->t = J_NULL;
		return 0;
	}
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		j->p += 4;
		v->t = J_BOOL;
		v->b = 1;
		return 0;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		j->p += 5;
		v->t = J_BOOL;
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		while (j->p < j->end && strchr("+-0123456789.eE", *j->p))
			j->p++;
		v->t = J_NUM;
		return 0;
	}
	j->err = "unexpected character";
	return -1;
}

static void
jfree(struct jv *v)
{
	free(v->s);
	for (size_t i = 0; i < v->count; i++)
		jfree(&v->items[i]);
	free(v->items);
}

static const struct jv *
jget(const struct jv *obj, const char *key)
{
	for (size_t i = 0; i + 1 < obj->count; i += 2)
		if (strcmp(obj->items[i].s, key) == 0)
			return &obj->items[i + 1];
	return NULL;
}

/* ---- helpers ---- */

/* s, printable: control and non-ASCII bytes as \xNN. */
static const char *
esc(const char *s, size_t n, char *buf, size_t size)
{
	size_t w = 0;
	for (size_t i = 0; i < n && w + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f)
			w += (size_t)snprintf(buf + w, size - w, "\\x%02X", c);
		else
			buf[w++] = (char)c;
	}
	buf[w] = '\0';
	return buf;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static nk_err
parse_with(const char *in, size_t inlen, const char *base, size_t baselen,
           nk_url **out, char *msg)
{
	nk_url *b = NULL;
	nk_err e;
	if (base) {
		e = nk_url_parse_buf(base, baselen, NULL, &b, msg);
		if (e)
			return e;
	}
	e = nk_url_parse_buf(in, inlen, b, out, msg);
	nk_url_free(b);
	return e;
}

/* ---- urltestdata.json ---- */

/* Cases this parser does not pass yet, by input and base ("" for null).
 * Each is still run: one that passes is reported so it leaves the list. */
static const struct {
	const char *input, *base;
} known_failures[] = {
	{ NULL, NULL },
};

static int
is_known(const struct jv *input, const struct jv *base)
{
	for (size_t i = 0; i < NK_ARRAY_LEN(known_failures); i++) {
		if (!known_failures[i].input)
			continue;
		const char *kb = known_failures[i].base;
		if (strcmp(known_failures[i].input, input->s) == 0 &&
		    ((base->t == J_NULL && !*kb) ||
		     (base->t == J_STR && strcmp(kb, base->s) == 0)))
			return 1;
	}
	return 0;
}

static const struct {
	const char *field;
	nk_url_part part;
} fields[] = {
	{ "href", NK_URL_HREF }, { "protocol", NK_URL_PROTOCOL },
	{ "username", NK_URL_USERNAME }, { "password", NK_URL_PASSWORD },
	{ "host", NK_URL_HOST }, { "hostname", NK_URL_HOSTNAME },
	{ "port", NK_URL_PORT }, { "pathname", NK_URL_PATHNAME },
	{ "search", NK_URL_SEARCH }, { "hash", NK_URL_HASH },
	{ "origin", NK_URL_ORIGIN },
};

/* Runs one case; returns the number of mismatches, each printed. */
static int
run_case(const struct jv *c, int quiet)
{
	const struct jv *input = jget(c, "input"), *base = jget(c, "base");
	const struct jv *failure = jget(c, "failure");
	const struct jv *rel = jget(c, "relativeTo");
	char msg[NK_ERR_MSG_LEN] = "", e1[512], e2[512], e3[512];
	nk_url *u = NULL;
	int bad = 0;

	assert_non_null(input);
	assert_non_null(base);
	const char *bs = base->t == J_STR ? base->s : NULL;
	nk_err e = parse_with(input->s, input->n, bs, bs ? base->n : 0, &u, msg);
	esc(input->s, input->n, e1, sizeof e1);
	esc(bs ? bs : "null", bs ? base->n : 4, e2, sizeof e2);
	if (failure && failure->b) {
		if (e == NK_OK) {
			if (!quiet)
				printf("# MISMATCH input \"%s\" base \"%s\": expected failure, "
				       "got \"%s\"\n", e1, e2, nk_url_get(u, NK_URL_HREF));
			bad++;
		} else if (e != NK_ERR_URL_MALFORMAT) {
			if (!quiet)
				printf("# MISMATCH input \"%s\": error %d, not %d\n", e1,
				       e, NK_ERR_URL_MALFORMAT);
			bad++;
		}
		nk_url_free(u);
		u = NULL;
		/* The claim relativeTo makes (see tests/data/README.md). */
		if (rel && rel->t == J_STR) {
			static const char *hier[] = { "http://example.org/foo/bar",
			                              "https://example.org/foo/bar" };
			static const char *opaque[] = { "about:blank", "sc:sd" };
			int any = strcmp(rel->s, "any-base") == 0, ok = 0;
			for (size_t i = 0; i < NK_ARRAY_LEN(hier); i++) {
				if (parse_with(input->s, input->n, hier[i], strlen(hier[i]),
				               &u, msg) == NK_OK)
					ok++;
				nk_url_free(u);
				u = NULL;
			}
			for (size_t i = 0; i < NK_ARRAY_LEN(opaque); i++) {
				nk_err oe = parse_with(input->s, input->n, opaque[i],
				                       strlen(opaque[i]), &u, msg);
				nk_url_free(u);
				u = NULL;
				if ((oe == NK_OK) != any) {
					if (!quiet)
						printf("# MISMATCH input \"%s\" against %s: "
						       "relativeTo %s\n", e1, opaque[i], rel->s);
					bad++;
				}
			}
			if (ok == 0 || (any && ok != (int)NK_ARRAY_LEN(hier))) {
				if (!quiet)
					printf("# MISMATCH input \"%s\": relativeTo %s, but "
					       "no hierarchical base works\n", e1, rel->s);
				bad++;
			}
		}
		return bad;
	}
	if (e != NK_OK) {
		if (!quiet)
			printf("# MISMATCH input \"%s\" base \"%s\": failed: %s\n", e1,
			       e2, msg);
		return 1;
	}
	for (size_t i = 0; i < NK_ARRAY_LEN(fields); i++) {
		const struct jv *want = jget(c, fields[i].field);
		if (!want)
			continue;
		const char *got = nk_url_get(u, fields[i].part);
		if (strlen(got) != want->n || memcmp(got, want->s, want->n) != 0) {
			if (!quiet)
				printf("# MISMATCH input \"%s\" base \"%s\" %s: expected "
				       "\"%s\", got \"%s\"\n", e1, e2, fields[i].field,
				       esc(want->s, want->n, e3, sizeof e3), got);
			bad++;
		}
	}
	nk_url_free(u);
	return bad;
}

static void
test_urltestdata(void **state)
{
	(void)state;
	const char *dir = getenv("NK_SRCDIR");
	char path[4096];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/tests/data/urltestdata.json",
	         dir && *dir ? dir : ".");
	char *text = slurp(path, &len);
	if (!text)
		fail_msg("cannot read %s (run from the source tree or set "
		         "NK_SRCDIR)", path);
	struct jp j = { text, text + len, NULL };
	struct jv root;
	if (jvalue(&j, &root))
		fail_msg("%s: JSON error at byte %zu: %s", path,
		         (size_t)(j.p - text), j.err);
	assert_int_equal(root.t, J_ARR);

	int cases = 0, pass = 0, known = 0, unexpected = 0, fixed = 0;
	for (size_t i = 0; i < root.count; i++) {
		const struct jv *c = &root.items[i];
		if (c->t != J_OBJ)
			continue;
		cases++;
		const struct jv *in = jget(c, "input"), *base = jget(c, "base");
		int k = is_known(in, base);
		int bad = run_case(c, k);
		if (bad == 0)
			pass++;
		if (k && bad == 0) {
			char e1[512];
			printf("# known failure now passes (remove it from the list): "
			       "\"%s\"\n", esc(in->s, in->n, e1, sizeof e1));
			fixed++;
		} else if (k) {
			char e1[512];
			printf("# known failure: \"%s\"\n", esc(in->s, in->n, e1,
			                                         sizeof e1));
			known++;
		} else if (bad) {
			unexpected++;
		}
	}
	printf("# figure: urltestdata %d cases: %d pass, %d known failures\n",
	       cases, pass, known);
	jfree(&root);
	free(text);
	assert_int_equal(cases, 891);
	assert_int_equal(unexpected, 0);
	assert_int_equal(fixed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urltestdata),
	};
	return cmocka_run_group_tests_name("url_wpt", tests, NULL, NULL);
}
