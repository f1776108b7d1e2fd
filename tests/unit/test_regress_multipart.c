/* Regression tests for -F parser bugs found by fuzzing (tests/fuzz,
 * target fuzz_multipart). Each case names its input in
 * tests/fuzz/crashes/fuzz_multipart/.
 *
 * A leak gives the right result in an ordinary build; only
 * LeakSanitizer sees it, so this test can only fail in
 *	make SANITIZE=1 B=build-san tests
 *
 *   leak-filename-then-bad-type (fixed): ";filename=" followed by a
 *   malformed ";type=" returned the error from inside the settings loop
 *   of lib/multipart.c without freeing the file name already taken. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nk/multipart.h"

static void
test_filename_then_bad_type(void **state)
{
	(void)state;
	static const char *const args[] = {
		"a=v;filename=x;type=bad",
		"a=@x;filename=\"q\";headers=X: 1;type=,y",
	};
	for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
		nk_multipart_part p;
		char msg[NK_ERR_MSG_LEN] = "";
		assert_int_equal(nk_multipart_parse_arg(args[i], 0, NULL, NULL, &p,
		                                        msg), NK_ERR_FAILED_INIT);
		assert_string_equal(msg, "form field: illegally formatted "
		                    "content-type");
		nk_multipart_part_clear(&p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filename_then_bad_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
