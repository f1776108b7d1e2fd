/* Unit tests for lib/dns.c and lib/hosts.c: override syntax, RFC 8305
 * ordering, literals, the hosts file, and the resolver deadline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "nk/net.h"
#include "net/net_int.h"

static const struct {
	const char *entry;
	int ok;
	const char *host;
	int port;
	int remove;
} resolve_rows[] = {
	{ "example.com:443:127.0.0.1", 1, "example.com", 443, 0 },
	{ "example.com:443:127.0.0.1,::1", 1, "example.com", 443, 0 },
	{ "example.com:443:[::1],127.0.0.2", 1, "example.com", 443, 0 },
	{ "example.com:*:10.0.0.1", 1, "example.com", -1, 0 },
	{ "*:80:10.0.0.1", 1, "*", 80, 0 },
	{ "+example.com:80:10.0.0.1", 1, "example.com", 80, 0 },
	{ "-example.com:80", 1, "example.com", 80, 1 },
	{ "[::1]:80:::1", 1, "::1", 80, 0 },
	{ "a:65535:1.2.3.4", 1, "a", 65535, 0 },
	{ "", 0, NULL, 0, 0 },
	{ "example.com", 0, NULL, 0, 0 },
	{ "example.com:443", 0, NULL, 0, 0 },
	{ "example.com:443:", 0, NULL, 0, 0 },
	{ ":443:127.0.0.1", 0, NULL, 0, 0 },
	{ "example.com::127.0.0.1", 0, NULL, 0, 0 },
	{ "example.com:0:127.0.0.1", 0, NULL, 0, 0 },
	{ "example.com:65536:127.0.0.1", 0, NULL, 0, 0 },
	{ "example.com:8x:127.0.0.1", 0, NULL, 0, 0 },
	{ "example.com:443:notanaddress", 0, NULL, 0, 0 },
	{ "example.com:443:127.0.0.1,", 0, NULL, 0, 0 },
	{ "example.com:443:[127.0.0.1]", 0, NULL, 0, 0 },
	{ "example.com:443:[::1", 0, NULL, 0, 0 },
	{ "[::1:80:127.0.0.1", 0, NULL, 0, 0 },
	{ "-example.com:80:127.0.0.1", 0, NULL, 0, 0 },
};

static void
test_resolve_entry_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof resolve_rows / sizeof resolve_rows[0]; i++) {
		struct nk_resolve_entry r;
		char err[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_resolve_entry_parse(resolve_rows[i].entry, &r, err);
		if (resolve_rows[i].ok != (e == NK_OK))
			fail_msg("row %zu '%s': got %d (%s)", i, resolve_rows[i].entry,
			         e, err);
		if (!resolve_rows[i].ok) {
			assert_int_equal(e, NK_ERR_SETOPT_OPTION_SYNTAX);
			assert_non_null(strstr(err, "bad --resolve entry '"));
			continue;
		}
		assert_string_equal(r.host, resolve_rows[i].host);
		assert_int_equal(r.port, resolve_rows[i].port);
		assert_int_equal(r.remove, resolve_rows[i].remove);
	}
}

static void
test_resolve_entry_message(void **state)
{
	(void)state;
	struct nk_resolve_entry r;
	char err[NK_ERR_MSG_LEN];
	assert_int_equal(nk_resolve_entry_parse("h:80:1.2.3.4,nope", &r, err),
	                 NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_string_equal(err, "bad --resolve entry 'h:80:1.2.3.4,nope': "
	                         "'nope' is not an IP address");
	assert_int_equal(nk_resolve_entry_parse("h\x1b:80", &r, err),
	                 NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_string_equal(err, "bad --resolve entry 'h\\x1b:80': expected "
	                         "HOST:PORT:ADDR[,ADDR...]");
}

static const struct {
	const char *entry;
	int ok;
	const char *fh;
	int fp;
	const char *th;
	int tp;
} connect_to_rows[] = {
	{ "a.example:443:b.example:8443", 1, "a.example", 443, "b.example", 8443 },
	{ "::b.example:", 1, "", -1, "b.example", -1 },
	{ ":443::8443", 1, "", 443, "", 8443 },
	{ ":::", 1, "", -1, "", -1 },
	{ "[::1]:80:[fe80::1]:81", 1, "::1", 80, "fe80::1", 81 },
	{ "a:80:127.0.0.1:81", 1, "a", 80, "127.0.0.1", 81 },
	{ "a:80:b", 0, NULL, 0, NULL, 0 },
	{ "a:80:b:81:c", 0, NULL, 0, NULL, 0 },
	{ "a:80:::1:81", 0, NULL, 0, NULL, 0 },
	{ "a:x:b:81", 0, NULL, 0, NULL, 0 },
	{ "a:80:b:0", 0, NULL, 0, NULL, 0 },
	{ "a:80:b:99999", 0, NULL, 0, NULL, 0 },
	{ "[a:80:b:81", 0, NULL, 0, NULL, 0 },
	{ "", 0, NULL, 0, NULL, 0 },
};

static void
test_connect_to_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof connect_to_rows / sizeof connect_to_rows[0];
	     i++) {
		struct nk_connect_to_entry c;
		char err[NK_ERR_MSG_LEN] = "";
		nk_err e = nk_connect_to_parse(connect_to_rows[i].entry, &c, err);
		if (connect_to_rows[i].ok != (e == NK_OK))
			fail_msg("row %zu '%s': got %d (%s)", i,
			         connect_to_rows[i].entry, e, err);
		if (!connect_to_rows[i].ok) {
			assert_int_equal(e, NK_ERR_SETOPT_OPTION_SYNTAX);
			assert_non_null(strstr(err, "bad --connect-to entry '"));
			continue;
		}
		assert_string_equal(c.from_host, connect_to_rows[i].fh);
		assert_int_equal(c.from_port, connect_to_rows[i].fp);
		assert_string_equal(c.to_host, connect_to_rows[i].th);
		assert_int_equal(c.to_port, connect_to_rows[i].tp);
	}
}

static void
test_connect_to_apply(void **state)
{
	(void)state;
	const char *ct[] = { "a.example:443:b.example:", "A.EXAMPLE::c.example:81",
	                     ":8080:[::1]:9090" };
	nk_netopts o = { 0 };
	o.connect_to = ct;
	o.nconnect_to = 3;
	char host[256];
	int port;
	assert_int_equal(nk_connect_to_apply(&o, "a.example", 443, host,
	                                     sizeof host, &port, NULL), NK_OK);
	assert_string_equal(host, "b.example");
	assert_int_equal(port, 443);
	assert_int_equal(nk_connect_to_apply(&o, "a.example", 80, host,
	                                     sizeof host, &port, NULL), NK_OK);
	assert_string_equal(host, "c.example");
	assert_int_equal(port, 81);
	assert_int_equal(nk_connect_to_apply(&o, "z", 8080, host, sizeof host,
	                                     &port, NULL), NK_OK);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 9090);
	assert_int_equal(nk_connect_to_apply(&o, "z", 80, host, sizeof host,
	                                     &port, NULL), NK_OK);
	assert_string_equal(host, "z");
	assert_int_equal(port, 80);
}

static void
test_netopts_check(void **state)
{
	(void)state;
	const char *good_r[] = { "h:80:127.0.0.1" }, *bad_r[] = { "h:80" };
	const char *good_c[] = { "h:80:g:81" }, *bad_c[] = { "h:80:g" };
	char err[NK_ERR_MSG_LEN] = "";
	nk_netopts o = { 0 };
	assert_int_equal(nk_netopts_check(NULL, err), NK_OK);
	assert_int_equal(nk_netopts_check(&o, err), NK_OK);
	o.resolve = good_r;
	o.nresolve = 1;
	o.connect_to = good_c;
	o.nconnect_to = 1;
	assert_int_equal(nk_netopts_check(&o, err), NK_OK);
	o.resolve = bad_r;
	assert_int_equal(nk_netopts_check(&o, err), NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_string_equal(err, "bad --resolve entry 'h:80': expected "
	                         "HOST:PORT:ADDR[,ADDR...]");
	o.resolve = good_r;
	o.connect_to = bad_c;
	assert_int_equal(nk_netopts_check(&o, err), NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_non_null(strstr(err, "bad --connect-to entry 'h:80:g'"));
	o.connect_to = good_c;
	o.family = 5;
	assert_int_equal(nk_netopts_check(&o, err), NK_ERR_FAILED_INIT);
}

/* A synthetic list from a pattern like "6a 6b 4a 4b": family and a tag
 * that goes into str, so the order can be read back. */
