/* cookie: the engine's RFC 6265bis rules, without a network: what a
 * Set-Cookie line stores, what a request gets back, and the file format. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nk/cookie.h"

#define NOW 1800000000LL   /* 2027-01-15 08:00:00 UTC */

static nk_cookie_req
at(const char *host, const char *path, int secure)
{
	return (nk_cookie_req){ host, path, secure, NOW };
}

static nk_cookie_verdict
set(nk_cookie_jar *jar, nk_cookie_req rq, const char *line)
{
	return nk_cookie_set(jar, &rq, line, strlen(line));
}

/* The Cookie value for a request, "" for none. */
static const char *
get(nk_cookie_jar *jar, nk_cookie_req rq)
{
	static char buf[512];
	char *v = nk_cookie_header(jar, &rq);
	snprintf(buf, sizeof buf, "%s", v ? v : "");
	free(v);
	return buf;
}

static int
setup(void **state)
{
	*state = nk_cookie_jar_new();
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	nk_cookie_jar_free(*state);
	return 0;
}

static void
test_domain(void **state)
{
	nk_cookie_jar *jar = *state;
	nk_cookie_req www = at("www.nk.test", "/", 0);
	assert_int_equal(set(jar, www, "host=1"), NK_COOKIE_STORED);
	assert_int_equal(set(jar, www, "dom=2; Domain=.NK.test"), NK_COOKIE_STORED);
	/* Another host's domain, and public suffixes (libpsl's list). */
	assert_int_equal(set(jar, www, "x=1; Domain=other.test"), NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, at("www.nk.co.uk", "/", 0), "x=1; Domain=co.uk"),
	                 NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, at("a.b.github.io", "/", 0), "x=1; Domain=github.io"),
	                 NK_COOKIE_REJECTED);
	assert_string_equal(get(jar, www), "host=1; dom=2");
	/* host-only: not for a subdomain; a Domain cookie is. */
	assert_string_equal(get(jar, at("a.www.nk.test", "/", 0)), "dom=2");
	assert_string_equal(get(jar, at("nk.test", "/", 0)), "dom=2");
	assert_string_equal(get(jar, at("xnk.test", "/", 0)), "");
	/* An address matches only itself. */
	assert_int_equal(set(jar, at("10.0.0.1", "/", 0), "ip=1; Domain=0.0.1"),
	                 NK_COOKIE_REJECTED);
}

static void
test_path(void **state)
{
	nk_cookie_jar *jar = *state;
	set(jar, at("h.test", "/docs/page", 0), "def=1");
	set(jar, at("h.test", "/", 0), "p=2; Path=/docs");
	set(jar, at("h.test", "/q/r", 0), "bad=3; Path=x");
	assert_string_equal(get(jar, at("h.test", "/docs/a", 0)), "def=1; p=2");
	assert_string_equal(get(jar, at("h.test", "/docs", 0)), "def=1; p=2");
	assert_string_equal(get(jar, at("h.test", "/docsx", 0)), "");
	assert_string_equal(get(jar, at("h.test", "/q", 0)), "bad=3");
	char *f = nk_cookie_format(jar, NOW);
	assert_non_null(strstr(f, "h.test\tFALSE\t/docs/\tFALSE\t0\tdef\t1\n"));
	free(f);
}

static void
test_secure_and_prefixes(void **state)
{
	nk_cookie_jar *jar = *state;
	nk_cookie_req http = at("h.test", "/", 0), https = at("h.test", "/", 1);
	assert_int_equal(set(jar, http, "s=1; Secure"), NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, https, "s=1; Secure; HttpOnly; SameSite=Strict"),
	                 NK_COOKIE_STORED);
	assert_string_equal(get(jar, http), "");
	assert_string_equal(get(jar, https), "s=1");
	/* http may not shadow the Secure cookie. */
	assert_int_equal(set(jar, http, "s=2"), NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, https, "__Secure-a=1"), NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, https, "__Host-a=1; Secure; Path=/; Domain=h.test"),
	                 NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, https, "__Host-a=1; Secure; Path=/"),
	                 NK_COOKIE_STORED);
	char *f = nk_cookie_format(jar, NOW);
	assert_non_null(strstr(f, "#HttpOnly_h.test\tFALSE\t/\tTRUE\t0\ts\t1\n"));
	free(f);
}

