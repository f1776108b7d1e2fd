/* Regression tests for URL parser bugs found by fuzzing (tests/fuzz,
 * fuzz_url). Each case names the input saved under
 * tests/fuzz/crashes/fuzz_url/.
 *
 * Fixed (found 2026-11, fuzz_url):
 *   url-idna-null-offset: a domain that maps to nothing under IDNA (only
 *   U+00AD SOFT HYPHEN, which UTS 46 maps away) leaves the normalised
 *   buffer empty with a NULL pointer, and url_idna_to_ascii() in
 *   lib/url_idna.c computes `norm.p + i` on it: undefined behaviour that
 *   clang's UBSan reports ("applying zero offset to null pointer"). Only a
 *   build with clang and -fsanitize=undefined sees it fail:
 *	make check SANITIZE=1 CC=clang
 *   The results themselves are right: these inputs must be refused. */
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

/* crashes/fuzz_url/url-idna-null-offset: "file://\u00AD/p" (WPT) */
static void
idna_empty_after_mapping(void **state)
{
	(void)state;
	refused("file://\xc2\xad/p");
	refused("https://\xc2\xad/");
	refused("http://\xc2\xad\xc2\xad/");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idna_empty_after_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