static void
make_list(nk_addr *v, const char *const *tags, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof v[i]);
		v[i].family = tags[i][0] - '0';
		snprintf(v[i].str, sizeof v[i].str, "%s", tags[i]);
	}
}

static void
check_order(const char *const *in, const char *const *want, size_t n)
{
	nk_addr v[16];
	make_list(v, in, n);
	nk_addr_interleave(v, n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].str, want[i]) != 0)
			fail_msg("position %zu: got %s, want %s", i, v[i].str, want[i]);
}

static void
test_interleave(void **state)
{
	(void)state;
	{
		const char *in[] = { "6a", "6b", "6c", "4a", "4b" };
		const char *want[] = { "6a", "4a", "6b", "4b", "6c" };
		check_order(in, want, 5);
	}
	{
		const char *in[] = { "4a", "4b", "4c", "6a" };
		const char *want[] = { "4a", "6a", "4b", "4c" };
		check_order(in, want, 4);
	}
	{
		const char *in[] = { "4a", "6a", "6b", "6c", "4b" };
		const char *want[] = { "4a", "6a", "4b", "6b", "6c" };
		check_order(in, want, 5);
	}
	{
		const char *in[] = { "6a", "6b" };
		const char *want[] = { "6a", "6b" };
		check_order(in, want, 2);
	}
	{
		const char *in[] = { "4a" };
		const char *want[] = { "4a" };
		check_order(in, want, 1);
	}
	check_order(NULL, NULL, 0);
}

