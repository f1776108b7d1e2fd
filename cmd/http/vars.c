/* curl's command-line variables. Names are [A-Za-z0-9_]{1,127}; values
 * are bytes (a file may hold NUL, which only an encoding function may
 * carry into an argument). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/buf.h"
#include "nk/err.h"
#include "tool.h"
#include "data.h"
#include "vars.h"

#define NAME_MAX_LEN 127

static int
is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

static size_t
name_len(const char *s)
{
	size_t n = 0;
	while (is_alnum(s[n]) || s[n] == '_')
		n++;
	return n;
}

static struct var *
find(const struct vars *vs, const char *name, size_t len)
{
	for (size_t i = 0; i < vs->n; i++)
		if (strlen(vs->v[i].name) == len &&
		    memcmp(vs->v[i].name, name, len) == 0)
			return &vs->v[i];
	return NULL;
}

/* Takes val (malloc'd, len bytes and a NUL) in any case. */
static int
put(struct vars *vs, const char *name, size_t nlen, char *val, size_t len)
{
	struct var *v = find(vs, name, nlen);
	if (!v) {
		struct var *nv = realloc(vs->v, (vs->n + 1) * sizeof *nv);
		char *nm = strndup(name, nlen);
		if (!nv || !nm) {
			if (nv)
				vs->v = nv;
			free(nm);
			free(val);
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		}
		vs->v = nv;
		v = &vs->v[vs->n++];
		v->name = nm;
		v->val = NULL;
	}
	free(v->val);
	v->val = val;
	v->len = len;
	return 0;
}

/* curl 8.12's NAME[N-M]: bytes N to M (inclusive; M left out: to the
 * end) of the value are kept. */
struct range {
	uint64_t start, end;
};

/* The range at *pp, which moves past it; none leaves it whole. Returns
 * -1 for a malformed one (curl's syntax error). */
static int
parse_range(const char **pp, struct range *r)
{
	const char *p = *pp;
	r->start = 0;
	r->end = INT64_MAX;
	if (p[0] != '[' || !isdigit((unsigned char)p[1]))
		return 0;
	char *end;
	errno = 0;
	r->start = strtoull(p + 1, &end, 10);
	if (errno || r->start > INT64_MAX || *end != '-')
		return -1;
	p = end + 1;
	if (*p != ']') {
		if (!isdigit((unsigned char)*p))
			return -1;
		r->end = strtoull(p, &end, 10);
		if (errno || r->end > INT64_MAX || *end != ']')
			return -1;
		p = end;
	}
	if (r->start > r->end)
		return -1;
	*pp = p + 1;
	return 0;
}

/* Cuts val (len bytes) to the range, in place; the new length. */
static size_t
cut(char *val, size_t len, const struct range *r)
{
	if (r->start >= len) {
		val[0] = '\0';
		return 0;
	}
	size_t n = (size_t)((r->end >= len - 1 ? len - 1 : r->end) - r->start) + 1;
	memmove(val, val + r->start, n);
	val[n] = '\0';
	return n;
}

static int
set_text(struct vars *vs, const char *name, size_t nlen, const char *s,
         const struct range *r)
{
	char *val = strdup(s);
	if (!val)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	return put(vs, name, nlen, val, cut(val, strlen(s), r));
}

static int
set_file(struct vars *vs, const char *name, size_t nlen, const char *path,
         const struct range *r)
{
	nk_buf b = NK_BUF_INIT(0);
	char errmsg[NK_ERR_MSG_LEN];
	nk_err e = data_read_source(path, &b, errmsg);
	size_t len = b.len;
	char *val = e ? NULL : nk_buf_take(&b);
	if (!e && !val)
		e = NK_ERR_OUT_OF_MEMORY;
	if (e) {
		nk_buf_free(&b);
		return tool_fail(e, e == NK_ERR_OUT_OF_MEMORY ? NULL : errmsg);
	}
	return put(vs, name, nlen, val, cut(val, len, r));
}

