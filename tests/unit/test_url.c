/* Unit tests of the URL parser, tables of our own for what the
 * conformance data (test_url_wpt.c) covers thinly: IPv4 and IPv6 forms and
 * serialization, IDNA, the request target, ports, connect hosts, relative
 * resolution, error messages and hostile input. */
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

/* ---- tables of our own ---- */

struct href_case {
	const char *input, *base;
	const char *href;       /* NULL: must fail */
};

static void
check_hrefs(const struct href_case *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		nk_url *u = NULL;
		char msg[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_url_parse(t[i].input, t[i].base, &u, msg);
		if (!t[i].href) {
			if (e != NK_ERR_URL_MALFORMAT)
				fail_msg("\"%s\": expected failure, got %d \"%s\"",
				         t[i].input, e, u ? nk_url_get(u, NK_URL_HREF) : "");
			continue;
		}
		if (e != NK_OK)
			fail_msg("\"%s\" (base \"%s\"): failed: %s", t[i].input,
			         t[i].base ? t[i].base : "", msg);
		if (strcmp(nk_url_get(u, NK_URL_HREF), t[i].href) != 0)
			fail_msg("\"%s\": expected \"%s\", got \"%s\"", t[i].input,
			         t[i].href, nk_url_get(u, NK_URL_HREF));
		nk_url_free(u);
	}
}

static void
test_ipv4(void **state)
{
	(void)state;
	static const struct href_case t[] = {
		{ "http://0x7f.1/", NULL, "http://127.0.0.1/" },
		{ "http://127.1/", NULL, "http://127.0.0.1/" },
		{ "http://127.0.1/", NULL, "http://127.0.0.1/" },
		{ "http://2130706433/", NULL, "http://127.0.0.1/" },
		{ "http://0x7F000001/", NULL, "http://127.0.0.1/" },
		{ "http://017700000001/", NULL, "http://127.0.0.1/" },
		{ "http://0177.0.0.1/", NULL, "http://127.0.0.1/" },
		{ "http://0x7f.0x0.0x0.0x1/", NULL, "http://127.0.0.1/" },
		{ "http://1.2.3.4./", NULL, "http://1.2.3.4/" },
		{ "http://0/", NULL, "http://0.0.0.0/" },
		{ "http://0x/", NULL, "http://0.0.0.0/" },
		{ "http://00000000000000000000000001/", NULL, "http://0.0.0.1/" },
		{ "http://4294967295/", NULL, "http://255.255.255.255/" },
		{ "http://0xffffffff/", NULL, "http://255.255.255.255/" },
		{ "http://1.16777215/", NULL, "http://1.255.255.255/" },
		{ "http://1.2.65535/", NULL, "http://1.2.255.255/" },
		{ "http://example.0x10/", NULL, NULL },
		{ "http://4294967296/", NULL, NULL },
		{ "http://0x100000000/", NULL, NULL },
		{ "http://1.16777216/", NULL, NULL },
		{ "http://256.0.0.1/", NULL, NULL },
		{ "http://1.2.3.256/", NULL, NULL },
		{ "http://1.2.3.4.5/", NULL, NULL },
		{ "http://09/", NULL, NULL },
		{ "http://1..2/", NULL, NULL },
		{ "http://0x1g/", NULL, "http://0x1g/" },
		{ "http://999999999999999999999999999999/", NULL, NULL },
		{ "http://0x00000000000000000000000000ff/", NULL, "http://0.0.0.255/" },
		/* Opaque hosts of other schemes are not IPv4. */
		{ "sc://0x7f.1/", NULL, "sc://0x7f.1/" },
		/* Fullwidth digits map to ASCII before the IPv4 parser. */
		{ "http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.1/", NULL,
		  "http://127.0.0.1/" },
	};
	check_hrefs(t, NK_ARRAY_LEN(t));
}

