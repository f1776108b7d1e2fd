/* nk_proxy_parse: the proxy kinds by scheme, curl's default port, and the
 * credentials: the URL's, else --proxy-user's with %XX decoded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "net/proxy_int.h"

static void
kind_is(const char *spec, nk_socks_kind want, const char *host, int port)
{
	struct nk_proxy p;
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_proxy_parse(spec, NULL, &p, err), NK_OK);
	assert_int_equal(p.socks, want);
	assert_string_equal(p.host, host);
	assert_int_equal(p.port, port);
	assert_null(p.userpass);
	nk_proxy_clear(&p);
}

static void
test_kinds(void **state)
{
	(void)state;
	kind_is("127.0.0.1", 0, "127.0.0.1", 1080);
	kind_is("http://proxy.test:3128", 0, "proxy.test", 3128);
	kind_is("socks4://h", NK_SOCKS4, "h", 1080);
	kind_is("socks4a://h:1", NK_SOCKS4A, "h", 1);
	kind_is("socks5://h:80", NK_SOCKS5, "h", 80);
	kind_is("socks5h://[::1]:9050", NK_SOCKS5H, "::1", 9050);
}

/* An HTTPS proxy: HTTP inside TLS; port 443 unless given, as curl, and an
 * explicit :443 (which the URL parser drops as https's default) too. */
static void
test_https(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		int tls, port;
	} cases[] = {
		{ "https://proxy.test", 1, 443 },
		{ "https://proxy.test:443", 1, 443 },
		{ "HTTPS://proxy.test:8443", 1, 8443 },
		{ "https://u:p@[::1]:3129", 1, 3129 },
		{ "http://proxy.test", 0, 1080 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct nk_proxy p;
		char err[NK_ERR_MSG_LEN] = "";
		assert_int_equal(nk_proxy_parse(cases[i].spec, NULL, &p, err), NK_OK);
		assert_int_equal(p.socks, 0);
		assert_int_equal(p.tls, cases[i].tls);
		assert_int_equal(p.port, cases[i].port);
		nk_proxy_clear(&p);
	}
}

static void
creds_are(const char *spec, const char *userpass, const char *user,
          const char *pass)
{
	struct nk_proxy p;
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_proxy_parse(spec, userpass, &p, err), NK_OK);
	assert_string_equal(p.user, user);
	assert_string_equal(p.pass, pass);
	nk_proxy_clear(&p);
}

static void
test_creds(void **state)
{
	(void)state;
	creds_are("socks5h://u%20x:p%40s@h", NULL, "u x", "p@s");
	creds_are("socks5h://h", "u%20x:p%41:b", "u x", "pA:b");
	creds_are("socks5h://h", "user", "user", "");
	creds_are("socks5h://h", "%zz:%4", "%zz", "%4");
	/* The URL's win over --proxy-user's. */
	creds_are("http://a:b@h", "c:d", "a", "b");
}

static void
test_refused(void **state)
{
	(void)state;
	struct nk_proxy p;
	char err[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_proxy_parse("socks6://h", NULL, &p, err),
	                 NK_ERR_COULDNT_CONNECT);
	assert_null(p.host);
	assert_int_equal(nk_proxy_parse("socks5h://", NULL, &p, err),
	                 NK_ERR_COULDNT_RESOLVE_PROXY);
	assert_string_equal(err, "bad proxy \"socks5h://\": no host");
	assert_null(p.host);
	assert_int_equal(nk_proxy_parse("", NULL, &p, err), NK_OK);
	assert_null(p.host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_creds),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