static void
expect_one(const char *host, int family, const char *str,
           nk_addr_source src, int port)
{
	nk_addrlist l;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_resolve(NULL, host, port, NK_NO_DEADLINE, &l, err);
	if (e)
		fail_msg("%s: %d %s", host, e, err);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].family, family);
	assert_string_equal(l.v[0].str, str);
	assert_int_equal(l.v[0].source, src);
	const struct sockaddr *sa = (const struct sockaddr *)&l.v[0].sa;
	if (family == 4) {
		assert_int_equal(sa->sa_family, AF_INET);
		assert_int_equal(ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port), port);
		assert_int_equal(l.v[0].len, sizeof(struct sockaddr_in));
	} else {
		assert_int_equal(sa->sa_family, AF_INET6);
		assert_int_equal(ntohs(((const struct sockaddr_in6 *)(const void *)sa)->sin6_port), port);
		assert_int_equal(l.v[0].len, sizeof(struct sockaddr_in6));
	}
	nk_addrlist_free(&l);
	assert_null(l.v);
	nk_addrlist_free(&l);
}

static void
expect_fail(const nk_netopts *o, const char *host, int port, nk_err want,
            const char *msg)
{
	nk_addrlist l;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_resolve(o, host, port, NK_NO_DEADLINE, &l, err);
	if (e != want)
		fail_msg("%s: got %d (%s), want %d", host, e, err, want);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	if (msg)
		assert_string_equal(err, msg);
}

