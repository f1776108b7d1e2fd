/* Unit tests of nk/netrc.h: the entry curl 7.88 picks for a host from the
 * same text (checked against curl by tests/cli/http_netrc.bats), the
 * tokenizer's quoting, comments and macros, and its one syntax error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/netrc.h"

/* The "user:password" text finds for host (and login), "" for none. */
static const char *
find(const char *text, const char *host, const char *login)
{
	static char out[256];
	char *u = NULL, *p = NULL, msg[NK_ERR_MSG_LEN];
	assert_int_equal(nk_netrc_find(text, strlen(text), host, login, &u, &p,
	                               msg), NK_OK);
	assert_true((u == NULL) == (p == NULL));
	if (u)
		snprintf(out, sizeof out, "%s:%s", u, p);
	else
		out[0] = '\0';
	free(u);
	free(p);
	return out;
}

static void
test_machines(void **state)
{
	(void)state;
	const char *t = "machine a login al password ap\n"
	                "machine b login bo password bp\n";
	assert_string_equal(find(t, "a", NULL), "al:ap");
	assert_string_equal(find(t, "B", NULL), "bo:bp");
	assert_string_equal(find(t, "c", NULL), "");
	assert_string_equal(find("", "a", NULL), "");
	/* All on one line, tabs and CRLF. */
	assert_string_equal(find("machine\ta\r\nlogin x password y machine "
	                         "b login z password w", "b", NULL), "z:w");
}

static void
test_default(void **state)
{
	(void)state;
	const char *t = "machine a login al password ap\n"
	                "default login d password dp\n";
	assert_string_equal(find(t, "a", NULL), "al:ap");
	assert_string_equal(find(t, "x", NULL), "d:dp");
	/* Where it stands: before a machine line, default wins (curl). */
	assert_string_equal(find("default login d password dp machine a "
	                         "login al password ap", "a", NULL), "d:dp");
}

static void
test_partial(void **state)
{
	(void)state;
	/* An entry without a password does not end the search. */
	assert_string_equal(find("machine a login x\nmachine a login y "
	                         "password yp\nmachine a login z password "
	                         "zp\n", "a", NULL), "y:yp");
	assert_string_equal(find("machine a login x", "a", NULL), "x:");
	assert_string_equal(find("machine a password p", "a", NULL), ":p");
	assert_string_equal(find("machine a login x password", "a", NULL),
	                    "x:");
	assert_string_equal(find("machine", "a", NULL), "");
	assert_string_equal(find("machine a account q", "a", NULL), "");
}

static void
test_login(void **state)
{
	(void)state;
	const char *t = "machine a login bo password bp\n"
	                "machine a login al password ap\n";
	assert_string_equal(find(t, "a", "al"), "al:ap");
	assert_string_equal(find(t, "a", "bo"), "bo:bp");
	assert_string_equal(find(t, "a", "zz"), "");
	/* A password before the login is not that login's. */
	assert_string_equal(find("machine a password p login al", "a", "al"),
	                     "");
}

static void
test_tokens(void **state)
{
	(void)state;
	assert_string_equal(find("machine a login \"a b\" password "
	                         "\"q\\\"\\\\\\n\\t\\x\"", "a", NULL),
	                    "a b:q\"\\\n\tx");
	assert_string_equal(find("# machine a login c password c\n"
	                         "machine a login u #x password p\n"
	                         "password p2", "a", NULL), "u:p2");
	/* A macro runs to an empty line; its words are not tokens. */
	assert_string_equal(find("macdef m\nmachine a login m password m\n"
	                         "\r\nmachine a login u password p", "a",
	                         NULL), "u:p");
	assert_string_equal(find("macdef m\nmachine a login m password m\n",
	                         "a", NULL), "");
	/* A keyword as a value is a value. */
	assert_string_equal(find("machine a login machine password default",
	                         "a", NULL), "machine:default");
}

static void
test_errors(void **state)
{
	(void)state;
	char *u = NULL, *p = NULL, msg[NK_ERR_MSG_LEN];
	const char *t = "machine a\nlogin \"x\npassword y";
	assert_int_equal(nk_netrc_find(t, strlen(t), "a", NULL, &u, &p, msg),
	                 NK_ERR_READ_ERROR);
	assert_string_equal(msg, "netrc: a quoted token is not closed on "
	                    "line 2");
	assert_null(u);
	assert_null(p);
	t = "machine a login \"x\\";
	assert_int_equal(nk_netrc_find(t, strlen(t), NULL, NULL, &u, &p, msg),
	                 NK_ERR_READ_ERROR);
	/* A syntax check of the whole text finds no credentials. */
	t = "machine a login x password y";
	assert_int_equal(nk_netrc_find(t, strlen(t), NULL, NULL, &u, &p, msg),
	                 NK_OK);
	assert_null(u);
	/* A file that cannot be read is no file. */
	assert_int_equal(nk_netrc_lookup("/nonexistent/netrc", "a", NULL, &u,
	                                 &p, msg), NK_OK);
	assert_null(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_machines),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
