/* Fuzz target: the -w/--write-out format of nk-http (cmd/http/writeout.c:
 * writeout_set, writeout_print), over a made-up transfer whose response
 * head comes from the input too.
 *
 * Input: 4 bytes of options, then NUL-separated: the format, the URL, the
 * error message, and the response head (the rest).
 *   [0] bits 0-1: the format: as given (0, 3), "%{json}" (1) or
 *       "%{header_json}" (2); bit 2 the transfer failed (exit code 56);
 *       bit 3 two hops (a redirect); bit 4 TLS; bit 5 one connect attempt
 *       that failed
 *   [1..3] unused
 *
 * A format starting with '@' would name a file to read: its first byte is
 * replaced. stdout and stderr go to memory. Checks: a format with neither
 * '%' nor '\' prints itself exactly; %{json} and %{header_json} print one
 * valid JSON value in valid UTF-8 (checked by a small validator here). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "nk/fetch.h"
#include "nk/http.h"
#include "http.h"
#include "fuzz.h"

/* ---- a strict JSON validator (RFC 8259), enough to say yes or no ---- */

struct js {
	const char *p, *end;
	int depth;
};

static void
ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	                         *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int value(struct js *j);

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlong form, no
 * surrogate, nothing past U+10FFFF), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t left)
{
	size_t n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (p[0] < 0xc2 || p[0] > 0xf4 || n > left)
		return 0;
	uint32_t cp = p[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static int
string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    !strchr("0123456789abcdefABCDEF", j->p[i]) ||
					    !j->p[i])
						return 0;
				j->p += 5;
				continue;
			}
			if (!*j->p || !strchr("\"\\/bfnrt", *j->p))
				return 0;
		}
		if (c >= 0x80) {
			/* JSON text is UTF-8 (RFC 8259 §8.1): a raw byte must
			 * start a valid sequence */
			size_t n = utf8_len((const unsigned char *)j->p,
			                    (size_t)(j->end - j->p));
			if (n == 0)
				return 0;
			j->p += n;
			continue;
		}
		j->p++;
	}
	if (j->p >= j->end)
		return 0;
	j->p++;
	return 1;
}

static int
number(struct js *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return 0;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int
lit(struct js *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int
members(struct js *j, char close, int obj)
{
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 1;
	}
	for (;;) {
		ws(j);
		if (obj) {
			if (!string(j))
				return 0;
			ws(j);
			if (j->p >= j->end || *j->p != ':')
				return 0;
			j->p++;
		}
		if (!value(j))
			return 0;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 1;
		}
		return 0;
	}
}

static int
value(struct js *j)
{
	int ok;
	ws(j);
	if (j->p >= j->end || ++j->depth > 64)
		return 0;
	switch (*j->p) {
	case '{': ok = members(j, '}', 1); break;
	case '[': ok = members(j, ']', 0); break;
	case '"': ok = string(j); break;
	case 't': ok = lit(j, "true"); break;
	case 'f': ok = lit(j, "false"); break;
	case 'n': ok = lit(j, "null"); break;
	default: ok = number(j); break;
	}
	j->depth--;
	return ok;
}

static int
valid_json(const char *s, size_t n)
{
	struct js j = { s, s + n, 0 };
	if (!value(&j))
		return 0;
	ws(&j);
	return j.p == j.end;
}

/* ---- the made-up transfer ------------------------------------------ */

