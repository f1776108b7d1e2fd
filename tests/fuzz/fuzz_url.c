/* Fuzz target: the URL parser (nk/url.h), alone and against a base.
 *
 * Input: 4 bytes of options, the base, then the input.
 *   [0] flags: bit 0 parse against a base
 *   [1..2] length of the base that follows (big-endian, cut to what is
 *       there); without bit 0 the base bytes are skipped all the same
 *   [3] unused
 *
 * Both are parsed as bytes (nk_url_parse_buf: NUL and invalid UTF-8
 * allowed). When neither holds a NUL, the C-string entry (nk_url_parse with
 * the base as a string) must give the same result. A parsed URL must hand
 * out printable ASCII only, its href must parse again to the very same URL
 * (parse -> serialize -> parse is stable: every part equal), a copy must
 * equal it, and resolving "" against it must give it back without its
 * fragment. */
#include <stdint.h>
#include <string.h>

#include "nk/url.h"
#include "fuzz.h"

static const nk_url_part parts[] = {
	NK_URL_HREF, NK_URL_ORIGIN, NK_URL_PROTOCOL, NK_URL_USERNAME,
	NK_URL_PASSWORD, NK_URL_HOST, NK_URL_HOSTNAME, NK_URL_PORT,
	NK_URL_PATHNAME, NK_URL_SEARCH, NK_URL_HASH,
};
#define NPARTS (sizeof parts / sizeof parts[0])

static void
printable(const char *what, const char *s)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	for (const char *p = s; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e,
		           "%s holds byte 0x%02x: \"%s\"", what, (unsigned char)*p,
		           s);
}

static void
check_msg(const char *msg)
{
	FUZZ_CHECK(msg[0] != '\0', "failure without a message");
	FUZZ_CHECK(strlen(msg) < NK_ERR_MSG_LEN, "message overflows");
	printable("error message", msg);
}

static void
same_url(const nk_url *a, const nk_url *b, const char *what)
{
	for (size_t i = 0; i < NPARTS; i++)
		FUZZ_CHECK(strcmp(nk_url_get(a, parts[i]),
		                  nk_url_get(b, parts[i])) == 0,
		           "%s: part %d \"%s\" vs \"%s\"", what, (int)parts[i],
		           nk_url_get(a, parts[i]), nk_url_get(b, parts[i]));
	FUZZ_CHECK(nk_url_port(a) == nk_url_port(b) &&
	           nk_url_host_kind_of(a) == nk_url_host_kind_of(b) &&
	           nk_url_is_special(a) == nk_url_is_special(b),
	           "%s: port, host kind or specialness differ", what);
	FUZZ_CHECK(strcmp(nk_url_target(a), nk_url_target(b)) == 0 &&
	           strcmp(nk_url_connect_host(a), nk_url_connect_host(b)) == 0,
	           "%s: target or connect host differ", what);
}

