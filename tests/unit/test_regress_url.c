/* Regression tests for URL parser bugs found by fuzzing (tests/fuzz,
 * target fuzz_url). Each case names its input in
 * tests/fuzz/crashes/fuzz_url/.
 *
 * Both bugs are undefined behaviour that gives the right result in an
 * ordinary build; only clang's UBSan sees them ("applying zero offset to
 * null pointer"), so these tests can only fail in
 *	make check SANITIZE=1 CC=clang
 * (gcc's -fsanitize=undefined does not check that case).
 *
 *   url-idna-empty-host (fixed): a domain IDNA maps to nothing
 *   ("file://\u00AD/p", a WPT case) left url_idna_to_ascii() in
 *   lib/url_idna.c computing `norm.p + i` on a NULL buffer.
 *
 *   url-idna-dots-only (fixed): a domain of empty labels only ("http://\u3002/", U+3002 IDEOGRAPHIC FULL STOP mapping to
 *   "."; or "http://\u00AD.\u00AD/") leaves the Unicode buffer `uni` with a
 *   NULL pointer, and url_idna_to_ascii() computes
 *   `uni.p + labels[i].off` on it in the validity loop and the To ASCII
 *   loop. The href, "http://./", is what browsers give. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nk/url.h"

static void
refused(const char *input)
{
	nk_url *u = NULL;
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_url_parse(input, NULL, &u, msg),
	                 NK_ERR_URL_MALFORMAT);
	assert_null(u);
	assert_true(msg[0] != '\0');
}

static void
parses_to(const char *input, const char *href)
{
	nk_url *u = NULL;
	char msg[NK_ERR_MSG_LEN] = "";
	assert_int_equal(nk_url_parse(input, NULL, &u, msg), NK_OK);
	assert_string_equal(nk_url_get(u, NK_URL_HREF), href);
	nk_url_free(u);
}

/* crashes/fuzz_url/url-idna-empty-host */
static void
idna_empty_host(void **state)
{
	(void)state;
	refused("file://\xc2\xad/p");
	refused("https://\xc2\xad/");
	refused("http://\xc2\xad\xc2\xad/");
}

/* crashes/fuzz_url/url-idna-dots-only */
static void
idna_dots_only(void **state)
{
	(void)state;
	parses_to("http://\xe3\x80\x82/", "http://./");
	parses_to("http://\xc2\xad.\xc2\xad/", "http://./");
	parses_to("http://.\xc2\xad/", "http://./");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idna_empty_host),
		cmocka_unit_test(idna_dots_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
