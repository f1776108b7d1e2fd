/* nk_port_parse: numbers, service names, and the messages for neither. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "nk/net.h"

static void
port_is(const char *s, const char *proto, int want)
{
	char err[NK_ERR_MSG_LEN] = "";
	int port = -1;
	assert_int_equal(nk_port_parse(s, proto, &port, err), NK_OK);
	assert_int_equal(port, want);
	assert_string_equal(err, "");
}

static void
fails(const char *s, const char *proto, const char *want)
{
	char err[NK_ERR_MSG_LEN] = "";
	int port = 7;
	assert_int_equal(nk_port_parse(s, proto, &port, err),
	                 NK_ERR_SETOPT_OPTION_SYNTAX);
	assert_string_equal(err, want);
	assert_int_equal(port, 7);
}

static void
test_numbers(void **state)
{
	(void)state;
	port_is("1", NULL, 1);
	port_is("65535", NULL, 65535);
	port_is("080", "tcp", 80);
	/* strtol's reading, as the tools had: blanks before, a sign. */
	port_is(" 23", NULL, 23);
	port_is("+23", "tcp", 23);
	fails("0", NULL, "port takes 1 to 65535, not '0'");
	fails("65536", "tcp", "port takes 1 to 65535, not '65536'");
	fails("-1", "tcp", "port takes 1 to 65535, not '-1'");
	fails("99999999999999999999", "tcp",
	      "port takes 1 to 65535, not '99999999999999999999'");
	/* A number with more after it is no number. */
	fails("23 ", NULL, "port takes 1 to 65535, not '23 '");
	fails("", NULL, "port takes 1 to 65535, not ''");
	fails("telnet", NULL, "port takes 1 to 65535, not 'telnet'");
	/* NULL errmsg is fine. */
	int port = 0;
	assert_int_equal(nk_port_parse("x", NULL, &port, NULL),
	                 NK_ERR_SETOPT_OPTION_SYNTAX);
}

static void
test_services(void **state)
{
	(void)state;
	fails("no-such-service", "tcp",
	      "unknown port or service 'no-such-service'");
	fails("", "tcp", "unknown port or service ''");
	fails("23x", "tcp", "unknown port or service '23x'");
	/* What the system's services database says, where it has one. */
	struct servent *se = getservbyname("telnet", "tcp");
	if (!se)
		skip();
	port_is("telnet", "tcp", ntohs((uint16_t)se->s_port));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
