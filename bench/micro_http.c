/* micro_http: response-head bytes per second through nk_http_parse_response.
 *
 *	micro_http [-q]
 *
 * Three workloads: a typical 600-byte head (what nginx or a CDN sends for a
 * page), a 64 KiB head (hundreds of cookies and links, the size where
 * parsers' worst habits show), and the same 64 KiB head arriving in
 * 1448-byte pieces (one TCP segment each) with the parser called after
 * each, as a client reading from a socket does. The heads are built here,
 * so the figures do not depend on any file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk/http.h"
#include "micro.h"

struct head {
	char *buf;
	size_t len;
	size_t nfields;
	size_t step;     /* bytes per read; 0: the whole head at once */
	struct nk_http_header hdrs[NK_HTTP_MAX_HEADERS];
};

static void
put(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n > cap) {
		fprintf(stderr, "micro_http: head overflow\n");
		exit(1);
	}
	memcpy(buf + *len, s, n);
	*len += n;
}

/* Ends the head at exactly `want` bytes: a last field whose value pads
 * to the size, then the empty line. */
static void
finish(struct head *h, size_t cap, size_t want)
{
	static const char name[] = "X-Request-Id: ";
	size_t fixed = sizeof name - 1 + 4;    /* name, CRLF, final CRLF */
	if (h->len + fixed + 1 > want || want > cap) {
		fprintf(stderr, "micro_http: cannot pad to %zu\n", want);
		exit(1);
	}
	put(h->buf, cap, &h->len, name);
	size_t pad = want - h->len - 4;
	for (size_t i = 0; i < pad; i++)
		h->buf[h->len++] = "0123456789abcdef"[(i * 7) % 16];
	put(h->buf, cap, &h->len, "\r\n\r\n");
	h->nfields++;
}

static void
typical(struct head *h)
{
	static const char *lines[] = {
		"HTTP/1.1 200 OK\r\n",
		"Server: nginx/1.22.1\r\n",
		"Date: Sat, 21 Nov 2026 10:48:07 GMT\r\n",
		"Content-Type: text/html; charset=utf-8\r\n",
		"Content-Length: 18324\r\n",
		"Connection: keep-alive\r\n",
		"Last-Modified: Thu, 19 Nov 2026 16:02:11 GMT\r\n",
		"ETag: \"6548a1b2-4794\"\r\n",
		"Cache-Control: public, max-age=3600\r\n",
		"Vary: Accept-Encoding\r\n",
		"Strict-Transport-Security: max-age=31536000; "
		"includeSubDomains\r\n",
		"X-Content-Type-Options: nosniff\r\n",
		"X-Frame-Options: SAMEORIGIN\r\n",
		"Set-Cookie: sid=Zx81kQ2pLm0aVb7cR4tYw9; Path=/; HttpOnly; "
		"Secure; SameSite=Lax\r\n",
		"Accept-Ranges: bytes\r\n",
	};
	size_t cap = 600;
	h->buf = malloc(cap);
	h->len = 0;
	h->nfields = 0;
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		put(h->buf, cap, &h->len, lines[i]);
		h->nfields += i > 0;
	}
	finish(h, cap, 600);
}