static void
test_ipv6(void **state)
{
	(void)state;
	static const struct href_case t[] = {
		{ "http://[0:0:0:0:0:0:0:1]/", NULL, "http://[::1]/" },
		{ "http://[::]/", NULL, "http://[::]/" },
		{ "http://[1::]/", NULL, "http://[1::]/" },
		{ "http://[::1:0]/", NULL, "http://[::1:0]/" },
		/* The longest run of zeros is compressed... */
		{ "http://[1:0:0:2:0:0:0:3]/", NULL, "http://[1:0:0:2::3]/" },
		/* ...the first of equal runs... */
		{ "http://[1:0:0:2:0:0:3:4]/", NULL, "http://[1::2:0:0:3:4]/" },
		/* ...and never a single zero. */
		{ "http://[1:0:1:0:1:0:1:0]/", NULL, "http://[1:0:1:0:1:0:1:0]/" },
		{ "http://[ABCD:EF01::0001]/", NULL, "http://[abcd:ef01::1]/" },
		{ "http://[::ffff:192.168.0.1]/", NULL, "http://[::ffff:c0a8:1]/" },
		{ "http://[::127.0.0.1]/", NULL, "http://[::7f00:1]/" },
		{ "http://[1:2:3:4:5:6:1.2.3.4]/", NULL,
		  "http://[1:2:3:4:5:6:102:304]/" },
		{ "http://[0:0:0:0:0:0:0:0]:8080/", NULL, "http://[::]:8080/" },
		{ "sc://[::1]/", NULL, "sc://[::1]/" },
		{ "http://[1:2:3:4:5:6:7:8:9]/", NULL, NULL },
		{ "http://[1:2:3:4:5:6:7]/", NULL, NULL },
		{ "http://[::1::]/", NULL, NULL },
		{ "http://[:1]/", NULL, NULL },
		{ "http://[1:]/", NULL, NULL },
		{ "http://[::1/", NULL, NULL },
		{ "http://[12345::]/", NULL, NULL },
		{ "http://[::1.2.3]/", NULL, NULL },
		{ "http://[::1.2.3.4.5]/", NULL, NULL },
		{ "http://[::01.2.3.4]/", NULL, NULL },
		{ "http://[::256.0.0.1]/", NULL, NULL },
		{ "http://[1:2:3:4:5:6:7:1.2.3.4]/", NULL, NULL },
		{ "http://[::1%eth0]/", NULL, NULL },
		{ "http://[::g]/", NULL, NULL },
	};
	check_hrefs(t, NK_ARRAY_LEN(t));
}

