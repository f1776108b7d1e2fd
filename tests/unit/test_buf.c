/* test_buf: nk_buf (growth, the cap, sticky errors, take) and the UTF-8
 * decoder of nk/text.h against Unicode's "maximal subpart" rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/buf.h"
#include "nk/text.h"

static void
test_grow(void **state)
{
	(void)state;
	nk_buf b = NK_BUF_INIT(0);
	assert_string_equal(nk_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(nk_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.p[1000], '\0');
	assert_int_equal(nk_buf_printf(&b, "%s-%d", "x", 42), 0);
	assert_int_equal(b.len, 1004);
	assert_string_equal(b.p + 1000, "x-42");
	nk_buf_cut(&b, 2);
	assert_string_equal(b.p + 1000, "x-");
	nk_buf_clear(&b);
	assert_string_equal(nk_buf_str(&b), "");
	/* a printf longer than the small buffer inside */
	char big[600];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(nk_buf_printf(&b, "<%s>", big), 0);
	assert_int_equal(b.len, 601);
	assert_int_equal(b.p[600], '>');
	nk_buf_free(&b);
	assert_null(b.p);
	/* one allocation for what is reserved */
	assert_int_equal(nk_buf_reserve(&b, 1000), 0);
	assert_true(b.cap >= 1001);
	size_t cap = b.cap;
	char *p = b.p;
	for (int i = 0; i < 1000; i++)
		nk_buf_addc(&b, 'x');
	assert_ptr_equal(b.p, p);
	assert_int_equal(b.cap, cap);
	nk_buf_free(&b);
	nk_buf small = NK_BUF_INIT(10);
	assert_int_equal(nk_buf_reserve(&small, 11), -1);
	assert_int_equal(small.err, NK_ERR_FILESIZE_EXCEEDED);
}

static void
test_cap_sticks(void **state)
{
	(void)state;
	nk_buf b = NK_BUF_INIT(8);
	assert_int_equal(nk_buf_adds(&b, "12345678"), 0);
	assert_int_equal(nk_buf_addc(&b, '9'), -1);
	assert_int_equal(b.err, NK_ERR_FILESIZE_EXCEEDED);
	assert_string_equal(b.p, "12345678");
	/* sticky: even an empty append fails now */
	assert_int_equal(nk_buf_add(&b, NULL, 0), -1);
	assert_null(nk_buf_take(&b));
	assert_int_equal(b.err, 0);
	assert_int_equal(b.max, 8);
	assert_int_equal(nk_buf_adds(&b, "ok"), 0);
	char *s = nk_buf_take(&b);
	assert_string_equal(s, "ok");
	free(s);
	s = nk_buf_take(&b);
	assert_string_equal(s, "");
	free(s);
}

static void
test_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint32_t cp;
		size_t used;
		int bad;
	} cases[] = {
		{ "A", 'A', 1, 0 },
		{ "\xc3\xa9", 0xE9, 2, 0 },
		{ "\xe2\x80\xae", 0x202E, 3, 0 },
		{ "\xf0\x9f\x98\x80", 0x1F600, 4, 0 },
		{ "\xef\xbf\xbd", 0xFFFD, 3, 0 },       /* a real U+FFFD */
		{ "\xc0\xaf", 0xFFFD, 1, 1 },           /* overlong lead */
		{ "\xe0\x80\x80", 0xFFFD, 1, 1 },       /* overlong, 2nd byte */
		{ "\xed\xa0\x80", 0xFFFD, 1, 1 },       /* a surrogate */
		{ "\xf4\x90\x80\x80", 0xFFFD, 1, 1 },   /* past U+10FFFF */
		{ "\xe2\x80", 0xFFFD, 2, 1 },           /* cut short */
		{ "\xf0\x9f\x98" "A", 0xFFFD, 3, 1 },   /* maximal subpart */
		{ "\x80", 0xFFFD, 1, 1 },
		{ "\xff", 0xFFFD, 1, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t cp;
		int bad;
		size_t n = nk_utf8_next((const unsigned char *)cases[i].in,
		                        strlen(cases[i].in), &cp, &bad);
		assert_int_equal(cp, cases[i].cp);
		assert_int_equal(n, cases[i].used);
		assert_int_equal(bad, cases[i].bad);
		if (!bad) {
			char out[4];
			assert_int_equal(nk_utf8_encode(cp, out), n);
			assert_memory_equal(out, cases[i].in, n);
		}
	}
	assert_int_equal(nk_utf8_valid("ab\xc3\xa9z", 5), 5);
	assert_int_equal(nk_utf8_valid("ab\xc3" "z", 4), 2);
	assert_int_equal(nk_utf8_valid("", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_cap_sticks),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