static void
huge(struct head *h)
{
	size_t cap = 64 * 1024;
	char line[2048];
	h->buf = malloc(cap);
	h->len = 0;
	h->nfields = 0;
	put(h->buf, cap, &h->len, "HTTP/1.1 200 OK\r\n");
	for (unsigned i = 0;; i++) {
		switch (i % 4) {
		case 0:
			snprintf(line, sizeof line, "Set-Cookie: tracker_%u=%08x"
			         "%08x%08x; Domain=.example.com; Path=/; Expires="
			         "Sun, 21 Nov 2027 10:48:07 GMT; Secure; "
			         "SameSite=None\r\n", i, i * 2654435761u,
			         i ^ 0x5bd1e995u, i * 40503u);
			break;
		case 1:
			snprintf(line, sizeof line, "Link: </static/app.%u.js>; "
			         "rel=preload; as=script, </static/app.%u.css>; "
			         "rel=preload; as=style\r\n", i, i);
			break;
		case 2:
			snprintf(line, sizeof line, "X-Amz-Meta-Field-%u: value "
			         "%u of a metadata header\r\n", i, i);
			break;
		default:
			if (i % 64 == 3)
				snprintf(line, sizeof line,
				         "Content-Security-Policy: default-src "
				         "'self'; script-src 'self' https://cdn."
				         "example.com https://www.google-analytics"
				         ".com; img-src * data:; style-src 'self' "
				         "'unsafe-inline'; connect-src 'self' "
				         "https://api.example.com wss://ws.example"
				         ".com; frame-ancestors 'none'; report-uri "
				         "https://csp.example.com/report/%u\r\n", i);
			else
				snprintf(line, sizeof line, "Vary: Accept, "
				         "Accept-Encoding, Origin\r\n");
			break;
		}
		/* Leave room for the padding field and the empty line. */
		if (h->len + strlen(line) + 64 > cap)
			break;
		put(h->buf, cap, &h->len, line);
		h->nfields++;
	}
	finish(h, cap, cap);
}

static double
parse_head(void *arg)
{
	struct head *h = arg;
	char errmsg[NK_ERR_MSG_LEN];
	struct nk_http_parser p;
	struct nk_http_response res;
	memset(&p, 0, sizeof p);
	memset(&res, 0, sizeof res);
	res.headers = h->hdrs;
	res.max_headers = NK_HTTP_MAX_HEADERS;
	size_t have = h->step ? h->step : h->len;
	for (;;) {
		if (have > h->len)
			have = h->len;
		if (nk_http_parse_response(&p, h->buf, have, &res, errmsg)) {
			fprintf(stderr, "micro_http: %s\n", errmsg);
			exit(1);
		}
		if (res.head_len)
			break;
		have += h->step;
	}
	return (double)h->len;
}

/* The figures mean nothing if the parser stopped early or miscounted. */
static void
check(struct head *h)
{
	char errmsg[NK_ERR_MSG_LEN];
	struct nk_http_parser p;
	struct nk_http_response res;
	memset(&p, 0, sizeof p);
	memset(&res, 0, sizeof res);
	res.headers = h->hdrs;
	res.max_headers = NK_HTTP_MAX_HEADERS;
	nk_err e = nk_http_parse_response(&p, h->buf, h->len, &res, errmsg);
	if (e || res.head_len != h->len || res.num_headers != h->nfields ||
	    res.status != 200) {
		fprintf(stderr, "micro_http: head of %zu bytes parsed as %zu "
		        "bytes, %zu of %zu fields, status %d (%s)\n", h->len,
		        res.head_len, res.num_headers, h->nfields, res.status,
		        e ? errmsg : "ok");
		exit(1);
	}
}

static void
run(const char *name, struct head *h, int quick)
{
	char note[256];
	double med = micro_run(name, "MiB/s", 1048576.0, "", parse_head, h,
	                       quick);
	snprintf(note, sizeof note, "%zu B, %zu fields: %.0f heads/s, "
	         "%.0f ns/head", h->len, h->nfields,
	         med * 1048576.0 / (double)h->len,
	         1e9 * (double)h->len / (med * 1048576.0));
	printf("note\t%s\t%s\n", name, note);
}

int
main(int argc, char **argv)
{
	int quick;
	if (micro_args(argc, argv, &quick) != argc) {
		fprintf(stderr, "usage: micro_http [-q]\n");
		return 2;
	}
	static struct head small, big;
	typical(&small);
	huge(&big);
	check(&small);
	check(&big);
	run("HTTP head parse: 600 B typical", &small, quick);
	run("HTTP head parse: 64 KiB", &big, quick);
	big.step = 1448;
	run("HTTP head parse: 64 KiB in 1448 B reads", &big, quick);
	free(small.buf);
	free(big.buf);
	return 0;
}