static void
test_idna(void **state)
{
	(void)state;
	static const struct href_case t[] = {
		{ "http://\xe2\x98\x83.net/", NULL, "http://xn--n3h.net/" },
		{ "http://\xc3\x89XAMPLE.com/", NULL, "http://xn--xample-9ua.com/" },
		/* NFD input composes: e + U+0301 is é. */
		{ "http://e\xcc\x81.com/", NULL, "http://xn--9ca.com/" },
		{ "http://%C3%A9.com/", NULL, "http://xn--9ca.com/" },
		{ "http://b\xc3\xbc" "cher.example/", NULL,
		  "http://xn--bcher-kva.example/" },
		/* Hangul jamo compose into a syllable. */
		{ "http://\xe1\x84\x80\xe1\x85\xa1.kr/", NULL, "http://xn--o39a.kr/" },
		/* No CheckHyphens: hyphens anywhere. */
		{ "http://ab--c.\xc3\xa9/", NULL, "http://ab--c.xn--9ca/" },
		{ "http://-x-.\xc3\xa9/", NULL, "http://-x-.xn--9ca/" },
		/* UseSTD3ASCIIRules=false: '_' is fine. */
		{ "http://a_b.\xc3\xa9/", NULL, "http://a_b.xn--9ca/" },
		/* "xn--" labels in a non-ASCII domain are checked. */
		{ "http://xn--n3h.\xe2\x98\x83/", NULL, "http://xn--n3h.xn--n3h/" },
		{ "http://xn--zz.\xc3\xa9/", NULL, NULL },
		{ "http://xn--a.\xc3\xa9/", NULL, NULL },
		{ "http://xn--.\xc3\xa9/", NULL, NULL },
		/* ... but an ASCII domain is only lowercased. */
		{ "http://XN--ZZ.com/", NULL, "http://xn--zz.com/" },
		/* A label may not start with a combining mark. */
		{ "http://\xcc\x81" "a.com/", NULL, NULL },
		/* ZWJ only after a virama; ZWNJ also between joining letters. */
		{ "http://a\xe2\x80\x8d" "b.com/", NULL, NULL },
		{ "http://\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7.in/", NULL,
		  "http://xn--11b2ezcw70k.in/" },
		{ "http://\xd8\xa8\xe2\x80\x8c\xd8\xa8.com/", NULL,
		  "http://xn--ngba799q.com/" },
		{ "http://a\xe2\x80\x8c" "b.com/", NULL, NULL },
		/* Bidi: an RTL label must end RTL or in a digit; a domain with
		 * one may not have a label that starts with a digit. */
		{ "http://\xd7\x90\xd7\x91.com/", NULL, "http://xn--4dbc.com/" },
		{ "http://\xd7\x90" "1.com/", NULL, "http://xn--1-zhc.com/" },
		{ "http://1\xd7\x90.com/", NULL, NULL },
		{ "http://\xd7\x90" "a.com/", NULL, NULL },
		{ "http://1.\xd7\x90/", NULL, NULL },
		/* Deviation characters stay (nontransitional). */
		{ "http://\xcf\x82.gr/", NULL, "http://xn--3xa.gr/" },
		{ "http://fa\xc3\x9f.de/", NULL, "http://xn--fa-hia.de/" },
		/* Mapped, ignored and disallowed code points. */
		{ "http://\xe1\xba\x9e.de/", NULL, "http://ss.de/" },
		{ "http://a\xc2\xad" "b.com/", NULL, "http://ab.com/" },
		{ "http://\xef\xbf\xbd.com/", NULL, NULL },
		{ "http://%ff.com/", NULL, NULL },
		{ "http://\xef\xb7\x90.com/", NULL, NULL },
		/* Mapping can make a forbidden character or a number. */
		{ "http://\xef\xbc\x85" "41.com/", NULL, NULL },
		{ "http://a\xef\xbc\x8f" "b.com/", NULL, NULL },
		{ "http://\xe2\x91\xa0.\xe2\x91\xa1.\xe2\x91\xa2.\xe2\x91\xa3/", NULL,
		  "http://1.2.3.4/" },
		/* Non-special schemes keep the host opaque. */
		{ "sc://\xc3\xa9/", NULL, "sc://%C3%A9/" },
	};
	check_hrefs(t, NK_ARRAY_LEN(t));
}