int
vars_set(struct vars *vs, const char *arg)
{
	static const struct range whole = { 0, INT64_MAX };
	int import = *arg == '%';
	const char *name = arg + import;
	size_t nlen = name_len(name);
	const char *rest = name + nlen;
	const char *env = NULL;
	struct range r;
	if (nlen == 0 || nlen > NAME_MAX_LEN) {
		tool_msg("warning: bad variable name length (%zu), skipping", nlen);
		return 0;
	}
	if (import) {
		char *nm = strndup(name, nlen);
		if (!nm)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		env = getenv(nm);
		free(nm);
		if (!env && !*rest) {
			tool_msg("variable '%.*s' import fail, not set", (int)nlen,
			         name);
			return NK_ERR_FAILED_INIT;
		}
	}
	if (parse_range(&rest, &r)) {
		tool_msg("option --variable: syntax error in --variable argument");
		return NK_ERR_FAILED_INIT;
	}
	/* As in curl, a value from the environment is kept whole. */
	if (env)
		return set_text(vs, name, nlen, env, &whole);
	if (*rest == '=')
		return set_text(vs, name, nlen, rest + 1, &r);
	if (*rest == '@')
		return set_file(vs, name, nlen, rest + 1, &r);
	tool_msg("warning: bad --variable syntax, skipping: %s", arg);
	return 0;
}

/* Each function reads in[0..len) and appends to out. */
static int
fn_trim(nk_buf *out, const char *in, size_t len)
{
	while (len && isspace((unsigned char)*in)) {
		in++;
		len--;
	}
	while (len && isspace((unsigned char)in[len - 1]))
		len--;
	return nk_buf_add(out, in, len);
}

/* curl's JSON string escaping: quotes, backslash, the C escapes, other
 * controls as \u00XX; every other byte as it is. */
static int
fn_json(nk_buf *out, const char *in, size_t len)
{
	int r = 0;
	for (size_t i = 0; i < len && !r; i++) {
		unsigned char ch = (unsigned char)in[i];
		const char *esc = NULL;
		char hex[8];
		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (ch < 0x20) {
				snprintf(hex, sizeof hex, "\\u%04x", ch);
				esc = hex;
			}
		}
		r = esc ? nk_buf_add(out, esc, strlen(esc))
		        : nk_buf_add(out, in + i, 1);
	}
	return r;
}

/* Percent-encoding of all but the unreserved A-Z a-z 0-9 - . _ ~, in
 * upper case (curl_easy_escape's). */
static int
fn_url(nk_buf *out, const char *in, size_t len)
{
	static const char hexd[] = "0123456789ABCDEF";
	int r = 0;
	for (size_t i = 0; i < len && !r; i++) {
		unsigned char ch = (unsigned char)in[i];
		if (is_alnum(in[i]) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~') {
			r = nk_buf_add(out, in + i, 1);
		} else {
			char e[3] = { '%', hexd[ch >> 4], hexd[ch & 15] };
			r = nk_buf_add(out, e, 3);
		}
	}
	return r;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
fn_b64(nk_buf *out, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *)in;
	int r = 0;
	size_t i = 0;
	for (; i + 3 <= len && !r; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 |
		                  (unsigned long)p[i + 1] << 8 | p[i + 2];
		char q[4] = { b64chars[v >> 18], b64chars[(v >> 12) & 63],
		              b64chars[(v >> 6) & 63], b64chars[v & 63] };
		r = nk_buf_add(out, q, 4);
	}
	if (!r && i < len) {
		/* One or two bytes left: padded with '='. */
		int two = len - i == 2;
		unsigned long v = (unsigned long)p[i] << 16 |
		                  (two ? (unsigned long)p[i + 1] << 8 : 0);
		char q[4] = { b64chars[v >> 18], b64chars[(v >> 12) & 63],
		              two ? b64chars[(v >> 6) & 63] : '=', '=' };
		r = nk_buf_add(out, q, 4);
	}
	return r;
}

/* Strict base64 (groups of four, '=' only at the end); what does not
 * decode becomes "[64dec-fail]", as in curl. */
static int
fn_64dec(nk_buf *out, const char *in, size_t len)
{
	size_t start = out->len;
	int bad = len % 4 != 0;
	for (size_t i = 0; i < len && !bad; i += 4) {
		unsigned long v = 0;
		int pad = 0;
		for (size_t k = 0; k < 4; k++) {
			const char *c = in[i + k] ? strchr(b64chars, in[i + k]) : NULL;
			if (in[i + k] == '=' && i + 4 == len && k >= 2 &&
			    (k == 3 || in[i + 3] == '='))
				pad++;
			else if (!c || pad)
				bad = 1;
			v = v << 6 | (c ? (unsigned long)(c - b64chars) : 0);
		}
		char d[3] = { (char)(v >> 16), (char)(v >> 8), (char)v };
		if (!bad && nk_buf_add(out, d, (size_t)(3 - pad)))
			return -1;
	}
	if (!bad)
		return 0;
	nk_buf_cut(out, out->len - start);
	return nk_buf_adds(out, "[64dec-fail]");
}