static void
check_url(const nk_url *u)
{
	char msg[NK_ERR_MSG_LEN];
	const char *href = nk_url_get(u, NK_URL_HREF);

	for (size_t i = 0; i < NPARTS; i++)
		printable("a part", nk_url_get(u, parts[i]));
	FUZZ_CHECK(strcmp(nk_url_get(u, (nk_url_part)99), "") == 0,
	           "unknown part not \"\"");
	printable("scheme", nk_url_scheme(u));
	printable("target", nk_url_target(u));
	printable("connect host", nk_url_connect_host(u));
	const char *proto = nk_url_get(u, NK_URL_PROTOCOL);
	size_t sl = strlen(nk_url_scheme(u));
	FUZZ_CHECK(strlen(proto) == sl + 1 && proto[sl] == ':' &&
	           strncmp(proto, nk_url_scheme(u), sl) == 0,
	           "protocol \"%s\" vs scheme \"%s\"", proto, nk_url_scheme(u));
	FUZZ_CHECK(strncmp(href, proto, sl + 1) == 0, "href \"%s\" does not "
	           "start with \"%s\"", href, proto);
	/* an opaque path keeps spaces (C0 control percent-encode set); the
	 * path and query of a special URL never */
	const char *t = nk_url_target(u);
	FUZZ_CHECK(t[0] != '\0' && !strchr(t, '#') &&
	           (!nk_url_is_special(u) || !strchr(t, ' ')),
	           "request target \"%s\"", t);
	int port = nk_url_port(u), dport = nk_url_default_port(u);
	FUZZ_CHECK(port >= -1 && port <= 65535 && dport >= -1 && dport <= 65535,
	           "port %d, default %d", port, dport);
	FUZZ_CHECK(nk_url_get(u, NK_URL_PORT)[0] == '\0' || port >= 0,
	           "a port part but no port");
	for (size_t i = 0; i < NPARTS; i++) {
		size_t n = 99999;
		char *d = nk_url_decode(u, parts[i], &n);
		FUZZ_CHECK(d != NULL, "nk_url_decode failed");
		FUZZ_CHECK(n <= strlen(nk_url_get(u, parts[i])) && d[n] == '\0',
		           "decoded part %d longer than encoded", (int)parts[i]);
		free(d);
	}

	/* parse -> serialize -> parse */
	nk_url *again = NULL;
	nk_err e = nk_url_parse(href, NULL, &again, msg);
	FUZZ_CHECK(e == NK_OK, "href \"%s\" does not parse again: %s", href,
	           msg);
	same_url(u, again, "reparsed href");
	nk_url_free(again);

	nk_url *copy = nk_url_dup(u);
	FUZZ_CHECK(copy != NULL, "nk_url_dup");
	same_url(u, copy, "copy");
	nk_url_free(copy);

	/* "" against u: u without its fragment (when it resolves at all:
	 * not against an opaque path) */
	nk_url *self = NULL;
	if (nk_url_resolve(u, "", &self, msg) == NK_OK) {
		const char *h2 = nk_url_get(self, NK_URL_HREF);
		const char *hash = strchr(href, '#');
		size_t want = hash ? (size_t)(hash - href) : strlen(href);
		FUZZ_CHECK(strlen(h2) == want && strncmp(h2, href, want) == 0,
		           "\"\" against \"%s\" gave \"%s\"", href, h2);
		nk_url_free(self);
	} else {
		check_msg(msg);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = FUZZ_IN(data, size);
	uint8_t flags = fuzz_u8(&in);
	size_t bl = (size_t)fuzz_u8(&in) << 8;
	bl |= fuzz_u8(&in);
	(void)fuzz_u8(&in);
	if (bl > in.n)
		bl = in.n;
	const uint8_t *base = in.p;
	in.p += bl;
	in.n -= bl;
	int with_base = flags & 1;

	char msg[NK_ERR_MSG_LEN] = "";
	nk_url *b = NULL, *u = NULL;
	nk_err be = NK_OK;
	/* exact-size copies: nothing may be read past the lengths */
	char *bbuf = fuzz_dup(base, bl), *ibuf = fuzz_dup(in.p, in.n);
	if (with_base) {
		be = nk_url_parse_buf(bbuf, bl, NULL, &b, msg);
		FUZZ_CHECK((be == NK_OK) == (b != NULL), "base result and error "
		           "disagree");
		if (be)
			check_msg(msg);
		else
			check_url(b);
	}
	nk_err e = nk_url_parse_buf(ibuf, in.n, b, &u, msg);
	FUZZ_CHECK((e == NK_OK) == (u != NULL), "result and error disagree");
	if (e) {
		FUZZ_CHECK(e == NK_ERR_URL_MALFORMAT, "error %d: %s", e, msg);
		check_msg(msg);
	} else {
		check_url(u);
	}

	/* the C-string entry, when the bytes can be C strings */
	if (!memchr(base, 0, bl) && !memchr(in.p, 0, in.n)) {
		char *bs = fuzz_strdup(base, bl), *is = fuzz_strdup(in.p, in.n);
		nk_url *u2 = NULL;
		char msg2[NK_ERR_MSG_LEN] = "";
		nk_err e2 = nk_url_parse(is, with_base ? bs : NULL, &u2, msg2);
		if (with_base && be) {
			FUZZ_CHECK(e2 == be && strncmp(msg2, "base URL: ", 10) == 0,
			           "a bad base gave %d \"%s\"", e2, msg2);
		} else {
			FUZZ_CHECK(e2 == e, "nk_url_parse %d, nk_url_parse_buf %d",
			           e2, e);
			if (!e)
				same_url(u, u2, "nk_url_parse vs nk_url_parse_buf");
			else
				FUZZ_CHECK(strcmp(msg, msg2) == 0, "messages \"%s\" vs "
				           "\"%s\"", msg, msg2);
		}
		nk_url_free(u2);
		free(bs);
		free(is);
	}
	nk_url_free(u);
	nk_url_free(b);
	free(bbuf);
	free(ibuf);
	return 0;
}
