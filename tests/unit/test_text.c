/* test_text: the one terminal-safe rule of nk/text.h, class by class
 * (printable ASCII, tab, C0, ESC, DEL, raw and encoded C1, invalid UTF-8,
 * bidirectional controls, the 8-bit mode), its writers, and a stream cut
 * at every byte, mid-character too. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nk/buf.h"
#include "nk/text.h"

struct row {
	const char *in;
	size_t len;
	unsigned flags;
	const char *want;
};

/* Each row through nk_text_escape; the answer must also be what
 * nk_text_escape_to gives with room to spare. */
static void
check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		nk_buf b = NK_BUF_INIT(0);
		char to[128];
		assert_int_equal(nk_text_escape(&b, rows[i].in, rows[i].len,
		                                rows[i].flags), 0);
		if (strcmp(nk_buf_str(&b), rows[i].want) != 0)
			fprintf(stderr, "# row %zu: got '%s', want '%s'\n", i,
			        nk_buf_str(&b), rows[i].want);
		assert_string_equal(nk_buf_str(&b), rows[i].want);
		assert_int_equal(nk_text_escape_to(to, sizeof to, rows[i].in,
		                                   rows[i].len, rows[i].flags),
		                 rows[i].len);
		assert_string_equal(to, rows[i].want);
		nk_buf_free(&b);
	}
}

