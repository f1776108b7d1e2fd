/* Unit tests of nk/http.h's dates: nk_http_date_parse against what
 * libcurl 7.88's curl_getdate returns for the same text (the values
 * below are its answers), and nk_http_date_format's IMF-fixdate. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nk/http.h"

static const struct {
	const char *in;
	int64_t want;
} dates[] = {
	{ "Thu, 19 Oct 2023 12:00:00 GMT", 1697716800 },
	{ "Thursday, 19-Oct-23 12:00:00 GMT", 1697716800 },
	{ "Thu Oct 19 12:00:00 2023", 1697716800 },
	{ "19 Oct 2023 12:00:00", 1697716800 },
	{ "Oct 19 2023", 1697673600 },
	{ "2023 Oct 19", 1697673600 },
	{ "19-Oct-2023", 1697673600 },
	{ "20231019", 1697673600 },
	{ "20231019 12:00", 1697716800 },
	{ "19 Oct 2023 12:00:00 +0200", 1697709600 },
	{ "19 Oct 2023 12:00:00 -0130", 1697722200 },
	{ "19 Oct 2023 12:00 EST", 1697734800 },
	{ "Oct 19 2023 12:00 CEST", 1697709600 },
	{ "1 Jan 70 00:00:01", 3155760001 },
	{ "1 Jan 1999", 915148800 },
	{ "1 Jan 69", 3124224000 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111777 },
	{ "Sun Nov  6 08:49:37 1994", 784111777 },
	{ "06 Nov 1994 08:49:37 Z", 784111777 },
	{ "06 Nov 1994 08:49:37 A", 784115377 },
	{ "bogus", -1 },
	{ "2023-10-19 12:00", -1 },
	{ "", -1 },
	{ "-", -1 },
	{ "Oct 2023", -1 },
	{ "32 Oct 2023", -1 },
	{ "19 Oct 2023 24:00", -1 },
	{ "19 Oct 1500", -1 },
	{ "Febr 3 2020", -1 },
	{ "Mon Tue 3 Feb 2020", -1 },
	{ "3 feb 2020 1:2:3", 1580691723 },
	{ "3 Feb 2020 12:00:00 UTC extra words here", -1 },
	{ "Feb 30 2020", 1583020800 },
	{ "19 Oct 2023 12:00:60", 1697716860 },
};

static void
test_parse_as_curl(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		int64_t got = nk_http_date_parse(dates[i].in);
		if (got != dates[i].want)
			fail_msg("\"%s\": %lld, curl_getdate %lld", dates[i].in,
			         (long long)got, (long long)dates[i].want);
	}
}

static void
test_format(void **state)
{
	(void)state;
	char out[NK_HTTP_DATE_LEN];
	nk_http_date_format(1697716800, out);
	assert_string_equal(out, "Thu, 19 Oct 2023 12:00:00 GMT");
	nk_http_date_format(0, out);
	assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	nk_http_date_format(784111777, out);
	assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	/* What it writes, it reads back. */
	assert_int_equal(nk_http_date_parse(out), 784111777);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_as_curl),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