static void
test_resolve(void **state)
{
	(void)state;
	/* RFC 3986 section 5.4, normal and abnormal examples. */
	static const char *base = "http://a/b/c/d;p?q";
	static const struct {
		const char *ref, *want;
	} t[] = {
		{ "g:h", "g:h" }, { "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" }, { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" }, { "//g", "http://g/" },
		{ "?y", "http://a/b/c/d;p?y" }, { "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" }, { "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" }, { ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" }, { "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" }, { "./", "http://a/b/c/" },
		{ "..", "http://a/b/" }, { "../", "http://a/b/" },
		{ "../g", "http://a/b/g" }, { "../..", "http://a/" },
		{ "../../", "http://a/" }, { "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" }, { "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" }, { "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." }, { ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." }, { "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" }, { "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		/* Special schemes: "http:g" is relative to an http base. */
		{ "http:g", "http://a/b/c/g" },
		/* Backslashes are slashes in special URLs. */
		{ "\\\\other\\x", "http://other/x" },
		/* A Location with another scheme, host or port. */
		{ "https://other.example:8443/x?y", "https://other.example:8443/x?y" },
		{ "//other:81/", "http://other:81/" },
		{ "%2e%2E/g", "http://a/b/g" },
	};
	nk_url *b = NULL;
	char msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_url_parse(base, NULL, &b, msg), NK_OK);
	for (size_t i = 0; i < NK_ARRAY_LEN(t); i++) {
		nk_url *u = NULL;
		if (nk_url_resolve(b, t[i].ref, &u, msg) != NK_OK)
			fail_msg("\"%s\": %s", t[i].ref, msg);
		if (strcmp(nk_url_get(u, NK_URL_HREF), t[i].want) != 0)
			fail_msg("\"%s\": expected \"%s\", got \"%s\"", t[i].ref,
			         t[i].want, nk_url_get(u, NK_URL_HREF));
		nk_url_free(u);
	}
	/* A base with an opaque path resolves only fragments. */
	nk_url *o = NULL, *u = NULL;
	assert_int_equal(nk_url_parse("mailto:a@b?x", NULL, &o, msg), NK_OK);
	assert_int_equal(nk_url_resolve(o, "#f", &u, msg), NK_OK);
	assert_string_equal(nk_url_get(u, NK_URL_HREF), "mailto:a@b?x#f");
	nk_url_free(u);
	u = NULL;
	assert_int_equal(nk_url_resolve(o, "x", &u, msg), NK_ERR_URL_MALFORMAT);
	assert_null(u);
	assert_string_equal(msg, "relative URL against a base URL that cannot "
	                    "have one at position 1");
	nk_url_free(o);
	nk_url_free(b);
}

static void
test_parts(void **state)
{
	(void)state;
	static const struct {
		const char *input;
		int port, default_port, special;
		nk_url_host_kind kind;
		const char *connect, *target, *host, *origin;
	} t[] = {
		{ "http://h/a/b?c=d#f", 80, 80, 1, NK_URL_HOST_DOMAIN, "h", "/a/b?c=d",
		  "h", "http://h" },
		{ "http://h", 80, 80, 1, NK_URL_HOST_DOMAIN, "h", "/", "h", "http://h" },
		{ "http://h/p?", 80, 80, 1, NK_URL_HOST_DOMAIN, "h", "/p?", "h",
		  "http://h" },
		{ "http://h:80/", 80, 80, 1, NK_URL_HOST_DOMAIN, "h", "/", "h",
		  "http://h" },
		{ "http://h:8080/", 8080, 80, 1, NK_URL_HOST_DOMAIN, "h", "/",
		  "h:8080", "http://h:8080" },
		{ "HTTPS://H:443/%7e?x y#z", 443, 443, 1, NK_URL_HOST_DOMAIN, "h",
		  "/%7e?x%20y", "h", "https://h" },
		{ "https://h:0/", 0, 443, 1, NK_URL_HOST_DOMAIN, "h", "/", "h:0",
		  "https://h:0" },
		{ "ftp://h/", 21, 21, 1, NK_URL_HOST_DOMAIN, "h", "/", "h",
		  "ftp://h" },
		{ "ws://h/", 80, 80, 1, NK_URL_HOST_DOMAIN, "h", "/", "h", "ws://h" },
		{ "wss://h/", 443, 443, 1, NK_URL_HOST_DOMAIN, "h", "/", "h",
		  "wss://h" },
		{ "http://[::1]:8080/x", 8080, 80, 1, NK_URL_HOST_IPV6, "::1", "/x",
		  "[::1]:8080", "http://[::1]:8080" },
		{ "http://127.0.0.1/", 80, 80, 1, NK_URL_HOST_IPV4, "127.0.0.1", "/",
		  "127.0.0.1", "http://127.0.0.1" },
		{ "file:///etc/hosts", -1, -1, 1, NK_URL_HOST_EMPTY, "", "/etc/hosts",
		  "", "null" },
		{ "file://srv/share", -1, -1, 1, NK_URL_HOST_DOMAIN, "srv", "/share",
		  "srv", "null" },
		{ "sc://h:7/p", 7, -1, 0, NK_URL_HOST_OPAQUE, "h", "/p", "h:7",
		  "null" },
		{ "sc://h", -1, -1, 0, NK_URL_HOST_OPAQUE, "h", "/", "h", "null" },
		{ "sc:///p", -1, -1, 0, NK_URL_HOST_EMPTY, "", "/p", "", "null" },
		{ "mailto:a@b", -1, -1, 0, NK_URL_HOST_NONE, "", "a@b", "", "null" },
		{ "blob:https://h:1/x", -1, -1, 0, NK_URL_HOST_NONE, "",
		  "https://h:1/x", "", "https://h:1" },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(t); i++) {
		nk_url *u = NULL;
		char msg[NK_ERR_MSG_LEN];
		if (nk_url_parse(t[i].input, NULL, &u, msg) != NK_OK)
			fail_msg("\"%s\": %s", t[i].input, msg);
		if (nk_url_port(u) != t[i].port ||
		    nk_url_default_port(u) != t[i].default_port ||
		    nk_url_is_special(u) != t[i].special ||
		    nk_url_host_kind_of(u) != t[i].kind ||
		    strcmp(nk_url_connect_host(u), t[i].connect) != 0 ||
		    strcmp(nk_url_target(u), t[i].target) != 0 ||
		    strcmp(nk_url_get(u, NK_URL_HOST), t[i].host) != 0 ||
		    strcmp(nk_url_get(u, NK_URL_ORIGIN), t[i].origin) != 0)
			fail_msg("\"%s\": port %d/%d special %d kind %d connect \"%s\" "
			         "target \"%s\" host \"%s\" origin \"%s\"", t[i].input,
			         nk_url_port(u), nk_url_default_port(u),
			         nk_url_is_special(u), nk_url_host_kind_of(u),
			         nk_url_connect_host(u), nk_url_target(u),
			         nk_url_get(u, NK_URL_HOST), nk_url_get(u, NK_URL_ORIGIN));
		nk_url *d = nk_url_dup(u);
		assert_non_null(d);
		nk_url_free(u);
		/* The copy is whole; the scheme is the protocol less ':'. */
		char proto[64];
		snprintf(proto, sizeof proto, "%s:", nk_url_scheme(d));
		assert_string_equal(proto, nk_url_get(d, NK_URL_PROTOCOL));
		assert_string_equal(nk_url_target(d), t[i].target);
		nk_url_free(d);
	}
	nk_url_free(NULL);
	assert_null(nk_url_dup(NULL));
}

static void
test_decode(void **state)
{
	(void)state;
	nk_url *u = NULL;
	char msg[NK_ERR_MSG_LEN];
	size_t n;
	assert_int_equal(nk_url_parse("http://us%40er:p%3Ass%00x%zz@h/", NULL,
	                              &u, msg), NK_OK);
	assert_string_equal(nk_url_get(u, NK_URL_USERNAME), "us%40er");
	assert_string_equal(nk_url_get(u, NK_URL_PASSWORD), "p%3Ass%00x%zz");
	char *user = nk_url_decode(u, NK_URL_USERNAME, &n);
	assert_string_equal(user, "us@er");
	assert_int_equal(n, 5);
	char *pass = nk_url_decode(u, NK_URL_PASSWORD, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(pass, "p:ss\0x%zz", 10);
	free(user);
	free(pass);
	/* Characters the userinfo set encodes come back as typed. */
	nk_url_free(u);
	assert_int_equal(nk_url_parse("http://a b:c@d@h/", NULL, &u, msg), NK_OK);
	assert_string_equal(nk_url_get(u, NK_URL_HREF), "http://a%20b:c%40d@h/");
	pass = nk_url_decode(u, NK_URL_PASSWORD, NULL);
	assert_string_equal(pass, "c@d");
	free(pass);
	nk_url_free(u);
}

static void
test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *input, *base, *msg;
	} t[] = {
		{ "", NULL, "relative URL without a base URL at position 1" },
		{ "foo", NULL, "relative URL without a base URL at position 1" },
		{ "http://", NULL, "empty host at position 8" },
		{ "http://u:p@/", NULL, "credentials without a host at position 12" },
		{ "http://:80/", NULL, "port without a host at position 8" },
		{ "http://h:8x/", NULL, "invalid character in port at position 11" },
		{ "http://h:65536/", NULL, "port number above 65535 at position 10" },
		{ "http://exa mple/", NULL,
		  "forbidden character in host at position 11" },
		{ "http://h^/", NULL, "forbidden character in host at position 9" },
		{ "sc://h<t/", NULL, "forbidden character in host at position 7" },
		{ "http://[::1/", NULL,
		  "unclosed IPv6 address at position 8" },
		{ "http://[1::2::3]/", NULL,
		  "IPv6 address has more than one '::' at position 13" },
		{ "http://1.2.3.4.5/", NULL,
		  "IPv4 address has more than four parts at position 16" },
		{ "http://1.2.300.4/", NULL,
		  "IPv4 address part above 255 at position 12" },
		/* Positions count characters of the input as given: the tab
		 * and the two-byte é count once each. */
		{ "  http://\xc3\xa9\t\xc3\xa9" ":x/", NULL,
		  "invalid character in port at position 14" },
		{ "http://\xe2\x98\x83\xe2\x80\x8d.com/", NULL,
		  "zero width joiner out of context in domain at position 8" },
		{ "x", "mailto:y", "relative URL against a base URL that cannot have "
		  "one at position 1" },
		{ "x", "::", "base URL: relative URL without a base URL at "
		  "position 1" },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(t); i++) {
		nk_url *u = NULL;
		char msg[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_url_parse(t[i].input, t[i].base, &u, msg);
		if (e != NK_ERR_URL_MALFORMAT || u || strcmp(msg, t[i].msg) != 0)
			fail_msg("\"%s\": error %d \"%s\", expected \"%s\"", t[i].input,
			         e, msg, t[i].msg);
	}
	/* NULL errmsg is fine; NULL arguments are refused. */
	nk_url *u = NULL;
	assert_int_equal(nk_url_parse("x", NULL, &u, NULL), NK_ERR_URL_MALFORMAT);
	assert_int_equal(nk_url_parse(NULL, NULL, &u, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
	assert_int_equal(nk_url_parse("http://h/", NULL, NULL, NULL),
	                 NK_ERR_BAD_FUNCTION_ARGUMENT);
}

/* CPU time, not wall time: the bound below is about the parser's own
 * work (linear, not quadratic), which a busy machine does not change. */
static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Builds prefix + `fill` repeated, at most len bytes, whole fills only
 * (no cut UTF-8) unless `exact`. */
static char *
big(const char *prefix, const char *fill, size_t len, int exact)
{
	char *s = malloc(len + 1);
	size_t p = strlen(prefix), f = strlen(fill);
	assert_non_null(s);
	memcpy(s, prefix, p);
	if (!exact)
		len = p + (len - p) / f * f;
	for (size_t i = p; i < len; i++)
		s[i] = fill[(i - p) % f];
	s[len] = '\0';
	return s;
}

static void
test_huge(void **state)
{
	(void)state;
	char msg[NK_ERR_MSG_LEN];
	nk_url *u = NULL;

	/* The limit is exact. */
	char *s = big("http://h/", "a", NK_URL_MAX_INPUT, 1);
	assert_int_equal(nk_url_parse(s, NULL, &u, msg), NK_OK);
	assert_int_equal(strlen(nk_url_get(u, NK_URL_PATHNAME)),
	                 NK_URL_MAX_INPUT - 8);
	nk_url_free(u);
	u = NULL;
	free(s);
	s = big("http://h/", "a", NK_URL_MAX_INPUT + 1, 1);
	assert_int_equal(nk_url_parse(s, NULL, &u, msg), NK_ERR_URL_MALFORMAT);
	assert_null(u);
	assert_string_equal(msg, "URL longer than 1048576 bytes at position "
	                    "1048577");
	free(s);

	/* Hostile shapes at the limit must stay fast (linear): each one is
	 * parsed well inside a second on a slow machine. */
	static const struct {
		const char *prefix, *fill;
		int ok;
	} t[] = {
		{ "http://h/", "../", 1 },          /* dot segments */
		{ "http://h/", "\\.\\", 1 },
		{ "http://", "a@", 0 },             /* '@' after '@' */
		{ "http://", "a:b@", 0 },
		{ "blob:", "blob:", 1 },            /* nested origins */
		{ "http://h/", "%", 1 },
		{ "http://h/?", "\xf0\x9f\x92\xa9", 1 },
		{ "http://[", "1:", 0 },
		{ "http://", "1.", 0 },             /* an IPv4 of many parts */
		{ "http://", "0x", 1 },
		{ "http://", "\xc3\xa9", 0 },       /* too long an IDNA label */
		{ "http://", "\xc3\xa9.", 1 },      /* many IDNA labels */
		{ "http://a", "\xcc\x81\xcc\x96", 0 }, /* marks to reorder */
		{ "http://", "a\xcc\x96\xcc\x81.", 1 },
		{ "http://", "xn--n3h.\xe2\x98\x83.", 1 },
		{ "sc:", " ", 1 },
		{ "\t", "\t\n", 0 },
		{ "", "\xff", 0 },
	};
	for (size_t i = 0; i < NK_ARRAY_LEN(t); i++) {
		s = big(t[i].prefix, t[i].fill, NK_URL_MAX_INPUT / 4, 0);
		double t0 = now_s();
		nk_err e = nk_url_parse(s, NULL, &u, msg);
		double dt = now_s() - t0;
		if (e != (t[i].ok ? NK_OK : NK_ERR_URL_MALFORMAT))
			fail_msg("%s%s...: error %d (%s)", t[i].prefix, t[i].fill, e,
			         e ? msg : "");
		if (dt > 2.0)
			fail_msg("%s%s...: %.2f s", t[i].prefix, t[i].fill, dt);
		nk_url_free(u);
		u = NULL;
		free(s);
	}
	/* Embedded NULs are data, not the end. */
	static const char nul[] = "sc:a\0b";
	assert_int_equal(nk_url_parse_buf(nul, sizeof nul - 1, NULL, &u, msg),
	                 NK_OK);
	assert_string_equal(nk_url_get(u, NK_URL_HREF), "sc:a%00b");
	nk_url_free(u);
}

/* One rule for "does this argument have a scheme", as the parser reads
 * it, and the default scheme for the rest. */
static void
test_default_scheme(void **state)
{
	(void)state;
	static const struct {
		const char *input;
		size_t has;
		const char *href;  /* NULL: malformed */
	} t[] = {
		{ "http:/h:81/p", 5, "http://h:81/p" },
		{ "HTTPS:h/p", 6, "https://h/p" },
		{ "http://h/", 5, "http://h/" },
		{ " http:/h/", 6, "http://h/" },
		{ "h:81/p", 0, "http://h:81/p" },
		{ "localhost:8080", 0, "http://localhost:8080/" },
		{ "user:pw@h/", 0, "http://user:pw@h/" },
		{ "foo://h/x", 4, "foo://h/x" },
		{ "mailto:x", 0, NULL },
		{ "[::1]:8080", 0, "http://[::1]:8080/" },
		{ "b\xc3\xbc" "cher.example", 0, "http://xn--bcher-kva.example/" },
		{ "h:99999", 0, NULL },
		{ "", 0, NULL },
	};
	char msg[NK_ERR_MSG_LEN];
	for (size_t i = 0; i < NK_ARRAY_LEN(t); i++) {
		nk_url *u = NULL;
		if (nk_url_has_scheme(t[i].input) != t[i].has)
			fail_msg("%s: has_scheme %zu", t[i].input,
			         nk_url_has_scheme(t[i].input));
		nk_err e = nk_url_parse_default_scheme(t[i].input, "http", &u, msg);
		if (t[i].href) {
			if (e != NK_OK)
				fail_msg("%s: %s", t[i].input, msg);
			assert_string_equal(nk_url_get(u, NK_URL_HREF), t[i].href);
		} else if (e != NK_ERR_URL_MALFORMAT) {
			fail_msg("%s: error %d", t[i].input, e);
		}
		nk_url_free(u);
	}
	/* Positions count in the input as given, not in "http://". */
	nk_url *u = NULL;
	assert_int_equal(nk_url_parse_default_scheme("h:99999", "http", &u, msg),
	                 NK_ERR_URL_MALFORMAT);
	assert_non_null(strstr(msg, "at position 3"));
	assert_int_equal(nk_url_has_scheme(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_idna),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_default_scheme),
	};
	return cmocka_run_group_tests_name("url", tests, NULL, NULL);
}