static void
test_ascii(void **state)
{
	static const struct row rows[] = {
		{ "plain text ~!", 13, 0, "plain text ~!" },
		{ "a\tb", 3, 0, "a\\x09b" },                 /* tab: escaped */
		{ "a\tb", 3, NK_TEXT_TAB, "a\tb" },          /* unless allowed */
		{ "\x1b[31mred", 8, NK_TEXT_TAB, "\\x1b[31mred" },
		{ "nul\0x", 5, 0, "nul\\x00x" },
		{ "\a\b\n\r\f\x1f", 6, NK_TEXT_TAB,
		  "\\x07\\x08\\x0a\\x0d\\x0c\\x1f" },
		{ "del\x7f", 4, 0, "del\\x7f" },
		{ "", 0, 0, "" },
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* The wire form: only printable ASCII passes, and the result reads back
 * as the bytes (a backslash doubled, C's names for CR, LF, tab, NUL). */
static void
test_wire(void **state)
{
	static const struct row rows[] = {
		{ "GET / HTTP/1.1", 14, NK_TEXT_WIRE, "GET / HTTP/1.1" },
		{ "a\r\nb\tc\0d", 8, NK_TEXT_WIRE, "a\\r\\nb\\tc\\0d" },
		{ "back\\slash", 10, NK_TEXT_WIRE, "back\\\\slash" },
		{ "\xc3\xa9\x1b\x7f", 4, NK_TEXT_WIRE, "\\xc3\\xa9\\x1b\\x7f" },
		{ "\t", 1, NK_TEXT_WIRE | NK_TEXT_TAB, "\\t" },
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

/* The bidirectional controls below are the point of the test: the
 * check that flags them in literals guards source code, not test data. */
/* NOLINTBEGIN(misc-misleading-bidirectional) */
static void
test_utf8(void **state)
{
	static const struct row rows[] = {
		/* valid UTF-8 of every length passes */
		{ "caf\xc3\xa9", 5, 0, "caf\xc3\xa9" },
		{ "\xc2\xa0", 2, 0, "\xc2\xa0" },                  /* NBSP */
		{ "\xe2\x82\xac", 3, 0, "\xe2\x82\xac" },          /* euro */
		{ "\xf0\x9f\x98\x80", 4, 0, "\xf0\x9f\x98\x80" },
		{ "\xef\xbf\xbd", 3, 0, "\xef\xbf\xbd" },          /* U+FFFD */
		{ "\xe2\x80\x8d", 3, 0, "\xe2\x80\x8d" },          /* ZWJ is text */
		/* C1, raw and encoded */
		{ "\x9b" "1m", 3, 0, "\\x9b1m" },
		{ "\x80\x9f", 2, 0, "\\x80\\x9f" },
		{ "\xc2\x80", 2, 0, "\\xc2\\x80" },
		{ "\xc2\x9b" "1m", 4, 0, "\\xc2\\x9b1m" },
		{ "\xc2\x9f", 2, 0, "\\xc2\\x9f" },
		/* invalid UTF-8: every byte */
		{ "\xff\xfe", 2, 0, "\\xff\\xfe" },
		{ "\xc0\x80", 2, 0, "\\xc0\\x80" },                /* overlong */
		{ "\xe0\x80\x80", 3, 0, "\\xe0\\x80\\x80" },
		{ "\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80" },       /* surrogate */
		{ "\xf4\x90\x80\x80", 4, 0, "\\xf4\\x90\\x80\\x80" },
		{ "\xe2\x82", 2, 0, "\\xe2\\x82" },                /* cut short */
		{ "\xe2\x82" "a", 3, 0, "\\xe2\\x82a" },
		{ "\xa9", 1, 0, "\\xa9" },                         /* stray */
		/* bidirectional controls: both ends of each range */
		{ "\xd8\x9c", 2, 0, "\\xd8\\x9c" },                /* U+061C */
		{ "\xe2\x80\x8e", 3, 0, "\\xe2\\x80\\x8e" },       /* U+200E */
		{ "\xe2\x80\x8f", 3, 0, "\\xe2\\x80\\x8f" },       /* U+200F */
		{ "\xe2\x80\xaa", 3, 0, "\\xe2\\x80\\xaa" },       /* U+202A */
		{ "a\xe2\x80\xae" "b", 5, 0, "a\\xe2\\x80\\xaeb" },/* U+202E */
		{ "\xe2\x81\xa6", 3, 0, "\\xe2\\x81\\xa6" },       /* U+2066 */
		{ "\xe2\x81\xa9", 3, 0, "\\xe2\\x81\\xa9" },       /* U+2069 */
		{ "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xaa", 9, 0,    /* neighbours */
		  "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xaa" },
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}
/* NOLINTEND(misc-misleading-bidirectional) */

static void
test_8bit(void **state)
{
	static const struct row rows[] = {
		{ "caf\xe9", 4, NK_TEXT_8BIT, "caf\xe9" },
		{ "\xa0\xff", 2, NK_TEXT_8BIT, "\xa0\xff" },
		{ "\x80\x9b\x9f", 3, NK_TEXT_8BIT, "\\x80\\x9b\\x9f" },
		{ "\x1b\x7f", 2, NK_TEXT_8BIT, "\\x1b\\x7f" },
		/* UTF-8 means nothing here: its bytes are characters */
		{ "\xc2\x9b", 2, NK_TEXT_8BIT, "\xc2\\x9b" },
	};
	(void)state;
	check_rows(rows, sizeof rows / sizeof rows[0]);
}

static void
test_safe_len(void **state)
{
	(void)state;
	assert_int_equal(nk_text_safe_len("ab", 2, 0), 1);
	assert_int_equal(nk_text_safe_len("\t", 1, 0), 0);
	assert_int_equal(nk_text_safe_len("\t", 1, NK_TEXT_TAB), 1);
	assert_int_equal(nk_text_safe_len("\xf0\x9f\x98\x80!", 5, 0), 4);
	/* NOLINTNEXTLINE(misc-misleading-bidirectional): U+202E on purpose */
	assert_int_equal(nk_text_safe_len("\xe2\x80\xae", 3, 0), 0);
	/* a character cut at len: invalid, unless more bytes may follow */
	static const char *const prefixes[] = {
		"\xc3", "\xe2", "\xe2\x82", "\xf0", "\xf0\x9f", "\xf0\x9f\x98",
		"\xe2\x80", /* could still be U+202E: undecided */
	};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i]);
		assert_int_equal(nk_text_safe_len(prefixes[i], n, 0), 0);
		assert_true(nk_text_safe_len(prefixes[i], n, NK_TEXT_STREAM) ==
		            NK_TEXT_MORE);
	}
	/* already wrong: no byte can mend these */
	static const char *const broken[] = {
		"\x80", "\xc0", "\xc1", "\xf5", "\xff", "\xe0\x80", "\xed\xa0",
		"\xf0\x80", "\xf4\x90", "\xe2\x61",
	};
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
		assert_int_equal(nk_text_safe_len(broken[i], strlen(broken[i]),
		                                  NK_TEXT_STREAM), 0);
	/* the 8-bit mode never waits */
	assert_int_equal(nk_text_safe_len("\xe2", 1,
	                                  NK_TEXT_8BIT | NK_TEXT_STREAM), 1);
}

/* A consumer that gets s in two reads, cut at cut, and keeps what
 * nk_text_safe_len cannot decide yet, as the telnet tool does. */
static void
stream(const char *s, size_t len, size_t cut, nk_buf *out)
{
	char held[8];
	size_t nheld = 0;
	const size_t ends[2] = { cut, len };
	size_t from = 0;

	for (int r = 0; r < 2; r++) {
		for (; from < ends[r]; from++) {
			held[nheld++] = s[from];
			while (nheld) {
				size_t k = nk_text_safe_len(held, nheld,
				                            NK_TEXT_STREAM);
				if (k == NK_TEXT_MORE)
					break;
				if (!k)
					k = 1;
				nk_text_escape(out, held, k, 0);
				nheld -= k;
				memmove(held, held + k, nheld);
			}
		}
	}
	nk_text_escape(out, held, nheld, 0);
}

static void
test_split(void **state)
{
	static const char s[] =
		/* NOLINTNEXTLINE(misc-misleading-bidirectional): on purpose */
		"a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\x9b\xe2\x80\xae"
		"\xe2\x82" "x\x1b\xff\xf0\x9f\x98";
	const size_t len = sizeof s - 1;
	nk_buf whole = NK_BUF_INIT(0);
	(void)state;
	assert_int_equal(nk_text_escape(&whole, s, len, 0), 0);
	assert_string_equal(nk_buf_str(&whole),
	                    "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	                    "\\xc2\\x9b\\xe2\\x80\\xae\\xe2\\x82x\\x1b\\xff"
	                    "\\xf0\\x9f\\x98");
	for (size_t cut = 0; cut <= len; cut++) {
		nk_buf b = NK_BUF_INIT(0);
		stream(s, len, cut, &b);
		assert_int_equal(b.err, 0);
		assert_string_equal(nk_buf_str(&b), nk_buf_str(&whole));
		nk_buf_free(&b);
	}
	nk_buf_free(&whole);
}

/* Every size of dst: a prefix of the whole, made of whole characters and
 * whole escapes, standing for exactly the input it says it took, and as
 * long as fits. */
static void
test_escape_to_cuts(void **state)
{
	static const char in[] = "ab\x1b\xe2\x82\xac\tc\xc3\xa9";
	const size_t len = sizeof in - 1;
	char whole[64];
	(void)state;
	assert_int_equal(nk_text_escape_to(whole, sizeof whole, in, len, 0), len);
	assert_string_equal(whole, "ab\\x1b\xe2\x82\xac\\x09c\xc3\xa9");
	for (size_t cap = 1; cap <= strlen(whole) + 1; cap++) {
		char out[64], again[64];
		memset(out, 'Z', sizeof out);
		size_t took = nk_text_escape_to(out, cap, in, len, 0);
		size_t olen = strlen(out);
		assert_true(olen < cap);
		assert_memory_equal(out, whole, olen);
		nk_text_escape_to(again, sizeof again, in, took, 0);
		assert_string_equal(again, out);
		if (took < len) {
			/* the next piece would not have fitted */
			size_t k = nk_text_safe_len(in + took, len - took, 0);
			nk_text_escape_to(again, sizeof again, in + took,
			                  k ? k : 1, 0);
			assert_true(olen + strlen(again) >= cap);
		}
	}
	/* no room at all: nothing written, nothing taken */
	char z = 'Z';
	assert_int_equal(nk_text_escape_to(&z, 0, "a", 1, 0), 0);
	assert_int_equal(z, 'Z');
}

static void
test_escape_cap(void **state)
{
	nk_buf b = NK_BUF_INIT(6);
	(void)state;
	assert_int_equal(nk_text_escape(&b, "ab", 2, 0), 0);
	assert_int_equal(nk_text_escape(&b, "\x1b", 1, 0), 0);
	assert_string_equal(nk_buf_str(&b), "ab\\x1b");
	assert_int_equal(nk_text_escape(&b, "c", 1, 0), -1);
	assert_int_equal(b.err, NK_ERR_FILESIZE_EXCEEDED);
	/* the error sticks, even for nothing */
	assert_int_equal(nk_text_escape(&b, "", 0, 0), -1);
	nk_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_8bit),
		cmocka_unit_test(test_safe_len),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_escape_to_cuts),
		cmocka_unit_test(test_escape_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
