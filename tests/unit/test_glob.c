/* glob: nk http's URL globbing gives curl 7.88's URLs, in its order, and
 * curl's errors (each checked against /usr/bin/curl when written). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/buf.h"
#include "nk/err.h"
#include "../../cmd/http/glob.h"

/* Every URL of pattern, joined with spaces. */
static void
expect(const char *pattern, const char *want)
{
	char errmsg[NK_ERR_MSG_LEN] = "";
	struct glob *g = NULL;
	int e = glob_parse(pattern, &g, errmsg, sizeof errmsg);
	if (e)
		fail_msg("%s: %s", pattern, errmsg);
	nk_buf got = NK_BUF_INIT(0);
	for (size_t k = 0; k < glob_count(g); k++) {
		char *u = glob_url(g, k);
		assert_non_null(u);
		if (k)
			nk_buf_addc(&got, ' ');
		nk_buf_adds(&got, u);
		free(u);
	}
	glob_free(g);
	assert_int_equal(got.err, 0);
	assert_string_equal(nk_buf_str(&got), want);
	nk_buf_free(&got);
}

static void
expect_error(const char *pattern, const char *want)
{
	char errmsg[NK_ERR_MSG_LEN] = "";
	struct glob *g = NULL;
	assert_int_equal(glob_parse(pattern, &g, errmsg, sizeof errmsg),
	                 NK_ERR_URL_MALFORMAT);
	assert_null(g);
	assert_string_equal(errmsg, want);
}

static void
test_ranges(void **state)
{
	(void)state;
	expect("h/[1-3]", "h/1 h/2 h/3");
	expect("h/[1-1]", "h/1");
	expect("h/[1-1:1]", "h/1");
	expect("h/[01-10:4]", "h/01 h/05 h/09");
	expect("h/[001-3]", "h/001 h/002 h/003");
	expect("h/[1-003]", "h/1 h/2 h/3");
	expect("h/[8-11]", "h/8 h/9 h/10 h/11");
	expect("h/[1-3:2]x", "h/1x h/3x");
	expect("h/[a-e:2]", "h/a h/c h/e");
	expect("h/[X-Z]", "h/X h/Y h/Z");
	expect("h/[a-a]", "h/a");
	expect("h/[18446744073709551614-18446744073709551615]",
	       "h/18446744073709551614 h/18446744073709551615");
}

static void
test_sets_and_order(void **state)
{
	(void)state;
	expect("h/{a,b}/[1-2]", "h/a/1 h/a/2 h/b/1 h/b/2");
	expect("h/{a,}x", "h/ax h/x");
	expect("h/{,}", "h/ h/");
	expect("{one,two}", "one two");
	expect("h/{a\\,b,c\\}}", "h/a,b h/c}");
	expect("h/\\[1-2\\]\\{a\\}", "h/[1-2]{a}");
	expect("h/a\\,b\\x", "h/a\\,b\\x");
	expect("http://[::1]:8/[1-2]", "http://[::1]:8/1 http://[::1]:8/2");
	expect("http://[fe80::1%25eth0]/", "http://[fe80::1%25eth0]/");
	expect("plain", "plain");
	expect("", "");
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("h/[2-1]", "bad range in URL position 3: h/[2-1]");
	expect_error("h/[1-3:5]", "bad range in URL position 3: h/[1-3:5]");
	expect_error("h/[1-3:0]", "bad range in URL position 3: h/[1-3:0]");
	expect_error("h/[1-3:]", "bad range in URL position 3: h/[1-3:]");
	expect_error("h/[1-3:1x]", "bad range in URL position 3: h/[1-3:1x]");
	expect_error("h/[1 -3]", "bad range in URL position 3: h/[1 -3]");
	expect_error("h/[-1-2]", "bad range in URL position 3: h/[-1-2]");
	expect_error("h/[12]", "bad range in URL position 3: h/[12]");
	expect_error("h/[1-2", "bad range in URL position 3: h/[1-2");
	expect_error("h/[a-Z]", "bad range in URL position 3: h/[a-Z]");
	expect_error("h/[A-c]", "bad range in URL position 3: h/[A-c]");
	expect_error("h/[a-ab]", "bad range in URL position 3: h/[a-ab]");
	expect_error("h/[a-c:30]", "bad range in URL position 3: h/[a-c:30]");
	expect_error("h/[1-99999999999999999999]",
	             "bad range in URL position 3: h/[1-99999999999999999999]");
	expect_error("h/[1-1:2]", "bad range in URL position 3: h/[1-1:2]");
	expect_error("h/[a-a:2]", "bad range in URL position 3: h/[a-a:2]");
	expect_error("h/{a]b}", "unexpected close bracket in URL position 5: "
	             "h/{a]b}");
	/* A zone running to the end of the string: read no further. */
	expect_error("http://[::1%25", "bad range in URL position 8: "
	             "http://[::1%25");
	expect_error("h/{a", "unmatched brace in URL position 3: h/{a");
	expect_error("h/{a,{b}}", "nested brace in URL position 6: h/{a,{b}}");
	expect_error("h/{a,b[1-2]}",
	             "nested brace in URL position 7: h/{a,b[1-2]}");
	expect_error("h/x{}", "empty string within braces in URL position 5: "
	             "h/x{}");
	expect_error("h/a}", "unmatched close brace/bracket in URL position 4: "
	             "h/a}");
	expect_error("h/a]", "unmatched close brace/bracket in URL position 4: "
	             "h/a]");
}

static void
test_limit(void **state)
{
	(void)state;
	char errmsg[NK_ERR_MSG_LEN];
	struct glob *g = NULL;
	assert_int_equal(glob_parse("h/[1-100000]", &g, errmsg, sizeof errmsg),
	                 0);
	assert_int_equal(glob_count(g), 100000);
	char *u = glob_url(g, 99999);
	assert_string_equal(u, "h/100000");
	free(u);
	glob_free(g);
	expect_error("h/[1-100001]", "range overflow (more than 100000 URLs) "
	             "in URL position 3: h/[1-100001]");
	expect_error("h/[0-18446744073709551615]", "range overflow (more than "
	             "100000 URLs) in URL position 3: h/[0-18446744073709551615]");
	expect_error("h/[1-1000][1-101]", "range overflow (more than 100000 "
	             "URLs) in URL position 18: h/[1-1000][1-101]");
}

static void
test_names(void **state)
{
	(void)state;
	char errmsg[NK_ERR_MSG_LEN];
	struct glob *g = NULL;
	assert_int_equal(glob_parse("h/{a,b}/x[08-10:2]", &g, errmsg,
	                            sizeof errmsg), 0);
	static const char *const want[] = {
		"a_08 #3 #0 # #x", "a_10 #3 #0 # #x",
		"b_08 #3 #0 # #x", "b_10 #3 #0 # #x",
	};
	for (size_t k = 0; k < 4; k++) {
		char *n = glob_name(g, k, "#1_#2 #3 #0 # #x");
		assert_string_equal(n, want[k]);
		free(n);
	}
	char *n = glob_name(g, 3, "#2#1#99999999999999999999999");
	assert_string_equal(n, "10b#99999999999999999999999");
	free(n);
	glob_free(g);
	/* No pattern: #1 is kept. */
	assert_int_equal(glob_parse("h/x", &g, errmsg, sizeof errmsg), 0);
	n = glob_name(g, 0, "f#1");
	assert_string_equal(n, "f#1");
	free(n);
	glob_free(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_sets_and_order),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests_name("glob", tests, NULL, NULL);
}