static void
test_literals(void **state)
{
	(void)state;
	expect_one("127.0.0.1", 4, "127.0.0.1", NK_ADDR_LITERAL, 80);
	expect_one("::1", 6, "::1", NK_ADDR_LITERAL, 443);
	expect_one("[::1]", 6, "::1", NK_ADDR_LITERAL, 1);
	expect_one("[2001:db8::1]", 6, "2001:db8::1", NK_ADDR_LITERAL, 65535);
	expect_one("10.1.2.3", 4, "10.1.2.3", NK_ADDR_LITERAL, 0);
	expect_fail(NULL, "[127.0.0.1]", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: [127.0.0.1]");
	expect_fail(NULL, "[not.a.v6]", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: [not.a.v6]");
	expect_fail(NULL, "", 80, NK_ERR_COULDNT_RESOLVE_HOST, NULL);
	expect_fail(NULL, NULL, 80, NK_ERR_COULDNT_RESOLVE_HOST, NULL);
	expect_fail(NULL, "127.0.0.1", 65536, NK_ERR_BAD_FUNCTION_ARGUMENT, NULL);
	expect_fail(NULL, "127.0.0.1", -1, NK_ERR_BAD_FUNCTION_ARGUMENT, NULL);
	nk_netopts o = { 0 };
	o.family = 6;
	expect_fail(&o, "127.0.0.1", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: 127.0.0.1 (no IPv6 address)");
	o.family = 4;
	expect_fail(&o, "[::1]", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: ::1 (no IPv4 address)");
}

static void
test_invalid_names(void **state)
{
	(void)state;
	expect_fail(NULL, "nosuchhost.invalid", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: nosuchhost.invalid");
	expect_fail(NULL, "x.INVALID.", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: x.INVALID.");
	expect_fail(NULL, "bad\x1b[2J.invalid", 80, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: bad\\x1b[2J.invalid");
}

static char hosts_path[64];

static int
make_hosts(void **state)
{
	(void)state;
	snprintf(hosts_path, sizeof hosts_path, "/tmp/nk-test-hosts.XXXXXX");
	int fd = mkstemp(hosts_path);
	if (fd < 0)
		return -1;
	const char text[] =
		"# a comment 127.0.0.9 commented\n"
		"127.0.0.1\tlocalhost loopback # trailing comment\n"
		"::1 localhost ip6-localhost\n"
		"\n"
		"10.0.0.5   Alias.Example other.example\n"
		"fe80::1%lo scoped.example\n"
		"   \n"
		"garbage\n";
	ssize_t w = write(fd, text, sizeof text - 1);
	close(fd);
	return w == (ssize_t)(sizeof text - 1) ? 0 : -1;
}

static int
remove_hosts(void **state)
{
	(void)state;
	unlink(hosts_path);
	return 0;
}

/* a: the resolver's answer addr. */
static void
set_addr(nk_addr *a, const char *addr)
{
	memset(a, 0, sizeof *a);
	a->source = NK_ADDR_DNS;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->sa;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&a->sa;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &s4->sin_addr);
	}
}

static int
has(const char *name, const char *addr)
{
	nk_addr a;
	set_addr(&a, addr);
	nk_hosts_mark(hosts_path, name, &a, 1);
	return a.source == NK_ADDR_HOSTS;
}

/* Several addresses of one name are marked in one reading of the file. */
static void
test_hosts_mark_several(void **state)
{
	(void)state;
	nk_addr v[4];
	set_addr(&v[0], "10.0.0.5");
	set_addr(&v[1], "127.0.0.1");
	set_addr(&v[2], "10.0.0.6");
	set_addr(&v[3], "::1");
	v[1].source = NK_ADDR_OVERRIDE;   /* only resolver answers are marked */
	nk_hosts_mark(hosts_path, "alias.example", v, 4);
	assert_int_equal(v[0].source, NK_ADDR_HOSTS);
	assert_int_equal(v[1].source, NK_ADDR_OVERRIDE);
	assert_int_equal(v[2].source, NK_ADDR_DNS);
	assert_int_equal(v[3].source, NK_ADDR_DNS);
	nk_hosts_mark(hosts_path, "localhost", v, 4);
	assert_int_equal(v[3].source, NK_ADDR_HOSTS);
}

static void
test_hosts_file(void **state)
{
	(void)state;
	assert_true(has("localhost", "127.0.0.1"));
	assert_true(has("LOCALHOST.", "127.0.0.1"));
	assert_true(has("loopback", "127.0.0.1"));
	assert_true(has("localhost", "::1"));
	assert_true(has("ip6-localhost", "::1"));
	assert_true(has("alias.example", "10.0.0.5"));
	assert_true(has("other.example", "10.0.0.5"));
	assert_true(has("scoped.example", "fe80::1"));
	assert_false(has("localhost", "127.0.0.2"));
	assert_false(has("ip6-localhost", "127.0.0.1"));
	assert_false(has("commented", "127.0.0.9"));
	assert_false(has("comment", "127.0.0.1"));
	assert_false(has("trailing", "127.0.0.1"));
	assert_false(has("garbage", "127.0.0.1"));
	nk_addr a;
	set_addr(&a, "127.0.0.1");
	nk_hosts_mark("/nonexistent/hosts", "localhost", &a, 1);
	assert_int_equal(a.source, NK_ADDR_DNS);
}

static void
test_localhost(void **state)
{
	(void)state;
	/* Whatever the system returns for localhost is loopback, and every
	 * address the test hosts file lists for it is labelled "hosts". */
	nk_netopts o = { 0 };
	o.hosts_file = hosts_path;
	nk_addrlist l;
	char err[NK_ERR_MSG_LEN] = "";
	nk_err e = nk_resolve(&o, "localhost", 8080, nk_deadline_in_ms(5000), &l,
	                      err);
	if (e)
		fail_msg("localhost: %d %s", e, err);
	assert_true(l.n >= 1);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].str, "127.0.0.1") != 0 &&
		    strcmp(l.v[i].str, "::1") != 0)
			fail_msg("localhost gave %s", l.v[i].str);
		assert_int_equal(l.v[i].source, NK_ADDR_HOSTS);
		if (i > 0 && l.n == 2)
			assert_int_not_equal(l.v[i].family, l.v[i - 1].family);
	}
	assert_true(l.elapsed > 0);
	nk_addrlist_free(&l);

	/* A hosts file that does not list it makes the same answer "dns". */
	o.hosts_file = "/nonexistent/hosts";
	assert_int_equal(nk_resolve(&o, "localhost", 80, NK_NO_DEADLINE, &l, err),
	                 NK_OK);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.v[i].source, NK_ADDR_DNS);
	nk_addrlist_free(&l);
}

static void
test_overrides(void **state)
{
	(void)state;
	const char *r[] = {
		"h.example:80:10.0.0.1,[2001:db8::1],10.0.0.2,2001:db8::2",
		"h.example:81:10.0.0.3",
		"h.example:81:10.0.0.4",          /* replaces the one above */
		"*:82:10.0.0.5",
		"h.example:82:10.0.0.6",          /* named beats wildcard */
		"other.example:*:10.0.0.7",
		"gone.invalid:83:10.0.0.8",
		"-gone.invalid:83",
		"nosuchhost.invalid:84:127.0.0.1",
	};
	nk_netopts o = { 0 };
	o.resolve = r;
	o.nresolve = sizeof r / sizeof r[0];
	nk_addrlist l;
	char err[NK_ERR_MSG_LEN];

	assert_int_equal(nk_resolve(&o, "H.Example", 80, NK_NO_DEADLINE, &l, err),
	                 NK_OK);
	assert_int_equal(l.n, 4);
	const char *want[] = { "10.0.0.1", "2001:db8::1", "10.0.0.2",
	                       "2001:db8::2" };
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(l.v[i].str, want[i]);
		assert_int_equal(l.v[i].source, NK_ADDR_OVERRIDE);
	}
	nk_addrlist_free(&l);

	struct { const char *host; int port; const char *addr; } one[] = {
		{ "h.example", 81, "10.0.0.4" },
		{ "h.example", 82, "10.0.0.6" },
		{ "x.example", 82, "10.0.0.5" },
		{ "other.example", 12345, "10.0.0.7" },
		{ "nosuchhost.invalid", 84, "127.0.0.1" },
		{ "nosuchhost.invalid", 0, "127.0.0.1" },
	};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
		nk_err e = nk_resolve(&o, one[i].host, one[i].port, NK_NO_DEADLINE, &l,
		                      err);
		if (e)
			fail_msg("%s:%d: %d %s", one[i].host, one[i].port, e, err);
		assert_int_equal(l.n, 1);
		assert_string_equal(l.v[0].str, one[i].addr);
		nk_addrlist_free(&l);
	}
	expect_fail(&o, "gone.invalid", 83, NK_ERR_COULDNT_RESOLVE_HOST, NULL);

	/* The family filter applies to overrides too. */
	o.family = 6;
	assert_int_equal(nk_resolve(&o, "h.example", 80, NK_NO_DEADLINE, &l, err),
	                 NK_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].str, "2001:db8::1");
	assert_string_equal(l.v[1].str, "2001:db8::2");
	nk_addrlist_free(&l);
	expect_fail(&o, "h.example", 81, NK_ERR_COULDNT_RESOLVE_HOST,
	            "Could not resolve host: h.example (no IPv6 address)");

	/* A bad entry fails every resolve with SETOPT_OPTION_SYNTAX (49). */
	const char *bad[] = { "h.example:80:nope" };
	nk_netopts b = { 0 };
	b.resolve = bad;
	b.nresolve = 1;
	expect_fail(&b, "127.0.0.1", 80, NK_ERR_SETOPT_OPTION_SYNTAX, NULL);
}