static const struct {
	const char *name;
	int (*fn)(nk_buf *, const char *, size_t);
} fns[] = {
	{ "trim", fn_trim }, { "json", fn_json }, { "url", fn_url },
	{ "b64", fn_b64 }, { "64dec", fn_64dec },
};

/* Applies ":fn:fn" (flen bytes at f) to the value, left to right, into
 * *val (malloc'd); vlen its length. */
static int
apply(const char *f, size_t flen, char **val, size_t *vlen)
{
	for (size_t i = 0; i < flen;) {
		size_t j = i + 1, k;
		while (j < flen && f[j] != ':')
			j++;
		for (k = 0; k < NK_ARRAY_LEN(fns); k++)
			if (strlen(fns[k].name) == j - i - 1 &&
			    memcmp(fns[k].name, f + i + 1, j - i - 1) == 0)
				break;
		if (k == NK_ARRAY_LEN(fns)) {
			tool_msg("unknown variable function in '%.*s'", (int)flen, f);
			return NK_ERR_FAILED_INIT;
		}
		nk_buf b = NK_BUF_INIT(0);
		fns[k].fn(&b, *val, *vlen);
		size_t len = b.len;
		char *nv = nk_buf_take(&b);
		if (!nv)
			return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
		free(*val);
		*val = nv;
		*vlen = len;
		i = j;
	}
	return 0;
}

/* One {{...}} whose inside is s[0..len): its expansion appended to out. */
static int
expand_one(const struct vars *vs, const char *s, size_t len,
           nk_buf *out)
{
	const char *colon = memchr(s, ':', len);
	size_t nlen = colon ? (size_t)(colon - s) : len;
	const struct var *v = find(vs, s, nlen);
	size_t vlen = v ? v->len : 0;
	char *val = malloc(vlen + 1);
	if (!val)
		return tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	if (vlen)
		memcpy(val, v->val, vlen);
	val[vlen] = '\0';
	int e = colon ? apply(colon, len - nlen, &val, &vlen) : 0;
	if (!e && memchr(val, '\0', vlen)) {
		tool_msg("variable contains null byte");
		e = NK_ERR_FAILED_INIT;
	}
	if (!e && nk_buf_add(out, val, vlen))
		e = tool_fail(NK_ERR_OUT_OF_MEMORY, NULL);
	free(val);
	return e;
}

/* The text between "{{" and "}}" when it is no variable reference: kept
 * as it is, with curl's warning. */
static int
bad_name(const char *in, const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	size_t nlen = colon ? (size_t)(colon - s) : len;
	if (nlen == 0 || nlen > NAME_MAX_LEN)
		tool_msg("warning: bad variable name length '%s'", in);
	else if (name_len(s) < nlen)
		tool_msg("warning: bad variable name: %.*s", (int)nlen, s);
	else
		return 0;
	return 1;
}

int
vars_expand(const struct vars *vs, const char *in, char **out)
{
	nk_buf b = NK_BUF_INIT(0);
	const char *p = in;
	int added = 0, e = 0;
	*out = NULL;
	for (const char *o; !e && (o = strstr(p, "{{"));) {
		if (o > p && o[-1] == '\\') {
			e = nk_buf_add(&b, p, (size_t)(o - p - 1)) ||
			    nk_buf_add(&b, "{{", 2);
			p = o + 2;
			continue;
		}
		const char *c = strstr(o + 2, "}}");
		if (!c) {
			tool_msg("warning: missing close '}}' in '%s'", in);
			break;
		}
		size_t len = (size_t)(c - o - 2);
		if (bad_name(in, o + 2, len)) {
			e = nk_buf_add(&b, p, (size_t)(c + 2 - p));
		} else {
			e = nk_buf_add(&b, p, (size_t)(o - p));
			if (!e && (e = expand_one(vs, o + 2, len, &b)) != 0) {
				nk_buf_free(&b);
				return e;
			}
			added = 1;
		}
		p = c + 2;
	}
	if (!e && added) {
		nk_buf_adds(&b, p);
		*out = nk_buf_take(&b);
		e = !*out;
	}
	nk_buf_free(&b);
	return e ? tool_fail(NK_ERR_OUT_OF_MEMORY, NULL) : 0;
}

void
vars_free(struct vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].val);
	}
	free(vs->v);
	memset(vs, 0, sizeof *vs);
}
