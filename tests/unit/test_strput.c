/* strput: nk_put_str and nk_put_uint give what snprintf would, truncation
 * included, since they replace it on the per-request paths. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/internal.h"

static void
test_pieces(void **state)
{
	(void)state;
	char buf[64], want[64];
	char *p = buf, *end = buf + sizeof buf;
	p = nk_put_str(p, end, "http://");
	p = nk_put_str(p, end, "h");
	p = nk_put_str(p, end, ":");
	p = nk_put_uint(p, end, 8080);
	assert_string_equal(buf, "http://h:8080");
	assert_ptr_equal(p, buf + strlen(buf));

	static const unsigned long long v[] = { 0, 7, 10, 255, 65535,
		4294967295ULL, ULLONG_MAX };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		nk_put_uint(buf, end, v[i]);
		snprintf(want, sizeof want, "%llu", v[i]);
		assert_string_equal(buf, want);
	}
}

static void
test_truncation(void **state)
{
	(void)state;
	/* Every size from nothing to more than enough: the same bytes as
	 * snprintf, and the next piece goes right after them. */
	for (size_t n = 0; n <= 12; n++) {
		char buf[16], want[16];
		memset(buf, 'x', sizeof buf);
		memset(want, 'x', sizeof want);
		char *p = nk_put_str(buf, buf + n, "abc");
		p = nk_put_uint(p, buf + n, 12345);
		if (n)
			snprintf(want, n, "abc%d", 12345);
		assert_memory_equal(buf, want, sizeof buf);
		assert_ptr_equal(p, buf + (n ? (n - 1 < 8 ? n - 1 : 8) : 0));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("strput", tests, NULL, NULL);
}