static void
test_deadline(void **state)
{
	(void)state;
	/* The worker sleeps 400 ms before it asks; the caller gives up at
	 * 100 ms and must be back by then, not when the worker ends. */
	nk_addrlist l;
	char err[NK_ERR_MSG_LEN] = "";
	nk_time t0 = nk_now();
	nk_err e = nk_resolve_delayed(NULL, "localhost", 80, t0 + 100000, &l, err,
	                              400);
	nk_time took = nk_now() - t0;
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);
	assert_in_range(took, 95000, 300000);
	assert_non_null(strstr(err, "Resolving timed out after "));
	assert_non_null(strstr(err, " ms: localhost"));
	assert_int_equal(l.n, 0);

	/* A deadline that has passed already. */
	e = nk_resolve_delayed(NULL, "localhost", 80, nk_now() - 1, &l, err, 0);
	assert_int_equal(e, NK_ERR_OPERATION_TIMEDOUT);

	/* Long enough: the delayed answer arrives. */
	e = nk_resolve_delayed(NULL, "localhost", 80, nk_now() + 5000000, &l, err,
	                       50);
	assert_int_equal(e, NK_OK);
	assert_true(l.elapsed >= 50000);
	nk_addrlist_free(&l);

	/* Let the abandoned workers finish and free their jobs, so a
	 * sanitizer build sees both sides of the hand-over. */
	usleep(450000);
}

static void
test_source_names(void **state)
{
	(void)state;
	assert_string_equal(nk_addr_source_name(NK_ADDR_LITERAL), "literal");
	assert_string_equal(nk_addr_source_name(NK_ADDR_OVERRIDE), "--resolve");
	assert_string_equal(nk_addr_source_name(NK_ADDR_HOSTS), "hosts");
	assert_string_equal(nk_addr_source_name(NK_ADDR_DNS), "dns");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_entry_parse),
		cmocka_unit_test(test_resolve_entry_message),
		cmocka_unit_test(test_connect_to_parse),
		cmocka_unit_test(test_connect_to_apply),
		cmocka_unit_test(test_netopts_check),
		cmocka_unit_test(test_interleave),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test_setup_teardown(test_hosts_file, make_hosts,
		                                remove_hosts),
		cmocka_unit_test_setup_teardown(test_hosts_mark_several, make_hosts,
		                                remove_hosts),
		cmocka_unit_test_setup_teardown(test_localhost, make_hosts,
		                                remove_hosts),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_source_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