static void
fill_hop(nk_fetch_hop *h, const char *url, int tls, int failed_attempt)
{
	memset(h, 0, sizeof *h);
	h->url = (char *)(uintptr_t)url;
	snprintf(h->method, sizeof h->method, "GET");
	snprintf(h->remote_ip, sizeof h->remote_ip, "127.0.0.1");
	h->remote_port = 8080;
	snprintf(h->local_ip, sizeof h->local_ip, "127.0.0.1");
	h->local_port = 40000;
	h->start = 1000000;
	h->namelookup = 1000100;
	h->connect = 1000200;
	h->appconnect = tls ? 1000300 : 0;
	h->pretransfer = 1000400;
	h->starttransfer = 1000500;
	h->end = 1000600;
	h->tls = tls;
	if (tls) {
		snprintf(h->tls_version, sizeof h->tls_version, "TLSv1.3");
		snprintf(h->tls_cipher, sizeof h->tls_cipher,
		         "TLS_AES_256_GCM_SHA384");
		h->tls_verify_ok = 1;
	}
	h->net.nattempts = 1;
	nk_attempt *a = &h->net.attempts[0];
	snprintf(a->addr, sizeof a->addr, "127.0.0.1");
	a->port = 8080;
	a->family = 4;
	a->start = 1000100;
	a->end = 1000200;
	if (failed_attempt) {
		a->err = NK_ERR_COULDNT_CONNECT;
		snprintf(a->why, sizeof a->why, "Connection refused");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in);
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);
	(void)fuzz_u8(&in);
	const uint8_t *f;
	size_t n;

	n = fuzz_field(&in, 0, &f);
	char *format = fuzz_strdup(f, n);
	if (format[0] == '@')
		format[0] = '#';
	if ((flags & 3) == 1) {
		free(format);
		format = fuzz_strdup("%{json}", 7);
	} else if ((flags & 3) == 2) {
		free(format);
		format = fuzz_strdup("%{header_json}", 14);
	}
	n = fuzz_field(&in, 0, &f);
	char *url = fuzz_strdup(f, n);
	n = fuzz_field(&in, 0, &f);
	char *errormsg = fuzz_strdup(f, n);
	char *head = fuzz_dup(in.p, in.n);

	struct nk_http_header hdrs[64];
	struct nk_http_parser p = { 0 };
	struct nk_http_response res = { .headers = hdrs, .max_headers = 64 };
	if (nk_http_parse_response(&p, head, in.n, &res, NULL) != NK_OK ||
	    res.head_len == 0)
		memset(&res, 0, sizeof res);

	nk_fetch_hop hops[2];
	nk_fetch_result r;
	memset(&r, 0, sizeof r);
	size_t nh = flags & 8 ? 2 : 1;
	for (size_t i = 0; i < nh; i++)
		fill_hop(&hops[i], url, flags & 16, flags & 32);
	nk_fetch_hop *last = &hops[nh - 1];
	last->status = res.status;
	last->minor_version = res.minor_version;
	last->head = res.head_len ? head : NULL;
	last->head_len = res.head_len;
	last->headers = res.head_len ? hdrs : NULL;
	last->num_headers = res.num_headers;
	if (nh == 2)
		hops[0].location = url;
	r.hops = hops;
	r.nhops = nh;
	r.start = 999000;
	r.end = 1000700;
	r.size_download = 12345;
	r.size_header = res.head_len;
	r.num_connects = 1;

	struct wo_info w = { 0 };
	w.res = &r;
	w.url = url;
	w.urlnum = 0;
	w.filename = NULL;
	w.exitcode = flags & 4 ? 56 : 0;
	w.errormsg = errormsg;
	w.referer = NULL;

	char *out = NULL, *err = NULL;
	size_t outlen = 0, errlen = 0;
	FILE *so = stdout, *se = stderr;
	stdout = open_memstream(&out, &outlen);
	stderr = open_memstream(&err, &errlen);
	FUZZ_CHECK(stdout && stderr, "open_memstream");
	char *fmt = NULL;
	int rc = writeout_set(format, &fmt);
	w.format = fmt;
	if (rc == 0)
		writeout_print(&w);
	fclose(stdout);
	fclose(stderr);
	stdout = so;
	stderr = se;
	FUZZ_CHECK(rc == 0, "writeout_set refused \"%s\": %d", format, rc);

	if (!strchr(format, '%') && !strchr(format, '\\'))
		FUZZ_CHECK(outlen == strlen(format) && memcmp(out, format, outlen)
		           == 0, "a plain format did not print itself");
	if ((flags & 3) == 1 || (flags & 3) == 2)
		FUZZ_CHECK(valid_json(out, outlen), "%s printed invalid JSON: "
		           "%.*s", format, (int)(outlen > 2000 ? 2000 : outlen),
		           out);
	free(fmt);
	free(out);
	free(err);
	free(format);
	free(url);
	free(errormsg);
	free(head);
	return 0;
}