static void
test_expiry(void **state)
{
	nk_cookie_jar *jar = *state;
	nk_cookie_req r = at("h.test", "/", 0);
	set(jar, r, "a=1; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
	set(jar, r, "b=2; Expires=Sun, 17-Jan-2027 08:00:00 GMT");
	set(jar, r, "c=3; expires=Wed, 30 Feb 2027 00:00:00 GMT");
	set(jar, r, "d=4; Max-Age=99999999999999999999");
	char *f = nk_cookie_format(jar, NOW);
	assert_non_null(strstr(f, "\t1800000060\ta\t1\n"));
	assert_non_null(strstr(f, "\t1800172800\tb\t2\n"));
	assert_non_null(strstr(f, "\t0\tc\t3\n"));        /* no such date */
	assert_non_null(strstr(f, "\t1834560000\td\t4\n")); /* 400 days */
	free(f);
	assert_int_equal(set(jar, r, "a=; Max-Age=0"), NK_COOKIE_DELETED);
	assert_int_equal(set(jar, r, "b=; Max-Age=-1"), NK_COOKIE_DELETED);
	assert_string_equal(get(jar, r), "d=4; c=3");
	r.now = 1834560000;
	assert_string_equal(get(jar, r), "c=3");
}

static void
test_malformed(void **state)
{
	nk_cookie_jar *jar = *state;
	nk_cookie_req r = at("h.test", "/", 0);
	static const char *const bad[] = { "novalue", "=", " = ; a", "a\x01=b",
		"a=b\x7f", "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(set(jar, r, bad[i]), NK_COOKIE_REJECTED);
	assert_int_equal(nk_cookie_set(jar, &r, "a=b\0c", 5), NK_COOKIE_REJECTED);
	assert_int_equal(set(jar, r, " sp = v w ; Path"), NK_COOKIE_STORED);
	assert_string_equal(get(jar, r), "sp=v w");
	assert_int_equal(nk_cookie_count(jar), 1);
}

static void
test_file(void **state)
{
	nk_cookie_jar *jar = *state;
	static const char in[] = "# Netscape HTTP Cookie File\n\n"
		".nk.test\tTRUE\t/\tFALSE\t0\tsess\t1\r\n"
		"#HttpOnly_www.nk.test\tFALSE\t/a\tTRUE\t1900000000\tkeep\tv=w\n"
		"www.nk.test\tFALSE\t/\tFALSE\t1000\told\tgone\n"
		"short\tline\n"
		"www.nk.test\tFALSE\t/\tFALSE\t1900000000\tempty\n";
	assert_int_equal(nk_cookie_load_buf(jar, in, sizeof in - 1, NOW, NULL), NK_OK);
	assert_int_equal(nk_cookie_count(jar), 3);
	assert_string_equal(get(jar, at("www.nk.test", "/a/b", 1)),
	                    "keep=v=w; empty=; sess=1");
	nk_cookie_junk_session(jar);
	char *f = nk_cookie_format(jar, NOW);
	assert_string_equal(f, "# Netscape HTTP Cookie File\n"
		"# https://curl.se/docs/http-cookies.html\n"
		"# This file was generated by libcurl! Edit at your own risk.\n\n"
		"www.nk.test\tFALSE\t/\tFALSE\t1900000000\tempty\t\n"
		"#HttpOnly_www.nk.test\tFALSE\t/a\tTRUE\t1900000000\tkeep\tv=w\n");
	char path[] = "/tmp/nk-cookie-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(nk_cookie_save(jar, path, NOW, NULL), NK_OK);
	FILE *fp = fopen(path, "r");
	char back[1024];
	size_t n = fread(back, 1, sizeof back - 1, fp);
	fclose(fp);
	back[n] = '\0';
	assert_string_equal(back, f);
	unlink(path);
	free(f);
	char err[256];
	assert_int_equal(nk_cookie_save(jar, "/nonexistent/dir/jar", NOW, err),
	                 NK_ERR_WRITE_ERROR);
	assert_non_null(strstr(err, "/nonexistent/dir/jar"));
}

/* What fuzz_cookie found (tests/fuzz/crashes/fuzz_cookie). */
static void
test_fuzz_finds(void **state)
{
	nk_cookie_jar *jar = *state;
	/* host-with-leading-dot: the file could not tell it from a domain. */
	assert_int_equal(set(jar, at(".o.nk", "/", 0), "a=1"), NK_COOKIE_REJECTED);
	/* tab-in-path: a tab would split the file's line. */
	assert_int_equal(set(jar, at("h.test", "/a/x", 0), "t=1; Path=/a\tb"),
	                 NK_COOKIE_STORED);
	char *f = nk_cookie_format(jar, NOW);
	assert_non_null(strstr(f, "h.test\tFALSE\t/a/\tFALSE\t0\tt\t1\n"));
	free(f);
	assert_int_equal(set(jar, at("h.test", "/a\tb", 0), "u=1"),
	                 NK_COOKIE_REJECTED);
	/* max-age-past-the-value: the digits end where the value does. */
	static const char line[] = "m=1; Max-Age=12";
	char *exact = malloc(sizeof line - 1);
	memcpy(exact, line, sizeof line - 1);
	nk_cookie_req r = at("h.test", "/", 0);
	assert_int_equal(nk_cookie_set(jar, &r, exact, sizeof line - 1),
	                 NK_COOKIE_STORED);
	free(exact);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secure_and_prefixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_finds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
